"""Strategy specs: parsing, errors that list what is valid, and building negotiators."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from agents.base import Negotiator, Seat
from agents.registry import ADAPTERS, DEFAULT_STRATEGY, STRATEGIES, make_negotiator, parse_spec
from agents.strategies import (
    BoulwareNegotiator,
    ConcederNegotiator,
    LinearNegotiator,
    ParetoSeekingNegotiator,
    TimeDependentNegotiator,
    TitForTatNegotiator,
)
from pactlab.domain.actions import Propose
from pactlab.domain.loader import load_model
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import Turn

FIXTURE = Path(__file__).parent.parent / "fixtures" / "two_party.yaml"


@pytest.fixture(scope="module")
def seat() -> Seat:
    return Seat.for_party(load_model(FIXTURE, Scenario), "alpha", seed=1)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("boulware", ("boulware", {})),
        ("conceder", ("conceder", {})),
        ("linear", ("linear", {})),
        ("tit_for_tat", ("tit_for_tat", {})),
        ("pareto", ("pareto", {})),
        ("boulware(e=0.1)", ("boulware", {"e": 0.1})),
        ("pareto(e=0.5)", ("pareto", {"e": 0.5})),
        ("time_dependent(e=2)", ("time_dependent", {"e": 2.0})),
        ("  Pareto ( e = 0.3 , combine = sum, band=1 ) ", ("pareto", {"e": 0.3, "combine": "sum", "band": 1.0})),
        ("tit_for_tat(combine='min', kindness=0)", ("tit_for_tat", {"combine": "min", "kindness": 0.0})),
        ("boulware()", ("boulware", {})),
    ],
)
def test_parse_spec(spec: str, expected: tuple[str, dict[str, object]]) -> None:
    assert parse_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "hardliner",
            r"unknown strategy 'hardliner'; valid strategies: boulware, linear, conceder, time_dependent, "
            r"tit_for_tat, pareto",
        ),
        ("boulware(x=1)", r"unknown parameter 'x' for boulware; valid: e"),
        ("pareto(e=0.1, e=0.2)", r"given twice"),
        ("boulware(0.1)", r"give parameters as name=value \(parameters of boulware: e, opening\)"),
        ("boulware(e=fast)", r"'e' must be a number"),
        ("boulware(e=0)", r"e must be a number > 0"),
        ("time_dependent(e=-1)", r"e must be a number > 0"),
        ("pareto(combine=max)", r"combine must be 'product' or 'sum'"),
        ("pareto(band=2)", r"band must be a share in \[0, 1\]"),
        ("tit_for_tat(kindness=1.5)", r"kindness must be a share"),
        ("tit_for_tat(reciprocity=nan)", r"reciprocity must be a number"),
        ("boulware(e=0.1", r"cannot read strategy spec"),
        ("", r"cannot read strategy spec"),
        ("pareto(e=0.1)x", r"cannot read strategy spec"),
    ],
)
def test_bad_specs_say_what_is_valid(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_spec(spec)


@pytest.mark.parametrize(
    ("spec", "cls", "attrs"),
    [
        ("boulware", BoulwareNegotiator, {"e": 0.2}),
        ("linear", LinearNegotiator, {"e": 1.0}),
        ("conceder", ConcederNegotiator, {"e": 5.0}),
        ("boulware(e=0.1)", BoulwareNegotiator, {"e": 0.1}),
        ("time_dependent(e=2)", TimeDependentNegotiator, {"e": 2.0}),
        ("tit_for_tat(combine=min)", TitForTatNegotiator, {"combine": "min", "kindness": 0.05}),
        ("pareto(e=0.3, combine=sum)", ParetoSeekingNegotiator, {"e": 0.3, "combine": "sum", "band": 0.1}),
    ],
)
def test_make_negotiator(seat: Seat, spec: str, cls: type, attrs: dict[str, object]) -> None:
    negotiator = make_negotiator(spec, seat)
    assert type(negotiator) is cls
    assert isinstance(negotiator, Negotiator) and negotiator.seat is seat
    for name, value in attrs.items():
        assert getattr(negotiator, name) == value
    # Its own spec names the same strategy and parameters.
    spec_again: str = negotiator.spec  # type: ignore[attr-defined]
    name, params = parse_spec(spec_again)
    assert name == parse_spec(spec)[0]
    for key, value in params.items():
        assert getattr(negotiator, key) == value


def test_every_registered_strategy_opens_with_a_proposal(seat: Seat) -> None:
    turn = Turn(
        party="alpha",
        round=0,
        max_rounds=20,
        turn=0,
        parties_at_table=("alpha", "beta"),
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
    )
    for name, info in STRATEGIES.items():
        assert str(info).startswith(info.summary) and info.summary.endswith(".")
        assert all(k in str(info) for k in info.defaults)
        if name in ADAPTERS and importlib.util.find_spec(name) is None:
            continue  # another library's negotiators, an optional extra not installed here
        parse_spec(name)
        if not info.needs_model:  # the LLM negotiator is tested against an endpoint in tests/llm
            assert isinstance(make_negotiator(name, seat).act(turn), Propose)
    assert DEFAULT_STRATEGY in STRATEGIES


def test_unknown_strategy_from_make_negotiator(seat: Seat) -> None:
    with pytest.raises(ValueError, match="valid strategies"):
        make_negotiator("oracle", seat)
