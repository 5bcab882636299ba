"""The public history of proposals, and the frequency opponent model learned from it.

`History` parses the public moves into each party's proposals (outcome indices), incrementally
(keyed by ``len(turn.moves)``), but is a pure function of the moves: a fresh instance rebuilds
the same state from the whole record, which is what a run resumed from a checkpoint does. Each
party's `PartyRecord` also keeps the counts of the frequency ("HardHeaded") model of that party's
utility; `opponent_tables` and `summed_tables` give the strategies its per-issue tables.

`OpponentModel` is the small interface every opponent model shares (this frequency model,
`FrequencyModel`, and the Bayesian one in `agents.strategies.bayesian_opponent`): given the
History, each opponent's estimated utility as per-issue additive tables, and its reservation
value if the model estimates one. A strategy picks its model by name (`make_opponent_model`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from agents.strategies.offer_book import FloatArray
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.table import MoveRecord


class PartyRecord:
    """One party's proposals so far, and the counts a frequency opponent model needs."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.offers: list[int] = []  # outcome indices, in order
        self.picks: list[tuple[int, ...]] = []  # option index per issue, per offer
        self.rounds: list[int] = []  # the round of each offer (0-based)
        self.counts = [np.zeros(n, dtype=np.float64) for n in shape]  # how often each value was proposed
        self.unchanged = np.zeros(len(shape), dtype=np.float64)  # consecutive offers keeping the issue's value
        self._estimate: tuple[float, list[FloatArray]] | None = None

    def add(self, index: int, picks: tuple[int, ...], round_: int = 0) -> None:
        if self.picks:
            last = self.picks[-1]
            for k, (a, b) in enumerate(zip(last, picks, strict=True)):
                if a == b:
                    self.unchanged[k] += 1.0
        for k, p in enumerate(picks):
            self.counts[k][p] += 1.0
        self.offers.append(index)
        self.picks.append(picks)
        self.rounds.append(round_)
        self._estimate = None

    def estimate(self, learning_rate: float) -> list[FloatArray]:
        """Frequency ("HardHeaded") model of this party's utility, as per-issue additive tables.

        Issue weight ∝ 1 + learning_rate × (times the issue kept its value between consecutive
        offers): what a party rarely moves on matters to it. Value of an option ∝ 1 + how often
        it was proposed (Laplace-smoothed, best option = 1). The estimate lies in (0, 1].
        """
        if self._estimate is not None and self._estimate[0] == learning_rate:
            return self._estimate[1]
        weights = 1.0 + learning_rate * self.unchanged
        weights = weights / weights.sum()
        tables = [w * (1.0 + c) / (1.0 + c.max()) for w, c in zip(weights, self.counts, strict=True)]
        self._estimate = (learning_rate, tables)
        return tables


class History:
    """The public moves parsed into each party's proposals (outcome indices), incrementally.

    `sync(moves)` consumes only the moves it has not seen, after checking that the record it
    saw is still the prefix of `moves` (first and last seen record); otherwise it starts over.
    Its state is a function of the moves alone, so a fresh History gives the same answers.
    """

    def __init__(self, space: OutcomeSpace) -> None:
        self.space = space
        self.reset()

    def reset(self) -> None:
        self.seen = 0
        self._first: dict[str, object] | None = None
        self._last: dict[str, object] | None = None
        self.parties: dict[str, PartyRecord] = {}

    def sync(self, moves: Sequence[MoveRecord]) -> None:
        n = len(moves)
        if self.seen and (n < self.seen or moves[0] != self._first or moves[self.seen - 1] != self._last):
            self.reset()
        for k in range(self.seen, n):
            move = moves[k]
            terms = move["terms"]
            if move["kind"] == "propose" and terms is not None:
                picks = self._picks(terms)
                if picks is not None:
                    index = sum(p * s for p, s in zip(picks, self.space.strides, strict=True))
                    self.record(move["party"]).add(index, picks, int(move["round"]))
        if n:
            self._first, self._last = dict(moves[0]), dict(moves[n - 1])
        self.seen = n

    def record(self, party: str) -> PartyRecord:
        if party not in self.parties:
            self.parties[party] = PartyRecord(self.space.shape)
        return self.parties[party]

    def offers(self, party: str) -> list[int]:
        rec = self.parties.get(party)
        return rec.offers if rec is not None else []

    def last_offer(self, party: str) -> int | None:
        offers = self.offers(party)
        return offers[-1] if offers else None

    def _picks(self, terms: Mapping[str, IssueValue]) -> tuple[int, ...] | None:
        try:
            # the space's exact-value map first (an index per value, no checks), the issue's own check else
            return tuple(self.space.option_index(k, terms[issue.id]) for k, issue in enumerate(self.space.issues))
        except (KeyError, ValueError):
            return None

    def index_of(self, terms: Mapping[str, IssueValue]) -> int | None:
        """Outcome index of a term sheet, or None if it does not fit the space."""
        picks = self._picks(terms)
        if picks is None or set(terms) - set(self.space.by_id):
            return None
        return sum(p * s for p, s in zip(picks, self.space.strides, strict=True))


def opponent_tables(history: History, opponents: Sequence[str], learning_rate: float) -> list[list[FloatArray]]:
    """Frequency-model tables of each opponent that has made at least one proposal."""
    out = []
    for party in opponents:
        rec = history.parties.get(party)
        if rec is not None and rec.offers:
            out.append(rec.estimate(learning_rate))
    return out


def summed_tables(per_opponent: Sequence[Sequence[FloatArray]]) -> list[FloatArray]:
    """Per-issue tables of the sum of the opponents' estimated utilities."""
    first = per_opponent[0]
    return [sum((t[k] for t in per_opponent[1:]), start=first[k].copy()) for k in range(len(first))]


@dataclass(frozen=True)
class Estimate:
    """An opponent model's estimate of one party: its utility as per-issue additive tables
    (scenario issue order, option order), and its reservation value on the same scale, if the
    model estimates one."""

    tables: list[FloatArray]
    reservation: float | None = None


class OpponentModel(Protocol):
    """What every opponent model gives a strategy: a pure function of the public History."""

    name: str

    def estimate(self, history: History, party: str) -> Estimate | None:
        """`party`'s estimated utility (None before it has made a proposal)."""
        ...


class FrequencyModel:
    """The frequency ("HardHeaded") model of `PartyRecord.estimate`; it estimates no reservation value."""

    name = "frequency"

    def __init__(self, learning_rate: float = 1.0) -> None:
        self.learning_rate = float(learning_rate)

    def estimate(self, history: History, party: str) -> Estimate | None:
        rec = history.parties.get(party)
        if rec is None or not rec.offers:
            return None
        return Estimate(rec.estimate(self.learning_rate))


def model_tables(history: History, opponents: Sequence[str], model: OpponentModel) -> list[list[FloatArray]]:
    """`model`'s tables of each opponent that has made at least one proposal (as `opponent_tables`)."""
    out = []
    for party in opponents:
        found = model.estimate(history, party)
        if found is not None:
            out.append(found.tables)
    return out
