"""The time-dependent aspiration curve (Faratin et al. 1998): what a strategy aims at, and when.

``a(t) = u_max - (u_max - floor) * t^(1/e)`` falls with relative time t from the best acceptable
own utility to the floor; on a dispute ladder it runs over each tier's rounds, within the tier's
mandate. The exponent e names the shape (NegMAS's vocabulary): Boulware, linear, Conceder.
"""

from __future__ import annotations

from pactlab.domain.table import Turn


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
