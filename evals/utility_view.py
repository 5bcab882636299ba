"""What a utility chart shows, as data: the deal against the Nash point, each party's best and
reservation value, and the Pareto frontier (its points, and its range per party).

The static charts (`evals.plots`, matplotlib) and the interactive ones (`evals.charts`, Plotly)
draw from the same `UtilityView`, so both show the same numbers and tests check the numbers
rather than pixels.

The frontier
    Spaces whose frontier is enumerated (`pactlab.domain.scale.frontier_enumerable`) give the
    exact frontier; a chart draws at most `MAX_FRONTIER_POINTS` of its points (evenly spaced
    along the frontier sorted by the first party's utility), while each party's range is taken
    over every frontier point. Larger spaces have no listed frontier (`evals.optimise`): the
    frontier is *sampled* by weighted-sum programs, each maximising ``sum w_i u_i`` over the
    agreement space with positive weights (so each maximiser is a supported Pareto point):
    one per party with its own weight 1 and the others' ``EPSILON`` (its best frontier point),
    then `SAMPLES` weight vectors drawn from a flat Dirichlet (seed 0). Ranges from a sample
    are inner estimates: the true frontier may reach lower for a party. `frontier_note` says
    which method gave the figures.

Each party's *best* is the top of its frontier range: its highest utility over the agreement
space (its best outcome is always Pareto optimal).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from evals.optimise import deadline_after
from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord

MAX_FRONTIER_POINTS = 2_000
"""Frontier points a chart draws at most (ranges use every point)."""

MAX_OUTCOMES = 3_000
"""Outcomes a two-party interactive chart draws at most (a deterministic sample, seed 0)."""

SAMPLES = 40
"""Weighted-sum programs (beyond one per party) that sample the frontier of a large space."""

EPSILON = 1e-3
"""The other parties' weight when one party's best frontier point is sought."""

SAMPLE_SECONDS = 10.0
"""Time budget of the whole frontier sample of a large space."""


class PartyUtilities(BaseModel):
    """One party's figures on the 0–1 utility scale (None where there is nothing to show)."""

    model_config = ConfigDict(frozen=True)

    party: str
    name: str
    reservation: float
    best: float | None  # top of its frontier range
    frontier_low: float | None
    frontier_high: float | None
    deal: float | None
    nash: float | None
    kalai_smorodinsky: float | None
    utilitarian: float | None


class UtilityView(BaseModel):
    """A negotiation's (or a scenario's) utility picture; utility vectors are in `parties` order."""

    model_config = ConfigDict(frozen=True)

    title: str
    parties: list[PartyUtilities]
    agreement: bool
    frontier: list[list[float]]  # frontier points drawn (a sample when large)
    frontier_size: int  # frontier points known (listed or sampled)
    frontier_exact: bool
    frontier_note: str
    offers: dict[str, list[list[float]]]  # per party (or mediator) that made offers, in order
    outcomes: list[list[float]]  # a sample of all outcomes (two parties only; empty otherwise)
    outcome_space_size: int

    @property
    def party_ids(self) -> list[str]:
        return [p.party for p in self.parties]

    def names(self) -> dict[str, str]:
        return {p.party: p.name for p in self.parties}


def utility_view(
    scenario: Scenario,
    moves: Sequence[MoveRecord] = (),
    agreement: Mapping[str, Any] | None = None,
    analysis: OutcomeAnalysis | None = None,
) -> UtilityView:
    """The figures of a run (its moves and agreement) or of a bare scenario (no moves, no agreement)."""
    if analysis is None:
        analysis = analyse(scenario)
    elif not analysis.matches(scenario):
        raise ValueError("the outcome analysis belongs to a different scenario; build it with analyse(scenario)")
    ids = scenario.party_ids
    points, exact, note = frontier_points(analysis)
    low = points.min(axis=0) if len(points) else None
    high = points.max(axis=0) if len(points) else None
    deal = analysis.utilities_of(analysis.space.validate(agreement)) if agreement is not None else None
    solutions = {
        "nash": analysis.nash,
        "kalai_smorodinsky": analysis.kalai_smorodinsky,
        "utilitarian": analysis.utilitarian,
    }
    parties = []
    for n, pid in enumerate(ids):
        at = {k: (None if s is None else float(s.utilities[pid])) for k, s in solutions.items()}
        parties.append(
            PartyUtilities(
                party=pid,
                name=scenario.party(pid).name,
                reservation=float(analysis.reservations[pid]),
                best=None if high is None else float(high[n]),
                frontier_low=None if low is None else float(low[n]),
                frontier_high=None if high is None else float(high[n]),
                deal=None if deal is None else float(deal[pid]),
                **at,
            )
        )
    return UtilityView(
        title=scenario.title,
        parties=parties,
        agreement=deal is not None,
        frontier=thin(points).tolist(),
        frontier_size=len(points),
        frontier_exact=exact,
        frontier_note=note,
        offers=_offers(moves, analysis),
        outcomes=_outcome_sample(analysis).tolist() if len(ids) == 2 else [],
        outcome_space_size=analysis.space.cardinality,
    )


