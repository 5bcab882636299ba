"""`pactlab playbook explain`, `pactlab playbook schema` and `pactlab scenario new` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pactlab.app.cli import app
from pactlab.domain.loader import load_model
from pactlab.domain.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "scenarios" / "examples"
ARENA = EXAMPLES / "riverside_arena.yaml"
RESIDENTS = EXAMPLES / "riverside_residents_playbook.yaml"

runner = CliRunner()


def test_explain_a_playbook_file_against_the_scenario_it_names() -> None:
    result = runner.invoke(app, ["playbook", "explain", str(RESIDENTS)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Playbook of Residents (Riverside Residents' Association)" in out
    assert "weight 3, 33% of the utility: priority high → weight 3 (high 3, medium 2, low 1)" in out
    assert "why: events ending after eleven keep the whole neighbourhood awake" in out
    assert "h23   0.500  fallback 1" in out and "none  0.000  unacceptable" in out
    assert "hard constraints: Curfew != none" in out
    assert "Not in the playbook (weight 0: the party is indifferent): PublicFunding" in out
    reservation = load_model(ARENA, Scenario).party("Residents").private.reservation_value
    assert f"reservation value {reservation:.4f}: walk away below fallback 1" in out
    assert "the package: Site=old_port, Parking=medium, Curfew=h23, CommunityFund=small" in out
    assert "reservation_value: " + repr(reservation) in out  # the compiled profile, as private: would say


def test_explain_a_scenario_file_picks_the_party() -> None:
    result = runner.invoke(app, ["playbook", "explain", str(ARENA), "--party", "Residents"])
    assert result.exit_code == 0, result.output
    assert "Playbook of Residents" in result.stdout
    missing = runner.invoke(app, ["playbook", "explain", str(ARENA), "--party", "SportCo"])
    assert missing.exit_code == 2 and "party 'SportCo' of 'RiversideArena' uses a playbook" in missing.stderr


def test_explain_with_a_named_scenario_and_a_located_error(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text(
        "clauses:\n  Site:\n    priority: high\n    preferred: riverside\n    fallbacks: [pier]\n"
        "walk_away: {below: preferred}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["playbook", "explain", str(book), "--scenario", str(ARENA)])
    assert result.exit_code == 2
    assert f"{book}:5:17: clauses.Site.fallbacks[0]: 'pier' is not an option of 'Site'" in result.stderr
    no_scenario = runner.invoke(app, ["playbook", "explain", str(book)])
    assert no_scenario.exit_code == 2 and "pass --scenario" in no_scenario.stderr
    wrong_party = runner.invoke(app, ["playbook", "explain", str(RESIDENTS), "--party", "SportCo"])
    assert wrong_party.exit_code == 2 and "written for 'Residents', not 'SportCo'" in wrong_party.stderr


def test_explain_a_playbook_file_with_a_broken_structure(tmp_path: Path) -> None:
    book = tmp_path / "book.yaml"
    book.write_text("scenario: x.yaml\nclauses: {}\nwalk_away: {below: never}\n", encoding="utf-8")
    result = runner.invoke(app, ["playbook", "explain", str(book)])
    assert result.exit_code == 2
    assert f"{book}:2:10: clauses:" in result.stderr and f"{book}:3:20: walk_away.below:" in result.stderr


@pytest.mark.parametrize("parties", [2, 3])
def test_scenario_new_writes_a_starter_that_validates_and_runs(tmp_path: Path, parties: int) -> None:
    target = tmp_path / "deal.yaml"
    written = runner.invoke(app, ["scenario", "new", "--out", str(target), "--parties", str(parties)])
    assert written.exit_code == 0, written.output
    assert runner.invoke(app, ["scenario", "validate", str(target)]).exit_code == 0
    scenario = load_model(target, Scenario)
    assert len(scenario.parties) == parties and all(p.playbook is not None for p in scenario.parties)
    explained = runner.invoke(app, ["playbook", "explain", str(target)])
    assert explained.exit_code == 0 and explained.stdout.count("Playbook of party_") == parties
    ran = runner.invoke(app, ["run", str(target), "--seed", "1", "-q", "--out", str(tmp_path / "runs")])
    assert ran.exit_code in (0, 3), ran.output


def test_scenario_new_to_stdout_and_no_overwrite(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["scenario", "new"])
    assert printed.exit_code == 0 and printed.stdout.startswith("# A starter scenario: 2 parties")
    target = tmp_path / "deal.yaml"
    target.write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["scenario", "new", "--out", str(target)])
    assert refused.exit_code == 2 and "pass --force" in refused.stderr and target.read_text() == "mine"
    assert runner.invoke(app, ["scenario", "new", "--out", str(target), "--force"]).exit_code == 0
    assert runner.invoke(app, ["scenario", "new", "--parties", "7"]).exit_code == 2


def test_the_example_points_game_runs(tmp_path: Path) -> None:
    ran = runner.invoke(app, ["run", str(ARENA), "--seed", "1", "-q", "--out", str(tmp_path)])
    assert ran.exit_code in (0, 3), ran.output
