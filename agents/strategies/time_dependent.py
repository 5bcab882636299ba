"""Time-dependent negotiators (Faratin et al. 1998; NegMAS's TimeBasedConcedingNegotiator).

The aspiration level falls with relative time t from the best acceptable own utility to the
reservation value: ``a(t) = u_max - (u_max - r) * t^(1/e)``; on a dispute ladder the curve runs
over each tier, within the tier's mandate. Boulware (e < 1) holds firm until
the deadline nears, Conceder (e > 1) gives ground early, Linear (e = 1) in between.
"""

from __future__ import annotations

import math

from agents.base import Seat
from agents.strategies.base import Level, StrategyNegotiator
from agents.strategies.curves import curve_name, mandate_note, mandated_aspiration
from pactlab.domain.table import Turn

_PACE = {
    "Boulware": "eases only as the deadline nears",
    "linear": "eases steadily as time passes",
    "Conceder": "eases early to reach a deal",
}


def check_opening(opening: float) -> float:
    """The opening aspiration, validated: a share of the range from walk-away point to best outcome, in (0, 1]."""
    if isinstance(opening, bool) or not isinstance(opening, (int, float)) or not 0 < opening <= 1:
        raise ValueError(f"opening must be a number in (0, 1] (1: open at the best terms), not {opening!r}")
    return float(opening)


def check_time_dependent(e: float = 1.0, opening: float = 1.0) -> None:
    check_e(e)
    check_opening(opening)


def check_e(e: float) -> float:
    """The concession exponent, validated: a finite number > 0."""
    if isinstance(e, bool) or not isinstance(e, (int, float)) or not math.isfinite(e) or e <= 0:
        raise ValueError(f"e must be a number > 0 (e < 1 Boulware, 1 linear, > 1 Conceder), not {e!r}")
    return float(e)


class TimeDependentNegotiator(StrategyNegotiator):
    """Proposes the acceptable outcome closest above a(t); accepts offers at or above a(t) or its next offer.

    `opening` (default 1) starts the curve lower than the best acceptable outcome: at that share of
    the way from the walk-away point up to it (a planned, more modest opening aspiration).
    """

    name = "time_dependent"

    def __init__(self, seat: Seat, e: float = 1.0, opening: float = 1.0) -> None:
        super().__init__(seat)
        self.e = check_e(e)
        self.opening = check_opening(opening)

    @property
    def spec(self) -> str:
        extra = "" if self.opening == 1.0 else f", opening={self.opening:g}"
        return f"{self.name}(e={self.e:g}{extra})"

    def level(self, turn: Turn) -> Level:
        curve = curve_name(self.e)
        start = self.book.floor + self.opening * (self.book.u_max - self.book.floor)
        target = mandated_aspiration(turn, self.e, start, self.book.floor)
        why = f"our aspiration follows a {curve} time-dependent curve that {_PACE[curve]}{mandate_note(turn)}"
        return Level(target, why)


class BoulwareNegotiator(TimeDependentNegotiator):
    """Time-dependent with e = 0.2: concedes little until close to the deadline."""

    name = "boulware"

    def __init__(self, seat: Seat, e: float = 0.2, opening: float = 1.0) -> None:
        super().__init__(seat, e, opening)


class LinearNegotiator(TimeDependentNegotiator):
    """Time-dependent with e = 1: concedes at a constant rate."""

    name = "linear"

    def __init__(self, seat: Seat, e: float = 1.0, opening: float = 1.0) -> None:
        super().__init__(seat, e, opening)


class ConcederNegotiator(TimeDependentNegotiator):
    """Time-dependent with e = 5: concedes quickly, early in the negotiation."""

    name = "conceder"

    def __init__(self, seat: Seat, e: float = 5.0, opening: float = 1.0) -> None:
        super().__init__(seat, e, opening)
