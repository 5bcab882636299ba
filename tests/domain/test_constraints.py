"""The hard-constraint language: grammar, errors that show where, no Python, and semantics."""

from __future__ import annotations

import builtins
import itertools
from pathlib import Path

import numpy as np
import pytest

from pactlab.domain.constraints import Atom, Constraint, ConstraintSyntaxError, parse_constraints
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue
from pactlab.domain.outcome_space import OutcomeSpace

ISSUES = [
    CategoricalIssue(id="foreground_ip", options=["platform", "joint", "supplier"]),
    CategoricalIssue(id="disclosure", options=["none", "under_nda", "full"], ordered=True),
    NumericIssue(id="exclusivity_months", minimum=0, maximum=36, step=12, integer=True),
    NumericIssue(id="royalty_rate", minimum=0, maximum=2, step=0.5),
    BooleanIssue(id="second_source"),
]
BY_ID = {i.id: i for i in ISSUES}
SPACE = OutcomeSpace(ISSUES)
BASE_TERMS: dict[str, IssueValue] = {
    "foreground_ip": "joint",
    "disclosure": "under_nda",
    "exclusivity_months": 12,
    "royalty_rate": 1.0,
    "second_source": False,
}


def holds(text: str, **changes: IssueValue) -> bool:
    constraint = Constraint(text)
    constraint.check_against(BY_ID)
    return constraint.holds({**BASE_TERMS, **changes}, BY_ID)


def mask(text: str) -> np.ndarray:
    return Constraint(text).mask(lambda issue: SPACE.issue_column(issue), BY_ID)


# -- the grammar ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "exclusivity_months <= 12",
        "if foreground_ip == supplier then disclosure in [under_nda, full]",
        "exclusivity_months == 12",
        "exclusivity_months != 12",
        "exclusivity_months < 12",
        "exclusivity_months > 12",
        "exclusivity_months >= 12",
        "royalty_rate <= 1.5",
        "royalty_rate > -1",
        "foreground_ip in [platform]",
        "foreground_ip not in [platform, joint]",
        "foreground_ip == 'joint'",
        'foreground_ip == "joint"',
        "second_source == true",
        "second_source != False",
        "exclusivity_months<=12",
        "  exclusivity_months   <=   12  ",
        "royalty_rate in [0, 0.5,1]",
        "foreground_ip == joint and exclusivity_months <= 12 or second_source == true",
        "if foreground_ip == joint or foreground_ip == supplier then royalty_rate <= 1 and disclosure >= under_nda",
    ],
)
def test_parser_accepts_the_grammar(text: str) -> None:
    constraint = Constraint(text)
    assert str(constraint) == text.strip()
    constraint.check_against(BY_ID)


def test_parsed_structure() -> None:
    c = Constraint("if foreground_ip == supplier then disclosure in [under_nda, full] or exclusivity_months < 12")
    assert c.premise is not None
    assert c.premise.any_of == ((Atom("foreground_ip", "==", ("supplier",)),),)
    assert c.condition.any_of == (
        (Atom("disclosure", "in", ("under_nda", "full")),),
        (Atom("exclusivity_months", "<", (12,)),),
    )
    assert c.issues == ["disclosure", "exclusivity_months", "foreground_ip"]


def test_and_binds_tighter_than_or() -> None:
    c = Constraint("a == x or b == y and c == z")
    assert c.premise is None
    assert c.condition.any_of == (
        (Atom("a", "==", ("x",)),),
        (Atom("b", "==", ("y",)), Atom("c", "==", ("z",))),
    )


def test_value_tokens() -> None:
    atoms = Constraint("a in [12, 1.5, -3, true, FALSE, word, 'two words', \"q\"]").condition.atoms()
    assert atoms[0].values == (12, 1.5, -3, True, False, "word", "two words", "q")
    assert isinstance(atoms[0].values[0], int) and isinstance(atoms[0].values[1], float)
    assert Constraint("a not in [x]").condition.atoms()[0].op == "not in"


def test_constraint_is_a_plain_string_for_yaml_and_json() -> None:
    c = Constraint(" exclusivity_months <= 12 ")
    assert isinstance(c, str) and c == "exclusivity_months <= 12"
    assert parse_constraints(["a == 1", "b != 2"]) == ["a == 1", "b != 2"]


