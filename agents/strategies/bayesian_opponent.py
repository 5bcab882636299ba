"""Bayesian opponent model after Hindriks & Tykhonov (2008), factored per issue as in their scalable variant.

Hindriks, K. & Tykhonov, D. (2008), "Opponent modelling in automated multi-issue negotiation
using Bayesian learning", AAMAS, 331-338. The opponent's utility is taken to be linear-additive,
``u(b) = Σ_k w_k e_k(b_k) / Σ_k w_k``. The hypothesis space is factored per issue, as the
paper's scalable version does (never enumerated over outcomes nor over issue rankings):

- each issue's weight: one of 11 levels 0, 0.1, …, 1 (uniform prior);
- each issue's evaluation function: for ordered options (numbers, yes/no, ordered categories)
  the paper's shapes, downhill, uphill and triangular with its peak at an interior option
  (at most `MAX_PEAKS` peaks, spread evenly); for unordered options, which have no shape, the
  comparable space of "option j is the best, the others worth 0" and "option j is the worst, the
  others worth 1" (their posterior mixture can express any ranking of the options);
- the reservation value: one of 20 levels 0, 0.05, …, 0.95 (uniform prior).

The update assumes, as the paper does, that the opponent concedes over time: its bid at
relative time t is expected to have utility ``1 - (1 - r) t`` (a linear concession from its best
outcome to its reservation value r at the deadline), and a hypothesis h makes the observed bid b
likely as ``exp(-(u_h(b) - expected)^2 / 2σ²)`` (σ = 0.25, the paper's value). Each issue's weight
and evaluation beliefs are updated in turn with the other issues at their expected values (the
paper's scalable update); weights only from the second distinct bid on. A bid the opponent made
before brings no new evidence and is skipped (as in the reference implementation in Genius). The
reservation belief is then updated from the bid's estimated utility (the expected model rescaled
to [0, 1], best outcome 1, as the concession assumption reads it), which must also not lie below
r (the opponent never offers below its reservation value). Memory and work per bid are
O(Σ_k (options_k × hypotheses_k)).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agents.strategies.offer_book import FloatArray
from agents.strategies.opponent import Estimate, History, PartyRecord
from pactlab.domain.issues import CategoricalIssue
from pactlab.domain.outcome_space import OutcomeSpace

WEIGHT_LEVELS = np.linspace(0.0, 1.0, 11)
RESERVATION_LEVELS = np.linspace(0.0, 0.95, 20)
SIGMA = 0.25
MAX_PEAKS = 9
"""At most this many triangular shapes per ordered issue (peaks spread evenly over the interior)."""


def evaluation_hypotheses(issue: object, n: int) -> FloatArray:
    """The evaluation-function hypotheses of one issue with `n` options: one row per hypothesis, max 1, min 0."""
    ordered = not isinstance(issue, CategoricalIssue) or issue.ordered
    rows: list[FloatArray] = []
    i = np.arange(n, dtype=np.float64)
    if ordered:
        x = i / (n - 1)
        rows += [1.0 - x, x]  # downhill, uphill
        interior = np.arange(1, n - 1)
        if len(interior) > MAX_PEAKS:
            interior = np.unique(np.round(np.linspace(1, n - 2, MAX_PEAKS)).astype(np.int64))
        for p in interior:
            rows.append(np.where(i <= p, i / p, (n - 1 - i) / (n - 1 - p)))
    else:
        for j in range(n):
            rows.append((i == j).astype(np.float64))  # option j best
            rows.append((i != j).astype(np.float64))  # option j worst
    table = np.unique(np.vstack(rows), axis=0)  # two options: "a best" is "b worst"
    return np.asarray(table, dtype=np.float64)


def _normalised(p: FloatArray, like: FloatArray) -> FloatArray:
    post = p * like
    total = float(post.sum())
    return post / total if total > 0 else p


def _likelihood(u: FloatArray | float, expected: float) -> FloatArray:
    d = np.asarray(u, dtype=np.float64) - expected
    return np.asarray(np.exp(-(d * d) / (2 * SIGMA * SIGMA)), dtype=np.float64)


class Belief:
    """The posterior over one opponent's hypotheses, advanced bid by bid."""

    def __init__(self, hypotheses: Sequence[FloatArray]) -> None:
        self.hypotheses = hypotheses
        self.weights = [np.full(len(WEIGHT_LEVELS), 1.0 / len(WEIGHT_LEVELS)) for _ in hypotheses]
        self.evaluations = [np.full(len(h), 1.0 / len(h)) for h in hypotheses]
        self.reservation = np.full(len(RESERVATION_LEVELS), 1.0 / len(RESERVATION_LEVELS))
        self.seen: set[int] = set()
        self.consumed = 0  # offers of the party's record taken into account
        self.record: PartyRecord | None = None

    def expected_weights(self) -> FloatArray:
        return np.array([float(p @ WEIGHT_LEVELS) for p in self.weights])

    def expected_evaluations(self) -> list[FloatArray]:
        return [np.asarray(p @ h, dtype=np.float64) for p, h in zip(self.evaluations, self.hypotheses, strict=True)]

    def utility(self, picks: Sequence[int]) -> float:
        """Expected-model utility of a bid: Σ E[w_k] E[e_k](b_k) / Σ E[w_k]."""
        w = self.expected_weights()
        e = self.expected_evaluations()
        values = np.array([e[k][p] for k, p in enumerate(picks)])
        total = float(w.sum())
        return float(w @ values) / total if total > 0 else 0.0

    def tables(self) -> list[FloatArray]:
        """The expected model as per-issue additive tables, rescaled so that its worst outcome is worth 0 and
        its best 1, as under every single hypothesis (a mixture of shapes is flatter than any of them)."""
        w = self.expected_weights()
        total = float(w.sum())
        share = w / total if total > 0 else np.full(len(w), 1.0 / len(w))
        parts = [float(s) * (e - e.min()) for s, e in zip(share, self.expected_evaluations(), strict=True)]
        span = sum(float(t.max()) for t in parts)
        return [t / span for t in parts] if span > 1e-12 else parts

    def expected_bid_utility(self, t: float) -> float:
        """What the concession assumption expects of a bid at relative time t: E_r[1 - (1 - r) t]."""
        return float(self.reservation @ (1.0 - (1.0 - RESERVATION_LEVELS) * t))

    def update(self, picks: Sequence[int], t: float) -> None:
        """Bayes' rule on one new bid `picks` made at relative time `t`."""
        expected = self.expected_bid_utility(t)
        w = self.expected_weights()
        e = self.expected_evaluations()
        parts = np.array([w[k] * e[k][p] for k, p in enumerate(picks)])
        if self.seen:  # weights: from the second distinct bid on, as in the paper's scalable update
            num_rest, den_rest = parts.sum() - parts, w.sum() - w
            self.weights = [
                _normalised(
                    self.weights[k],
                    _likelihood(
                        (WEIGHT_LEVELS * e[k][p] + num_rest[k]) / np.maximum(WEIGHT_LEVELS + den_rest[k], 1e-12),
                        expected,
                    ),
                )
                for k, p in enumerate(picks)
            ]
            w = self.expected_weights()
            parts = np.array([w[k] * e[k][p] for k, p in enumerate(picks)])
        num_rest, den_rest = parts.sum() - parts, w.sum() - w
        self.evaluations = [
            _normalised(
                self.evaluations[k],
                _likelihood((w[k] * self.hypotheses[k][:, p] + num_rest[k]) / max(w[k] + den_rest[k], 1e-12), expected),
            )
            for k, p in enumerate(picks)
        ]
        u = float(sum(t[p] for t, p in zip(self.tables(), picks, strict=True)))
        predicted = 1.0 - (1.0 - RESERVATION_LEVELS) * t
        below = np.maximum(RESERVATION_LEVELS - u, 0.0)  # r above the bid's utility: it would not have offered it
        self.reservation = _normalised(self.reservation, _likelihood(predicted, u) * _likelihood(below, 0.0))

    def estimate(self) -> Estimate:
        """The expected utility (`tables`) and the expected reservation value on the same [0, 1] scale."""
        return Estimate(self.tables(), float(self.reservation @ RESERVATION_LEVELS))


