"""Bargaining solutions on the Pareto frontier: the Nash point, Kalai–Smorodinsky, utilitarian.

All three are chosen among *individually rational* agreement-space outcomes: those where every
party gets at least its reservation value (up to ``UTILITY_TOLERANCE``, as
``UtilityFunction.acceptable`` does). Each maximiser can be taken on the Pareto frontier (an
outcome that dominates another is at least as good under all three objectives), so they are
computed from the frontier's points, and inherit its ``exact`` flag.

Each objective is ranked on utilities rounded to multiples of ``UTILITY_TOLERANCE`` (see
`pactlab.domain.tolerance`), and objectives within that tolerance of each other (relative to the
best, for the Nash product) tie: float noise never picks the solution, so the same scenario on
another scale has the same solutions. Ties are broken deterministically, as each function says.
The objective and utilities reported are the unrounded ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evals.frontier import BoolArray, FloatArray, Frontier, pareto_frontier
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.tolerance import UTILITY_TOLERANCE, utility_grid

RESERVATION_TOLERANCE = UTILITY_TOLERANCE
"""A utility this close below a reservation value still counts as reaching it (an alias of
`pactlab.domain.tolerance.UTILITY_TOLERANCE`, kept for existing imports)."""


@dataclass(frozen=True)
class Solution:
    """A bargaining solution: the outcome, its term sheet, each party's utility, the objective."""

    name: str
    outcome: int
    terms: TermSheet
    utilities: dict[str, float]
    objective: float
    exact: bool


def nash_product(utils: Mapping[str, float], reservation: Mapping[str, float]) -> float:
    """Product over parties of the gain ``u_i - r_i``; 0.0 if any gain is negative."""
    product = 1.0
    for party, u in utils.items():
        gain = u - reservation[party]
        if gain < 0:
            return 0.0
        product *= gain
    return product


@dataclass(frozen=True)
class _Rational:
    """The individually rational frontier points and what the objectives need."""

    frontier: Frontier
    rows: np.ndarray  # indices into the frontier of the individually rational points
    points: FloatArray  # their utilities
    gains: FloatArray  # utilities minus reservation values, clipped at 0
    totals: FloatArray  # sum of utilities, parties added left to right
    grid_gains: FloatArray  # gains on the tolerance grid (whole numbers): what the rankings use
    grid_totals: FloatArray  # sum of the rounded utilities (whole numbers, exact)


def _rational(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], frontier: Frontier | None
) -> _Rational | None:
    if frontier is None:
        frontier = pareto_frontier(space, utilities)
    if set(frontier.parties) != set(utilities):
        raise ValueError(
            f"the frontier is for parties {frontier.parties}, the utility functions for {tuple(utilities)}"
        )
    reservation = np.array([utilities[p].reservation_value for p in frontier.parties], dtype=np.float64)
    ok: BoolArray = np.all(frontier.utilities >= reservation[None, :] - UTILITY_TOLERANCE, axis=1)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return None
    points = frontier.utilities[rows]
    gains = np.maximum(points - reservation[None, :], 0.0)
    totals = points[:, 0].copy()
    for j in range(1, points.shape[1]):
        totals += points[:, j]
    grid_points = utility_grid(points)
    grid_gains = np.maximum(grid_points - utility_grid(reservation)[None, :], 0.0)
    return _Rational(frontier, rows, points, gains, totals, grid_gains, grid_points.sum(axis=1))


def _relative_grid(values: FloatArray) -> FloatArray:
    """Non-negative `values` rounded to multiples of ``UTILITY_TOLERANCE`` times the largest: near-ties tie."""
    top = float(values.max()) if values.size else 0.0
    return utility_grid(values / top) if top > 0 else np.zeros_like(values)


def _solution(space: OutcomeSpace, name: str, r: _Rational, best: int, objective: float) -> Solution:
    row = int(r.rows[best])
    outcome = int(r.frontier.outcomes[row])
    utils = {p: float(u) for p, u in zip(r.frontier.parties, r.frontier.utilities[row], strict=True)}
    return Solution(name, outcome, space.term_sheet(outcome), utils, float(objective), r.frontier.exact)


def _first_best(*keys: np.ndarray) -> int:
    """Index of the lexicographic maximum of `keys` (most important first); ties: first index.

    Frontier points are sorted by outcome index, so the first index is the lowest outcome.
    """
    order = np.lexsort(tuple(-k for k in reversed(keys)))  # stable: equal keys keep index order
    return int(order[0])


def nash_solution(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], frontier: Frontier | None = None
) -> Solution | None:
    """The Nash point: maximises the product of gains over reservation values.

    Among individually rational agreement-space outcomes; ties go to the lower outcome index.
    None when no outcome gives every party its reservation value.
    """
    r = _rational(space, utilities, frontier)
    if r is None:
        return None
    best = _first_best(_relative_grid(_product(r.grid_gains)))
    return _solution(space, "nash", r, best, float(_product(r.gains)[best]))


def _product(gains: FloatArray) -> FloatArray:
    """Row products, parties multiplied left to right."""
    product = gains[:, 0].copy()
    for j in range(1, gains.shape[1]):
        product *= gains[:, j]
    return product


def kalai_smorodinsky(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], frontier: Frontier | None = None
) -> Solution | None:
    """The Kalai–Smorodinsky solution: maximises the smallest normalised gain.

    A party's normalised gain is ``(u_i - r_i) / (ideal_i - r_i)``, where ``ideal_i`` is its best
    utility among individually rational agreement-space outcomes (a party whose ideal equals
    its reservation value counts as fully served, 1.0). Ties go to the higher sum of
    utilities, then to the lower outcome index. None when nothing is individually rational.
    """
    r = _rational(space, utilities, frontier)
    if r is None:
        return None
    best = _first_best(utility_grid(_worst_normalised_gain(r.grid_gains)), r.grid_totals)
    return _solution(space, "kalai_smorodinsky", r, best, float(_worst_normalised_gain(r.gains)[best]))


def _worst_normalised_gain(gains: FloatArray) -> FloatArray:
    """Per row, the smallest gain over its party's largest (a party with no room counts as served, 1.0)."""
    span = gains.max(axis=0)
    served = span > 0
    normalised = np.ones_like(gains)
    normalised[:, served] = gains[:, served] / span[served][None, :]
    return np.asarray(normalised.min(axis=1), dtype=np.float64)


def utilitarian(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], frontier: Frontier | None = None
) -> Solution | None:
    """The utilitarian solution: maximises the sum of utilities over individually rational outcomes.

    Restricted to outcomes every party accepts (at or above its reservation value), so it can
    differ from the unconstrained welfare maximum. Ties go to the lower outcome index; None
    when nothing is individually rational.
    """
    r = _rational(space, utilities, frontier)
    if r is None:
        return None
    best = _first_best(r.grid_totals)
    return _solution(space, "utilitarian", r, best, float(r.totals[best]))


__all__ = [
    "RESERVATION_TOLERANCE",
    "UTILITY_TOLERANCE",
    "Solution",
    "kalai_smorodinsky",
    "nash_product",
    "nash_solution",
    "utilitarian",
]
