"""Shared machinery of the strategy negotiators: the offer book, the public history, the act() template.

The `OfferBook` is a seat's precomputed view of the outcome space: every acceptable outcome
(at or above the reservation value and within the hard constraints) sorted by own utility, so
that "the outcome closest above aspiration level a" is one `np.searchsorted`. The `History`
parses the public moves incrementally (keyed by ``len(turn.moves)``), but is a pure function of
the moves: a fresh instance rebuilds the same state from the whole record, which is what a run
resumed from a checkpoint does. `StrategyNegotiator` is the template every strategy follows:
acceptance (AC_combi: AC_const at the aspiration level, AC_next, and "anything acceptable in
the last round"), then a proposal at the strategy's aspiration level, with a message and a
rationale that names the issues changed versus the previous offer.
"""

from __future__ import annotations

import itertools
import zlib
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.base import Seat
from pactlab.domain.actions import Accept, Action, Propose, WalkAway
from pactlab.domain.issues import BooleanIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.table import MoveRecord, Turn

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-9
"""Utilities closer than this are equal (ties, aspiration comparisons)."""

_BLOCK_MAX = 1 << 16
"""Largest composite 'block' of consecutive issues (its option index fits in uint16): small gather tables."""


def aspiration(t: float, e: float, u_max: float, floor: float) -> float:
    """Faratin's time-dependent aspiration ``u_max - (u_max - floor) * t^(1/e)``, for t in [0, 1].

    e < 1 is Boulware (holds firm, concedes near the deadline), e = 1 linear, e > 1 Conceder.
    """
    t = min(max(t, 0.0), 1.0)
    return float(u_max - (u_max - floor) * t ** (1.0 / e))


def mandated_aspiration(turn: Turn, e: float, u_max: float, floor: float) -> float:
    """The time-dependent aspiration over the current dispute tier, within the tier's mandate.

    Without a ladder this is ``aspiration(turn.time, e, u_max, floor)``; on a ladder the curve
    runs over each tier's rounds, from the previous tier's mandate to this tier's.
    """
    t = min(max(turn.tier_time, 0.0), 1.0)
    return float(u_max - (u_max - floor) * turn.within_mandate(t ** (1.0 / e)))


def mandate_note(turn: Turn) -> str:
    """Where the tier's mandate puts the negotiator, for its rationale ('' without a ladder)."""
    if turn.tier is None:
        return ""
    return (
        f" (at the {turn.tier.name} tier, our mandate allows giving up to {turn.tier.mandate_to:.0%} of the way "
        "from our best terms to our walk-away point)"
    )


def curve_name(e: float) -> str:
    """NegMAS's name for the shape of a time-dependent curve."""
    if abs(e - 1.0) < 1e-12:
        return "linear"
    return "Boulware" if e < 1.0 else "Conceder"


def turn_rng(seat: Seat, turn: Turn) -> np.random.Generator:
    """The only source of randomness: seeded by (seat seed, stable hash of the party, turn number)."""
    return np.random.default_rng([seat.seed & 0xFFFF_FFFF_FFFF_FFFF, zlib.crc32(seat.party_id.encode()), turn.turn])


