"""One tolerance decides: a scenario in integer points and the same one divided by 100 have the
same frontier, the same bargaining solutions and the same individually rational deals.

Without the tolerance they need not: the weights 3, 2, 2 and 0.03, 0.02, 0.02 normalise to
floats that differ in the last bit, so a deal can be worth 0.67 in one and 0.6699999999999999 in
the other, and exact comparisons then call different deals Pareto optimal.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evals.bargaining import coalition, feasible_mask, kalai_smorodinsky, nash_product, nash_solution, utilitarian
from evals.fairness import min_max_ratio
from evals.frontier import distance_to_frontier, pareto_frontier, pareto_mask
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import AgreementRule, Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE, at_least, utility_grid

Pair = tuple[Scenario, Scenario]
POINTS = st.integers(0, 10).map(lambda k: 10 * k)


@st.composite
def rescaled_pairs(draw: st.DrawFn) -> Pair:
    """The same small scenario twice: in points (scale 0..100, whole weights) and divided by 100.

    Points are multiples of 10, so that many deals tie exactly: ties are where float noise decides.
    """
    issues: list[dict[str, Any]] = []
    for k in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["categorical", "boolean", "numeric"]))
        if kind == "categorical":
            n = draw(st.integers(2, 4))
            issues.append({"id": f"Issue{k}", "kind": kind, "options": [f"opt{j}" for j in range(n)]})
        elif kind == "boolean":
            issues.append({"id": f"Issue{k}", "kind": kind})
        else:
            issues.append(
                {"id": f"Issue{k}", "kind": kind, "minimum": 0, "maximum": draw(st.integers(1, 4)), "step": 1}
            )
    points: list[dict[str, Any]] = []
    hundredths: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(2, 3))):
        weights = {i["id"]: draw(st.integers(0, 9)) for i in issues}
        if not any(weights.values()):
            weights[issues[0]["id"]] = 1
        values: dict[str, Any] = {}
        scaled: dict[str, Any] = {}
        for issue in issues:
            if issue["kind"] == "numeric":
                top = issue["maximum"]
                shape = draw(st.sampled_from(["up", "down", "peak"]))
                if shape == "peak":
                    peak, floor = draw(st.integers(0, top)), draw(POINTS)
                    values[issue["id"]] = {"peak": peak, "floor": floor}
                    scaled[issue["id"]] = {"peak": peak, "floor": floor / 100}
                else:
                    values[issue["id"]] = scaled[issue["id"]] = {"linear": shape}
            else:
                keys = issue.get("options", ["true", "false"])
                table = {key: draw(POINTS) for key in keys}
                values[issue["id"]] = table
                scaled[issue["id"]] = {key: v / 100 for key, v in table.items()}
        reservation = draw(POINTS)
        points.append(
            {"scale": {"min": 0, "max": 100}, "weights": weights, "values": values, "reservation_value": reservation}
        )
        hundredths.append(
            {
                "weights": {i: w / 100 for i, w in weights.items()},
                "values": scaled,
                "reservation_value": reservation / 100,
            }
        )

    def scenario(profiles: list[dict[str, Any]]) -> Scenario:
        parties = [
            {"id": f"Party{n}", "name": f"Party {n}", "core_business": "x", "private": p}
            for n, p in enumerate(profiles)
        ]
        return Scenario.model_validate({"id": "Rescaled", "title": "t", "issues": issues, "parties": parties})

    return scenario(points), scenario(hundredths)


def _analysis(scenario: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(scenario.issues)
    return space, utility_functions(space, {p.id: p.private for p in scenario.parties})


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rescaled_pairs())
def test_points_and_hundredths_decide_alike(pair: Pair) -> None:
    (space_a, ufuns_a), (space_b, ufuns_b) = _analysis(pair[0]), _analysis(pair[1])
    front_a, front_b = pareto_frontier(space_a, ufuns_a), pareto_frontier(space_b, ufuns_b)
    assert front_a.outcomes.tolist() == front_b.outcomes.tolist()
    np.testing.assert_allclose(front_a.utilities, front_b.utilities, rtol=0, atol=1e-12)
    for solve in (nash_solution, kalai_smorodinsky, utilitarian):
        a, b = solve(space_a, ufuns_a, front_a), solve(space_b, ufuns_b, front_b)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert a.outcome == b.outcome, solve.__name__
    every = np.arange(space_a.cardinality)
    rational_a = np.all([u.of_outcomes(every) >= u.reservation_value - UTILITY_TOLERANCE for u in ufuns_a.values()], 0)
    rational_b = np.all([u.of_outcomes(every) >= u.reservation_value - UTILITY_TOLERANCE for u in ufuns_b.values()], 0)
    assert rational_a.tolist() == rational_b.tolist()
    for o in range(space_a.cardinality):
        sheet = space_a.term_sheet(o)
        assert all(u.acceptable(sheet) for u in ufuns_a.values()) == all(u.acceptable(sheet) for u in ufuns_b.values())
        if len(front_a):
            on_a = distance_to_frontier([u(sheet) for u in ufuns_a.values()], front_a) == 0.0
            on_b = distance_to_frontier([u(sheet) for u in ufuns_b.values()], front_b) == 0.0
            assert on_a == on_b


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rescaled_pairs(), st.data())
def test_points_and_hundredths_decide_alike_under_a_quorum(pair: Pair, data: st.DataObject) -> None:
    """The same under any quorum with veto holders: feasible set, solutions, their coalitions, each deal's."""
    parties = pair[0].party_ids
    veto = data.draw(st.lists(st.sampled_from(parties), unique=True, max_size=len(parties)))
    rule = AgreementRule(kind="quorum", quorum=data.draw(st.integers(1, len(parties))), veto=veto)
    (space_a, ufuns_a), (space_b, ufuns_b) = _analysis(pair[0]), _analysis(pair[1])
    front_a, front_b = pareto_frontier(space_a, ufuns_a), pareto_frontier(space_b, ufuns_b)
    assert feasible_mask(space_a, ufuns_a, rule).tolist() == feasible_mask(space_b, ufuns_b, rule).tolist()
    for solve in (nash_solution, kalai_smorodinsky, utilitarian):
        a, b = solve(space_a, ufuns_a, front_a, rule), solve(space_b, ufuns_b, front_b, rule)
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert (a.outcome, a.coalition) == (b.outcome, b.coalition), solve.__name__
    r_a = {p: u.reservation_value for p, u in ufuns_a.items()}
    r_b = {p: u.reservation_value for p, u in ufuns_b.items()}
    for o in range(space_a.cardinality):
        sheet = space_a.term_sheet(o)
        deal_a, deal_b = {p: u(sheet) for p, u in ufuns_a.items()}, {p: u(sheet) for p, u in ufuns_b.items()}
        assert coalition(deal_a, r_a, rule) == coalition(deal_b, r_b, rule)
        assert nash_product(deal_a, r_a, rule) == pytest.approx(nash_product(deal_b, r_b, rule), rel=1e-9, abs=1e-12)


