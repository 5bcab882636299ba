"""Strategy names → negotiators: the specs the CLI and scenario runs accept, e.g. ``boulware(e=0.1)``.

A spec is a strategy name, optionally with keyword parameters in parentheses:
``pareto``, ``pareto(e=0.5, combine=sum)``, ``time_dependent(e=2)``. Unknown names, unknown
parameters and out-of-range values raise ValueError saying what is valid.

The strategy negotiators' entries live beside them (`agents.strategies.catalog`); the registry
adds the model-backed ``llm``, whose module it imports only on use (the openai SDK is slow to
import) and which never imports the registry back.
"""

from __future__ import annotations

import math
import re
from typing import Any

from agents.base import Negotiator, Seat
from agents.strategies.catalog import CATALOG, ParamValue, StrategyInfo


def _llm(seat: Seat, **params: Any) -> Negotiator:
    from agents.llm.negotiator import LLMNegotiator  # imported on use: the openai SDK is slow to import

    return LLMNegotiator(seat, **params)


def _check_llm(**params: Any) -> None:
    from agents.llm.negotiator import check_llm

    check_llm(**params)


def _negmas(seat: Seat, **params: Any) -> Negotiator:
    from agents.adapters.negmas import NegmasNegotiator  # imported on use: NegMAS is optional and slow to import

    return NegmasNegotiator(seat, **params)


def _check_negmas(**params: Any) -> None:
    from agents.adapters.negmas import check_negmas

    check_negmas(**params)


STRATEGIES: dict[str, StrategyInfo] = {
    **CATALOG,
    "llm": StrategyInfo(
        _llm,
        "A chat model over the OpenAI API (or any compatible server; see --llm) speaks for the party; a utility "
        "advisor values term sheets for it (advisor=free|advised|choose), code guards its reservation value and "
        "mandate, and the fallback strategy acts when the model fails. stance=cooperative|competitive|warm|dominant "
        "sets its style, role=greedy|saboteur|injector makes it an adversary for stress tests (agents.llm.stances). "
        "steps=2 splits a turn into a short decision (accept, counter, reject, walk away) and, for a counter, the "
        "terms (the default with advisor=choose; steps=1 asks for both at once; agents.llm.turn). "
        "Unset model settings come from the scenario's party llm settings, then the environment.",
        {
            "model": "",
            "provider": "",
            "temperature": math.nan,
            "max_tokens": math.nan,
            "output_mode": "",
            "advisor": "advised",
            "fallback": "pareto",
            "candidates": 4.0,
            "stance": "",
            "role": "",
            "steps": 0.0,
        },
        _check_llm,
        needs_model=True,
    ),
    "negmas": StrategyInfo(
        _negmas,
        "A NegMAS SAO negotiator (optional extra 'negmas') at the table, e.g. negmas(AspirationNegotiator) or "
        "negmas(negmas.sao.NaiveTitForTatNegotiator): given this seat's own utility function only, it answers the "
        "public table's offers (agents.adapters.negmas).",
        {"negotiator": "AspirationNegotiator"},
        _check_negmas,
    ),
}
"""Every spec name: the strategy negotiators (`agents.strategies.catalog`), then the model-backed ones."""

ADAPTERS = ("negmas",)
"""Specs that seat another library's negotiator (an optional extra); not among `STRATEGY_NAMES`."""

POSITIONAL = {"negmas": "negotiator"}
"""Specs whose first parameter may be given without its name: ``negmas(AspirationNegotiator)``."""

STRATEGY_NAMES = sorted(name for name, info in STRATEGIES.items() if not info.needs_model and name not in ADAPTERS)
"""pactlab's strategy negotiators: deterministic for a seed, no model needed."""

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


_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")


def split_assignment(text: str) -> tuple[str | None, str]:
    """``PARTY=SPEC`` as (party, spec), or (None, text) for a bare spec (``pareto(e=0.5)`` is one)."""
    assigned = _ASSIGNMENT.match(text)
    return (assigned.group(1), assigned.group(2)) if assigned else (None, text)


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
        for n, item in enumerate(raw.split(",")):
            if n == 0 and name in POSITIONAL and "=" not in item:
                item = f"{POSITIONAL[name]}={item.strip()}"
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


__all__ = [
    "ADAPTERS",
    "DEFAULT_STRATEGY",
    "STRATEGIES",
    "STRATEGY_NAMES",
    "ParamValue",
    "StrategyInfo",
    "make_negotiator",
    "parse_spec",
]
