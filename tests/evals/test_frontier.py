"""The Pareto frontier against brute force: random small scenarios, a hand-checked 2x2, the
approximate path, duplicates, and distances to the frontier."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import evals.frontier as fr
from benchmarks import generated_scenario
from evals.frontier import (
    Frontier,
    agreement_mask,
    distance_to_frontier,
    pareto_frontier,
    pareto_mask,
)
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue, value_key
from pactlab.domain.loader import load_model
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "two_party.yaml"
GRID = [0.0, 0.25, 0.5, 0.75, 1.0]  # coarse values make ties and duplicate utility vectors common


# -- building scenarios ----------------------------------------------------------------------


def make_scenario(issues: list[Any], profiles: list[dict[str, Any]]) -> Scenario:
    parties = [
        {"id": f"p{n}", "name": f"P{n}", "core_business": "things", "private": profile}
        for n, profile in enumerate(profiles)
    ]
    return Scenario.model_validate({"id": "generated", "title": "t", "issues": issues, "parties": parties})


def space_and_ufuns(scenario: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(scenario.issues)
    return space, utility_functions(space, {p.id: p.private for p in scenario.parties})


@st.composite
def atoms(draw: st.DrawFn, issue: Any) -> str:
    options = issue.values()
    if isinstance(issue, CategoricalIssue):
        picked = draw(st.lists(st.sampled_from(options), min_size=1, max_size=len(options) - 1, unique=True))
        op = draw(st.sampled_from(["in", "not in"]))
        return f"{issue.id} {op} [{', '.join(str(o) for o in picked)}]"
    if isinstance(issue, NumericIssue):
        op = draw(st.sampled_from(["<=", ">=", "!=", "<", ">"]))
        return f"{issue.id} {op} {value_key(draw(st.sampled_from(options)))}"
    return f"{issue.id} == {draw(st.sampled_from(['true', 'false']))}"


@st.composite
def constraints(draw: st.DrawFn, issues: list[Any], multi: bool) -> str:
    if not multi or len(issues) < 2:
        return draw(atoms(draw(st.sampled_from(issues))))
    a, b = draw(st.lists(st.sampled_from(issues), min_size=2, max_size=2, unique_by=lambda i: i.id))
    form = draw(st.sampled_from(["if {} then {}", "{} or {}", "{} and {}"]))
    return form.format(draw(atoms(a)), draw(atoms(b)))


@st.composite
def scenarios(
    draw: st.DrawFn, max_outcomes: int = 240, max_parties: int = 4, with_constraints: bool = True
) -> Scenario:
    """Small random scenarios: 1-5 issues of every kind, 2-4 parties, optional hard constraints."""
    n_issues = draw(st.integers(1, 5))
    issues: list[Any] = []
    budget = max_outcomes
    for k in range(n_issues):
        room = budget // 2 ** (n_issues - k - 1)
        kind = draw(st.sampled_from(["categorical", "numeric", "boolean"]))
        if kind == "boolean" or room < 3:
            issue: Any = BooleanIssue(id=f"i{k}")
        elif kind == "categorical":
            size = draw(st.integers(2, min(6, room)))
            issue = CategoricalIssue(id=f"i{k}", options=[f"o{j}" for j in range(size)])
        else:
            size = draw(st.integers(2, min(6, room)))
            step = draw(st.sampled_from([1.0, 2.0, 0.5]))
            issue = NumericIssue(id=f"i{k}", minimum=0, maximum=(size - 1) * step, step=step)
        issues.append(issue)
        budget //= len(issue.values())
    profiles = []
    for _ in range(draw(st.integers(2, max_parties))):
        weights = {i.id: draw(st.sampled_from([0, 1, 2, 3])) for i in issues}
        if not any(weights.values()):
            weights[issues[0].id] = 1
        values: dict[str, Any] = {}
        for issue in issues:
            if isinstance(issue, NumericIssue):
                values[issue.id] = draw(
                    st.one_of(
                        st.sampled_from([{"linear": "up"}, {"linear": "down"}]),
                        st.builds(
                            lambda peak, floor: {"peak": peak, "floor": floor},
                            st.sampled_from(issue.values()),
                            st.sampled_from([0.0, 0.5]),
                        ),
                    )
                )
            else:
                values[issue.id] = {value_key(o): draw(st.sampled_from(GRID)) for o in issue.values()}
        hard: list[str] = []
        if with_constraints:
            hard = draw(st.lists(constraints(issues, multi=draw(st.booleans())), max_size=2))
        profiles.append(
            {
                "weights": weights,
                "values": values,
                "reservation_value": draw(st.sampled_from([0.0, 0.2, 0.3, 0.5])),
                "constraints": hard,
            }
        )
    return make_scenario([i.model_dump() for i in issues], profiles)


# -- brute force -----------------------------------------------------------------------------


def brute_agreements(space: OutcomeSpace, ufuns: dict[str, UtilityFunction]) -> dict[int, tuple[float, ...]]:
    """Every outcome that satisfies every hard constraint, with its utilities, one term sheet at a time."""
    rows: dict[int, tuple[float, ...]] = {}
    for o in range(space.cardinality):
        sheet = space.term_sheet(o)
        if all(u.satisfies_constraints(sheet) for u in ufuns.values()):
            rows[o] = tuple(u(sheet) for u in ufuns.values())
    return rows


def grid(u: tuple[float, ...]) -> tuple[float, ...]:
    """Utilities on the tolerance grid: what dominance is decided on."""
    return tuple(float(round(x / UTILITY_TOLERANCE)) for x in u)


def dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    a, b = grid(a), grid(b)
    return all(x >= y for x, y in zip(a, b, strict=True)) and any(x > y for x, y in zip(a, b, strict=True))


def brute_frontier(rows: dict[int, tuple[float, ...]]) -> dict[int, tuple[float, ...]]:
    return {o: u for o, u in rows.items() if not any(dominates(v, u) for v in rows.values())}


def brute_mask(points: np.ndarray) -> np.ndarray:
    """O(n^2) dominance on the tolerance grid, vectorised in chunks of rows."""
    points = np.rint(np.asarray(points, dtype=float) / UTILITY_TOLERANCE)
    out = np.zeros(points.shape[0], dtype=bool)
    for start in range(0, points.shape[0], 500):
        rows = points[start : start + 500, None, :]
        ge = np.all(points[None, :, :] >= rows, axis=2)
        gt = np.any(points[None, :, :] > rows, axis=2)
        out[start : start + 500] = ~np.any(ge & gt, axis=1)
    return out


def assert_matches(frontier: Frontier, expected: dict[int, tuple[float, ...]]) -> None:
    assert frontier.outcomes.dtype == np.int64
    assert list(frontier.outcomes) == sorted(expected)
    assert frontier.utilities.shape == (len(expected), len(frontier.parties))
    for o, row in zip(frontier.outcomes, frontier.utilities, strict=True):
        assert tuple(row) == expected[int(o)]  # bit-for-bit: same order of summation


# -- pareto_mask -------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 60), st.integers(1, 5)),
        elements=st.sampled_from([0.0, 1.0, 2.0, 3.0, -0.0, 0.5]),
    )
)
def test_pareto_mask_matches_brute_force(points: np.ndarray) -> None:
    mask = pareto_mask(points)
    assert mask.dtype == np.bool_
    assert mask.tolist() == brute_mask(points).tolist()


@pytest.mark.parametrize("k", [2, 3, 4, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_pareto_mask_many_points(k: int, seed: int) -> None:
    """More points than one block, with duplicates and ties, continuous and gridded."""
    rng = np.random.default_rng(seed)
    smooth = rng.random((1500, k))
    smooth[:, 0] = 1.0 - smooth[:, 1:].mean(axis=1) + 0.05 * smooth[:, 0]  # a large, curved frontier
    gridded = rng.integers(0, 6, size=(1500, k)).astype(float)
    for points in (smooth, gridded, np.vstack([smooth, smooth[:300]])):
        assert pareto_mask(points).tolist() == brute_mask(points).tolist()


def test_pareto_mask_mostly_efficient_three_party_sets() -> None:
    """Nearly constant-sum points defeat pruning by strong points: the staircase sweep takes over."""
    rng = np.random.default_rng(5)
    grid = rng.integers(0, 60, size=(5000, 2)).astype(float)
    points = np.column_stack([grid, 150.0 - grid.sum(axis=1)])  # constant sum: all efficient ...
    points[:500, 2] -= rng.integers(0, 3, size=500)  # ... except some pushed inside, duplicates included
    expected = brute_mask(points)
    assert 0 < (~expected).sum() < 500
    assert pareto_mask(points).tolist() == expected.tolist()
    smooth = rng.dirichlet([1.0, 1.0, 1.0], size=4500)
    assert pareto_mask(smooth).tolist() == brute_mask(smooth).tolist()


def test_pareto_mask_small_cases() -> None:
    assert pareto_mask(np.zeros((0, 3))).shape == (0,)
    assert pareto_mask([[1.0, 2.0], [1.0, 2.0], [0.0, 2.0], [2.0, 0.0]]).tolist() == [True, True, False, True]
    assert pareto_mask([[3.0], [1.0], [3.0]]).tolist() == [True, False, True]
    with pytest.raises(ValueError):
        pareto_mask([1.0, 2.0])


def test_pareto_mask_dominator_with_equal_float_sum_in_a_later_block() -> None:
    """q = p + 1e-17 in one column has the same float sum as p; it must still count as a dominator."""
    p, q = [0.0, 0.5, 0.5], [1e-17, 0.5, 0.5]
    # float sums of exactly 1.0, all efficient, sorting between p and q in every column order but the sum's
    filler = [[k * 1e-20, (1 + k) / 1024, 1 - (1 + k) / 1024] for k in range(1, 400)]
    points = np.array([p, *filler, q])
    assert len({float(sum(row)) for row in points}) == 1
    assert pareto_mask(points, tolerance=0).tolist() == [False] + [True] * (len(filler) + 1)
    # with the default tolerance, 1e-17 is noise: p and q are the same point, and both stay
    assert pareto_mask(points).tolist() == [True] * (len(filler) + 2)


@pytest.mark.parametrize("k", [2, 3])
def test_grouped_mask_matches_per_group_brute_force(k: int) -> None:
    """Points only compete within their group; groups span the small (padded) and large paths."""
    rng = np.random.default_rng(7)
    sizes = [1, 2, 3, 5, 17, 64, 65, 200]
    groups = np.repeat(np.arange(len(sizes)) * 13 + 5, sizes)
    rng.shuffle(groups)
    points = rng.integers(0, 5, size=(groups.size, k)).astype(float)
    mask = fr._pareto_mask_grouped(points, groups.astype(np.int64))
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        assert mask[rows].tolist() == brute_mask(points[rows]).tolist()


# -- pareto_frontier against brute force ---------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_frontier_matches_brute_force(scenario: Scenario) -> None:
    space, ufuns = space_and_ufuns(scenario)
    rows = brute_agreements(space, ufuns)
    frontier = pareto_frontier(space, ufuns)
    assert frontier.exact
    assert frontier.parties == tuple(ufuns)
    assert not frontier.deduplicated
    assert_matches(frontier, brute_frontier(rows))
    assert sorted(np.flatnonzero(agreement_mask(space, ufuns)).tolist()) == sorted(rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 3))
def test_approximate_path(scenario: Scenario, seed: int) -> None:
    """A zero limit forces sampling + local search when there are multi-issue constraints.

    The spaces are far smaller than the sample, so the approximation must find the exact set.
    """
    space, ufuns = space_and_ufuns(scenario)
    multi = any(len(c.issues) > 1 for u in ufuns.values() for c in u.constraints)
    frontier = pareto_frontier(space, ufuns, limit=0, seed=seed)
    if not multi:
        assert frontier.exact
    elif frontier.exact:  # only when single-issue constraints already leave no agreement
        assert len(frontier) == 0
    else:
        assert frontier.method == "sampled-local-search"
    assert_matches(frontier, brute_frontier(brute_agreements(space, ufuns)))


def test_approximate_path_on_a_large_space() -> None:
    """Sampling cannot cover 10^5 outcomes: the result is feasible and non-dominated among itself,
    never beyond the exact frontier, and close to it."""
    base = generated_scenario(100_000, 3, seed=3)
    data = base.model_dump(mode="json")
    data["parties"][0]["private"]["constraints"] = [
        "if issue_0 in [option_0, option_1, option_2] then issue_4 != option_9",
        "issue_1 <= 6 or issue_3 >= 3",
    ]
    scenario = Scenario.model_validate(data)
    space, ufuns = space_and_ufuns(scenario)
    exact = pareto_frontier(space, ufuns)
    assert exact.exact and exact.method == "minkowski"
    approx = pareto_frontier(space, ufuns, limit=50, seed=1)
    assert not approx.exact and approx.method == "sampled-local-search"
    assert len(approx) > 0
    feasible = agreement_mask(space, ufuns)
    assert feasible[approx.outcomes].all()
    expected = np.stack([u.of_outcomes(approx.outcomes) for u in ufuns.values()], axis=1)
    assert np.array_equal(approx.utilities, expected)
    assert pareto_mask(approx.utilities).all()
    # no approximate point dominates an exact one, and each is close to the exact frontier
    assert not fr._dominated_by(exact.utilities, approx.utilities).any()
    gaps = [distance_to_frontier(p, exact) for p in approx.utilities]
    assert max(gaps) < 0.05


def test_fold_matches_numpy_brute_force_on_generated_spaces() -> None:
    """10^4 and 10^5 outcomes, 3 and 4 parties: the frontier is exactly the non-dominated set."""
    for n, parties in [(10_000, 3), (10_000, 4), (100_000, 3)]:
        space, ufuns = space_and_ufuns(generated_scenario(n, parties, seed=n + parties))
        everything = np.stack([u.over_space() for u in ufuns.values()], axis=1)
        frontier = pareto_frontier(space, ufuns)
        assert frontier.method == "minkowski" and frontier.exact
        assert np.array_equal(frontier.utilities, everything[frontier.outcomes])
        # nothing dominates a frontier point, and every other outcome is dominated by one
        for start in range(0, len(frontier), 64):
            assert not fr._dominated_by(frontier.utilities[start : start + 64], everything).any()
        others = np.setdiff1d(np.arange(space.cardinality), frontier.outcomes)
        assert fr._dominated_by(everything[others], frontier.utilities).all()


def test_fixture_frontier() -> None:
    scenario = load_model(FIXTURE, Scenario)
    space, ufuns = space_and_ufuns(scenario)
    frontier = pareto_frontier(space, ufuns)
    assert frontier.method == "minkowski"  # both fixture constraints mention one issue
    assert_matches(frontier, brute_frontier(brute_agreements(space, ufuns)))


def test_limit_does_not_apply_to_decomposable_spaces() -> None:
    scenario = load_model(FIXTURE, Scenario)
    space, ufuns = space_and_ufuns(scenario)
    assert pareto_frontier(space, ufuns, limit=1).exact


# -- a hand-checked 2x2 --------------------------------------------------------------------------


def two_by_two(extra_constraint: str | None = None) -> Scenario:
    """Issues a in {x, y}, b yes/no. Outcomes (a-major): 0=(x,no) 1=(x,yes) 2=(y,no) 3=(y,yes).

    p: weights 3:1, a {x: .4, y: .8}, b {no: .8, yes: .5} -> u_p = .5, .425, .8, .725
    q: weights 3:1, a {x: .2, y: 0}, b {no: 0, yes: .4}  -> u_q = .15, .25, 0, .1
    """
    issues = [
        {"id": "a", "kind": "categorical", "options": ["x", "y"]},
        {"id": "b", "kind": "boolean"},
    ]
    p = {
        "weights": {"a": 3, "b": 1},
        "values": {"a": {"x": 0.4, "y": 0.8}, "b": {"false": 0.8, "true": 0.5}},
        "reservation_value": 0.0,
    }
    q = {
        "weights": {"a": 3, "b": 1},
        "values": {"a": {"x": 0.2, "y": 0.0}, "b": {"false": 0.0, "true": 0.4}},
        "reservation_value": 0.0,
        "constraints": [extra_constraint] if extra_constraint else [],
    }
    return make_scenario(issues, [p, q])


def test_two_by_two_by_hand() -> None:
    space, ufuns = space_and_ufuns(two_by_two())
    frontier = pareto_frontier(space, ufuns)
    assert frontier.outcomes.tolist() == [0, 1, 2, 3]  # every outcome is efficient
    assert frontier.utilities == pytest.approx(np.array([[0.5, 0.15], [0.425, 0.25], [0.8, 0.0], [0.725, 0.1]]))
    assert frontier.method == "minkowski"

    # "if a == y then b == true" forbids (y, no); nothing else changes
    space, ufuns = space_and_ufuns(two_by_two("if a == y then b == true"))
    frontier = pareto_frontier(space, ufuns)
    assert frontier.outcomes.tolist() == [0, 1, 3]
    assert frontier.method == "minkowski"
    assert agreement_mask(space, ufuns).tolist() == [True, True, False, True]
    approx = pareto_frontier(space, ufuns, limit=3)
    assert not approx.exact and approx.outcomes.tolist() == [0, 1, 3]

    # "b == true" (one issue) leaves (x, yes) = (.425, .25) and (y, yes) = (.725, .1): both efficient
    space, ufuns = space_and_ufuns(two_by_two("b == true"))
    assert pareto_frontier(space, ufuns).outcomes.tolist() == [1, 3]

    # contradictory constraints: no agreement, an empty frontier
    space, ufuns = space_and_ufuns(two_by_two("a == x and a == y"))
    empty = pareto_frontier(space, ufuns)
    assert len(empty) == 0 and empty.utilities.shape == (0, 2)
    assert distance_to_frontier([0.1, 0.1], empty) == math.inf


# -- duplicates ------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_deduplicated_fold_keeps_lowest_index_per_vector(scenario: Scenario) -> None:
    space, ufuns = space_and_ufuns(scenario)
    expected: dict[tuple[float, ...], int] = {}
    for o, u in sorted(brute_frontier(brute_agreements(space, ufuns)).items()):
        expected.setdefault(grid(u), o)  # one per distinct vector, up to the tolerance
    old = fr.DEDUPE_ABOVE
    fr.DEDUPE_ABOVE = 0
    try:
        frontier = pareto_frontier(space, ufuns)
    finally:
        fr.DEDUPE_ABOVE = old
    full = pareto_frontier(space, ufuns)
    if frontier.deduplicated:
        assert sorted(frontier.outcomes.tolist()) == sorted(expected.values())
    else:
        assert len(full) == len(expected)  # nothing was collapsed: there were no duplicates
        assert frontier.outcomes.tolist() == full.outcomes.tolist()
    if len(full) > len(expected):
        assert frontier.deduplicated


def test_indifferent_issue_multiplies_the_frontier() -> None:
    """An issue nobody weighs: every option of it ties, and all of them are on the frontier."""
    issues = [
        {"id": "a", "kind": "categorical", "options": ["x", "y", "z"]},
        {"id": "c", "kind": "numeric", "minimum": 0, "maximum": 3, "step": 1},
    ]
    p = {"weights": {"a": 1}, "values": {"a": {"x": 1, "y": 0.5, "z": 0}}, "reservation_value": 0}
    q = {"weights": {"a": 1}, "values": {"a": {"x": 0, "y": 0.5, "z": 1}}, "reservation_value": 0}
    space, ufuns = space_and_ufuns(make_scenario(issues, [p, q]))
    assert pareto_frontier(space, ufuns).outcomes.tolist() == list(range(12))


# -- distance_to_frontier ---------------------------------------------------------------------------


def test_distance_to_frontier() -> None:
    frontier = Frontier(
        parties=("a", "b"),
        outcomes=np.array([0, 1, 2], dtype=np.int64),
        utilities=np.array([[1.0, 0.0], [0.6, 0.6], [0.0, 1.0]]),
        exact=True,
        method="minkowski",
    )
    assert distance_to_frontier([0.6, 0.6], frontier) == 0.0  # on it
    assert distance_to_frontier(np.array([0.7, 0.7]), frontier) == 0.0  # beyond it
    assert distance_to_frontier([0.9, 0.5], frontier) == 0.0  # not dominated by any frontier point
    assert distance_to_frontier([0.3, 0.6], frontier) == pytest.approx(0.3)  # dominated: (0.6, 0.6) is 0.3 away
    assert distance_to_frontier([0.0, 0.0], frontier) == pytest.approx(min(1.0, math.hypot(0.6, 0.6)))
    assert distance_to_frontier([0.0, 0.9], frontier) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        distance_to_frontier([0.1, 0.2, 0.3], frontier)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_parties=3))
def test_distance_of_agreements_to_the_frontier(scenario: Scenario) -> None:
    """Frontier outcomes are at distance 0; any other agreement is at the distance to the nearest point."""
    space, ufuns = space_and_ufuns(scenario)
    rows = brute_agreements(space, ufuns)
    efficient = brute_frontier(rows)
    frontier = pareto_frontier(space, ufuns)
    for o, u in rows.items():
        d = distance_to_frontier(u, frontier)
        if o in efficient:
            assert d == 0.0
        else:
            nearest = min(math.dist(u, v) for v in efficient.values())
            assert d == pytest.approx(nearest) and d > 0
