"""Property tests of the domain model: offers, outcome indices, utilities and constraint masks.

Random outcome spaces (categorical, numeric and yes/no issues), random preference profiles and
random constraints, plus the shipped scenarios.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, _IssueBase, value_key
from pactlab.domain.loader import load_model
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.preferences import PrivateProfile
from pactlab.domain.scenario import Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = ["platform_material", "boost_converter", "ecosystem"]
STEPS = [0.5, 1, 2, 2.5, 5, 6, 10, 12, 25]  # values print without exponent, as the constraint language needs

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- strategies -------------------------------------------------------------------------------


@st.composite
def issues(draw: st.DrawFn, issue_id: str) -> _IssueBase:
    kind = draw(st.sampled_from(["categorical", "numeric", "boolean"]))
    if kind == "categorical":
        n = draw(st.integers(2, 4))
        return CategoricalIssue(
            id=issue_id, options=[f"{issue_id}_opt{k}" for k in range(n)], ordered=draw(st.booleans())
        )
    if kind == "numeric":
        step = draw(st.sampled_from(STEPS))
        minimum = draw(st.integers(-2, 3)) * step
        n = draw(st.integers(1, 4))
        integer = float(step).is_integer() and draw(st.booleans())
        return NumericIssue(id=issue_id, minimum=minimum, maximum=minimum + n * step, step=step, integer=integer)
    return BooleanIssue(id=issue_id)


@st.composite
def spaces(draw: st.DrawFn, max_issues: int = 4) -> OutcomeSpace:
    n = draw(st.integers(1, max_issues))
    return OutcomeSpace([draw(issues(f"i{k}")) for k in range(n)])


def valid_value(issue: _IssueBase) -> st.SearchStrategy[Any]:
    """Any in-space value, including equivalent spellings of numbers (12 and 12.0)."""
    options = st.sampled_from(issue.values())
    if isinstance(issue, NumericIssue):
        return options.flatmap(lambda v: st.sampled_from([v, float(v)] + ([int(v)] if float(v).is_integer() else [])))
    return options


@st.composite
def term_maps(draw: st.DrawFn, space: OutcomeSpace) -> dict[str, Any]:
    return {issue.id: draw(valid_value(issue)) for issue in space.issues}


def invalid_values(issue: _IssueBase) -> st.SearchStrategy[Any]:
    """Values that are not in the issue's space."""
    junk = st.sampled_from([None, [1], {"a": 1}, "", float("nan"), float("inf")])
    if isinstance(issue, NumericIssue):
        out_of_range = st.integers(1, 5).flatmap(
            lambda k: st.sampled_from([issue.maximum + k * issue.step, issue.minimum - k * issue.step])
        )
        off_step = st.sampled_from(issue.values()[:-1]).map(lambda v: v + issue.step / 2)
        return st.one_of(out_of_range, off_step, st.just(True), st.just(False), st.just("4"), st.just(10**400), junk)
    if isinstance(issue, CategoricalIssue):
        unknown = st.text(min_size=1, max_size=8).filter(lambda s: s not in issue.options)
        return st.one_of(unknown, st.integers(), st.booleans(), st.just(issue.options[0].upper()), junk)
    return st.one_of(st.sampled_from([0, 1, "true", "false", "yes", 1.0]), junk)


@st.composite
def profiles(draw: st.DrawFn, space: OutcomeSpace, constraints: list[str] | None = None) -> PrivateProfile:
    weights = {i.id: draw(st.floats(0, 10)) for i in space.issues}
    if sum(weights.values()) <= 0:
        weights[space.issues[0].id] = 1.0
    values: dict[str, Any] = {}
    unit = st.floats(0, 1)
    for issue in space.issues:
        if isinstance(issue, NumericIssue):
            if draw(st.booleans()):
                values[issue.id] = {"linear": draw(st.sampled_from(["up", "down"]))}
            else:
                peak = draw(st.floats(issue.minimum, issue.maximum))
                values[issue.id] = {"peak": peak, "floor": draw(unit)}
        else:
            values[issue.id] = {value_key(o): draw(unit) for o in issue.values()}
    return PrivateProfile.model_validate(
        {
            "weights": weights,
            "values": values,
            "reservation_value": draw(unit),
            "constraints": constraints or [],
        }
    )


def _literal(value: IssueValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 4))
    return str(value)


@st.composite
def atoms(draw: st.DrawFn, space: OutcomeSpace) -> str:
    issue = draw(st.sampled_from(space.issues))
    options = issue.values()
    ordered = isinstance(issue, NumericIssue) or (isinstance(issue, CategoricalIssue) and issue.ordered)
    ops = ["==", "!=", "in", "not in"] + (["<", "<=", ">", ">="] if ordered else [])
    op = draw(st.sampled_from(ops))
    if isinstance(issue, NumericIssue):
        # grid values and bounds between grid points
        value = st.one_of(st.sampled_from(options), st.sampled_from(options).map(lambda v: v + issue.step / 2))
    else:
        value = st.sampled_from(options)
    if op in ("in", "not in"):
        listed = draw(st.lists(value, min_size=1, max_size=3))
        return f"{issue.id} {op} [{', '.join(_literal(v) for v in listed)}]"
    return f"{issue.id} {op} {_literal(draw(value))}"


