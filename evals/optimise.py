"""The evaluator for large outcome spaces: questions answered by mixed-integer programs, no frontier.

Why
    With six or more parties most outcomes are Pareto optimal, so the frontier of a large space
    cannot be listed. What the scorecard needs — whether a deal is Pareto optimal, its distance
    to the frontier, the Nash, Kalai–Smorodinsky and utilitarian points — are optimisation
    problems over the linear-additive utilities, whose size is the *sum* of the option counts.
    `pactlab.domain.scale.frontier_enumerable` decides which path runs.

The model (the encoding is `pactlab.domain.programs.OptionProgram`, shared with the agents)
    One binary ``x[k, j]`` per issue ``k`` and allowed option ``j`` (single-issue hard
    constraints remove options up front), exactly one per issue; a party's utility is
    ``sum tables[k][j] x[k, j]``. A multi-issue hard constraint ``if P then C`` (each a
    disjunction of conjunctions of per-issue atoms, `pactlab.domain.constraints`) is exact in
    linear form: an atom is a sum of ``x`` over the options where it holds; a binary per
    conjunct of C, at most the atom sums and together at least ``w``; every conjunct of P has
    an atom false unless ``w``. The agreement rule (`evals.bargaining`) adds a binary member
    flag per non-veto party: ``k`` members (veto holders included), each clearing its
    reservation value (``u >= r - UTILITY_TOLERANCE``). Programs are solved by HiGHS through
    `scipy.optimize.milp` with a zero MIP gap and 1e-9 feasibility tolerances.

The questions, and how exact each answer is
    - *Pareto optimal / dominated*: maximise the sum of utilities over outcomes at least as good
      as the deal for every party. The maximiser is itself on the frontier; it is checked with
      the utility functions' own arithmetic on the tolerance grid, so a "dominated" verdict
      carries its certificate. Exact (``exact=True``) when the program is solved to optimality.
    - *Distance to the frontier*: 0 for an undominated deal (exact). For a dominated one the
      exact figure (the Euclidean distance to the *nearest* frontier point) needs the frontier;
      the answer is the interval ``[lower, upper]``: upper, the distance to the frontier point
      found above; lower, the smallest Chebyshev (L-infinity) distance to any outcome better
      than the deal for some party (every frontier point is one, and L2 >= L-infinity), or
      HiGHS's proven bound on it after ``LOWER_BOUND_SECONDS``.
      Reported as upper with ``exact=False`` and ``bound = upper - lower``.
    - *Nash point*: maximise the sum of the members' log-gains by outer approximation: each
      party's log is replaced by the minimum of tangents (an over-estimate, since log is
      concave), the program's optimum is an upper bound, the incumbent's true coalitional
      Nash product (`evals.bargaining.nash_product`) a lower bound; a tangent is added at each
      incumbent's gains until the bounds meet (relative gap <= ``NASH_GAP``) — finite, since a
      repeated incumbent makes its tangents exact. Stopped early (time budget), the answer is
      the incumbent with its proven relative gap.
    - *Kalai–Smorodinsky*: each party's ideal (its best utility over the feasible set) by one
      program per party, then the largest smallest normalised gain over the coalition, then,
      among ties, the largest coalition utility sum (two lexicographic programs). Exact.
    - *Utilitarian*: the largest coalition utility sum. Exact.

Where it differs from the enumerating path
    Ties. The enumerating solvers break ties between outcomes with equal objectives (within
    ``UTILITY_TOLERANCE``) by the lowest outcome index; here the solver's own choice wins.
    Objectives are equal (the tests compare them), the outcome may differ. A Nash product of 0
    everywhere (no feasible deal gives every member a positive gain) returns a feasible deal
    with ``exact=False``. Solver tolerances (1e-9) stand in for ``UTILITY_TOLERANCE``.

Time budgets
    Every question takes a deadline (seconds since the epoch of `time.monotonic`); HiGHS stops
    at it and the best answer so far is returned with ``exact=False`` and its bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from evals.bargaining import Solution, _columns, _Rule, coalition, nash_product
from evals.frontier import FloatArray, IntArray
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.programs import OptionProgram, Program, tangent
from pactlab.domain.scenario import AgreementRule
from pactlab.domain.tolerance import UTILITY_TOLERANCE, utility_grid

NASH_GAP: float = 1e-9
"""Relative gap between the Nash product found and the proven upper bound at which the Nash
point counts as exact (the enumerating solver ties products within the same relative margin)."""

_TANGENTS = (1e-6, 1e-4, 1e-3, 0.01, 0.03, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0)
_LOG_FLOOR = -40.0  # lower bound of a member's log-gain variable (a gain of ~4e-18)
_MAX_NASH_ROUNDS = 200
LOWER_BOUND_SECONDS: float = 1.0
"""At most this long on the distance's lower bound (a hard program for many parties): past it,
HiGHS's proven dual bound is the lower bound."""