def frontier_points(analysis: OutcomeAnalysis) -> tuple[np.ndarray, bool, str]:
    """The frontier's utility vectors (rows in scenario party order), whether exact, and how obtained."""
    frontier = analysis.frontier
    parties = list(analysis.utilities)
    if analysis.large is None:
        if not len(frontier.outcomes):
            return np.zeros((0, len(parties))), frontier.exact, "no outcome keeps every party's hard constraints"
        columns = [frontier.parties.index(p) for p in parties]
        points = np.asarray(frontier.utilities, dtype=float)[:, columns]
        how = "exact" if frontier.exact else "approximate"
        return points, frontier.exact, f"{how} Pareto frontier ({frontier.method}), {len(points):,} points"
    return _sampled_frontier(analysis)


def _sampled_frontier(analysis: OutcomeAnalysis) -> tuple[np.ndarray, bool, str]:
    """Supported frontier points of a large space by weighted-sum programs (see the module docstring)."""
    model = analysis.large
    assert model is not None
    n = len(model.parties)
    weights = [np.where(np.arange(n) == j, 1.0, EPSILON) for j in range(n)]
    weights += list(np.random.default_rng(0).dirichlet(np.ones(n), size=SAMPLES))
    deadline = deadline_after(SAMPLE_SECONDS)
    found: list[int] = []
    for w in weights:
        outcome = model.weighted_best([max(float(x), EPSILON) for x in w], deadline)
        if outcome is not None:
            found.append(outcome)
    known = sorted(set(found) | {int(o) for o in analysis.frontier.outcomes})
    points = np.array([model.point(o) for o in known], dtype=float).reshape(len(known), n)
    note = (
        f"sampled Pareto frontier: {len(points)} supported points from {len(weights)} weighted-sum programs "
        f"(each party's best, then flat-Dirichlet weights, seed 0; HiGHS), with the bargaining points; "
        f"ranges are estimates"
    )
    return points, False, note


def thin(points: np.ndarray) -> np.ndarray:
    """At most MAX_FRONTIER_POINTS rows, evenly spaced along the first party's utility (endpoints kept)."""
    if len(points) == 0:
        return points
    ordered = points[np.lexsort(tuple(points[:, k] for k in reversed(range(points.shape[1]))))]
    if len(ordered) <= MAX_FRONTIER_POINTS:
        return ordered
    keep = np.unique(np.linspace(0, len(ordered) - 1, MAX_FRONTIER_POINTS).round().astype(np.int64))
    return ordered[keep]


def _offers(moves: Sequence[MoveRecord], analysis: OutcomeAnalysis) -> dict[str, list[list[float]]]:
    paths: dict[str, list[list[float]]] = {}
    for m in moves:
        if m["kind"] == "propose" and m["terms"] is not None:
            utils = analysis.utilities_of(analysis.space.validate(m["terms"]))
            paths.setdefault(m["party"], []).append([float(v) for v in utils.values()])
    return paths


def _outcome_sample(analysis: OutcomeAnalysis) -> np.ndarray:
    """Utilities of the feasible outcomes, every one or a deterministic sample of MAX_OUTCOMES (seed 0)."""
    size = analysis.space.cardinality
    if size > MAX_OUTCOMES:
        outcomes = np.unique(np.random.default_rng(0).integers(0, size, size=MAX_OUTCOMES, dtype=np.int64))
    else:
        outcomes = np.arange(size, dtype=np.int64)
    feasible = np.ones(outcomes.size, dtype=bool)
    for u in analysis.utilities.values():
        feasible &= u.constraint_mask(outcomes)
    outcomes = outcomes[feasible]
    return np.stack([u.of_outcomes(outcomes) for u in analysis.utilities.values()], axis=1).round(6)


__all__ = ["MAX_FRONTIER_POINTS", "PartyUtilities", "UtilityView", "frontier_points", "thin", "utility_view"]
