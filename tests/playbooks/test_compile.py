"""Compiling a playbook into a private profile: the rules, the explanation, the errors.

Weights come from priorities, values from the order of positions, hard constraints from what is
unacceptable, the reservation value from the walk-away rule; the same playbook always compiles to
the same profile.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue, _IssueBase
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.playbook import Playbook
from pactlab.domain.playbook_compiler import Compilation, PlaybookError, compile_playbook
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue

ISSUES: list[_IssueBase] = [
    CategoricalIssue(id="foreground_ip", options=["platform", "joint", "split_by_field", "supplier"]),
    NumericIssue(id="royalty_rate", minimum=0, maximum=8, step=1, integer=True),
    NumericIssue(id="exclusivity_months", minimum=0, maximum=36, step=6, integer=True),
    BooleanIssue(id="use_case_disclosed"),
    CategoricalIssue(id="Venue", options=["Big hall", "012", "true", "old-port"]),
]


def compiled(clauses: dict[str, Any], walk_away: dict[str, Any] | None = None, **extra: Any) -> Compilation:
    book = Playbook.model_validate({"clauses": clauses, "walk_away": walk_away or {"below": "fallback_1"}, **extra})
    return compile_playbook(book, ISSUES)


def errors(clauses: dict[str, Any], walk_away: dict[str, Any] | None = None, **extra: Any) -> dict[str, str]:
    with pytest.raises(PlaybookError) as info:
        compiled(clauses, walk_away, **extra)
    return {".".join(str(p) for p in loc): message for loc, message in info.value.problems}


IP = {
    "priority": "high",
    "preferred": "supplier",
    "fallbacks": ["split_by_field", "joint"],
    "unacceptable": ["platform"],
}


def test_weights_come_from_priorities() -> None:
    result = compiled(
        {
            "foreground_ip": IP,
            "royalty_rate": {"priority": "medium", "preferred": 8},
            "exclusivity_months": {"priority": "low", "preferred": 0},
            "use_case_disclosed": {"priority": 4.5, "preferred": True, "fallbacks": [False]},
        }
    )
    assert result.profile.weights == {
        "foreground_ip": 3.0,
        "royalty_rate": 2.0,
        "exclusivity_months": 1.0,
        "use_case_disclosed": 4.5,
    }
    shares = {c.issue: c.share for c in result.clauses}
    assert shares["foreground_ip"] == pytest.approx(3 / 10.5)
    assert "priority high → weight 3" in result.clauses[0].weight_rule


def test_values_come_from_the_order_of_positions() -> None:
    result = compiled({"foreground_ip": IP})
    assert result.profile.values["foreground_ip"] == OptionValues(
        table={"platform": 0.0, "joint": 1 - 2 / 3, "split_by_field": 1 - 1 / 3, "supplier": 1.0}
    )
    assert result.profile.constraints == ["foreground_ip != platform"]
    (clause,) = result.clauses
    assert [(p.position, p.role) for p in clause.positions] == [
        ("supplier", "preferred"),
        ("split_by_field", "fallback 1"),
        ("joint", "fallback 2"),
        ("platform", "unacceptable"),
    ]


def test_unacceptable_others_and_options_that_need_quotes() -> None:
    result = compiled(
        {"Venue": {"priority": "high", "preferred": "Big hall", "fallbacks": ["old-port"], "unacceptable": "others"}},
        walk_away={"below": "preferred"},
    )
    (constraint,) = result.profile.constraints
    assert constraint == "Venue not in ['012', 'true']"
    space = OutcomeSpace(ISSUES)
    u = UtilityFunction(space, result.profile)
    base = {"foreground_ip": "joint", "royalty_rate": 0, "exclusivity_months": 0, "use_case_disclosed": True}
    assert [u.satisfies_constraints(space.validate({**base, "Venue": v})) for v in ISSUES[4].values()] == [
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    ("preferred", "shape"),
    [(8, LinearValue(linear="up")), (0, LinearValue(linear="down")), (3, PeakedValue(peak=3, floor=0))],
)
def test_a_numeric_clause_is_valued_by_distance_from_the_preferred_value(preferred: int, shape: Any) -> None:
    result = compiled({"royalty_rate": {"priority": "high", "preferred": preferred}})
    assert result.profile.values["royalty_rate"] == shape
    assert result.profile.constraints == []  # the whole range is acceptable


def test_a_numeric_clause_with_fallbacks_accepts_the_values_between_its_positions() -> None:
    result = compiled({"exclusivity_months": {"priority": "high", "preferred": 12, "fallbacks": [18, 24]}})
    assert result.profile.constraints == ["exclusivity_months >= 12", "exclusivity_months <= 24"]
    widened = compiled(
        {"exclusivity_months": {"priority": "high", "preferred": 12, "fallbacks": [18], "acceptable": {"max": 30}}}
    )
    assert widened.profile.constraints == ["exclusivity_months <= 30"]
    excluded = compiled({"royalty_rate": {"priority": "high", "preferred": 8, "unacceptable": [0, 1]}})
    assert excluded.profile.constraints == ["royalty_rate not in [0, 1]"]


def test_the_reservation_value_is_the_utility_of_the_package_at_the_walk_away_level() -> None:
    clauses = {
        "foreground_ip": IP,
        "royalty_rate": {"priority": "medium", "preferred": 8, "fallbacks": [6, 4]},
        "use_case_disclosed": {"priority": "low", "preferred": False, "unacceptable": "others"},
    }
    # weights 3, 2, 1 of 6
    expected = {
        "preferred": 1.0,
        "fallback_1": (3 * 2 / 3 + 2 * 6 / 8 + 1 * 1.0) / 6,  # split_by_field, 6 %, no (its only position)
        "fallback_2": (3 * 1 / 3 + 2 * 4 / 8 + 1 * 1.0) / 6,
        "fallback_3": (3 * 1 / 3 + 2 * 4 / 8 + 1 * 1.0) / 6,  # every clause at its last acceptable position
        "last_fallback": (3 * 1 / 3 + 2 * 4 / 8 + 1 * 1.0) / 6,
    }
    for level, value in expected.items():
        result = compiled(clauses, {"below": level})
        assert result.profile.reservation_value == pytest.approx(value), level
        assert result.reservation.value == result.profile.reservation_value
    package = compiled(clauses, {"below": "fallback_1"}).reservation.package
    assert package == {"foreground_ip": "split_by_field", "royalty_rate": 6, "use_case_disclosed": False}


def test_the_package_at_the_walk_away_level_is_acceptable() -> None:
    result = compiled({"foreground_ip": IP, "exclusivity_months": {"priority": "low", "preferred": 6}})
    space = OutcomeSpace(ISSUES)
    u = UtilityFunction(space, result.profile)
    terms = {i.id: i.values()[0] for i in ISSUES} | result.reservation.package
    assert u.acceptable(space.validate(terms))


def test_require_at_least_n_clauses_at_a_level() -> None:
    result = compiled(
        {
            "foreground_ip": IP,
            "royalty_rate": {"priority": "high", "preferred": 8, "fallbacks": [6]},
            "Venue": {"priority": "high", "preferred": "old-port", "fallbacks": ["Big hall"], "unacceptable": "others"},
            "use_case_disclosed": {"priority": "low", "preferred": True, "fallbacks": [False]},
        },
        {"below": "last_fallback", "require": {"at_least": 2, "of": "high", "at": "preferred"}},
    )
    assert result.requirement is not None
    space = OutcomeSpace(ISSUES)
    u = UtilityFunction(space, result.profile)
    for fip, rate, venue in itertools.product(ISSUES[0].values(), ISSUES[1].values(), ["old-port", "Big hall"]):
        terms = {"foreground_ip": fip, "royalty_rate": rate, "exclusivity_months": 0, "use_case_disclosed": True}
        sheet = space.validate({**terms, "Venue": venue})
        at_preferred = (fip == "supplier") + (rate == 8) + (venue == "old-port")
        allowed = fip != "platform" and rate >= 6
        assert u.satisfies_constraints(sheet) == (allowed and at_preferred >= 2), (fip, rate, venue)


def test_a_requirement_every_deal_meets_adds_no_constraint() -> None:
    result = compiled(
        {"foreground_ip": IP},
        {"below": "preferred", "require": {"at_least": 1, "of": ["foreground_ip"], "at": "last_fallback"}},
    )
    assert result.requirement is None and result.profile.constraints == ["foreground_ip != platform"]


def test_extra_constraints_are_taken_as_written() -> None:
    result = compiled({"foreground_ip": IP}, constraints=["if foreground_ip == joint then royalty_rate <= 4"])
    assert result.profile.constraints[-1] == "if foreground_ip == joint then royalty_rate <= 4"
    assert result.extra_constraints == ["if foreground_ip == joint then royalty_rate <= 4"]


def test_compilation_is_deterministic_and_in_scenario_order() -> None:
    clauses = {
        "use_case_disclosed": {"priority": "low", "preferred": True, "fallbacks": [False]},
        "royalty_rate": {"priority": "medium", "preferred": 8},
        "foreground_ip": IP,
    }
    first = compiled(clauses).profile
    again = compiled(dict(reversed(list(clauses.items())))).profile
    assert first.model_dump() == again.model_dump()
    assert list(first.weights) == ["foreground_ip", "royalty_rate", "use_case_disclosed"]


@pytest.mark.parametrize(
    ("clauses", "walk_away", "where", "phrase"),
    [
        ({"price": {"priority": "high", "preferred": 1}}, None, "clauses.price", "unknown issue 'price'"),
        ({"foreground_ip": {**IP, "preferred": "nobody"}}, None, "clauses.foreground_ip.preferred", "not an option"),
        (
            {"foreground_ip": {**IP, "unacceptable": []}},
            None,
            "clauses.foreground_ip",
            "option(s) platform are neither",
        ),
        (
            {"foreground_ip": {**IP, "fallbacks": ["joint", "joint"]}},
            None,
            "clauses.foreground_ip.fallbacks.1",
            "already placed",
        ),
        (
            {"foreground_ip": {**IP, "acceptable": {"min": 1}}},
            None,
            "clauses.foreground_ip.acceptable",
            "for numeric clauses",
        ),
        ({"royalty_rate": {"priority": "high", "preferred": 9}}, None, "clauses.royalty_rate.preferred", "not valid"),
        (
            {"royalty_rate": {"priority": "high", "preferred": 8, "fallbacks": [4, 6]}},
            None,
            "clauses.royalty_rate.fallbacks.1",
            "nearest to the farthest",
        ),
        (
            {"royalty_rate": {"priority": "high", "preferred": 8, "acceptable": {"min": 9}}},
            None,
            "clauses.royalty_rate.acceptable.min",
            "outside",
        ),
        (
            {"royalty_rate": {"priority": "high", "preferred": 2, "acceptable": {"min": 4}}},
            None,
            "clauses.royalty_rate.acceptable",
            "leaves out",
        ),
        (
            {"royalty_rate": {"priority": "high", "preferred": 2, "unacceptable": "others"}},
            None,
            "clauses.royalty_rate.unacceptable",
            "give a range",
        ),
        (
            {"royalty_rate": {"priority": "high", "preferred": 2, "unacceptable": [2]}},
            None,
            "clauses.royalty_rate.unacceptable",
            "also preferred",
        ),
        (
            {"use_case_disclosed": {"priority": "low", "preferred": "yes"}},
            None,
            "clauses.use_case_disclosed.preferred",
            "not valid",
        ),
        (
            {"foreground_ip": IP},
            {"below": "preferred", "require": {"at_least": 2, "of": "high"}},
            "walk_away.require.at_least",
            "there are 1",
        ),
        (
            {"foreground_ip": IP},
            {"below": "preferred", "require": {"at_least": 1, "of": ["royalty_rate"]}},
            "walk_away.require.of",
            "not in the playbook",
        ),
    ],
)
def test_problems_name_the_place_in_the_playbook(
    clauses: dict[str, Any], walk_away: dict[str, Any] | None, where: str, phrase: str
) -> None:
    found = errors(clauses, walk_away)
    assert where in found, found
    assert phrase in found[where], found[where]


def test_an_extra_constraint_on_an_unknown_issue() -> None:
    found = errors({"foreground_ip": IP}, constraints=["price <= 3"])
    assert "unknown issue 'price'" in found["constraints.0"]


def test_priorities_of_zero_leave_nothing_to_value() -> None:
    found = errors({"royalty_rate": {"priority": 0, "preferred": 8}})
    assert "every priority is 0" in found["clauses"]
