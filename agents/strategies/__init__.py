"""Strategy negotiators: deterministic, model-free (no LLM) agents in NegMAS's vocabulary.

- time-dependent (Boulware, Linear, Conceder): concede along Faratin's aspiration curve;
- tit-for-tat: concede as much as the other parties concede;
- Pareto-seeking: a time-dependent aspiration, with offers chosen by a learned opponent model.

Their shared parts, one module each: the template they follow (`base`), the aspiration curve
(`curves`), the seat's offers sorted by own utility (`offer_book`), and the public history with
the frequency opponent model (`opponent`).
"""

from agents.strategies.base import Level, StrategyNegotiator, turn_rng
from agents.strategies.curves import aspiration, mandated_aspiration
from agents.strategies.offer_book import OfferBook, offer_book
from agents.strategies.opponent import History, PartyRecord, opponent_tables, summed_tables
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
    "History",
    "Level",
    "LinearNegotiator",
    "OfferBook",
    "ParetoSeekingNegotiator",
    "PartyRecord",
    "StrategyNegotiator",
    "TimeDependentNegotiator",
    "TitForTatNegotiator",
    "aspiration",
    "mandated_aspiration",
    "offer_book",
    "opponent_tables",
    "summed_tables",
    "turn_rng",
]
