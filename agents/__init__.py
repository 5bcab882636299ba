"""Who sits at the table: the negotiator protocol, its seat, and the strategy negotiators."""

from agents.base import Negotiator, Seat
from agents.registry import DEFAULT_STRATEGY, STRATEGIES, StrategyInfo, make_negotiator, parse_spec
from agents.strategies import (
    BoulwareNegotiator,
    ConcederNegotiator,
    LinearNegotiator,
    ParetoSeekingNegotiator,
    TimeDependentNegotiator,
    TitForTatNegotiator,
)

__all__ = [
    "DEFAULT_STRATEGY",
    "STRATEGIES",
    "BoulwareNegotiator",
    "ConcederNegotiator",
    "LinearNegotiator",
    "Negotiator",
    "ParetoSeekingNegotiator",
    "Seat",
    "StrategyInfo",
    "TimeDependentNegotiator",
    "TitForTatNegotiator",
    "make_negotiator",
    "parse_spec",
]