@dataclass(frozen=True)
class Figure:
    """A figure with its accuracy: exact, or within ``[lower, upper]`` (``bound`` = upper - lower)."""

    value: float
    exact: bool
    lower: float
    upper: float

    @property
    def bound(self) -> float:
        return self.upper - self.lower


@dataclass(frozen=True)
class Dominance:
    """Whether a point is dominated, the frontier point found above it, and the distance figure."""

    dominated: bool
    exact: bool
    witness: int | None  # a frontier outcome dominating the point (None when undominated)
    distance: Figure


class LargeSpace:
    """The optimisation model of one scenario's outcome space (built once, shared by every question)."""

    def __init__(
        self, space: OutcomeSpace, utilities: Mapping[str, UtilityFunction], rule: AgreementRule | None = None
    ) -> None:
        self.space = space
        self.utilities = dict(utilities)
        self.parties = tuple(utilities)
        self.agreement = rule if rule is not None else AgreementRule()
        self.rule: _Rule = _columns(rule, self.parties)
        self.reservations = np.array([u.reservation_value for u in utilities.values()], dtype=np.float64)
        self.options = OptionProgram(space, (c for u in self.utilities.values() for c in u.constraints))
        self._base = self.options.program
        self.allowed: list[IntArray] = self.options.allowed
        self.x: list[list[int]] = self.options.x  # column of each allowed option, per issue
        self.empty = self.options.empty
        self.unfinished: set[str] = set()  # questions the deadline stopped before any answer
        self.coef = [self.options.coefficients(u.tables) for u in self.utilities.values()]
        self.xcols = self.options.xcols

    def utility_terms(self, j: int, scale: float = 1.0) -> list[tuple[int, float]]:
        return self.options.terms(self.coef[j], scale)

    def _members(self, p: Program, exactly: bool) -> list[int | None]:
        """Member flags per party (None: always a member); every member clears its reservation value."""
        flags: list[int | None] = []
        for j in range(len(self.parties)):
            r = float(self.reservations[j]) - UTILITY_TOLERANCE
            if self.rule.veto[j]:
                p.row(self.utility_terms(j), r, math.inf)
                flags.append(None)
            else:
                y = p.column(0.0, 1.0, True)
                p.row([*self.utility_terms(j), (y, -(r + 2.0))], -2.0, math.inf)  # u >= r when y
                flags.append(y)
        ys = [y for y in flags if y is not None]
        if ys:
            p.row([(y, 1.0) for y in ys], float(self.rule.others), self.rule.others if exactly else math.inf)
        return flags

    # -- reading a solution --------------------------------------------------------------------

    def outcome_of(self, xs: np.ndarray) -> int:
        return self.options.outcome_of(xs)

    def point(self, outcome: int) -> FloatArray:
        at = np.array([outcome], dtype=np.int64)
        return np.array([u.of_outcomes(at)[0] for u in self.utilities.values()], dtype=np.float64)

    def feasible(self, outcome: int) -> bool:
        at = np.array([outcome], dtype=np.int64)
        return all(bool(u.constraint_mask(at)[0]) for u in self.utilities.values())

    def _solution(self, name: str, outcome: int, objective: float, exact: bool, gap: float) -> Solution:
        pt = self.point(outcome)
        utils = {p: float(v) for p, v in zip(self.parties, pt, strict=True)}
        members = coalition(utils, dict(zip(self.parties, self.reservations.tolist(), strict=True)), self.agreement)
        return Solution(name, outcome, self.space.term_sheet(outcome), utils, objective, exact, members or (), gap=gap)

    # -- the questions -------------------------------------------------------------------------

    def dominance(self, point: Sequence[float], deadline: float) -> Dominance:
        """Is `point` (utilities in party order) dominated by an agreement-space outcome, and by how far."""
        v = np.asarray(point, dtype=np.float64)
        if self.empty:
            return Dominance(False, True, None, Figure(0.0, True, 0.0, 0.0))
        p = self._base.copy()
        for j in range(len(self.parties)):
            p.row(self.utility_terms(j), float(v[j]) - UTILITY_TOLERANCE / 2, math.inf)
        objective: dict[int, float] = {}
        for j in range(len(self.parties)):
            for c, val in self.utility_terms(j):
                objective[c] = objective.get(c, 0.0) + val
        res = p.solve(objective, deadline)
        if res is None or res.x is None:
            timed_out = res is None or res.status == 1
            return Dominance(False, not timed_out, None, Figure(0.0, not timed_out, 0.0, 0.0))
        best = self.outcome_of(res.x)
        u = self.point(best)
        grid_u, grid_v = utility_grid(u), utility_grid(v)
        if self.feasible(best) and bool(np.all(grid_u >= grid_v) and np.any(grid_u > grid_v)):
            upper = float(np.sqrt(((u - v) ** 2).sum()))
            lower, exact_lower = self._chebyshev_lower(v, deadline)
            exact = lower >= upper - UTILITY_TOLERANCE and exact_lower
            return Dominance(True, res.status == 0, best, Figure(upper, exact, min(lower, upper), upper))
        proven = res.status == 0
        return Dominance(False, proven, None, Figure(0.0, proven, 0.0, 0.0))

    def _chebyshev_lower(self, v: FloatArray, deadline: float) -> tuple[float, bool]:
        """Smallest L-infinity distance from `v` to an outcome better than `v` for some party."""
        p = self._base.copy()
        t = p.column(0.0, 2.0, False)
        zs = []
        for j in range(len(self.parties)):
            terms = self.utility_terms(j)
            p.row([*terms, (t, -1.0)], -math.inf, float(v[j]))  # u - v <= t
            p.row([*terms, (t, 1.0)], float(v[j]), math.inf)  # v - u <= t
            z = p.column(0.0, 1.0, True)
            zs.append(z)
            p.row([*terms, (z, -(float(v[j]) + UTILITY_TOLERANCE + 2.0))], -2.0, math.inf)  # u > v when z
        p.row([(z, 1.0) for z in zs], 1.0, math.inf)
        res = p.solve({t: 1.0}, min(deadline, time.monotonic() + LOWER_BOUND_SECONDS), maximise=False)
        if res is None:
            return 0.0, False
        if res.fun is None:
            bound = res.get("mip_dual_bound")
            return (max(float(bound), 0.0) if bound is not None and math.isfinite(bound) else 0.0), False
        if res.status == 0:
            return float(res.fun), True
        bound = res.get("mip_dual_bound")
        return (max(float(bound), 0.0) if bound is not None else 0.0), False

    def nash(self, deadline: float) -> Solution | None:
        """The Nash point by outer approximation of the log (see the module docstring)."""
        if self.empty or not self.rule.possible:
            return None
        p = self._base.copy()
        flags = self._members(p, exactly=True)
        h: list[int] = []
        t: list[int] = []
        for j, y in enumerate(flags):
            hj = p.column(0.0, 1.0, False)  # the member's gain; 1 for a non-member (factor 1)
            terms = self.utility_terms(j)
            r = float(self.reservations[j])
            if y is None:
                p.row([*terms, (hj, -1.0)], r, math.inf)  # h <= u - r
            else:
                p.row([*terms, (hj, -1.0), (y, -2.0)], r - 2.0, math.inf)  # h <= u - r + 2(1 - y)
            h.append(hj)
            t.append(p.column(_LOG_FLOOR, 0.0, False))
        for j in range(len(self.parties)):
            for a in _TANGENTS:
                tangent(p, t[j], h[j], a)
        reservations = dict(zip(self.parties, self.reservations.tolist(), strict=True))
        best_outcome: int | None = None
        best_product = -1.0
        upper = math.inf
        exact = False
        for _ in range(_MAX_NASH_ROUNDS):
            res = p.solve(dict.fromkeys(t, 1.0), deadline)
            if res is None or res.x is None:
                if res is not None and res.status == 2:  # infeasible: no deal passes the rule
                    return None
                if res is not None and res.get("mip_dual_bound") is not None:
                    upper = min(upper, math.exp(min(float(res.mip_dual_bound), 0.0)))
                break
            outcome = self.outcome_of(res.x)
            bound = float(res.fun) if res.status == 0 else float(res.get("mip_dual_bound") or 0.0)
            upper = min(upper, math.exp(min(bound, 0.0)))
            utils = dict(zip(self.parties, self.point(outcome).tolist(), strict=True))
            product = nash_product(utils, reservations, self.agreement) if self.feasible(outcome) else 0.0
            if product > best_product:
                best_product, best_outcome = product, outcome
            if res.status != 0:
                break
            if upper <= best_product * (1.0 + NASH_GAP):
                exact = True
                break
            xs = res.x
            for j in range(len(self.parties)):
                a = float(xs[h[j]])
                if a > 1e-12:
                    tangent(p, t[j], h[j], a)
        if best_outcome is None:
            self.unfinished.add("nash")
            return None
        if best_product <= 0.0:
            exact = False
        gap = 0.0 if exact else (upper - best_product if math.isfinite(upper) else math.inf)
        return self._solution("nash", best_outcome, best_product, exact, gap)

    def weighted_nash(self, weights: Sequence[float], deadline: float, exclude: Sequence[int] = ()) -> int | None:
        """The asymmetric Nash point (the mediator's revised text): the feasible outcome, not in `exclude`, that
        maximises the sum of ``weights[j] * log(gain_j)`` over the deal's members, by the outer approximation of
        `nash` (stopped when the bound is within ``NASH_GAP``, or at the deadline with the best incumbent).
        None when no deal passes the rule."""
        if self.empty or not self.rule.possible:
            return None
        w = [max(float(x), 0.0) for x in weights]
        p = self._base.copy()
        flags = self._members(p, exactly=True)
        for outcome in exclude:
            self.options.exclude(p, outcome)
        h: list[int] = []
        t: list[int] = []
        for j, y in enumerate(flags):
            hj = p.column(0.0, 1.0, False)
            terms = self.utility_terms(j)
            r = float(self.reservations[j])
            if y is None:
                p.row([*terms, (hj, -1.0)], r, math.inf)
            else:
                p.row([*terms, (hj, -1.0), (y, -2.0)], r - 2.0, math.inf)
            h.append(hj)
            t.append(p.column(_LOG_FLOOR, 0.0, False))
            for a in _TANGENTS:
                tangent(p, t[j], hj, a)
        objective = {t[j]: w[j] for j in range(len(self.parties)) if w[j] > 0.0}
        best: tuple[float, int] | None = None
        for _ in range(_MAX_NASH_ROUNDS):
            res = p.solve(objective, deadline)
            if res is None or res.x is None:
                break
            outcome = self.outcome_of(res.x)
            gains = self.point(outcome) - self.reservations
            members = [j for j, y in enumerate(flags) if y is None or res.x[y] > 0.5]
            score = sum(w[j] * math.log(max(float(gains[j]), 1e-18)) for j in members)
            if self.feasible(outcome) and (best is None or score > best[0]):
                best = (score, outcome)
            if res.status != 0 or (best is not None and float(res.fun) <= best[0] + NASH_GAP * max(1.0, abs(best[0]))):
                break
            for j in range(len(self.parties)):
                a = float(res.x[h[j]])
                if a > 1e-12:
                    tangent(p, t[j], h[j], a)
        return None if best is None else best[1]

    def ideals(self, deadline: float) -> tuple[FloatArray, bool]:
        """Each party's best utility over the feasible set (the KS ideal point), and whether all are proven."""
        ideals = np.zeros(len(self.parties))
        proven = True
        for j in range(len(self.parties)):
            p = self._base.copy()
            self._members(p, exactly=False)
            res = p.solve(dict(self.utility_terms(j)), deadline)
            if res is None or res.x is None:
                return ideals, False
            proven &= res.status == 0
            ideals[j] = float(self.point(self.outcome_of(res.x))[j]) if res.status == 0 else float(res.fun)
        return ideals, proven

    def kalai_smorodinsky(self, deadline: float) -> Solution | None:
        """The Kalai–Smorodinsky point: max of the smallest normalised member gain, then of the member sum."""
        if self.empty or not self.rule.possible:
            return None
        ideals, proven = self.ideals(deadline)
        span = np.maximum(ideals - self.reservations, 0.0)
        p = self._base.copy()
        flags = self._members(p, exactly=True)
        t = p.column(0.0, 1.0, False)
        for j, y in enumerate(flags):
            if span[j] <= UTILITY_TOLERANCE:
                continue  # a party with no room counts as fully served (1.0)
            terms = self.utility_terms(j, 1.0 / float(span[j]))
            r = float(self.reservations[j]) / float(span[j])
            big = 1.0 + r + 1.0 / float(span[j])
            if y is None:
                p.row([*terms, (t, -1.0)], r, math.inf)  # t <= (u - r) / span
            else:
                p.row([*terms, (t, -1.0), (y, -big)], r - big, math.inf)
        first = p.solve({t: 1.0}, deadline)
        if first is None or first.x is None:
            if first is None or first.status != 2:  # 2: infeasible, nothing passes the rule
                self.unfinished.add("kalai_smorodinsky")
            return None
        level = float(first.fun)
        exact = proven and first.status == 0
        if first.status == 0:  # among ties (on the tolerance grid), the largest coalition utility sum
            p.lb[t] = max(level - UTILITY_TOLERANCE, 0.0)
            objective = self._member_sum(p, flags)
            second = p.solve(objective, deadline)
            xs = second.x if second is not None and second.x is not None else first.x
            exact = exact and second is not None and second.status == 0
        else:
            xs = first.x
        outcome = self.outcome_of(xs)
        sol = self._solution("kalai_smorodinsky", outcome, 0.0, exact, 0.0)
        worst = min(
            (1.0 if span[j] <= 0 else max(sol.utilities[party] - self.reservations[j], 0.0) / span[j])
            for j, party in enumerate(self.parties)
            if party in sol.coalition
        )
        gap = 0.0 if exact else max(float(first.get("mip_dual_bound") or level) - worst, 0.0)
        return Solution(sol.name, sol.outcome, sol.terms, sol.utilities, float(worst), exact, sol.coalition, gap=gap)

    def _member_sum(self, p: Program, flags: Sequence[int | None]) -> dict[int, float]:
        """Objective: the sum of the members' utilities (a non-member's term is held at 0 by its flag)."""
        objective: dict[int, float] = {}
        for j, y in enumerate(flags):
            if y is None:
                for c, val in self.utility_terms(j):
                    objective[c] = objective.get(c, 0.0) + val
                continue
            s = p.column(0.0, 1.0, False)
            p.row([(s, 1.0), (y, -1.0)], -math.inf, 0.0)  # s <= y
            p.row([(s, 1.0), *((c, -v) for c, v in self.utility_terms(j))], -math.inf, 0.0)  # s <= u
            objective[s] = 1.0
        return objective

    def utilitarian(self, deadline: float) -> Solution | None:
        """The utilitarian point: the largest sum of the coalition's utilities over the feasible set."""
        if self.empty or not self.rule.possible:
            return None
        p = self._base.copy()
        flags = self._members(p, exactly=True)
        res = p.solve(self._member_sum(p, flags), deadline)
        if res is None or res.x is None:
            if res is None or res.status != 2:
                self.unfinished.add("utilitarian")
            return None
        outcome = self.outcome_of(res.x)
        sol = self._solution("utilitarian", outcome, 0.0, res.status == 0, 0.0)
        value = sum(sol.utilities[q] for q in sol.coalition)
        gap = 0.0 if res.status == 0 else max(float(res.get("mip_dual_bound") or value) - value, 0.0)
        utils = sol.utilities
        return Solution(sol.name, sol.outcome, sol.terms, utils, float(value), sol.exact, sol.coalition, gap=gap)

    def weighted_best(self, weights: Sequence[float], deadline: float) -> int | None:
        """The agreement-space outcome with the largest weighted sum of utilities (None: none, or out of time).

        With every weight positive the maximiser is on the Pareto frontier (a *supported* frontier
        point): how `evals.utility_view` samples the frontier of a space too large to enumerate.
        """
        if self.empty:
            return None
        objective: dict[int, float] = {}
        for j, w in enumerate(weights):
            for col, v in self.utility_terms(j, float(w)):
                objective[col] = objective.get(col, 0.0) + v
        res = self._base.copy().solve(objective, deadline)
        if res is None or res.x is None:
            return None
        return self.outcome_of(res.x)


def deadline_after(budget: float | None) -> float:
    """A `time.monotonic` deadline `budget` seconds from now (none: effectively unlimited)."""
    return time.monotonic() + (budget if budget is not None else 1e9)


__all__ = ["NASH_GAP", "Dominance", "Figure", "LargeSpace", "deadline_after"]
