"""Every shipped scenario through the real LangGraph workflow (SQLite checkpoints) with every pairing."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from agents.registry import STRATEGY_NAMES as _NAMES
from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.workflow import MoveMade, Negotiations, Scored
from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP

STRATEGY_NAMES = _NAMES
_ANALYSES: dict[str, OutcomeAnalysis] = {}


def _analysis(scenario: Scenario) -> OutcomeAnalysis:
    if scenario.id not in _ANALYSES:
        _ANALYSES[scenario.id] = analyse(scenario)
    return _ANALYSES[scenario.id]


def run_once(
    runs: Negotiations,
    scenario: Scenario,
    agents: dict[str, str],
    seed: int,
    negotiation_id: str,
    rounds_per_step: int = DEFAULT_ROUNDS_PER_STEP,
) -> tuple[list[MoveMade], Scored]:
    moves: list[MoveMade] = []
    scored: list[Scored] = []
    for event in runs.start(
        scenario,
        agents=agents,
        seed=seed,
        negotiation_id=negotiation_id,
        rounds_per_step=rounds_per_step,
        analysis=_analysis(scenario),
    ):
        (moves if isinstance(event, MoveMade) else scored).append(event)  # type: ignore[arg-type]
    assert len(scored) == 1
    return moves, scored[0]


def assert_individually_rational(scenario: Scenario, scored: Scored) -> None:
    card = scored.scorecard
    if card.outcome != "agreement":
        assert card.agreement is None
        return
    assert card.agreement is not None
    space = OutcomeSpace(scenario.issues)
    sheet = space.validate(card.agreement)
    for party in scenario.parties:
        utility = UtilityFunction(space, party.private)
        if party.id in card.agreed_by:
            assert utility.acceptable(sheet), f"{party.id} agreed below its reservation value or constraints"


def pairings(scenario: Scenario) -> list[dict[str, str]]:
    parties = scenario.party_ids
    if len(parties) == 2:
        return [dict(zip(parties, pair, strict=True)) for pair in itertools.product(STRATEGY_NAMES, repeat=2)]
    # Many parties: everyone with the same strategy, and each strategy against each other strategy.
    tables = [dict.fromkeys(parties, s) for s in STRATEGY_NAMES]
    for first, rest in itertools.permutations(STRATEGY_NAMES, 2):
        tables.append({p: first if n == 0 else rest for n, p in enumerate(parties)})
    return tables


@pytest.mark.slow
@pytest.mark.parametrize("name", ["platform_material", "boost_converter", "ecosystem"])
def test_every_pairing_ends_validly(name: str, shipped: dict[str, Scenario], tmp_path: Path) -> None:
    scenario = shipped[name]
    outcomes = []
    with Negotiations(tmp_path / "checkpoints.sqlite", durability="exit") as runs:
        for n, agents in enumerate(pairings(scenario)):
            moves, scored = run_once(runs, scenario, agents, seed=n, negotiation_id=f"{name}-{n}")
            card = scored.scorecard
            assert card.outcome in ("agreement", "impasse", "walk_away")
            assert moves[-1].status == card.outcome
            assert card.turns == len(moves)
            assert_individually_rational(scenario, scored)
            outcomes.append(card.outcome)
    assert "agreement" in outcomes, f"no pairing reached agreement in {name}"


def test_same_seed_same_moves_and_different_seed_runs(shipped: dict[str, Scenario], tmp_path: Path) -> None:
    scenario = shipped["ecosystem"]
    agents = dict.fromkeys(scenario.party_ids, "pareto")
    agents[scenario.party_ids[0]] = "tit_for_tat"
    with Negotiations(tmp_path / "checkpoints.sqlite") as runs:
        first, card1 = run_once(runs, scenario, agents, seed=3, negotiation_id="a")
        second, card2 = run_once(runs, scenario, agents, seed=3, negotiation_id="b", rounds_per_step=1)
        assert [m.move for m in first] == [m.move for m in second]
        assert card1.scorecard.model_dump(exclude={"negotiation_id"}) == card2.scorecard.model_dump(
            exclude={"negotiation_id"}
        )
        state = runs.state("a")
        assert state is not None and state["table"]["status"] == card1.scorecard.outcome
        assert runs.ids() == ["a", "b"]
        # One checkpoint per superstep: every round with rounds_per_step=1, fewer by default.
        rounds = card1.scorecard.rounds
        assert len(list(runs.saver.list({"configurable": {"thread_id": "b"}}))) >= rounds + 2
        assert len(list(runs.saver.list({"configurable": {"thread_id": "a"}}))) < rounds


def test_duplicate_id_and_missing_agent_are_refused(shipped: dict[str, Scenario], tmp_path: Path) -> None:
    scenario = shipped["platform_material"]
    agents = dict.fromkeys(scenario.party_ids, "conceder")
    with Negotiations(tmp_path / "c.sqlite", durability="exit") as runs:
        run_once(runs, scenario, agents, seed=0, negotiation_id="x")
        with pytest.raises(ValueError, match="already exists"):
            list(runs.start(scenario, agents=agents, seed=0, negotiation_id="x"))
        with pytest.raises(ValueError, match="no negotiator for"):
            list(runs.start(scenario, agents={scenario.party_ids[0]: "conceder"}, seed=0, negotiation_id="y"))
