"""Nash, Kalai–Smorodinsky and utilitarian solutions against exhaustive search and by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from evals.bargaining import Solution, kalai_smorodinsky, nash_product, nash_solution, utilitarian
from evals.frontier import pareto_frontier
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE

from .test_frontier import brute_agreements, brute_frontier, scenarios, space_and_ufuns, two_by_two

Rows = dict[int, tuple[float, ...]]


def _reservations(ufuns: dict[str, UtilityFunction]) -> tuple[float, ...]:
    return tuple(u.reservation_value for u in ufuns.values())


def _rational(rows: Rows, r: tuple[float, ...]) -> Rows:
    return {o: u for o, u in rows.items() if all(x >= ri - UTILITY_TOLERANCE for x, ri in zip(u, r, strict=True))}


def _grid(x: float) -> float:
    """A utility on the tolerance grid, as the solvers rank it."""
    return float(round(x / UTILITY_TOLERANCE))


def _product(u: tuple[float, ...], r: tuple[float, ...]) -> float:
    p = 1.0
    for x, ri in zip(u, r, strict=True):
        p *= max(x - ri, 0.0)
    return p


def _total(u: tuple[float, ...]) -> float:
    t = 0.0
    for x in u:
        t += x
    return t


def brute_solutions(space: OutcomeSpace, ufuns: dict[str, UtilityFunction]) -> dict[str, tuple[int, float] | None]:
    """Exhaustive: objective maxima over every individually rational agreement, and the outcome
    chosen among the efficient ones with the documented tie-breaks (objectives ranked on the
    tolerance grid, so near-ties go to the lower outcome index)."""
    rows = brute_agreements(space, ufuns)
    r = _reservations(ufuns)
    rational = _rational(rows, r)
    if not rational:
        return {"nash": None, "kalai_smorodinsky": None, "utilitarian": None}
    efficient = _rational(brute_frontier(rows), r)
    n = len(r)
    ideal = [max(u[i] for u in efficient.values()) for i in range(n)]  # as high as over every rational row, up to noise
    grid_ideal = [max(_grid(u[i]) for u in efficient.values()) for i in range(n)]

    def ks(u: tuple[float, ...], ideal: list[float] = ideal, r: tuple[float, ...] = r) -> float:
        gains = [max(u[i] - r[i], 0.0) for i in range(n)]
        spans = [max(ideal[i] - r[i], 0.0) for i in range(n)]
        return min(g / s if s > 0 else 1.0 for g, s in zip(gains, spans, strict=True))

    grid_r = tuple(_grid(x) for x in r)
    top_product = max(_product(tuple(_grid(x) for x in u), grid_r) for u in efficient.values())

    def nash_key(o: int, u: tuple[float, ...]) -> tuple[float, ...]:
        product = _product(tuple(_grid(x) for x in u), grid_r)
        return (_grid(product / top_product) if top_product > 0 else 0.0, -float(o))

    def ks_key(o: int, u: tuple[float, ...]) -> tuple[float, ...]:
        grid_u = tuple(_grid(x) for x in u)
        return (_grid(ks(grid_u, grid_ideal, grid_r)), sum(grid_u), -float(o))

    Key = Callable[[int, tuple[float, ...]], tuple[float, ...]]
    objectives: dict[str, tuple[Callable[[tuple[float, ...]], float], Key]] = {
        "nash": (lambda u: _product(u, r), nash_key),
        "kalai_smorodinsky": (ks, ks_key),
        "utilitarian": (_total, lambda o, u: (sum(_grid(x) for x in u), -float(o))),
    }
    out: dict[str, tuple[int, float] | None] = {}
    for name, (objective, key) in objectives.items():
        best = max(objective(u) for u in rational.values())
        ranked = sorted(efficient, key=lambda o: key(o, efficient[o]))
        chosen = ranked[-1]
        got = objective(efficient[chosen])
        assert got == pytest.approx(best, rel=1e-8, abs=1e-8)  # the maximum is attained on the frontier
        out[name] = (chosen, got)
    return out


SOLVERS = {"nash": nash_solution, "kalai_smorodinsky": kalai_smorodinsky, "utilitarian": utilitarian}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_solutions_match_exhaustive_search(scenario: Scenario) -> None:
    space, ufuns = space_and_ufuns(scenario)
    expected = brute_solutions(space, ufuns)
    frontier = pareto_frontier(space, ufuns)
    for name, solve in SOLVERS.items():
        solution = solve(space, ufuns, frontier)
        want = expected[name]
        if want is None:
            assert solution is None
            continue
        assert solution is not None
        assert solution.name == name
        assert (solution.outcome, solution.objective) == want
        assert solution.exact
        assert solution.terms == space.term_sheet(solution.outcome)
        assert solution.utilities == {p: u(solution.terms) for p, u in ufuns.items()}
        assert all(u.acceptable(solution.terms) for u in ufuns.values())
        assert solve(space, ufuns) == solution  # computing the frontier itself gives the same answer


def test_two_by_two_by_hand() -> None:
    """u_p = .5, .425, .8, .725 and u_q = .15, .25, 0, .1 for outcomes 0..3, reservation values 0.

    Nash products .075, .10625, 0, .0725 -> outcome 1 (x, yes).
    KS: ideal (.8, .25); min normalised gains .6, .53125, 0, .4 -> outcome 0 (x, no).
    Utilitarian sums .65, .675, .8, .825 -> outcome 3 (y, yes).
    """
    space, ufuns = space_and_ufuns(two_by_two())
    nash = nash_solution(space, ufuns)
    ks = kalai_smorodinsky(space, ufuns)
    util = utilitarian(space, ufuns)
    assert nash is not None and ks is not None and util is not None
    assert (nash.outcome, nash.terms.terms) == (1, {"a": "x", "b": True})
    assert nash.objective == pytest.approx(0.10625)
    assert nash.utilities == pytest.approx({"p0": 0.425, "p1": 0.25})
    assert (ks.outcome, ks.terms.terms) == (0, {"a": "x", "b": False})
    assert ks.objective == pytest.approx(0.6)
    assert (util.outcome, util.terms.terms) == (3, {"a": "y", "b": True})
    assert util.objective == pytest.approx(0.825)


def test_two_by_two_with_reservation_values() -> None:
    """With q's reservation value at .05, (y, no) = (.8, 0) is no longer individually rational:
    KS ideal becomes (.725, .25), min normalised gains .5, .586, -, .25 -> outcome 1."""
    scenario = two_by_two()
    data = scenario.model_dump(mode="json")
    data["parties"][1]["private"]["reservation_value"] = 0.05
    space, ufuns = space_and_ufuns(Scenario.model_validate(data))
    ks = kalai_smorodinsky(space, ufuns)
    nash = nash_solution(space, ufuns)
    assert ks is not None and nash is not None
    assert ks.outcome == 1 and ks.objective == pytest.approx(0.425 / 0.725)
    assert nash.outcome == 1 and nash.objective == pytest.approx(0.425 * 0.2)

    data["parties"][0]["private"]["reservation_value"] = 0.9  # above anything p can get
    space, ufuns = space_and_ufuns(Scenario.model_validate(data))
    assert nash_solution(space, ufuns) is None
    assert kalai_smorodinsky(space, ufuns) is None
    assert utilitarian(space, ufuns) is None


def test_solutions_inherit_the_approximate_flag() -> None:
    space, ufuns = space_and_ufuns(two_by_two("if a == y then b == true"))
    approx = pareto_frontier(space, ufuns, limit=0)
    assert not approx.exact
    solution = nash_solution(space, ufuns, approx)
    assert isinstance(solution, Solution) and not solution.exact


def test_frontier_of_other_parties_is_rejected() -> None:
    space, ufuns = space_and_ufuns(two_by_two())
    frontier = pareto_frontier(space, {"p0": ufuns["p0"], "p1": ufuns["p1"]})
    with pytest.raises(ValueError):
        nash_solution(space, {"p0": ufuns["p0"]}, frontier)


def test_nash_product() -> None:
    assert nash_product({"a": 0.5, "b": 0.7}, {"a": 0.25, "b": 0.2}) == pytest.approx(0.125)
    assert nash_product({"a": 0.5, "b": 0.1}, {"a": 0.25, "b": 0.2}) == 0.0
    assert nash_product({"a": 0.3}, {"a": 0.3}) == 0.0
    assert nash_product({}, {}) == 1.0


def test_frontier_row_order_does_not_matter() -> None:
    """Solutions depend on the points, not on how a caller ordered the parties."""
    space, ufuns = space_and_ufuns(two_by_two())
    reordered = {"p1": ufuns["p1"], "p0": ufuns["p0"]}
    a = nash_solution(space, ufuns)
    b = nash_solution(space, reordered)
    assert a is not None and b is not None
    assert a.outcome == b.outcome and a.utilities == b.utilities
    assert np.isclose(a.objective, b.objective)
