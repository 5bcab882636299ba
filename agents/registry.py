"""Strategy names → negotiators: the specs the CLI and scenario runs accept, e.g. ``boulware(e=0.1)``.

A spec is a strategy name, optionally with keyword parameters in parentheses:
``pareto``, ``pareto(e=0.5, combine=sum)``, ``time_dependent(e=2)``. Unknown names, unknown
parameters and out-of-range values raise ValueError saying what is valid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.base import Negotiator, Seat
from agents.strategies import (
    BoulwareNegotiator,
    ConcederNegotiator,
    LinearNegotiator,
    ParetoSeekingNegotiator,
    TimeDependentNegotiator,
    TitForTatNegotiator,
)
from agents.strategies.pareto_seeking import check_pareto
from agents.strategies.time_dependent import check_e
from agents.strategies.tit_for_tat import check_tit_for_tat

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


STRATEGIES: dict[str, StrategyInfo] = {
    "boulware": StrategyInfo(
        BoulwareNegotiator,
        "Time-dependent, e=0.2: holds firm and concedes only near the deadline.",
        {"e": 0.2},
        lambda e=0.2: check_e(e),
    ),
    "linear": StrategyInfo(
        LinearNegotiator, "Time-dependent, e=1: concedes at a constant rate.", {"e": 1.0}, lambda e=1.0: check_e(e)
    ),
    "conceder": StrategyInfo(
        ConcederNegotiator,
        "Time-dependent, e=5: concedes early to reach a deal.",
        {"e": 5.0},
        lambda e=5.0: check_e(e),
    ),
    "time_dependent": StrategyInfo(
        TimeDependentNegotiator,
        "Time-dependent with a chosen exponent e (e<1 Boulware, 1 linear, >1 Conceder).",
        {"e": 1.0},
        lambda e=1.0: check_e(e),
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
        "model of the other parties likes best.",
        {"e": 0.5, "combine": "product", "learning_rate": 1.0, "band": 0.1},
        check_pareto,
    ),
}


def _llm(seat: Seat, **params: Any) -> Negotiator:
    from agents.llm.negotiator import LLMNegotiator  # imported on use: the openai SDK is slow to import

    return LLMNegotiator(seat, **params)


def _check_llm(**params: Any) -> None:
    from agents.llm.negotiator import check_llm

    check_llm(**params)


STRATEGIES["llm"] = StrategyInfo(
    _llm,
    "A chat model over the OpenAI API (or any compatible server; see --llm) speaks for the party; a utility "
    "advisor values term sheets for it (advisor=free|advised|choose), code guards its reservation value and "
    "mandate, and the fallback strategy acts when the model fails. Unset model settings come from the scenario's "
    "party llm settings, then the environment.",
    {
        "model": "",
        "provider": "",
        "temperature": math.nan,
        "max_tokens": math.nan,
        "output_mode": "",
        "advisor": "advised",
        "fallback": "pareto",
        "candidates": 4.0,
    },
    _check_llm,
    needs_model=True,
)

STRATEGY_NAMES = sorted(name for name, info in STRATEGIES.items() if not info.needs_model)
"""The strategy negotiators: deterministic for a seed, no model needed."""

DEFAULT_STRATEGY = "pareto"
"""The strategy for seats nobody chose. In round-robin tournaments over generated and shipped
scenarios, Pareto-seeking self-play came closest to the Nash bargaining point (Nash-product
ratio about 0.9, time-dependent 0.5-0.8), reached agreement in every 3- and 4-party test
scenario with the highest worst-off utility, and earned a mean own utility second only to
Boulware (which wins its utility at the expense of its opponents)."""

_SPEC = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<params>.*)\))?\s*$", re.DOTALL)
_PARAM = re.compile(r"^\s*(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.+?)\s*$", re.DOTALL)


def _valid_names() -> str:
    return ", ".join(STRATEGIES)


def _param_help(name: str) -> str:
    defaults = STRATEGIES[name].defaults
    return ", ".join(defaults) if defaults else "none"


def parse_spec(spec: str) -> tuple[str, dict[str, ParamValue]]:
    """``"boulware(e=0.1)"`` → ``("boulware", {"e": 0.1})``; ValueError listing what is valid otherwise."""
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(
            f"cannot read strategy spec {spec!r}; write a name, optionally with parameters, "
            f"e.g. 'boulware' or 'pareto(e=0.5)'. Strategies: {_valid_names()}"
        )
    name = match["name"].lower()
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {match['name']!r}; valid strategies: {_valid_names()}")
    info = STRATEGIES[name]
    params: dict[str, ParamValue] = {}
    raw = match["params"]
    if raw is not None and raw.strip():
        for item in raw.split(","):
            pm = _PARAM.match(item)
            if pm is None:
                raise ValueError(
                    f"{spec!r}: cannot read parameter {item.strip()!r}; give parameters as name=value "
                    f"(parameters of {name}: {_param_help(name)})"
                )
            key, text = pm["key"], pm["value"].strip("'\"")
            if key not in info.defaults:
                raise ValueError(f"{spec!r}: unknown parameter {key!r} for {name}; valid: {_param_help(name)}")
            if key in params:
                raise ValueError(f"{spec!r}: parameter {key!r} is given twice")
            params[key] = _convert(spec, key, text, info.defaults[key])
    try:
        info.check(**params)
    except ValueError as exc:
        raise ValueError(f"{spec!r}: {exc}") from None
    return name, params


def _convert(spec: str, key: str, text: str, default: ParamValue) -> ParamValue:
    if isinstance(default, str):
        return text
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{spec!r}: parameter {key!r} must be a number, not {text!r}") from None


def make_negotiator(spec: str, seat: Seat) -> Negotiator:
    """Build the negotiator a spec names, seated at `seat`."""
    name, params = parse_spec(spec)
    kwargs: dict[str, Any] = dict(params)
    negotiator: Negotiator = STRATEGIES[name].factory(seat, **kwargs)
    return negotiator


__all__ = ["DEFAULT_STRATEGY", "STRATEGIES", "STRATEGY_NAMES", "StrategyInfo", "make_negotiator", "parse_spec"]
