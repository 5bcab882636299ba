"""Each protocol kind through the real workflow: agreements that pass the rule, the policy gate and the
audit trail, a resume mid-run that ends as the uninterrupted run, rename invariance, a person's seat and a fork."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.protocols import passes_rule, with_kind, without_escalation
from benchmarks.quorum_games import quorum_game
from evals.audit import read_records, verify
from evals.scorecard import analyse
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import ProtocolKind, Scenario
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow.runner import MoveMade, Paused
from policies import load_policy_set
from tests.renaming import renamed

KINDS: tuple[ProtocolKind, ...] = ("alternating", "stacked", "mediated")


@pytest.fixture(scope="module")
def game() -> Scenario:
    return quorum_game(0, max_rounds=12)


def _agents(scenario: Scenario) -> dict[str, str]:
    return dict.fromkeys(scenario.party_ids, "pareto")


@pytest.mark.parametrize("kind", KINDS)
def test_a_run_resumed_mid_way_ends_as_the_uninterrupted_one(
    kind: ProtocolKind, game: Scenario, tmp_path: Path
) -> None:
    scenario = with_kind(game, kind)
    analysis = analyse(scenario)
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario, agents=_agents(scenario), seed=1, negotiation_id="whole", rounds_per_step=1, analysis=analysis
            )
        )
        whole = runs.state("whole")
        stream = runs.start(
            scenario, agents=_agents(scenario), seed=1, negotiation_id="cut", rounds_per_step=1, analysis=analysis
        )
        for n, _event in enumerate(stream):
            if n >= 20:  # mid-way: a few rounds in
                break
        stream.close()
    with Negotiations(tmp_path / "c.sqlite") as runs:
        cut = runs.state("cut")
        assert cut is not None and whole is not None
        assert 0 < len(cut["moves"]) < len(whole["moves"])
        assert cut["table"]["status"] == "open"
        resumed = list(runs.resume("cut", analysis=analysis))
        final = runs.state("cut")
    assert final is not None
    assert final["moves"] == whole["moves"] and final["table"] == whole["table"]
    card = next(e for e in resumed if isinstance(e, Scored)).scorecard
    reference = next(e for e in events if isinstance(e, Scored)).scorecard
    assert card.model_dump(exclude={"negotiation_id"}) == reference.model_dump(exclude={"negotiation_id"})
    if kind == "mediated":
        assert any(m["party"] == "mediator" for m in whole["moves"])


@pytest.mark.parametrize("kind", KINDS)
def test_the_gate_and_the_audit_trail_under_each_protocol(kind: ProtocolKind, tmp_path: Path) -> None:
    scenario = with_kind(load_scenario("ecosystem")[0], kind)
    policies = load_policy_set("fair-and-open")[0]
    transcript = tmp_path / "t.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario,
                agents=_agents(scenario),
                seed=7,
                negotiation_id="eco",
                transcript=transcript,
                policies=policies,
            )
        )
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    report = verify(transcript)
    assert report.ok and report.sealed, report.problem
    records = read_records(transcript)
    gates = [r for r in records if r.kind == "gate"]
    assert gates and all("memory" not in r.data.get("table", {}) for r in records if r.kind == "move")
    moves = [r.data["move"] for r in records if r.kind == "move"]
    assert moves == [e.move for e in events if isinstance(e, MoveMade)]
    if card.outcome == "agreement":
        assert passes_rule(scenario, card)


def test_ecosystem_without_escalation_keeps_its_tiers_but_never_escalates(tmp_path: Path) -> None:
    scenario = with_kind(without_escalation(load_scenario("ecosystem")[0]), "stacked")
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(runs.start(scenario, agents=_agents(scenario), seed=0, negotiation_id="e"))
    moves = [e.move for e in events if isinstance(e, MoveMade)]
    assert not any(m["kind"] == "escalate" for m in moves)
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    assert card.outcome == "agreement" and passes_rule(scenario, card)


@pytest.mark.parametrize("kind", ["stacked", "mediated"])
def test_renaming_every_id_changes_only_names(kind: ProtocolKind, game: Scenario, tmp_path: Path) -> None:
    scenario = with_kind(game, kind)
    other, renaming = renamed(scenario)
    moves = {}
    for name, sc in (("a", scenario), ("b", other)):
        with Negotiations(tmp_path / f"{name}.sqlite") as runs:
            list(runs.start(sc, agents=_agents(sc), seed=2, negotiation_id=name))
            state = runs.state(name)
        assert state is not None
        moves[name] = state["moves"]
    assert len(moves["a"]) == len(moves["b"])
    for a, b in zip(moves["a"], moves["b"], strict=True):
        assert renaming.parties.get(a["party"], a["party"]) == b["party"] and a["kind"] == b["kind"]
        if a["terms"] is not None:
            assert renaming.terms(a["terms"]) == b["terms"]


@pytest.mark.parametrize("kind", ["stacked", "mediated"])
def test_a_person_plays_a_seat_turn_by_turn_and_a_fork_replays(
    kind: ProtocolKind, game: Scenario, tmp_path: Path
) -> None:
    scenario = with_kind(game, kind)
    seat = scenario.party_ids[2]
    agents = {**_agents(scenario), seat: "human"}
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(runs.start(scenario, agents=agents, seed=0, negotiation_id="h", turn_by_turn=True))
        for _ in range(4):  # the person passes or accepts what stands, else proposes the standing terms' first sheet
            assert isinstance(events[-1], Paused), events[-1]
            question = events[-1].question
            if "accept" in question["options"]:
                answer = {"kind": "accept", "by": "Ada"}
            else:
                terms = {i.id: i.options[0] for i in scenario.issues}  # type: ignore[attr-defined]
                answer = {"kind": "propose", "terms": terms, "by": "Ada"}
            events = list(runs.answer("h", answer))
        state = runs.state("h")
        assert state is not None
        human = [m for m in state["moves"] if m["party"] == seat]
        assert len(human) == 4
        turn = state["moves"].index(human[1])
        runs.fork("h", turn, "h-branch")
        branch = runs.state("h-branch")
        assert branch is not None and branch["moves"] == state["moves"][:turn]
        assert branch["table"]["status"] == "open"