# -- the offer book ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferBook:
    """A seat's acceptable outcomes sorted by own utility, plus what fast look-ups need.

    Immutable and shared between instances for the same issues and private profile (see
    `offer_book`). Arrays are read-only.
    """

    space: OutcomeSpace
    utils: FloatArray  # own utility of every outcome, in outcome order
    acceptable: BoolArray  # whether each outcome is acceptable to this party
    order: IntArray  # acceptable outcomes, ascending own utility (stable: ties by index)
    sorted_utils: FloatArray  # utils[order]
    reservation: float
    u_max: float  # best acceptable own utility
    floor: float  # lowest level worth aiming at: max(reservation, worst acceptable utility)
    blocks: tuple[tuple[int, ...], ...]  # groups of consecutive issue positions
    block_cols: tuple[npt.NDArray[np.unsignedinteger[Any]], ...]  # per block: composite option index of order[j]

    @property
    def size(self) -> int:
        return len(self.order)

    def position_at(self, level: float) -> int:
        """Sorted position of the acceptable outcome closest above `level` (the best if none is)."""
        pos = int(np.searchsorted(self.sorted_utils, level - EPS, side="left"))
        return min(pos, self.size - 1)

    def tie_block(self, pos: int) -> tuple[int, int]:
        """The sorted positions [lo, hi) whose own utility equals that at `pos` (within EPS)."""
        u = self.sorted_utils[pos]
        lo = int(np.searchsorted(self.sorted_utils, u - EPS, side="left"))
        hi = int(np.searchsorted(self.sorted_utils, u + EPS, side="right"))
        return lo, hi

    def picks(self, outcomes: IntArray) -> list[IntArray]:
        """Per issue, the option index of each given outcome."""
        return [(outcomes // s) % n for s, n in zip(self.space.strides, self.space.shape, strict=True)]

    def block_table(self, block: tuple[int, ...], tables: Sequence[FloatArray]) -> FloatArray:
        """Per-issue additive tables combined over a block, indexed like `block_cols`."""
        out = tables[block[0]]
        for k in block[1:]:
            out = np.add.outer(out, tables[k]).ravel()
        return out

    def additive_over(self, lo: int, hi: int, tables: Sequence[FloatArray]) -> FloatArray:
        """Σ_k tables[k][option of issue k] for the sorted positions [lo, hi) (vectorised by block)."""
        total: FloatArray | None = None
        for block, cols in zip(self.blocks, self.block_cols, strict=True):
            part = self.block_table(block, tables)[cols[lo:hi]]
            total = part if total is None else total + part
        assert total is not None
        return total


def _build_book(seat: Seat) -> OfferBook:
    space, utility = seat.space, seat.utility
    utils = np.asarray(utility.over_space(), dtype=np.float64)
    acceptable = (utils >= utility.reservation_value - 1e-12) & utility.constraint_mask()
    idx = np.flatnonzero(acceptable).astype(np.int64)
    order = idx[np.argsort(utils[idx], kind="stable")]
    sorted_utils = utils[order]
    blocks: list[tuple[int, ...]] = []
    current: list[int] = []
    product = 1
    for k, n in enumerate(space.shape):
        if current and product * n > _BLOCK_MAX:
            blocks.append(tuple(current))
            current, product = [], 1
        current.append(k)
        product *= n
    blocks.append(tuple(current))
    block_cols: list[npt.NDArray[np.unsignedinteger[Any]]] = []
    for block in blocks:
        size = int(np.prod([space.shape[k] for k in block]))
        dtype = np.uint16 if size <= 1 << 16 else np.uint32  # one issue alone may exceed a block
        col: npt.NDArray[np.unsignedinteger[Any]] = ((order // space.strides[block[-1]]) % size).astype(dtype)
        col.flags.writeable = False
        block_cols.append(col)
    for arr in (utils, acceptable, order, sorted_utils):
        arr.flags.writeable = False
    empty = len(order) == 0
    return OfferBook(
        space=space,
        utils=utils,
        acceptable=acceptable,
        order=order,
        sorted_utils=sorted_utils,
        reservation=float(utility.reservation_value),
        u_max=0.0 if empty else float(sorted_utils[-1]),
        floor=0.0 if empty else max(float(utility.reservation_value), float(sorted_utils[0])),
        blocks=tuple(blocks),
        block_cols=tuple(block_cols),
    )


_BOOKS: OrderedDict[tuple[str, ...], OfferBook] = OrderedDict()
_BOOKS_MAX = 8


def offer_book(seat: Seat) -> OfferBook:
    """The seat's OfferBook, shared by every negotiator with the same issues and private profile.

    A run resumed from a checkpoint, or the next run of a benchmark, reuses the precomputation;
    the key is the content (issues and profile), so sharing cannot change any decision.
    """
    key = (*(i.model_dump_json() for i in seat.space.issues), seat.utility.profile.model_dump_json())
    book = _BOOKS.get(key)
    if book is None:
        book = _build_book(seat)
        _BOOKS[key] = book
        while len(_BOOKS) > _BOOKS_MAX:
            _BOOKS.popitem(last=False)
    else:
        _BOOKS.move_to_end(key)
    return book


# -- the public history --------------------------------------------------------------------------


class _PartyRecord:
    """One party's proposals so far, and the counts a frequency opponent model needs."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.offers: list[int] = []  # outcome indices, in order
        self.picks: list[tuple[int, ...]] = []  # option index per issue, per offer
        self.counts = [np.zeros(n, dtype=np.float64) for n in shape]  # how often each value was proposed
        self.unchanged = np.zeros(len(shape), dtype=np.float64)  # consecutive offers keeping the issue's value
        self._estimate: tuple[float, list[FloatArray]] | None = None

    def add(self, index: int, picks: tuple[int, ...]) -> None:
        if self.picks:
            last = self.picks[-1]
            for k, (a, b) in enumerate(zip(last, picks, strict=True)):
                if a == b:
                    self.unchanged[k] += 1.0
        for k, p in enumerate(picks):
            self.counts[k][p] += 1.0
        self.offers.append(index)
        self.picks.append(picks)
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
        self.parties: dict[str, _PartyRecord] = {}

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
                    self.record(move["party"]).add(index, picks)
        if n:
            self._first, self._last = dict(moves[0]), dict(moves[n - 1])
        self.seen = n

    def record(self, party: str) -> _PartyRecord:
        if party not in self.parties:
            self.parties[party] = _PartyRecord(self.space.shape)
        return self.parties[party]

    def offers(self, party: str) -> list[int]:
        rec = self.parties.get(party)
        return rec.offers if rec is not None else []

    def last_offer(self, party: str) -> int | None:
        offers = self.offers(party)
        return offers[-1] if offers else None

    def _picks(self, terms: Mapping[str, IssueValue]) -> tuple[int, ...] | None:
        try:
            return tuple(issue.index_of(terms[issue.id]) for issue in self.space.issues)
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


# -- text ------------------------------------------------------------------------------------------


def format_value(space: OutcomeSpace, issue_id: str, value: IssueValue) -> str:
    """A value as a person would write it: units, yes/no, spaces for underscores."""
    issue = space.by_id[issue_id]
    if isinstance(issue, BooleanIssue):
        return "yes" if value else "no"
    if isinstance(issue, NumericIssue):
        unit = issue.unit
        text = value_key(value)
        return f"{text}{unit}" if unit == "%" else f"{text} {unit}".rstrip()
    return str(value).replace("_", " ")


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- the template ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """What a strategy aims at this turn: own-utility level and why, in words for the rationale."""

    target: float
    why: str


class StrategyNegotiator:
    """Template for the strategy negotiators: accept per AC_combi, otherwise propose at the target level.

    Subclasses give `level(turn)` and may override `choose(turn, level)` (which acceptable
    outcome, as a sorted position, to propose at that level). `act` is a pure function of the
    seat and the turn; per-instance caches only save work.
    """

    name = "strategy"

    def __init__(self, seat: Seat) -> None:
        self.seat = seat
        self.book = offer_book(seat)
        self.history = History(seat.space)

    @property
    def spec(self) -> str:
        """The registry spec that builds this negotiator, e.g. ``boulware(e=0.2)``."""
        return self.name

    # hooks ------------------------------------------------------------------------------------

    def level(self, turn: Turn) -> Level:  # pragma: no cover - overridden
        raise NotImplementedError

    def opponents(self, turn: Turn) -> list[str]:
        return [p for p in turn.parties_at_table if p != self.seat.party_id]

    def choose(self, turn: Turn, level: Level) -> int:
        """Closest acceptable outcome above the level; ties go to what the others seem to like best."""
        pos = self.book.position_at(level.target)
        lo, hi = self.book.tie_block(pos)
        return self.break_ties(turn, lo, hi)

    def break_ties(self, turn: Turn, lo: int, hi: int) -> int:
        """Among sorted positions [lo, hi): the highest frequency-model estimate for the others, then seeded chance."""
        if hi - lo <= 1:
            return lo
        candidates = np.arange(lo, hi)
        per_opponent = opponent_tables(self.history, self.opponents(turn), learning_rate=1.0)
        if per_opponent:
            tables = summed_tables(per_opponent)
            picks = self.book.picks(self.book.order[lo:hi])
            est = sum((tables[k][picks[k]] for k in range(1, len(tables))), start=tables[0][picks[0]])
            candidates = candidates[est >= est.max() - EPS]
        if len(candidates) == 1:
            return int(candidates[0])
        return int(turn_rng(self.seat, turn).choice(candidates))

    # the move ----------------------------------------------------------------------------------

    def act(self, turn: Turn) -> Action:
        book = self.book
        if book.size == 0:
            return WalkAway(
                reason="None of the possible term sheets meets our minimum requirements, so no agreement here "
                "can be better for us than our alternatives.",
                message="We have concluded that no combination of these terms can work for us, and we withdraw.",
            )
        self.history.sync(turn.moves)
        level = self.level(turn)
        offer = None if any(b.kind == "accept" for b in turn.blocked) else self._offer_on_table(turn)
        if offer is not None:
            u = float(book.utils[offer])
            if u >= level.target - EPS:
                return self._accept("The offer meets our aspiration at this stage of the negotiation.")
            if turn.is_last_round:
                return self._accept(
                    "Final round: the offer is acceptable to us and better than leaving without an agreement."
                )
        pos = self._not_blocked(turn, self.choose(turn, level))
        if offer is not None and book.utils[offer] >= book.sorted_utils[pos] - EPS:
            return self._accept("The offer is at least as good for us as the counter-offer we would make (AC_next).")
        return self._propose(turn, int(book.order[pos]), level)

    def _not_blocked(self, turn: Turn, pos: int) -> int:
        """The nearest sorted position to `pos` whose outcome the policy gate has not refused this turn.

        Lower own utility first (a concession to meet the rules), then higher.
        """
        refused = {self.history.index_of(b.terms) for b in turn.blocked if b.terms is not None}
        if int(self.book.order[pos]) not in refused:
            return pos
        for candidate in itertools.chain(range(pos - 1, -1, -1), range(pos + 1, int(self.book.size))):
            if int(self.book.order[candidate]) not in refused:
                return int(candidate)
        return pos

    def _offer_on_table(self, turn: Turn) -> int | None:
        """The outcome on the table if this party may accept it and it is acceptable to it."""
        me = self.seat.party_id
        if turn.proposal is None or turn.proposer == me or me in turn.accepted_by:
            return None
        index = self.history.index_of(turn.proposal)
        if index is None or not self.book.acceptable[index]:
            return None
        return index

    def _accept(self, rationale: str) -> Accept:
        return Accept(message="We accept the proposal on the table.", rationale=rationale)

    def _propose(self, turn: Turn, index: int, level: Level) -> Propose:
        """The proposal, with a rationale naming every issue it changes against the one it answers."""
        proposal = self._proposal(turn, index, level)
        if turn.proposal is None or turn.proposer == self.seat.party_id:
            return proposal
        answered = [i for i, v in proposal.terms.items() if value_key(v) != value_key(turn.proposal.get(i, ""))]
        if not answered:
            return proposal
        note = f" Against the proposal on the table, this changes {', '.join(answered)}."
        return proposal.model_copy(update={"rationale": proposal.rationale + note})

    def _proposal(self, turn: Turn, index: int, level: Level) -> Propose:
        space = self.seat.space
        sheet = space.term_sheet(index)
        previous = self.history.last_offer(self.seat.party_id)
        if previous is None:
            listed = ", ".join(f"{space.by_id[i].label} {format_value(space, i, v)}" for i, v in sheet.terms.items())
            return Propose(
                terms=sheet.terms,
                message=f"Our opening proposal: {listed}.",
                rationale=f"Opening offer setting every issue ({', '.join(sheet.terms)}); "
                f"we start here because {level.why}.",
            )
        before = space.term_sheet(previous)
        changed = sheet.changes_from(before)
        if not changed:
            return Propose(
                terms=sheet.terms,
                message="We maintain our previous proposal.",
                rationale=f"No issue changed versus our previous offer, because {level.why}.",
            )
        moves = [
            f"{space.by_id[i].label} {format_value(space, i, before[i])} → {format_value(space, i, sheet[i])}"
            for i in changed
        ]
        picks_before, picks_after = space.option_indices(before), space.option_indices(sheet)
        tables = self.seat.utility.tables
        concede: list[str] = []
        firmer: list[str] = []
        neutral: list[str] = []
        for i in changed:
            k = space.issue_ids.index(i)
            delta = tables[k][picks_after[k]] - tables[k][picks_before[k]]
            (concede if delta < -1e-12 else firmer if delta > 1e-12 else neutral).append(i)
        parts = []
        if concede:
            parts.append(f"we concede on {_join(concede)}")
        if firmer:
            parts.append(f"ask more on {_join(firmer)} in exchange" if concede else f"we ask more on {_join(firmer)}")
        if neutral:
            parts.append(f"adjust {_join(neutral)}" if parts else f"we adjust {_join(neutral)}")
        changes = ", ".join(f"{i} ({value_key(before[i])} → {value_key(sheet[i])})" for i in changed)
        return Propose(
            terms=sheet.terms,
            message=f"Revised proposal: {'; '.join(moves)}. Other terms as before.",
            rationale=f"Changed {changes} versus our previous offer: {_join(parts)}, because {level.why}. "
            "The new terms still meet our aspiration.",
        )
