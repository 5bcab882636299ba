"""The strategy negotiators by name: how to build each, what it does, its parameters and their defaults.

The entries of the spec registry (`agents.registry`, which reads specs such as
``boulware(e=0.1)`` against them and adds the model-backed ``llm``). They live beside the
strategies, below the registry, so that the LLM negotiator can build its fallback strategy from
them without importing the registry that lists the LLM negotiator itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from agents.base import Negotiator
from agents.strategies.pareto_seeking import ParetoSeekingNegotiator, check_pareto
from agents.strategies.time_dependent import (
    BoulwareNegotiator,
    ConcederNegotiator,
    LinearNegotiator,
    TimeDependentNegotiator,
    check_time_dependent,
)
from agents.strategies.tit_for_tat import TitForTatNegotiator, check_tit_for_tat

ParamValue = float | str


@dataclass(frozen=True)
class StrategyInfo:
    """A registered strategy: how to build it, what it does, its parameters and their defaults.

    ``str(info)`` is the one-line description the CLI lists.
    """

    factory: Callable[..., Negotiator]
    summary: str
    defaults: Mapping[str, ParamValue] = field(default_factory=dict)
    check: Callable[..., object] = lambda **_: None
    needs_model: bool = False  # backed by a chat model: needs an endpoint, not a pure function of the table

    def __str__(self) -> str:
        if not self.defaults:
            return self.summary
        params = ", ".join(
            f"{k}=(config)"
            if v == "" or (isinstance(v, float) and math.isnan(v))
            else f"{k}={v:g}"
            if isinstance(v, float)
            else f"{k}={v}"
            for k, v in self.defaults.items()
        )
        return f"{self.summary} Parameters: {params}."


CATALOG: dict[str, StrategyInfo] = {
    "boulware": StrategyInfo(
        BoulwareNegotiator,
        "Time-dependent, e=0.2: holds firm and concedes only near the deadline.",
        {"e": 0.2, "opening": 1.0},
        check_time_dependent,
    ),
    "linear": StrategyInfo(
        LinearNegotiator,
        "Time-dependent, e=1: concedes at a constant rate.",
        {"e": 1.0, "opening": 1.0},
        check_time_dependent,
    ),
    "conceder": StrategyInfo(
        ConcederNegotiator,
        "Time-dependent, e=5: concedes early to reach a deal.",
        {"e": 5.0, "opening": 1.0},
        check_time_dependent,
    ),
    "time_dependent": StrategyInfo(
        TimeDependentNegotiator,
        "Time-dependent with a chosen exponent e (e<1 Boulware, 1 linear, >1 Conceder); opening (0-1] starts "
        "the curve that share of the way from the walk-away point to the best terms.",
        {"e": 1.0, "opening": 1.0},
        check_time_dependent,
    ),
    "tit_for_tat": StrategyInfo(
        TitForTatNegotiator,
        "Relative tit-for-tat: concedes the share of its range that the other parties concede toward it.",
        {"reciprocity": 1.0, "kindness": 0.05, "combine": "mean"},
        check_tit_for_tat,
    ),
    "pareto": StrategyInfo(
        ParetoSeekingNegotiator,
        "Pareto-seeking: time-dependent aspiration; among offers meeting it, proposes the one a learned "
        "model of the other parties likes best (model=frequency: the frequency model, learning_rate its weight "
        "step; model=bayes: Hindriks & Tykhonov's Bayesian model).",
        {"e": 0.5, "combine": "product", "learning_rate": 1.0, "band": 0.1, "model": "frequency"},
        check_pareto,
    ),
}
"""The strategy negotiators: deterministic for a seed, no model needed."""
