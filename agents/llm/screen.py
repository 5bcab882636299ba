"""The privacy screen: a party's reservation value and weights never leave in its messages.

Whatever the model writes, numbers at or near the party's private figures are withheld before
the message reaches the table: the reservation value and each normalised weight, written as a
decimal (0.55, .55), a percentage (55 %, 55 percent) or a bare hundredth (55), within a
tolerance (percentages below 10 are left alone: they are too often terms, such as a
royalty). Each hit is reported, so that it becomes an audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pactlab.domain.preferences import PrivateProfile

WITHHELD = "[withheld]"
TOLERANCE = 0.01
"""Values within this of a private figure (on the 0-1 scale) count as revealing it."""

MIN_HUNDREDTHS = 0.10
"""Percentages and bare whole numbers are screened from 10 up; below, only decimals (0.06) are."""

_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d+)?|\.\d+)(\s*(?:%|percent|per cent))?(?![\w])", re.IGNORECASE)


@dataclass(frozen=True)
class ScreenHit:
    field: str
    text: str
    figure: str  # which private figure it was near: "reservation_value" or "weight:<issue>"


@dataclass(frozen=True)
class PrivateFigures:
    """The figures to screen: name -> value on the 0-1 scale."""

    figures: dict[str, float]

    @classmethod
    def of(cls, profile: PrivateProfile) -> PrivateFigures:
        total = sum(profile.weights.values()) or 1.0
        figures = {"reservation_value": profile.reservation_value}
        figures.update({f"weight:{issue}": w / total for issue, w in profile.weights.items() if w > 0})
        return cls(figures)

    def near(self, value: float) -> str | None:
        for name, figure in self.figures.items():
            if abs(value - figure) <= TOLERANCE + 1e-12:
                return name
        return None


def screen(text: str, field: str, figures: PrivateFigures) -> tuple[str, list[ScreenHit]]:
    """`text` with every number near a private figure withheld, and the hits."""
    hits: list[ScreenHit] = []

    def check(match: re.Match[str]) -> str:
        raw, percent = match.group(1), match.group(2)
        number = float(raw)
        if not percent and number <= 1:
            value = number  # a decimal on the 0-1 scale
        elif number / 100 >= MIN_HUNDREDTHS:
            value = number / 100  # a percentage, or a bare hundredth such as "55" for 0.55
        else:
            return match.group(0)  # small percentages are too often terms (a 6 % royalty)
        name = figures.near(value)
        if name is None:
            return match.group(0)
        hits.append(ScreenHit(field, match.group(0), name))
        return WITHHELD

    return _NUMBER.sub(check, text), hits
