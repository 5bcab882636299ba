"""Bad scenario files give a FileError that names the file, the line and the field.

Each case edits the small two-party fixture and asserts on the problem's line, its field path
and a phrase of its message. Expected lines are found in the edited text itself, so that they
point at the line a person would look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pactlab.domain.loader import FileError, Problem, load_model, parse_model
from pactlab.domain.scenario import Scenario

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "two_party.yaml"
BASE = FIXTURE.read_text(encoding="utf-8")
SOURCE = "bad.yaml"


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"fixture changed? {old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line containing `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} times"
    return hits[occurrence - 1]


def problems(text: str) -> list[Problem]:
    with pytest.raises(FileError) as info:
        parse_model(text, Scenario, source=SOURCE)
    found = info.value.problems
    assert found, "a FileError must list at least one problem"
    assert str(info.value) == "\n".join(str(p) for p in found)
    return found


def expect(found: list[Problem], field: str, line: int | None, phrase: str) -> Problem:
    """The problem on `field`; asserts its line and that its message contains `phrase`."""
    matching = [p for p in found if p.field == field]
    assert matching, f"no problem on {field!r}; got:\n" + "\n".join(map(str, found))
    problem = matching[0]
    assert problem.file == SOURCE
    assert problem.line == line, str(problem)
    assert phrase in problem.message, str(problem)
    if line is not None:
        assert problem.column is not None and problem.column >= 1
        label = f" {field}:" if field else ""
        assert str(problem).startswith(f"{SOURCE}:{line}:{problem.column}:{label} ")
    return problem


def test_the_fixture_itself_loads() -> None:
    scenario = parse_model(BASE, Scenario, source=SOURCE)
    assert scenario.party_ids == ["alpha", "beta"]


# -- structure: missing, wrong type, unknown -------------------------------------------------


def test_missing_top_level_field() -> None:
    found = problems(edit("title: A small two-party fixture\n", ""))
    expect(found, "title", 1, "missing required field 'title'")


def test_missing_nested_field_points_at_its_mapping() -> None:
    text = edit("    name: Beta Materials\n", "")
    found = problems(text)
    expect(found, "parties[1].name", line_of(text, "- id: beta"), "missing required field 'name'")


def test_missing_field_of_an_issue_kind() -> None:
    text = edit("    maximum: 8\n", "")
    found = problems(text)
    expect(found, "issues[1].maximum", line_of(text, "- id: royalty_rate"), "missing required field 'maximum'")


def test_wrong_type() -> None:
    text = edit("max_rounds: 20", "max_rounds: lots")
    found = problems(text)
    problem = expect(found, "protocol.max_rounds", line_of(text, "max_rounds: lots"), "valid integer")
    assert "'lots'" in problem.message
    assert problem.column == text.splitlines()[problem.line - 1].index("lots") + 1  # type: ignore[operator]


def test_wrong_type_for_a_list() -> None:
    text = edit("options: [alpha, beta, joint]", "options: alpha")
    expect(problems(text), "issues[0].options", line_of(text, "options: alpha"), "valid list")


def test_unknown_field() -> None:
    text = edit("  opener: alpha\n", "  opener: alpha\n  speed: 3\n")
    problem = expect(problems(text), "protocol.speed", line_of(text, "speed: 3"), "unknown field 'speed'")
    assert "known fields: max_rounds, opener, agreement" in problem.message


def test_misspelt_field_gives_both_problems() -> None:
    text = edit(
        "    core_business: advanced materials\n    private:", "    core_business: advanced materials\n    privat:"
    )
    found = problems(text)
    expect(found, "parties[1].privat", line_of(text, "privat:"), "unknown field 'privat'")
    expect(found, "parties[1].private", line_of(text, "- id: beta"), "missing required field 'private'")


def test_unknown_issue_kind() -> None:
    text = edit("kind: boolean", "kind: boolish")
    expect(problems(text), "issues[3]", line_of(text, "- id: use_case_disclosed"), "'boolish'")


def test_root_must_be_a_mapping() -> None:
    expect(problems("- a\n- b\n"), "", 1, "expected a mapping for Scenario")


# -- constraints ----------------------------------------------------------------------------


def test_unknown_issue_in_a_constraint() -> None:
    text = edit("- royalty_rate <= 6", "- royalty <= 6")
    problem = expect(
        problems(text), "parties[0].private.constraints[0]", line_of(text, "royalty <= 6"), "unknown issue 'royalty'"
    )
    assert "known issues: foreground_ip, royalty_rate" in problem.message


def test_constraint_syntax_error_shows_where() -> None:
    text = edit("- royalty_rate <= 6", "- royalty_rate <= <= 6")
    expect(
        problems(text),
        "parties[0].private.constraints[0]",
        line_of(text, "royalty_rate <= <= 6"),
        "expected a value but found '<=' at position 16",
    )


def test_constraint_that_is_python_is_a_syntax_error() -> None:
    text = edit("- royalty_rate <= 6", "- \"__import__('os').system('true')\"")
    expect(problems(text), "parties[0].private.constraints[0]", line_of(text, "__import__"), "unexpected character '('")


def test_ordering_comparison_on_an_unordered_categorical() -> None:
    text = edit("- royalty_rate <= 6", "- foreground_ip <= joint")
    expect(
        problems(text),
        "parties[0].private.constraints[0]",
        line_of(text, "foreground_ip <= joint"),
        "needs an ordered issue, but 'foreground_ip' is unordered",
    )


def test_ordering_comparison_on_a_yes_no_issue() -> None:
    text = edit("- exclusivity_months <= 24", "- use_case_disclosed < true")
    expect(
        problems(text),
        "parties[1].private.constraints[0]",
        line_of(text, "use_case_disclosed < true"),
        "does not apply to the yes/no issue",
    )


def test_constraint_with_an_unknown_option() -> None:
    text = edit("- royalty_rate <= 6", "- foreground_ip == gamma")
    expect(problems(text), "parties[0].private.constraints[0]", line_of(text, "== gamma"), "'gamma' is not an option")


# -- weights and value functions ------------------------------------------------------------


def test_weight_that_does_not_parse() -> None:
    text = edit("weights: {foreground_ip: 3,", "weights: {foreground_ip: heavy,")
    problem = expect(
        problems(text),
        "parties[0].private.weights.foreground_ip",
        line_of(text, "foreground_ip: heavy"),
        "valid number",
    )
    assert "'heavy'" in problem.message


def test_weights_that_are_not_a_mapping() -> None:
    old = "weights: {foreground_ip: 3, royalty_rate: 2, exclusivity_months: 2, use_case_disclosed: 1}"
    text = edit(old, "weights: [3, 2, 2, 1]")
    expect(problems(text), "parties[0].private.weights", line_of(text, "weights: [3"), "valid dictionary")


def test_negative_weight() -> None:
    text = edit("weights: {foreground_ip: 3,", "weights: {foreground_ip: -3,")
    expect(
        problems(text), "parties[0].private.weights.foreground_ip", line_of(text, "foreground_ip: -3"), "greater than"
    )


@pytest.mark.parametrize("weights", ["{}", "{foreground_ip: 0, royalty_rate: 0}"])
def test_weights_must_have_a_positive_entry(weights: str) -> None:
    old = "weights: {foreground_ip: 3, royalty_rate: 2, exclusivity_months: 2, use_case_disclosed: 1}"
    text = edit(old, f"weights: {weights}")
    expect(problems(text), "parties[0].private.weights", line_of(text, "weights: {"), "at least one weight")


def test_weight_for_an_unknown_issue() -> None:
    text = edit("use_case_disclosed: 1}", "use_case_disclosed: 1, speed: 4}")
    expect(problems(text), "parties[0].private.weights.speed", line_of(text, "speed: 4"), "unknown issue 'speed'")


def test_unknown_option_in_a_value_table() -> None:
    text = edit("{alpha: 1.0, beta: 0.0, joint: 0.6}", "{alpha: 1.0, beta: 0.0, joint: 0.6, gamma: 0.2}")
    problem = expect(
        problems(text),
        "parties[0].private.values.foreground_ip",
        line_of(text, "gamma: 0.2"),
        "unknown option(s) gamma",
    )
    assert "valid: alpha, beta, joint" in problem.message


def test_option_missing_from_a_value_table() -> None:
    text = edit("{alpha: 1.0, beta: 0.0, joint: 0.6}", "{alpha: 1.0, beta: 0.0}")
    expect(
        problems(text),
        "parties[0].private.values.foreground_ip",
        line_of(text, "{alpha: 1.0, beta: 0.0}"),
        "no value for option(s) joint",
    )


def test_table_value_outside_zero_one() -> None:
    text = edit("{alpha: 1.0, beta: 0.0, joint: 0.6}", "{alpha: 1.5, beta: 0.0, joint: 0.6}")
    expect(
        problems(text),
        "parties[0].private.values.foreground_ip.alpha",
        line_of(text, "alpha: 1.5"),
        "less than or equal",
    )


def test_linear_value_on_a_categorical_issue() -> None:
    text = edit("{alpha: 1.0, beta: 0.0, joint: 0.6}", "{linear: up}")
    expect(
        problems(text),
        "parties[0].private.values.foreground_ip",
        line_of(text, "foreground_ip: {linear: up}"),
        "is categorical; give a table",
    )


def test_peak_outside_the_range() -> None:
    text = edit("{peak: 12}", "{peak: 48}")
    expect(
        problems(text),
        "parties[1].private.values.exclusivity_months",
        line_of(text, "{peak: 48}"),
        "peak 48.0 lies outside",
    )


def test_weight_without_a_value_function() -> None:
    text = edit("        use_case_disclosed: {true: 0.2, false: 1.0}\n", "")
    expect(
        problems(text),
        "parties[0].private.values",
        line_of(text, "values:"),
        "'use_case_disclosed' has a weight but no",
    )


# -- ids, duplicate keys, YAML syntax, empty files ------------------------------------------


def test_duplicate_issue_id() -> None:
    text = edit("id: use_case_disclosed", "id: royalty_rate")
    problem = expect(
        problems(text), "issues[3].id", line_of(text, "- id: royalty_rate", occurrence=2), "duplicate issue id"
    )
    assert "'royalty_rate' (first used at index 1)" in problem.message


def test_duplicate_party_id() -> None:
    text = edit("  - id: beta\n", "  - id: alpha\n")
    expect(problems(text), "parties[1].id", line_of(text, "- id: alpha", occurrence=2), "duplicate party id 'alpha'")


def test_duplicate_tier_id() -> None:
    text = BASE + "  - id: working_level\n    name: Again\n"
    expect(problems(text), "dispute_ladder[1].id", len(text.splitlines()) - 1, "duplicate tier id 'working_level'")


def test_duplicate_yaml_key() -> None:
    text = edit("title: A small", "title: Another\ntitle: A small")
    expect(problems(text), "title", 3, "duplicate key")


def test_duplicate_yaml_key_in_a_flow_mapping() -> None:
    text = edit("weights: {foreground_ip: 3,", "weights: {foreground_ip: 3, foreground_ip: 4,")
    expect(
        problems(text), "parties[0].private.weights.foreground_ip", line_of(text, "foreground_ip: 4"), "duplicate key"
    )


def test_yaml_syntax_error() -> None:
    text = edit("options: [alpha, beta, joint]", "options: [alpha, beta, joint")
    # the flow sequence left open on one line is detected where the next line breaks it
    problem = expect(problems(text), "", line_of(text, "[alpha, beta, joint") + 1, "YAML syntax error")
    assert "expected ',' or ']'" in problem.message


def test_yaml_tab_indentation() -> None:
    text = edit("title: A small", "title:\tA small: x")
    expect(problems(text), "", line_of(text, "title:"), "YAML syntax error")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    expect(problems(text), "", None, "file is empty")


@pytest.mark.parametrize("text", ["---\n", "null\n", "just a sentence\n", "42\n"])
def test_document_that_is_not_a_mapping(text: str) -> None:
    (problem,) = problems(text)
    assert "expected a mapping for Scenario" in problem.message


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(edit("max_rounds: 20", "max_rounds: lots"), encoding="utf-8")
    with pytest.raises(FileError) as info:
        load_model(path, Scenario)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert str(info.value).startswith(f"{path}:{problem.line}:{problem.column}: protocol.max_rounds:")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(FileError) as info:
        load_model(path, Scenario)
    (problem,) = info.value.problems
    assert problem.file == str(path) and problem.line is None
    assert "cannot read file" in problem.message


# -- issue ranges, agreement rules ----------------------------------------------------------


def test_numeric_step_that_does_not_divide_the_range() -> None:
    text = edit("    step: 12\n", "    step: 10\n")
    problem = expect(
        problems(text), "issues[2]", line_of(text, "- id: exclusivity_months"), "step 10.0 does not divide"
    )
    assert "0.0..36.0" in problem.message


def test_numeric_range_upside_down() -> None:
    text = edit("    maximum: 8\n", "    maximum: -8\n")
    expect(problems(text), "issues[1]", line_of(text, "- id: royalty_rate"), "must be greater than minimum")


def test_duplicate_option() -> None:
    text = edit("options: [alpha, beta, joint]", "options: [alpha, beta, alpha]")
    expect(problems(text), "issues[0]", line_of(text, "- id: foreground_ip"), "option 'alpha' is listed twice")


def test_quorum_larger_than_the_party_count() -> None:
    text = edit("  opener: alpha\n", "  opener: alpha\n  agreement: {kind: quorum, quorum: 3}\n")
    expect(problems(text), "protocol.agreement.quorum", line_of(text, "quorum: 3"), "quorum 3 exceeds the 2 parties")


def test_quorum_rule_without_a_count() -> None:
    text = edit("  opener: alpha\n", "  opener: alpha\n  agreement:\n    kind: quorum\n")
    # a block mapping is reported at its key, not at its first entry on the next line
    expect(problems(text), "protocol.agreement", line_of(text, "agreement:"), "needs 'quorum: N'")


def test_unknown_veto_party() -> None:
    text = edit("  opener: alpha\n", "  opener: alpha\n  agreement: {kind: quorum, quorum: 2, veto: [alpha, gamma]}\n")
    problem = expect(problems(text), "protocol.agreement.veto[1]", line_of(text, "veto:"), "unknown party 'gamma'")
    assert problem.column == text.splitlines()[problem.line - 1].index("gamma") + 1  # type: ignore[operator]
    assert "parties: alpha, beta" in problem.message


def test_unknown_opener() -> None:
    text = edit("  opener: alpha\n", "  opener: gamma\n")
    expect(problems(text), "protocol.opener", line_of(text, "opener: gamma"), "unknown party 'gamma'")


def test_several_problems_are_reported_together() -> None:
    text = edit("max_rounds: 20", "max_rounds: lots")
    text = edit("- royalty_rate <= 6", "- royalty_rate <= <= 6", text)
    fields = {p.field for p in problems(text)}
    assert {"protocol.max_rounds", "parties[0].private.constraints[0]"} <= fields
