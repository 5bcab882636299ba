"""The offer book: a seat's acceptable outcomes sorted by own utility, for look-ups by aspiration level.

Every acceptable outcome (at or above the reservation value and within the hard constraints)
in ascending own utility, so that "the outcome closest above aspiration level a" is one
`np.searchsorted`; per-issue tables sum over a window of it with a few numpy gathers. A book is
built once per issues and private profile and shared (`offer_book`): the key is the content, so
sharing cannot change any decision.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.base import Seat
from pactlab.domain.outcome_space import OutcomeSpace

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPS = 1e-9
"""Utilities closer than this are equal (ties, aspiration comparisons)."""

_BLOCK_MAX = 1 << 16
"""Largest composite 'block' of consecutive issues (its option index fits in uint16): small gather tables."""


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
