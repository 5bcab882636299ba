"""Offers in a large outcome space without enumerating it: closest to my aspiration, best for the others.

Why
    Above `pactlab.domain.scale.book_enumerable`'s limit a strategy agent has no sorted list
    of every acceptable outcome, only a seeded candidate set (`agents.strategies.offer_book`).
    A candidate set answers "an outcome near my aspiration level" but not "the one the other
    parties like best there", which is how a strategy trades along its iso-utility level
    instead of conceding down it. On the linear-additive structure that question is a small
    mixed-integer program whose size is the sum of the option counts
    (`pactlab.domain.programs.OptionProgram`, solved by HiGHS).

The search (`OfferSearch.best`)
    1. *The program*: the seat's option binaries under its hard constraints (its own and the
       policies' mandate), own utility within the band ``[lo, hi]`` above the aspiration level,
       every outcome the gate refused this turn cut off (a no-good row). The objective is the
       opponent model's estimate of the others: their sum (linear, exact, one program), or their
       product (``combine="product"``), maximised by successive linearisation: each round
       maximises ``sum_o est_o(x) / est_o(x_prev)`` (the gradient of the log-product at the last
       optimum; equal weights first), at most ``PRODUCT_ROUNDS`` rounds or until the optimum
       repeats. Each program is linear in the binaries with one band row, which HiGHS solves in
       milliseconds for tens of parties (a log-linearised product program took 0.1–0.3 s).
    2. *Sampling around it*: the optima, the last one's one-issue neighbours (every allowed option) and
       ``NEIGHBOURS`` two-issue changes drawn with the turn's seeded generator; those inside the
       band, within the hard constraints and not refused are scored with the model's exact
       combined estimate (the product itself, not its approximation). The best for the others
       wins; among equals, the best for us; then seeded chance. Sampling refines the product's
       approximation and gives a different offer when the model shifts only slightly.

    Deterministic: the same seat, table and turn give the same program and the same draws. A
    program that HiGHS cannot solve within ``SEARCH_SECONDS`` (or an empty band) returns None
    and the caller falls back to the candidate set. Small spaces never come here, so their
    moves are unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Literal

import numpy as np

from agents.strategies.offer_book import EPS, FloatArray, IntArray
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.programs import OptionProgram

Combine = Literal["product", "sum"]

SEARCH_SECONDS: float = 2.0
"""At most this long per offer search (HiGHS's time limit); past it, the candidate set answers."""

SEARCH_GAP: float = 1e-3
"""Relative MIP gap at which the search stops: the objective is an estimate (and the product's a linearised
one) that the sampling step refines, so proving the last 0.1 % buys nothing and costs time per turn."""

NEIGHBOURS: int = 64
"""Two-issue changes of the program's optimum drawn per search (besides every one-issue change)."""

PRODUCT_ROUNDS: int = 2
"""Linearisations of the product of the opponents' estimates per search (see the module docstring)."""


class OfferSearch:
    """One seat's offer search over its outcome space (built once per negotiator; no per-outcome array)."""

    def __init__(self, space: OutcomeSpace, utility: UtilityFunction) -> None:
        self.space = space
        self.utility = utility
        self.options = OptionProgram(space, utility.constraints)
        self.own = self.options.coefficients(utility.tables)
        self.strides = np.asarray(space.strides, dtype=np.int64)
        self.shape = np.asarray(space.shape, dtype=np.int64)

    def best(
        self,
        lo: float,
        hi: float,
        per_opponent: Sequence[Sequence[FloatArray]],
        combine: Combine,
        refused: Collection[int],
        rng: np.random.Generator,
    ) -> int | None:
        """The outcome with own utility in [lo, hi] the opponent model rates best for the others (None: none found)."""
        if self.options.empty or not per_opponent:
            return None
        p = self.options.program.copy()
        p.row(self.options.terms(self.own), lo - EPS, hi + EPS)
        for outcome in refused:
            self.options.exclude(p, outcome)
        coefs = [self.options.coefficients(t) for t in per_opponent]
        weights = np.ones(len(coefs))
        found: list[int] = []
        rounds = 1 if combine == "sum" or len(coefs) == 1 else PRODUCT_ROUNDS
        for _ in range(rounds):
            combined = np.sum([w * c for w, c in zip(weights, coefs, strict=True)], axis=0)
            objective = dict(self.options.terms(np.asarray(combined, dtype=np.float64)))
            res = p.solve(objective, time.monotonic() + SEARCH_SECONDS, gap=SEARCH_GAP)
            if res is None or res.x is None:
                break
            outcome = self.options.outcome_of(res.x)
            if outcome in found:
                break  # a fixed point of the linearisation
            found.append(outcome)
            xs = np.asarray(res.x)[self.options.xcols]
            estimates = np.array([float(c @ xs) for c in coefs])
            weights = 1.0 / np.maximum(estimates, 1e-9)  # the gradient of the log-product there
        if not found:
            return None
        return self._around(found, lo, hi, per_opponent, combine, refused, rng)

    def _around(
        self,
        centres: list[int],
        lo: float,
        hi: float,
        per_opponent: Sequence[Sequence[FloatArray]],
        combine: Combine,
        refused: Collection[int],
        rng: np.random.Generator,
    ) -> int:
        """The best of the optimum and outcomes sampled around it (see the module docstring)."""
        centre = centres[-1]
        picks = (centre // self.strides) % self.shape
        parts: list[IntArray] = [np.array(centres, dtype=np.int64)]
        for k, allowed in enumerate(self.options.allowed):  # every one-issue change
            parts.append(centre + (allowed - picks[k]) * self.strides[k])
        if len(self.shape) >= 2:
            draws = np.zeros(NEIGHBOURS, dtype=np.int64) + centre
            for _ in range(2):
                ks = rng.integers(0, len(self.shape), size=NEIGHBOURS)
                for row, k in enumerate(ks):
                    allowed = self.options.allowed[int(k)]
                    option = int(allowed[int(rng.integers(0, allowed.size))])
                    current = (int(draws[row]) // int(self.strides[k])) % int(self.shape[k])
                    draws[row] += (option - current) * int(self.strides[k])
            parts.append(draws)
        cands = np.unique(np.concatenate(parts))
        if refused:
            cands = cands[~np.isin(cands, np.fromiter(refused, dtype=np.int64))]
        own = self.utility.of_outcomes(cands)
        keep = (own >= lo - EPS) & (own <= hi + EPS) & self.utility.constraint_mask(cands)
        keep[np.isin(cands, centres)] = True  # the programs' optima satisfy the band by construction
        cands, own = cands[keep], own[keep]
        picks_of = [(cands // s) % n for s, n in zip(self.strides, self.shape, strict=True)]
        scores = [sum(np.asarray(t[k])[picks_of[k]] for k in range(len(t))) for t in per_opponent]
        est = np.asarray(sum(scores) if combine == "sum" else np.prod(scores, axis=0), dtype=np.float64)
        best = np.flatnonzero(est >= est.max() - EPS)
        top = best[own[best] >= own[best].max() - EPS]
        return int(cands[top[0]] if top.size == 1 else cands[int(rng.choice(top))])


__all__ = ["NEIGHBOURS", "PRODUCT_ROUNDS", "SEARCH_GAP", "SEARCH_SECONDS", "Combine", "OfferSearch"]