# -- syntax errors show where ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty constraint"),
        ("   ", "empty constraint"),
        ("exclusivity_months", "expected a comparison (==, !=, <, <=, >, >=, in, not in) but found the end"),
        ("exclusivity_months <=", "expected a value but found the end"),
        ("<= 12", "expected an issue id but found '<=' at position 0"),
        ("x == 1 and", "expected an issue id but found the end"),
        ("if x == 1", "expected 'then' but found the end"),
        ("if x == 1 then", "expected an issue id but found the end"),
        ("x in [1, 2", "expected ']' but found the end"),
        ("x in 1", "expected '[' but found '1' at position 5"),
        ("x in []", "expected a value but found ']' at position 6"),
        ("x in [1,]", "expected a value but found ']' at position 8"),
        ("x not 1", "expected 'in' but found '1' at position 6"),
        ("x == 1 y == 2", "expected end of constraint but found 'y' at position 7"),
        ("x == 1 AND y == 2", "expected end of constraint but found 'AND' at position 7"),
        ("x == 1 then y == 2", "expected end of constraint but found 'then' at position 7"),
        ("x == [1]", "expected a value but found '[' at position 5"),
        ("x ==> 1", "expected a value but found '>' at position 4"),
        ("x = 1", "unexpected character '=' at position 2"),
        ("x == (1)", "unexpected character '(' at position 5"),
        ("x == 1;", "unexpected character ';' at position 6"),
        ("x == 1 && y == 2", "unexpected character '&' at position 7"),
        ("x == 'unclosed", 'unexpected character "\'" at position 5'),
        ("x == 1e5", "expected end of constraint but found 'e5' at position 6"),
    ],
)
def test_garbage_is_a_syntax_error_that_shows_where(text: str, expected: str) -> None:
    with pytest.raises(ConstraintSyntaxError) as info:
        Constraint(text)
    message = str(info.value)
    assert expected in message
    if text.strip():
        assert repr(text) in message  # the whole constraint is quoted, so the position can be read off


def test_position_in_the_message_points_at_the_offending_text() -> None:
    text = "exclusivity_months <= 12 and royalty_rate ~ 2"
    with pytest.raises(ConstraintSyntaxError, match="position") as info:
        Constraint(text)
    position = int(str(info.value).split("position ")[1].split()[0])
    assert text[position] == "~"


def test_syntax_error_is_a_value_error() -> None:
    assert issubclass(ConstraintSyntaxError, ValueError)  # so pydantic reports it as a field error


# -- never Python -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('x')",
        "exclusivity_months <= 12 or __import__('os')",
        "exclusivity_months <= len('abc')",
        "exclusivity_months <= 12 if True else 0",
        "lambda: 1",
        "exclusivity_months.__class__ == 1",
        "exclusivity_months <= 1 + 1",
        "exclusivity_months <= 12; import os",
        "not exclusivity_months <= 12",
    ],
)
def test_python_is_not_evaluated(text: str) -> None:
    with pytest.raises(ConstraintSyntaxError):
        Constraint(text)


def test_python_side_effects_never_happen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pwned"

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the constraint language must not call eval/exec")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    with pytest.raises(ConstraintSyntaxError):
        Constraint(f"__import__('pathlib').Path('{target}').touch()")
    assert not target.exists()
    # ordinary parsing and evaluation work without eval/exec
    assert holds("if foreground_ip == joint then exclusivity_months <= 12")
    assert mask("royalty_rate < 1").any()


def test_a_python_name_as_a_value_is_just_a_word() -> None:
    c = Constraint("foreground_ip == os")
    assert c.condition.atoms()[0].values == ("os",)
    with pytest.raises(ValueError, match="'os' is not an option of 'foreground_ip'"):
        c.check_against(BY_ID)
    with pytest.raises(ValueError, match="is numeric; compare it with a number"):
        Constraint("exclusivity_months == os").check_against(BY_ID)


# -- semantics --------------------------------------------------------------------------------