def test_the_last_bit_does_not_decide() -> None:
    """0.67 and 0.6699999999999999 are the same utility; a difference of the tolerance is not."""
    noisy = np.array([[0.67, 0.5], [0.6699999999999999, 0.5]])
    assert pareto_mask(noisy).tolist() == [True, True]
    assert pareto_mask(noisy, tolerance=0).tolist() == [True, False]
    apart = np.array([[0.67, 0.5], [0.67 - 2 * UTILITY_TOLERANCE, 0.5]])
    assert pareto_mask(apart).tolist() == [True, False]
    assert at_least(0.5499999999999999, 0.55) and not at_least(0.55 - 2 * UTILITY_TOLERANCE, 0.55)
    assert utility_grid([-0.0, 0.3 + 1e-17]).tolist() == [0.0, 3e8]
    assert min_max_ratio([-1e-17, 0.3]) == 0.0 and min_max_ratio([1e-17, 1e-16]) == 1.0


def test_rounding_never_reverses_an_order() -> None:
    rng = np.random.default_rng(3)
    values = np.sort(rng.random(10_000))
    assert np.all(np.diff(utility_grid(values)) >= 0)


@pytest.mark.parametrize("tolerance", [0.0, UTILITY_TOLERANCE])
def test_float_noise_decides_only_without_the_tolerance(tolerance: float) -> None:
    points = np.array([[0.1 + 0.2, 0.5], [0.3, 0.5], [0.1, 0.9]])  # 0.30000000000000004 and 0.3
    assert pareto_mask(points, tolerance=tolerance).tolist() == [True, tolerance > 0, True]
