"""Mixed-integer programs over a linear-additive outcome space: one binary per issue option.

Why here
    Both the evaluator of large spaces (`evals.optimise`) and the agents that must not
    enumerate a large space (`agents.strategies.offer_search`, the mediator's search) ask
    questions of the form "the outcome that maximises this additive objective under these
    hard constraints". The encoding of an outcome and of the hard constraints is the domain's
    (`pactlab.domain.constraints`), so it lives here once; each caller adds its own rows and
    objective. Programs are solved by HiGHS through `scipy.optimize.milp`.

The encoding
    One binary ``x[k, j]`` per issue ``k`` and allowed option ``j`` (single-issue hard
    constraints remove options up front), exactly one per issue; an additive function is
    ``sum tables[k][j] x[k, j]``. A multi-issue hard constraint ``if P then C`` (each a
    disjunction of conjunctions of per-issue atoms) is exact in linear form: an atom is a sum
    of ``x`` over the options where it holds; a binary per conjunct of C, at most the atom
    sums and together at least ``w``; every conjunct of P has an atom false unless ``w``.
    Its size is the *sum* of the issues' option counts, never their product.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from pactlab.domain.constraints import Condition, Constraint, _option_table
from pactlab.domain.outcome_space import OutcomeSpace

IntArray = npt.NDArray[np.int64]

HIGHS_OPTIONS: dict[str, float] = {
    "mip_abs_gap": 0.0,
    "mip_feasibility_tolerance": 1e-9,
    "primal_feasibility_tolerance": 1e-9,
}
"""Zero MIP gap and 1e-9 feasibility tolerances: the answers are exact up to the solver's arithmetic."""


@dataclass
class Row:
    cols: list[int]
    coefs: list[float]
    lo: float
    hi: float