class BayesianModel:
    """Hindriks & Tykhonov's Bayesian opponent model, one `Belief` per opponent, kept in step with the History.

    A pure function of the public moves: each belief consumes its party's new proposals in order,
    and starts over if the History did (a fresh model rebuilt from the whole record agrees).
    """

    name = "bayes"

    def __init__(self, space: OutcomeSpace, max_rounds: int) -> None:
        self.space = space
        self.max_rounds = max(int(max_rounds), 1)
        self.hypotheses = [evaluation_hypotheses(issue, n) for issue, n in zip(space.issues, space.shape, strict=True)]
        self.beliefs: dict[str, Belief] = {}

    def prior(self) -> Belief:
        """A belief that has seen no bid (uniform priors)."""
        return Belief(self.hypotheses)

    def belief(self, history: History, party: str) -> Belief | None:
        """`party`'s posterior after its proposals so far (None before its first)."""
        rec = history.parties.get(party)
        if rec is None or not rec.offers:
            return None
        belief = self.beliefs.get(party)
        if belief is None or belief.record is not rec or belief.consumed > len(rec.offers):
            belief = self.prior()
            belief.record = rec
            self.beliefs[party] = belief
        for k in range(belief.consumed, len(rec.offers)):
            if rec.offers[k] not in belief.seen:
                belief.update(rec.picks[k], min(rec.rounds[k] / self.max_rounds, 1.0))
                belief.seen.add(rec.offers[k])
        belief.consumed = len(rec.offers)
        return belief

    def estimate(self, history: History, party: str) -> Estimate | None:
        belief = self.belief(history, party)
        return None if belief is None else belief.estimate()