@st.composite
def conditions(draw: st.DrawFn, space: OutcomeSpace) -> str:
    conjuncts = draw(st.lists(st.lists(atoms(space), min_size=1, max_size=2), min_size=1, max_size=2))
    return " or ".join(" and ".join(c) for c in conjuncts)


@st.composite
def constraints(draw: st.DrawFn, space: OutcomeSpace) -> str:
    if draw(st.booleans()):
        return f"if {draw(conditions(space))} then {draw(conditions(space))}"
    return draw(conditions(space))


@cache
def shipped(name: str) -> tuple[Scenario, OutcomeSpace, dict[str, UtilityFunction]]:
    scenario = load_model(SCENARIOS / f"{name}.yaml", Scenario)
    space = OutcomeSpace(scenario.issues)
    return scenario, space, {p.id: UtilityFunction(space, p.private) for p in scenario.parties}


@cache
def shipped_utilities(name: str) -> dict[str, np.ndarray]:
    _, _, fns = shipped(name)
    return {p: fn.over_space() for p, fn in fns.items()}


# -- offer validation -------------------------------------------------------------------------


@given(st.data())
@PROPS
def test_validate_accepts_every_in_space_term_sheet(data: st.DataObject) -> None:
    space = data.draw(spaces())
    terms = data.draw(term_maps(space))
    sheet = space.validate(terms)
    assert list(sheet.terms) == space.issue_ids
    for issue in space.issues:
        canonical = sheet.terms[issue.id]
        assert canonical in issue.values()
        if isinstance(issue, NumericIssue):
            assert canonical == pytest.approx(terms[issue.id])
        else:
            assert canonical == terms[issue.id]


@given(st.data())
@PROPS
def test_validate_rejects_a_bad_value_naming_the_issue(data: st.DataObject) -> None:
    space = data.draw(spaces())
    terms = data.draw(term_maps(space))
    bad = data.draw(st.sampled_from(space.issues))
    terms[bad.id] = data.draw(invalid_values(bad))
    with pytest.raises(InvalidOffer) as info:
        space.validate(terms)
    assert set(info.value.problems) == {bad.id}
    assert bad.id in str(info.value)
    assert "valid" in info.value.problems[bad.id] or "takes" in info.value.problems[bad.id]


@given(st.data())
@PROPS
def test_validate_rejects_missing_and_extra_issues(data: st.DataObject) -> None:
    space = data.draw(spaces())
    terms = data.draw(term_maps(space))
    missing = data.draw(st.sets(st.sampled_from(space.issue_ids), min_size=0, max_size=len(space.issues)))
    extra = data.draw(st.sets(st.sampled_from(["speed", "colour", "i9"]), max_size=2))
    if not missing and not extra:
        extra = {"speed"}
    for issue_id in missing:
        del terms[issue_id]
    for issue_id in extra:
        terms[issue_id] = 1
    with pytest.raises(InvalidOffer) as info:
        space.validate(terms)
    assert set(info.value.problems) == missing | extra
    for issue_id in missing:
        assert info.value.problems[issue_id].startswith("missing")
    for issue_id in extra:
        assert "not an issue of this scenario" in info.value.problems[issue_id]


@given(st.data())
@PROPS
def test_validate_accepts_exactly_the_outcome_space(data: st.DataObject) -> None:
    """Per issue, a candidate value is accepted iff it equals one of the issue's values."""
    space = data.draw(spaces(max_issues=2))
    terms = data.draw(term_maps(space))
    issue = data.draw(st.sampled_from(space.issues))
    candidate = data.draw(st.one_of(valid_value(issue), invalid_values(issue)))
    terms[issue.id] = candidate
    in_space = any(
        type(candidate) is not bool and isinstance(candidate, (int, float)) and candidate == v
        if isinstance(issue, NumericIssue)
        else type(candidate) is type(v) and candidate == v
        for v in issue.values()
    )
    try:
        space.validate(terms)
        accepted = True
    except InvalidOffer:
        accepted = False
    assert accepted == in_space, (issue, candidate)


# -- outcome indices --------------------------------------------------------------------------


@given(st.data())
@PROPS
def test_term_sheet_and_index_round_trip(data: st.DataObject) -> None:
    space = data.draw(spaces())
    sheet = space.validate(data.draw(term_maps(space)))
    k = space.index_of(sheet)
    assert 0 <= k < space.cardinality
    assert space.term_sheet(k) == sheet
    j = data.draw(st.integers(0, space.cardinality - 1))
    assert space.index_of(space.term_sheet(j)) == j
    assert space.validate(space.term_sheet(j).terms) == space.term_sheet(j)
    for issue in space.issues:
        assert int(space.issue_column(issue.id, np.array([k]))[0]) == issue.index_of(sheet.terms[issue.id])