def test_if_then() -> None:
    rule = "if foreground_ip == supplier then exclusivity_months <= 12"
    assert holds(rule, foreground_ip="joint", exclusivity_months=36)  # premise false: holds
    assert holds(rule, foreground_ip="supplier", exclusivity_months=12)
    assert not holds(rule, foreground_ip="supplier", exclusivity_months=24)


def test_and_or() -> None:
    both = "foreground_ip == joint and second_source == true"
    either = "foreground_ip == joint or second_source == true"
    for ip, second in itertools.product(["platform", "joint"], [False, True]):
        a, b = ip == "joint", second
        assert holds(both, foreground_ip=ip, second_source=second) == (a and b)
        assert holds(either, foreground_ip=ip, second_source=second) == (a or b)
    mixed = "foreground_ip == platform or foreground_ip == joint and exclusivity_months == 0"
    assert holds(mixed, foreground_ip="platform", exclusivity_months=36)
    assert not holds(mixed, foreground_ip="joint", exclusivity_months=36)
    assert holds(mixed, foreground_ip="joint", exclusivity_months=0)


def test_in_and_not_in() -> None:
    assert holds("foreground_ip in [joint, supplier]", foreground_ip="joint")
    assert not holds("foreground_ip in [joint, supplier]", foreground_ip="platform")
    assert holds("foreground_ip not in [joint, supplier]", foreground_ip="platform")
    assert not holds("foreground_ip not in [joint]", foreground_ip="joint")
    assert holds("exclusivity_months in [0, 12.0]", exclusivity_months=12)
    assert holds("royalty_rate in [0.5, 1.5]", royalty_rate=1.5)
    assert not holds("royalty_rate in [0.5, 1.5]", royalty_rate=1.0)
    assert holds("second_source in [true]", second_source=True)
    assert holds("second_source not in [true]", second_source=False)


def test_ordered_comparisons_on_numbers() -> None:
    cases = {"<": [0], "<=": [0, 12], ">": [24, 36], ">=": [12, 24, 36], "==": [12], "!=": [0, 24, 36]}
    for op, passing in cases.items():
        for months in (0, 12, 24, 36):
            assert holds(f"exclusivity_months {op} 12", exclusivity_months=months) == (months in passing), (op, months)
    # a bound between grid points
    assert holds("royalty_rate <= 1.25", royalty_rate=1.0)
    assert not holds("royalty_rate <= 1.25", royalty_rate=1.5)


def test_ordered_comparisons_on_an_ordered_categorical_follow_the_option_order() -> None:
    assert [holds("disclosure >= under_nda", disclosure=d) for d in ("none", "under_nda", "full")] == [
        False,
        True,
        True,
    ]
    assert [holds("disclosure < full", disclosure=d) for d in ("none", "under_nda", "full")] == [True, True, False]


def test_equality_on_yes_no() -> None:
    assert holds("second_source == true", second_source=True)
    assert not holds("second_source == true", second_source=False)
    assert holds("second_source != true", second_source=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foreground_ip < joint", "needs an ordered issue, but 'foreground_ip' is unordered"),
        ("second_source >= true", "does not apply to the yes/no issue"),
        ("speed <= 3", "unknown issue 'speed'"),
        ("exclusivity_months <= many", "is numeric; compare it with a number"),
        ("exclusivity_months == true", "is numeric; compare it with a number"),
        ("second_source == 1", "is yes/no; compare it with true or false"),
        ("disclosure in [none, public]", "'public' is not an option of 'disclosure'"),
        ("if speed == 1 then exclusivity_months <= 12", "unknown issue 'speed'"),
    ],
)
def test_constraints_that_do_not_fit_the_issues(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        Constraint(text).check_against(BY_ID)


@pytest.mark.parametrize(
    "text",
    [
        "exclusivity_months <= 12",
        "if foreground_ip == supplier then exclusivity_months <= 12",
        "foreground_ip == joint and second_source == true or royalty_rate > 1",
        "if disclosure >= under_nda or second_source == false"
        " then foreground_ip not in [platform] and royalty_rate != 0",
    ],
)
def test_vectorised_mask_agrees_with_holds_on_every_outcome(text: str) -> None:
    constraint = Constraint(text)
    expected = [constraint.holds(SPACE.term_sheet(k).terms, BY_ID) for k in range(SPACE.cardinality)]
    assert mask(text).tolist() == expected
