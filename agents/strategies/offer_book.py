"""The offer book: a seat's acceptable outcomes sorted by own utility, for look-ups by aspiration level.

Every acceptable outcome (at or above the reservation value and within the hard constraints)
in ascending own utility, so that "the outcome closest above aspiration level a" is one
`np.searchsorted`; per-issue tables sum over a window of it with a few numpy gathers. A book is
built once per issues and private profile and shared (`offer_book`): the key is the content, so
sharing cannot change any decision.

Large outcome spaces
    Above `pactlab.domain.scale.book_enumerable`'s limit the book is not the whole space but a
    seeded candidate set built from the linear-additive structure alone, never enumerating:
    the own best outcome (per-issue argmax within the seat's single-issue constraints), its
    one-issue neighbours, and ``SAMPLES`` outcomes drawn issue by issue with option
    probabilities proportional to ``exp(beta * value)`` for temperatures from uniform to near
    greedy, so every aspiration level from the best down to the reservation value has
    candidates. Multi-issue hard constraints are checked on the candidates. Own utilities and
    acceptability of any other outcome (an opponent's offer) are computed on demand. The seed
    is the content key's hash, so the same seat always gets the same book. Small spaces keep
    the enumerating book, so their moves are unchanged. Once the opponent model has something
    to say, the offer at a level comes from `agents.strategies.offer_search` (the outcome near
    the level the others are estimated to like best, by optimisation) and this set is the
    fallback.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from agents.base import Seat
from pactlab.domain import progress
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scale import book_enumerable

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-9
"""Utilities closer than this are equal (ties, aspiration comparisons)."""

SAMPLES = 200_000
"""Candidates drawn for the book of a large outcome space (see the module docstring)."""

_TEMPERATURES = (0.0, 2.0, 4.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0)

_BLOCK_MAX = 1 << 16
"""Largest composite 'block' of consecutive issues (its option index fits in uint16): small gather tables."""


class PerOutcome(Protocol):
    """Indexed by outcome index: an array over the space, or figures computed on demand."""

    def __getitem__(self, index: Any) -> Any: ...


class _OnDemand:
    """A per-outcome figure computed when asked (a large space has no array of them)."""

    def __init__(self, utility: UtilityFunction, acceptable: bool) -> None:
        self.utility = utility
        self.acceptable = acceptable

    def __getitem__(self, index: Any) -> Any:
        at = np.asarray(index, dtype=np.int64).reshape(-1)
        utils = self.utility.of_outcomes(at)
        if not self.acceptable:
            value: np.ndarray = utils
        else:
            value = (utils >= self.utility.reservation_value - 1e-12) & self.utility.constraint_mask(at)
        return value[0] if np.ndim(index) == 0 else value.reshape(np.shape(index))


@dataclass(frozen=True)
class OfferBook:
    """A seat's acceptable outcomes sorted by own utility, plus what fast look-ups need.

    Immutable and shared between instances for the same issues and private profile (see
    `offer_book`). Arrays are read-only.
    """

    space: OutcomeSpace
    utils: PerOutcome  # own utility of every outcome, by outcome index
    acceptable: PerOutcome  # whether each outcome is acceptable to this party
    order: IntArray  # acceptable outcomes, ascending own utility (stable: ties by index)
    sorted_utils: FloatArray  # utils[order]
    reservation: float
    u_max: float  # best acceptable own utility
    floor: float  # lowest level worth aiming at: max(reservation, worst acceptable utility)
    blocks: tuple[tuple[int, ...], ...]  # groups of consecutive issue positions
    block_cols: tuple[npt.NDArray[np.unsignedinteger[Any]], ...]  # per block: composite option index of order[j]
    enumerated: bool = True  # False: a large space's candidate set (offers come from `offer_search` too)

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


def _candidates(space: OutcomeSpace, utility: UtilityFunction, seed: int, label: str = "offer book") -> IntArray:
    """Seeded candidate outcomes of a large space, spread over own utility levels (never enumerating)."""
    rng = np.random.default_rng(seed)
    allowed: list[IntArray] = []
    for k, n in enumerate(space.shape):
        ok = np.ones(n, dtype=bool)
        every = np.arange(n, dtype=np.int64)
        for c in utility.constraints:
            if c.issues == [space.issue_ids[k]]:
                ok &= np.asarray(c.mask(lambda _i: every, space.by_id), dtype=bool)  # noqa: B023
        allowed.append(np.flatnonzero(ok).astype(np.int64))
    if any(a.size == 0 for a in allowed):
        return np.zeros(0, dtype=np.int64)
    strides = np.asarray(space.strides, dtype=np.int64)
    values = [np.asarray(utility.tables[k], dtype=np.float64)[a] for k, a in enumerate(allowed)]
    best = np.array([int(a[int(np.argmax(v))]) for a, v in zip(allowed, values, strict=True)], dtype=np.int64)
    top = int((best * strides).sum())
    parts = [np.array([top], dtype=np.int64)]
    for k, a in enumerate(allowed):  # one-issue neighbours of the best
        parts.append(top + (a - best[k]) * strides[k])
    per = SAMPLES // len(_TEMPERATURES)
    with progress.task(f"{label}: candidate offers", len(_TEMPERATURES)) as advance:
        for beta in _TEMPERATURES:
            drawn = np.zeros(per, dtype=np.int64)
            for k, (a, v) in enumerate(zip(allowed, values, strict=True)):
                span = float(v.max() - v.min()) or 1.0
                w = np.exp(beta * (v - v.max()) / span)
                drawn += a[rng.choice(a.size, size=per, p=w / w.sum())] * strides[k]
            parts.append(drawn)
            advance(1)
    return np.unique(np.concatenate(parts))


def _build_book(seat: Seat, key: tuple[str, ...]) -> OfferBook:
    space, utility = seat.space, seat.utility
    utils: PerOutcome
    acceptable: PerOutcome
    if book_enumerable(space.cardinality):
        every_util = np.asarray(utility.over_space(), dtype=np.float64)
        every_ok = (every_util >= utility.reservation_value - 1e-12) & utility.constraint_mask()
        idx = np.flatnonzero(every_ok).astype(np.int64)
        order = idx[np.argsort(every_util[idx], kind="stable")]
        sorted_utils = every_util[order]
        for arr in (every_util, every_ok):
            arr.flags.writeable = False
        utils, acceptable = every_util, every_ok
    else:
        seed = int.from_bytes(hashlib.sha256("\n".join(key).encode()).digest()[:8], "little")
        cands = _candidates(space, utility, seed, f"{seat.party_id}'s offer book")
        cand_utils = utility.of_outcomes(cands)
        ok = (cand_utils >= utility.reservation_value - 1e-12) & utility.constraint_mask(cands)
        cands, cand_utils = cands[ok], cand_utils[ok]
        rank = np.argsort(cand_utils, kind="stable")
        order, sorted_utils = cands[rank], cand_utils[rank]
        utils, acceptable = _OnDemand(utility, acceptable=False), _OnDemand(utility, acceptable=True)
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
    for arr in (order, sorted_utils):
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
        enumerated=book_enumerable(space.cardinality),
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
        book = _build_book(seat, key)
        _BOOKS[key] = book
        while len(_BOOKS) > _BOOKS_MAX:
            _BOOKS.popitem(last=False)
    else:
        _BOOKS.move_to_end(key)
    return book