@dataclass
class Program:
    """A mixed-integer program under construction: columns with bounds, sparse rows."""

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integral: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def column(self, lo: float, hi: float, integral: bool) -> int:
        self.lb.append(lo)
        self.ub.append(hi)
        self.integral.append(1 if integral else 0)
        return len(self.lb) - 1

    def row(self, terms: Mapping[int, float] | Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        items = list(terms.items()) if isinstance(terms, Mapping) else list(terms)
        self.rows.append(Row([c for c, _ in items], [v for _, v in items], lo, hi))

    def copy(self) -> Program:
        return Program(list(self.lb), list(self.ub), list(self.integral), list(self.rows))

    def solve(self, objective: Mapping[int, float], deadline: float, maximise: bool = True, gap: float = 0.0) -> Any:
        """HiGHS on this program; None when the deadline (`time.monotonic`) has passed. `fun` is the optimum.

        `gap`: the relative MIP gap at which HiGHS may stop (0: proven optimal; the evaluator's figures)."""
        n = len(self.lb)
        c = np.zeros(n)
        for col, v in objective.items():
            c[col] += -v if maximise else v
        data, indices, indptr = [], [], [0]
        for r in self.rows:
            data.extend(r.coefs)
            indices.extend(r.cols)
            indptr.append(len(indices))
        matrix = csr_array((data, indices, indptr), shape=(len(self.rows), n))
        lo = np.array([r.lo for r in self.rows])
        hi = np.array([r.hi for r in self.rows])
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # extra HiGHS options are passed on verbatim
            res = milp(
                c,
                integrality=np.array(self.integral),
                bounds=Bounds(np.array(self.lb), np.array(self.ub)),
                constraints=LinearConstraint(matrix, lo, hi) if self.rows else (),
                options={"time_limit": max(left, 0.01), **HIGHS_OPTIONS, "mip_rel_gap": gap, "mip_abs_gap": 0.0},
            )
        if maximise and res.fun is not None:
            res.fun = -res.fun
            if res.get("mip_dual_bound") is not None:
                res.mip_dual_bound = -res.mip_dual_bound
        return res


class OptionProgram:
    """The base program of an outcome space under hard constraints: the option binaries and the constraint rows.

    `program` is the base; callers `copy()` it and add their rows. `allowed[k]` are issue k's
    options left by the single-issue constraints, `x[k]` their columns; `empty` says some issue
    has no option left (no outcome satisfies the constraints).
    """

    def __init__(self, space: OutcomeSpace, constraints: Iterable[Constraint]) -> None:
        self.space = space
        self.program = Program()
        every = [np.arange(n, dtype=np.int64) for n in space.shape]
        allowed = [np.ones(n, dtype=bool) for n in space.shape]
        position = {issue_id: k for k, issue_id in enumerate(space.issue_ids)}
        multi: list[Constraint] = []
        for c in constraints:
            ks = {position[i] for i in c.issues}
            if len(ks) == 1:
                k = ks.pop()
                allowed[k] &= np.asarray(c.mask(lambda _i: every[k], space.by_id), dtype=bool)  # noqa: B023
            else:
                multi.append(c)
        self.allowed: list[IntArray] = [np.flatnonzero(a).astype(np.int64) for a in allowed]
        self.empty = any(a.size == 0 for a in self.allowed)
        self.x: list[list[int]] = []
        for options in self.allowed:
            cols = [self.program.column(0.0, 1.0, True) for _ in options]
            self.x.append(cols)
            self.program.row([(c, 1.0) for c in cols], 1.0, 1.0)
        for c in multi:
            self._constraint(c)
        self.xcols = [c for cols in self.x for c in cols]

    def coefficients(self, tables: Sequence[Sequence[float] | np.ndarray]) -> npt.NDArray[np.float64]:
        """An additive function's per-issue tables, laid out like `xcols`."""
        return np.concatenate([np.asarray(tables[k], dtype=np.float64)[o] for k, o in enumerate(self.allowed)])

    def terms(self, coef: npt.NDArray[np.float64], scale: float = 1.0) -> list[tuple[int, float]]:
        """(column, coefficient) pairs of an additive function given by `coefficients`."""
        return [(c, scale * float(v)) for c, v in zip(self.xcols, coef, strict=True) if v != 0.0]

    def exclude(self, program: Program, outcome: int) -> None:
        """A no-good cut: `outcome` is not a solution of `program` (one of its options must change)."""
        cols = []
        for k, (s, n) in enumerate(zip(self.space.strides, self.space.shape, strict=True)):
            option = (outcome // s) % n
            hit = np.flatnonzero(self.allowed[k] == option)
            if hit.size == 0:
                return  # the outcome breaks a single-issue constraint: already excluded
            cols.append(self.x[k][int(hit[0])])
        program.row([(c, 1.0) for c in cols], -math.inf, len(cols) - 1.0)

    def outcome_of(self, xs: np.ndarray) -> int:
        """The outcome index a solution's option binaries encode."""
        index = 0
        for k, cols in enumerate(self.x):
            j = int(np.argmax(xs[cols]))
            index += int(self.allowed[k][j]) * self.space.strides[k]
        return index

    def _atom(self, issue: str, table: np.ndarray) -> list[tuple[int, float]]:
        k = self.space.issue_ids.index(issue)
        return [(col, 1.0) for col, o in zip(self.x[k], self.allowed[k], strict=True) if table[o]]

    def _conjunct_atoms(self, cond: Condition) -> list[list[list[tuple[int, float]]]]:
        by_id = self.space.by_id
        return [[self._atom(a.issue, _option_table(a, by_id)) for a in conj] for conj in cond.any_of]

    def _constraint(self, c: Constraint) -> None:
        """``if P then C`` (or just C) as linear rows (see the module docstring)."""
        p = self.program
        w = p.column(1.0, 1.0, True) if c.premise is None else p.column(0.0, 1.0, True)
        zs = []
        for atoms in self._conjunct_atoms(c.condition):
            z = p.column(0.0, 1.0, True)
            zs.append(z)
            for atom in atoms:
                p.row([*atom, (z, -1.0)], 0.0, math.inf)  # z <= atom
        p.row([*((z, 1.0) for z in zs), (w, -1.0)], 0.0, math.inf)  # some conjunct holds if w
        if c.premise is not None:
            for atoms in self._conjunct_atoms(c.premise):  # every premise conjunct fails unless w
                terms = [t for atom in atoms for t in atom]
                p.row([*terms, (w, -1.0)], -math.inf, len(atoms) - 1.0)


def tangent(program: Program, t: int, h: int, a: float) -> None:
    """t <= log(a) + (h - a) / a: a tangent of the log at `a` (an over-estimate of log h everywhere)."""
    program.row([(t, 1.0), (h, -1.0 / a)], -math.inf, math.log(a) - 1.0)


__all__ = ["HIGHS_OPTIONS", "OptionProgram", "Program", "Row", "tangent"]
