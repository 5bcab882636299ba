"""A party may give a playbook instead of `private:`: inline, or in a file the loader reads.

Errors inside a playbook file name that file, its line and its own fields; the compiled profile
is what runs, what dumps hold and what the audit trail hashes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pactlab.domain.loader import FileError, Problem, load_model
from pactlab.domain.playbook import Playbook
from pactlab.domain.playbook_compiler import compile_playbook
from pactlab.domain.scenario import Party, Scenario

ROOT = Path(__file__).resolve().parents[2]
ARENA = ROOT / "scenarios" / "examples" / "riverside_arena.yaml"
RESIDENTS = ROOT / "scenarios" / "examples" / "riverside_residents_playbook.yaml"


def copy_example(tmp_path: Path, playbook: str | None = None) -> Path:
    """The example scenario and playbook in `tmp_path`, the playbook's text replaced if given."""
    scenario = tmp_path / ARENA.name
    scenario.write_text(ARENA.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / RESIDENTS.name).write_text(playbook or RESIDENTS.read_text(encoding="utf-8"), encoding="utf-8")
    return scenario


def problems(path: Path) -> list[Problem]:
    with pytest.raises(FileError) as info:
        load_model(path, Scenario)
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_playbook_file_compiles_into_the_party_profile() -> None:
    scenario = load_model(ARENA, Scenario)
    residents = scenario.party("Residents")
    assert isinstance(residents.playbook, Playbook)
    expected = compile_playbook(load_model(RESIDENTS, Playbook), scenario.issues).profile
    assert residents.private == expected
    assert residents.private.constraints == [
        "Site != riverside",
        "Curfew != none",
        "CommunityFund != none",
    ]


def test_dumps_hold_the_compiled_profile_and_load_again() -> None:
    scenario = load_model(ARENA, Scenario)
    dumped = scenario.model_dump(mode="json")
    assert "playbook" not in dumped["parties"][2]
    assert "private" in dumped["parties"][2]
    again = Scenario.model_validate(dumped)
    assert again.sha256() == scenario.sha256()
    assert again.party("Residents").private == scenario.party("Residents").private
    assert "private" not in scenario.public_view()["parties"][2]


def test_an_inline_playbook_is_the_same_as_its_file() -> None:
    data = yaml.safe_load(ARENA.read_text(encoding="utf-8"))
    data["parties"][2]["playbook"] = yaml.safe_load(RESIDENTS.read_text(encoding="utf-8"))
    inline = Scenario.model_validate(data)
    assert inline.sha256() == load_model(ARENA, Scenario).sha256()


def test_errors_inside_a_playbook_file_name_that_file_and_line(tmp_path: Path) -> None:
    text = RESIDENTS.read_text(encoding="utf-8")
    text = text.replace("    preferred: h22\n", "    preferred: h21\n").replace("priority: low", "priority: lowest")
    path = copy_example(tmp_path, text)
    playbook = tmp_path / RESIDENTS.name
    found = problems(path)
    assert [p.file for p in found] == [str(playbook)]
    (priority,) = found
    assert priority.field == "clauses.Parking.priority"
    assert priority.line == line_of(playbook, "priority: lowest")
    assert "'high', 'medium' or 'low'" in priority.message
    # once the structure is right, the compiler's problems are located in the file too
    playbook.write_text(text.replace("priority: lowest", "priority: low"), encoding="utf-8")
    (option, unplaced) = problems(path)
    assert option.file == str(playbook) and option.field == "clauses.Curfew.preferred"
    assert option.line == line_of(playbook, "preferred: h21")
    assert "'h21' is not an option of 'Curfew'" in option.message
    assert unplaced.field == "clauses.Curfew" and "h22 are neither preferred" in unplaced.message


def test_an_unknown_field_in_a_playbook_file_lists_the_known_ones(tmp_path: Path) -> None:
    text = RESIDENTS.read_text(encoding="utf-8").replace("walk_away:", "walkaway:")
    path = copy_example(tmp_path, text)
    found = {p.field: p for p in problems(path)}
    assert "unknown field 'walkaway'; known fields: party, scenario, interests" in found["walkaway"].message
    assert found["walkaway"].file == str(tmp_path / RESIDENTS.name)


def test_a_playbook_file_that_does_not_exist(tmp_path: Path) -> None:
    path = copy_example(tmp_path)
    (tmp_path / RESIDENTS.name).unlink()
    (problem,) = problems(path)
    assert problem.file == str(path) and problem.field == "parties[2].playbook"
    assert problem.line == line_of(path, "playbook: riverside_residents_playbook.yaml")
    assert "cannot read 'riverside_residents_playbook.yaml'" in problem.message


def test_a_playbook_file_with_a_yaml_error(tmp_path: Path) -> None:
    path = copy_example(tmp_path, "clauses: [unclosed\n")
    (problem,) = problems(path)
    assert problem.file == str(tmp_path / RESIDENTS.name) and "YAML syntax error" in problem.message


def test_a_playbook_written_for_another_party(tmp_path: Path) -> None:
    text = RESIDENTS.read_text(encoding="utf-8").replace("party: Residents", "party: SportCo")
    (problem,) = problems(copy_example(tmp_path, text))
    assert problem.field == "party" and "written for 'SportCo', used for 'Residents'" in problem.message


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        (
            {"private": {"weights": {"Site": 1}, "values": {"Site": {"riverside": 1}}, "reservation_value": 0}},
            "give either 'private' or 'playbook', not both",
        ),
        ({"playbook": None}, "give a playbook (a mapping or a file), or drop the key"),
        ({"playbook": "file.yaml"}, "was not read: load the scenario file with pactlab.domain.loader"),
    ],
)
def test_a_party_gives_private_or_a_playbook(edit: dict[str, object], phrase: str) -> None:
    data = yaml.safe_load(ARENA.read_text(encoding="utf-8"))
    data["parties"][2].update(edit)
    with pytest.raises(ValueError, match="playbook") as info:
        Scenario.model_validate(data)
    assert phrase in str(info.value)


def test_a_playbook_waits_for_valid_issues() -> None:
    data = yaml.safe_load(ARENA.read_text(encoding="utf-8"))
    data["parties"][2]["playbook"] = yaml.safe_load(RESIDENTS.read_text(encoding="utf-8"))
    data["issues"][0]["kind"] = "ranked"
    with pytest.raises(ValueError) as info:
        Scenario.model_validate(data)
    assert "issues.0" in str(info.value) and "fix the issues first" in str(info.value)
    with pytest.raises(ValueError, match="compiles against the scenario's issues"):
        Party.model_validate(data["parties"][2])
