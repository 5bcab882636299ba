"""Relative tit-for-tat (Faratin et al. 1998; Baarslag et al.'s utility-space variant).

A behaviour-dependent tactic: it concedes as the others concede. Each opponent's concession
is measured in our own utility as the share of the distance it has covered from its first
offer toward our best outcome, ``f = (u(last) - u(first)) / (u_max - u(first))``; moving away
counts negatively (we take back concessions). We then cover the same share, times
`reciprocity`, of our own range from u_max down to the reservation value. With several
opponents the shares are combined by their mean (default: a deal needs everyone, and the
mean does not punish the parties who do move) or their minimum (reciprocate only what every
opponent gives). A one-time `kindness` share, given from our second offer on, breaks the
deadlock of two tit-for-tat agents that each wait for the other to move first.

Known limit: the opponents' concessions are measured in our own utility, so in integrative
deals a concession that is cheap for them but worth much to us is reciprocated in full; a
time-dependent opponent can therefore draw larger concessions from it than it makes.
"""

from __future__ import annotations

import math
from typing import Literal

from agents.base import Seat
from agents.strategies.base import Level, StrategyNegotiator
from agents.strategies.offer_book import EPS
from pactlab.domain.table import Turn

Combine = Literal["mean", "min"]


class TitForTatNegotiator(StrategyNegotiator):
    """Concedes the share of its range that the opponents conceded toward it, bounded by its reservation value."""

    name = "tit_for_tat"

    def __init__(self, seat: Seat, reciprocity: float = 1.0, kindness: float = 0.05, combine: Combine = "mean") -> None:
        check_tit_for_tat(reciprocity, kindness, combine)
        super().__init__(seat)
        self.reciprocity = float(reciprocity)
        self.kindness = float(kindness)
        self.combine: Combine = combine

    @property
    def spec(self) -> str:
        return f"{self.name}(reciprocity={self.reciprocity:g}, kindness={self.kindness:g}, combine={self.combine})"

    def concession_share(self, turn: Turn) -> float | None:
        """Combined share of the way toward our best outcome that the opponents moved (None: no offers yet)."""
        book = self.book
        shares = []
        for party in self.opponents(turn):
            offers = self.history.offers(party)
            if not offers:
                continue
            first, last = float(book.utils[offers[0]]), float(book.utils[offers[-1]])
            gap = book.u_max - first
            shares.append(0.0 if gap <= EPS else min(max((last - first) / gap, -1.0), 1.0))
        if not shares:
            return None
        return min(shares) if self.combine == "min" else sum(shares) / len(shares)

    def level(self, turn: Turn) -> Level:
        book = self.book
        share_moved = self.concession_share(turn)
        moved = share_moved or 0.0
        goodwill = self.kindness if self.history.offers(self.seat.party_id) else 0.0
        share = min(max(self.reciprocity * moved + goodwill, 0.0), turn.mandate)
        target = book.u_max - (book.u_max - book.floor) * share
        side = "the other side" if len(self.opponents(turn)) <= 1 else "the other parties"
        if share_moved is None or all(len(self.history.offers(p)) <= 1 for p in self.opponents(turn)):
            why = f"{side} has not revised an offer yet, and we reciprocate concessions rather than lead (tit-for-tat)"
        elif moved > EPS:
            why = f"{side} moved toward us and we reciprocate in proportion (tit-for-tat)"
        elif moved < -EPS:
            why = f"{side} moved away from us, so we take back concessions in proportion (tit-for-tat)"
        elif goodwill:
            why = f"beyond a single goodwill step, we wait for {side} to move toward us before conceding (tit-for-tat)"
        else:
            why = f"{side} did not move toward us, so we hold our position (tit-for-tat)"
        return Level(target, why)


def check_tit_for_tat(reciprocity: float = 1.0, kindness: float = 0.05, combine: str = "mean") -> None:
    """Raise ValueError, saying what is valid, for out-of-range parameters."""
    if not _number(reciprocity) or not 0 <= reciprocity <= 10:
        raise ValueError(f"reciprocity must be a number in [0, 10] (1 = match the others), not {reciprocity!r}")
    if not _number(kindness) or not 0 <= kindness <= 1:
        raise ValueError(f"kindness must be a share in [0, 1], not {kindness!r}")
    if combine not in ("mean", "min"):
        raise ValueError(f"combine must be 'mean' or 'min', not {combine!r}")


def _number(x: object) -> bool:
    return not isinstance(x, bool) and isinstance(x, (int, float)) and math.isfinite(x)
