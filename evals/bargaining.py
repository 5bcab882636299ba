"""Bargaining solutions on the Pareto frontier: the Nash point, Kalai–Smorodinsky, utilitarian.

All three are chosen among *individually rational* agreement-space outcomes: those where every
party gets at least its reservation value (up to ``RESERVATION_TOLERANCE``, as
``UtilityFunction.acceptable`` does). Each maximiser can be taken on the Pareto frontier (an
outcome that dominates another is at least as good under all three objectives), so they are
computed from the frontier's points, and inherit its ``exact`` flag. Ties are broken
deterministically, as each function says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from evals.frontier import BoolArray, FloatArray, Frontier, pareto_frontier
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction

RESERVATION_TOLERANCE = 1e-12
"""A utility this close below a reservation value still counts as reaching it."""


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
    ok: BoolArray = np.all(frontier.utilities >= reservation[None, :] - RESERVATION_TOLERANCE, axis=1)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return None
    points = frontier.utilities[rows]
    gains = np.maximum(points - reservation[None, :], 0.0)
    totals = points[:, 0].copy()
    for j in range(1, points.shape[1]):
        totals += points[:, j]
    return _Rational(frontier, rows, points, gains, totals)


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
    product = r.gains[:, 0].copy()
    for j in range(1, r.gains.shape[1]):
        product *= r.gains[:, j]
    best = _first_best(product)
    return _solution(space, "nash", r, best, float(product[best]))


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
    span = r.gains.max(axis=0)
    served = span > 0
    normalised = np.ones_like(r.gains)
    normalised[:, served] = r.gains[:, served] / span[served][None, :]
    worst = normalised.min(axis=1)
    best = _first_best(worst, r.totals)
    return _solution(space, "kalai_smorodinsky", r, best, float(worst[best]))


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
    best = _first_best(r.totals)
    return _solution(space, "utilitarian", r, best, float(r.totals[best]))


__all__ = [
    "RESERVATION_TOLERANCE",
    "Solution",
    "kalai_smorodinsky",
    "nash_product",
    "nash_solution",
    "utilitarian",
]
