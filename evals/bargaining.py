"""Bargaining solutions under the scenario's agreement rule: the Nash point, Kalai–Smorodinsky, utilitarian.

The agreement rule
    A scenario's `AgreementRule` says whose acceptance makes a proposal an agreement: every
    party (``unanimity``), or at least ``quorum`` parties including every ``veto`` holder.
    Bargaining theory under such rules (Baron & Ferejohn 1989; Compte & Jehiel 2010) treats
    a deal as the agreement of a *winning coalition*, not of everyone, and pactlab's solutions
    follow it. The definitions, precisely:

    - A *minimal winning coalition* is a set of exactly ``k`` parties that contains every veto
      holder, where ``k = max(quorum, number of veto holders)`` (under unanimity: every party,
      ``k = n``). Every winning coalition contains one, so a deal passes the rule exactly when
      some minimal winning coalition accepts it.
    - A party *clears* a deal when its utility reaches its reservation value up to
      ``UTILITY_TOLERANCE`` (`pactlab.domain.tolerance.at_least`, as
      ``UtilityFunction.acceptable`` decides).
    - The *feasible set* is the agreement-space outcomes (every hard constraint kept) that
      some minimal winning coalition clears: the deals that can pass the rule with every
      needed party at least as well off as without a deal (`feasible_mask`). Under unanimity
      it is today's individually rational set.
    - The *coalitional Nash product* of a feasible deal is the largest product of gains
      ``u_i - r_i`` over a minimal winning coalition that clears it; the maximising coalition
      (the deal's *coalition*, `coalition`) is the veto holders plus the ``k - |veto|`` other
      clearing parties with the largest gains. Parties outside it are not needed, so their
      utilities never make a passing deal's product 0. The *Nash point* maximises the
      coalitional Nash product over the feasible set: the Nash bargaining solution of the
      coalition whose Nash product is largest, as in the coalitional Nash bargaining solution
      of Compte & Jehiel (2010), restricted to minimal winning coalitions as in Baron &
      Ferejohn (1989), where equilibrium proposals buy exactly the votes the rule needs.
      All minimal winning coalitions have ``k`` members, so their products have the same
      number of factors and compare on an equal footing (a larger coalition would only add
      factors of at most 1: gains lie in [0, 1]).
    - *Kalai–Smorodinsky*: a party's normalised gain is ``(u_i - r_i) / (ideal_i - r_i)``,
      ``ideal_i`` its best utility over the feasible set (a party with no room counts as
      fully served, 1.0); a deal's value is the smallest normalised gain over its best
      minimal winning coalition (the clearing non-veto parties with the largest normalised
      gains), and the solution maximises it.
    - *Utilitarian*: a deal's value is the sum of the utilities of its best minimal winning
      coalition (the clearing non-veto parties with the highest utilities), maximised over
      the feasible set.

    Under unanimity every definition is the classic one, computed in the same order with the
    same floats, so existing results are unchanged bit for bit. With no rule given, the
    functions here assume unanimity.

Computation
    Each objective rises when any party's utility rises, and a deal that dominates a feasible
    deal is feasible (every coalition that cleared the one clears the other), so each
    maximiser can be taken on the Pareto frontier: they are computed from the frontier's
    points, and inherit its ``exact`` flag. Pareto dominance itself needs no rule: the
    feasible set is closed upwards, so a passing deal is Pareto optimal among passing deals
    exactly when it is on the frontier.

Tolerance
    Each objective is ranked on utilities rounded to multiples of ``UTILITY_TOLERANCE`` (see
    `pactlab.domain.tolerance`), coalitions are chosen on the same rounded figures (ties go
    to the party listed first), and objectives within that tolerance of each other
    (relative to the best, for the Nash product) tie: float noise never picks the solution or
    the coalition, so the same scenario on another scale has the same solutions. Ties between
    deals are broken deterministically, as each function says. The objective and utilities
    reported are the unrounded ones.

References
    D. P. Baron and J. A. Ferejohn (1989), "Bargaining in Legislatures", American Political
    Science Review 83(4), 1181–1206. O. Compte and P. Jehiel (2010), "The Coalitional Nash
    Bargaining Solution", Econometrica 78(5), 1593–1623. J. F. Nash (1950), "The Bargaining
    Problem", Econometrica 18(2), 155–162. E. Kalai and M. Smorodinsky (1975), "Other
    Solutions to Nash's Bargaining Problem", Econometrica 43(3), 513–518.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from evals.frontier import BoolArray, FloatArray, Frontier, agreement_mask, pareto_frontier
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.scenario import AgreementRule
from pactlab.domain.tolerance import UTILITY_TOLERANCE, utility_grid

RESERVATION_TOLERANCE = UTILITY_TOLERANCE
"""A utility this close below a reservation value still counts as reaching it (an alias of
`pactlab.domain.tolerance.UTILITY_TOLERANCE`, kept for existing imports)."""

UNANIMITY = AgreementRule()
"""The rule assumed when none is given: every party must accept."""


@dataclass(frozen=True)
class Solution:
    """A bargaining solution: the outcome, its term sheet, each party's utility, the objective.

    `coalition` holds the minimal winning coalition the objective was computed over, in party
    order (every party under unanimity). `gap` is how far the objective may lie below the best
    (0 when exact; the proven bound when `evals.optimise` stopped early).
    """

    name: str
    outcome: int
    terms: TermSheet
    utilities: dict[str, float]
    objective: float
    exact: bool
    coalition: tuple[str, ...] = field(default=())
    gap: float = field(default=0.0)


# -- the rule as columns -------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """An agreement rule over parties in a given order: who must be in, how many more."""

    veto: BoolArray  # (n,): parties every winning coalition contains (all of them under unanimity)
    others: int  # further parties a minimal winning coalition takes (0 under unanimity)
    possible: bool  # False when no coalition of these parties can win (a quorum above their number)


def _columns(rule: AgreementRule | None, parties: Sequence[str]) -> _Rule:
    rule = UNANIMITY if rule is None else rule
    n = len(parties)
    if rule.kind == "unanimity":
        return _Rule(np.ones(n, dtype=bool), 0, True)
    assert rule.quorum is not None  # the rule's own validator guarantees it
    veto = np.array([p in set(rule.veto) for p in parties], dtype=bool)
    size = max(rule.quorum, int(veto.sum()))
    possible = set(rule.veto) <= set(parties) and size <= n
    return _Rule(veto, max(size - int(veto.sum()), 0), possible)


def _members(r: _Rule, clears: BoolArray, key: FloatArray) -> tuple[BoolArray, BoolArray]:
    """Per row: whether the deal passes, and its best minimal winning coalition by `key`.

    `clears` and `key` are ``(m, n)``; the coalition is the veto holders plus the `others`
    clearing non-veto parties with the largest `key` (ties: the party listed first). Rows
    that do not pass get an empty coalition.
    """
    candidates = clears & ~r.veto[None, :]
    passes = np.all(clears[:, r.veto], axis=1) & (candidates.sum(axis=1) >= r.others)
    passes &= r.possible
    members = np.zeros_like(clears)
    members[:, r.veto] = True
    if r.others:
        ranked = np.where(candidates, key, -np.inf)
        order = np.argsort(-ranked, axis=1, kind="stable")[:, : r.others]
        np.put_along_axis(members, order, True, axis=1)
    members &= passes[:, None]
    return passes, members


def _clears(points: FloatArray, reservation: FloatArray) -> BoolArray:
    """Whether each utility reaches its party's reservation value (`at_least`, vectorised)."""
    return np.asarray(points >= reservation[None, :] - UTILITY_TOLERANCE, dtype=bool)