@given(st.data())
@PROPS
def test_every_index_is_a_distinct_outcome(data: st.DataObject) -> None:
    space = data.draw(spaces(max_issues=3))
    described = {space.term_sheet(k).describe() for k in range(space.cardinality)}
    assert len(described) == space.cardinality == int(np.prod(space.shape))
    with pytest.raises(IndexError):
        space.term_sheet(space.cardinality)
    with pytest.raises(IndexError):
        space.term_sheet(-1)


@pytest.mark.parametrize("name", SHIPPED)
@given(data=st.data())
@PROPS
def test_shipped_round_trip(name: str, data: st.DataObject) -> None:
    _, space, _ = shipped(name)
    k = data.draw(st.integers(0, space.cardinality - 1))
    sheet = space.term_sheet(k)
    assert space.index_of(space.validate(dict(sheet.terms))) == k


# -- utilities --------------------------------------------------------------------------------


@given(st.data())
@PROPS
def test_utilities_lie_in_unit_interval_and_all_views_agree(data: st.DataObject) -> None:
    space = data.draw(spaces())
    profile = data.draw(profiles(space))
    fn = UtilityFunction(space, profile)
    every = fn.over_space()
    assert every.shape == (space.cardinality,)
    assert np.all(every >= -1e-12) and np.all(every <= 1 + 1e-12)
    np.testing.assert_allclose(fn.of_outcomes(np.arange(space.cardinality)), every, atol=1e-12)
    sample = data.draw(st.lists(st.integers(0, space.cardinality - 1), min_size=1, max_size=10))
    np.testing.assert_allclose(fn.of_outcomes(np.array(sample)), every[sample], atol=1e-12)
    for k in sample:
        assert fn(space.term_sheet(k)) == pytest.approx(every[k], abs=1e-12)


@given(st.data())
@PROPS
def test_utility_extremes_follow_the_weights(data: st.DataObject) -> None:
    """The best outcome is worth the weighted sum of each issue's best value (linear-additive)."""
    space = data.draw(spaces())
    profile = data.draw(profiles(space))
    fn = UtilityFunction(space, profile)
    weights = profile.normalised_weights(space.issue_ids)
    assert weights.sum() == pytest.approx(1.0)
    best = sum(float(t.max()) for t in fn.tables)
    assert fn.over_space().max() == pytest.approx(best)


@pytest.mark.parametrize("name", SHIPPED)
@given(data=st.data())
@PROPS
def test_shipped_utilities_agree(name: str, data: st.DataObject) -> None:
    _, space, fns = shipped(name)
    utilities = shipped_utilities(name)
    party = data.draw(st.sampled_from(sorted(fns)))
    every = utilities[party]
    assert every.min() >= -1e-12 and every.max() <= 1 + 1e-12
    sample = np.array(data.draw(st.lists(st.integers(0, space.cardinality - 1), min_size=1, max_size=20)))
    np.testing.assert_allclose(fns[party].of_outcomes(sample), every[sample], atol=1e-12)
    for k in sample[:5]:
        sheet = space.term_sheet(int(k))
        assert fns[party](sheet) == pytest.approx(every[k], abs=1e-12)
        assert fns[party].constraint_mask(np.array([k]))[0] == fns[party].satisfies_constraints(sheet)


# -- constraint masks -------------------------------------------------------------------------


@given(st.data())
@PROPS
def test_constraint_mask_agrees_with_satisfies_constraints(data: st.DataObject) -> None:
    space = data.draw(spaces(max_issues=3))
    texts = data.draw(st.lists(constraints(space), min_size=1, max_size=3))
    profile = data.draw(profiles(space, texts))
    fn = UtilityFunction(space, profile)
    full = fn.constraint_mask()
    expected = [fn.satisfies_constraints(space.term_sheet(k)) for k in range(space.cardinality)]
    assert full.tolist() == expected
    subset = np.array(sorted(data.draw(st.sets(st.integers(0, space.cardinality - 1), min_size=1))))
    assert fn.constraint_mask(subset).tolist() == full[subset].tolist()
    for k in subset:
        sheet = space.term_sheet(int(k))
        acceptable = fn(sheet) >= profile.reservation_value - UTILITY_TOLERANCE and expected[k]
        assert fn.acceptable(sheet) == acceptable


@given(st.data())
@PROPS
def test_random_constraints_parse_and_check(data: st.DataObject) -> None:
    space = data.draw(spaces(max_issues=3))
    text = data.draw(constraints(space))
    constraint = Constraint(text)
    constraint.check_against(space.by_id)
    assert set(constraint.issues) <= set(space.issue_ids)
    assert Constraint(str(constraint)) == constraint


def test_huge_integer_offer_is_an_invalid_offer_not_a_crash() -> None:
    space = OutcomeSpace([NumericIssue(id="royalty_rate", minimum=0, maximum=8, step=1)])
    with pytest.raises(InvalidOffer) as info:
        space.validate({"royalty_rate": 10**400})
    assert set(info.value.problems) == {"royalty_rate"}
