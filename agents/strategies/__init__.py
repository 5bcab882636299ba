"""Strategy negotiators: deterministic, model-free (no LLM) agents in NegMAS's vocabulary.

- time-dependent (Boulware, Linear, Conceder): concede along Faratin's aspiration curve;
- tit-for-tat: concede as much as the other parties concede;
- Pareto-seeking: a time-dependent aspiration, with offers chosen by a learned opponent model.
"""

from agents.strategies._offers import OfferBook, StrategyNegotiator, aspiration
from agents.strategies.pareto_seeking import ParetoSeekingNegotiator
from agents.strategies.time_dependent import (
    BoulwareNegotiator,
    ConcederNegotiator,
    LinearNegotiator,
    TimeDependentNegotiator,
)
from agents.strategies.tit_for_tat import TitForTatNegotiator

__all__ = [
    "BoulwareNegotiator",
    "ConcederNegotiator",
    "LinearNegotiator",
    "OfferBook",
    "ParetoSeekingNegotiator",
    "StrategyNegotiator",
    "TimeDependentNegotiator",
    "TitForTatNegotiator",
    "aspiration",
]