# -- one deal --------------------------------------------------------------------------------


def coalition(
    utils: Mapping[str, float], reservation: Mapping[str, float], rule: AgreementRule | None = None
) -> tuple[str, ...] | None:
    """The deal's coalition: the minimal winning coalition with the largest Nash product.

    The veto holders plus the clearing non-veto parties with the largest gains (ties: the
    party listed first in `utils`), in `utils` order; every party under unanimity when all
    clear. None when no winning coalition clears the deal (it is not feasible).
    """
    parties = list(utils)
    point = np.array([[utils[p] for p in parties]], dtype=np.float64)
    r = np.array([reservation[p] for p in parties], dtype=np.float64)
    key = np.maximum(utility_grid(point) - utility_grid(r)[None, :], 0.0)  # gains on the grid, as the solvers rank
    passes, members = _members(_columns(rule, parties), _clears(point, r), key)
    if not passes[0]:
        return None
    return tuple(p for p, member in zip(parties, members[0], strict=True) if member)


def nash_product(
    utils: Mapping[str, float], reservation: Mapping[str, float], rule: AgreementRule | None = None
) -> float:
    """Product of the gains ``u_i - r_i`` over the deal's `coalition`; 0.0 if the deal is not feasible.

    Under unanimity (the default): the product over every party, 0.0 if any gain is negative.
    Gains within ``UTILITY_TOLERANCE`` below 0 count as 0; factors are multiplied in `utils`
    order.
    """
    members = coalition(utils, reservation, rule)
    if members is None:
        return 0.0
    product = 1.0
    for party in members:
        product *= max(utils[party] - reservation[party], 0.0)
    return product


# -- every outcome ---------------------------------------------------------------------------


def feasible_mask(
    space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], rule: AgreementRule | None = None
) -> BoolArray:
    """Whether each outcome is feasible: in the agreement space and cleared by a winning coalition.

    O(cardinality x parties) memory: for reporting and tests, not for the solvers (they work
    on the frontier).
    """
    parties = list(utilities)
    every = np.arange(space.cardinality, dtype=np.int64)
    points = np.stack([utilities[p].of_outcomes(every) for p in parties], axis=1)
    r = np.array([utilities[p].reservation_value for p in parties], dtype=np.float64)
    passes, _ = _members(_columns(rule, parties), _clears(points, r), utility_grid(points))
    return np.asarray(passes & agreement_mask(space, utilities), dtype=bool)


# -- solutions on the frontier ---------------------------------------------------------------


@dataclass(frozen=True)
class _Feasible:
    """The feasible frontier points and what the objectives need."""

    frontier: Frontier
    rule: _Rule
    rows: np.ndarray  # indices into the frontier of the feasible points
    clears: BoolArray  # which parties clear each of them
    points: FloatArray  # their utilities
    gains: FloatArray  # utilities minus reservation values, clipped at 0
    grid_points: FloatArray  # utilities on the tolerance grid (whole numbers)
    grid_gains: FloatArray  # gains on the tolerance grid (whole numbers): what the rankings use


def _feasible(
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    frontier: Frontier | None,
    rule: AgreementRule | None,
) -> _Feasible | None:
    if frontier is None:
        frontier = pareto_frontier(space, utilities)
    if set(frontier.parties) != set(utilities):
        raise ValueError(
            f"the frontier is for parties {frontier.parties}, the utility functions for {tuple(utilities)}"
        )
    columns = _columns(rule, frontier.parties)
    reservation = np.array([utilities[p].reservation_value for p in frontier.parties], dtype=np.float64)
    clears = _clears(frontier.utilities, reservation)
    ok, _ = _members(columns, clears, np.zeros_like(frontier.utilities))
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return None
    points = frontier.utilities[rows]
    gains = np.maximum(points - reservation[None, :], 0.0)
    grid_points = utility_grid(points)
    grid_gains = np.maximum(grid_points - utility_grid(reservation)[None, :], 0.0)
    return _Feasible(frontier, columns, rows, clears[rows], points, gains, grid_points, grid_gains)


def _relative_grid(values: FloatArray) -> FloatArray:
    """Non-negative `values` rounded to multiples of ``UTILITY_TOLERANCE`` times the largest: near-ties tie."""
    top = float(values.max()) if values.size else 0.0
    return utility_grid(values / top) if top > 0 else np.zeros_like(values)


def _solution(
    space: OutcomeSpace, name: str, f: _Feasible, best: int, objective: float, members: BoolArray
) -> Solution:
    row = int(f.rows[best])
    outcome = int(f.frontier.outcomes[row])
    parties = f.frontier.parties
    utils = {p: float(u) for p, u in zip(parties, f.frontier.utilities[row], strict=True)}
    chosen = tuple(p for p, member in zip(parties, members[best], strict=True) if member)
    return Solution(name, outcome, space.term_sheet(outcome), utils, float(objective), f.frontier.exact, chosen)


def _first_best(*keys: np.ndarray) -> int:
    """Index of the lexicographic maximum of `keys` (most important first); ties: first index.

    Frontier points are sorted by outcome index, so the first index is the lowest outcome.
    """
    order = np.lexsort(tuple(-k for k in reversed(keys)))  # stable: equal keys keep index order
    return int(order[0])


def _product(gains: FloatArray, members: BoolArray) -> FloatArray:
    """Row products over the members, parties multiplied left to right (a non-member counts 1.0)."""
    factors = np.where(members, gains, 1.0)
    product = factors[:, 0].copy()
    for j in range(1, factors.shape[1]):
        product *= factors[:, j]
    return product


def _total(values: FloatArray, members: BoolArray) -> FloatArray:
    """Row sums over the members, parties added left to right (a non-member counts 0.0)."""
    terms = np.where(members, values, 0.0)
    total = terms[:, 0].copy()
    for j in range(1, terms.shape[1]):
        total += terms[:, j]
    return total


def nash_solution(
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    frontier: Frontier | None = None,
    rule: AgreementRule | None = None,
) -> Solution | None:
    """The Nash point: maximises the coalitional Nash product over the feasible set.

    Under unanimity (the default), the product of every party's gain over individually
    rational outcomes. Ties go to the lower outcome index. None when no outcome is feasible.
    """
    f = _feasible(space, utilities, frontier, rule)
    if f is None:
        return None
    _, members = _members(f.rule, f.clears, f.grid_gains)
    best = _first_best(_relative_grid(_product(f.grid_gains, members)))
    return _solution(space, "nash", f, best, float(_product(f.gains, members)[best]), members)


def kalai_smorodinsky(
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    frontier: Frontier | None = None,
    rule: AgreementRule | None = None,
) -> Solution | None:
    """The Kalai–Smorodinsky solution: maximises the smallest normalised gain of the coalition.

    A party's normalised gain is ``(u_i - r_i) / (ideal_i - r_i)``, where ``ideal_i`` is its best
    utility over the feasible set (a party whose ideal equals its reservation value counts as
    fully served, 1.0); the coalition is the veto holders and the clearing parties with the
    largest normalised gains (every party under unanimity, the default). Ties go to the
    higher sum of the coalition's utilities, then to the lower outcome index. None when no
    outcome is feasible.
    """
    f = _feasible(space, utilities, frontier, rule)
    if f is None:
        return None
    grid_normalised = _normalised(f.grid_gains)
    _, members = _members(f.rule, f.clears, utility_grid(grid_normalised))
    worst_grid = np.where(members, grid_normalised, np.inf).min(axis=1)
    best = _first_best(utility_grid(worst_grid), _total(f.grid_points, members))
    worst = np.where(members, _normalised(f.gains), np.inf).min(axis=1)
    return _solution(space, "kalai_smorodinsky", f, best, float(worst[best]), members)


def _normalised(gains: FloatArray) -> FloatArray:
    """Each gain over its party's largest (a party with no room counts as served, 1.0)."""
    span = gains.max(axis=0)
    served = span > 0
    normalised = np.ones_like(gains)
    normalised[:, served] = gains[:, served] / span[served][None, :]
    return normalised


def utilitarian(
    space: OutcomeSpace,
    utilities: Mapping[str, UtilityFunction],
    frontier: Frontier | None = None,
    rule: AgreementRule | None = None,
) -> Solution | None:
    """The utilitarian solution: maximises the sum of the coalition's utilities over the feasible set.

    The coalition is the veto holders and the clearing parties with the highest utilities
    (every party under unanimity, the default). Restricted to feasible outcomes, so it can
    differ from the unconstrained welfare maximum. Ties go to the lower outcome index; None
    when no outcome is feasible.
    """
    f = _feasible(space, utilities, frontier, rule)
    if f is None:
        return None
    _, members = _members(f.rule, f.clears, f.grid_points)
    best = _first_best(_total(f.grid_points, members))
    return _solution(space, "utilitarian", f, best, float(_total(f.points, members)[best]), members)


__all__ = [
    "RESERVATION_TOLERANCE",
    "UNANIMITY",
    "UTILITY_TOLERANCE",
    "Solution",
    "coalition",
    "feasible_mask",
    "kalai_smorodinsky",
    "nash_product",
    "nash_solution",
    "utilitarian",
]
