"""`pactlab audit replay`: real runs re-derive record for record; an altered decision is named by its line.

Every transcript here comes from a real run through the LangGraph workflow (strategy agents, the
ladder's mediator, a NegMAS seat, a resumed run); the forged one is a real run whose move was
altered and re-signed with the run's own (stolen) operator key, the parties' keys being out of reach.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.audit import canonical_json, record_hash, verify
from evals.identity import KeyPair, record_message
from pactlab.app.cli import app
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import Scenario
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow.replay import CodeVersionDiffers, explain, read_lines, replay
from policies import load_policy_set

runner = CliRunner()


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(canonical_json(r) + "\n" for r in records), encoding="utf-8")
    return path


def run(tmp_path: Path, scenario: Scenario, agents: dict[str, str], **options: Any) -> Path:
    transcript = tmp_path / "t.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(scenario, agents=agents, seed=4, negotiation_id="replayed", transcript=transcript, **options)
        )
    assert any(isinstance(e, Scored) for e in events)
    return transcript


def replay_cli(path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "replay", str(path), *args])
    return result.exit_code, " ".join(result.output.split())


@pytest.fixture(scope="module")
def strategy_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("strategy")
    result = runner.invoke(app, ["run", "platform_material", "--seed", "7", "-q", "--id", "r", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "r" / "transcript.jsonl"


def test_a_strategy_run_replays_record_for_record(strategy_run: Path) -> None:
    code, output = replay_cli(strategy_run)
    assert code == 0, output
    records = len(lines(strategy_run))
    assert f"{records} of {records} records re-derived and matched" in output
    report = replay(strategy_run)
    assert report.ok and report.ending == "sealed" and report.decisions["strategy"] >= 2


def test_explain_names_the_move_and_inputs_of_every_agreed_term(strategy_run: Path) -> None:
    records = lines(strategy_run)
    terms = explain(read_lines(strategy_run))
    agreed = records[-1]["data"]["agreement"]["terms"]
    assert {t.issue for t in terms} == set(agreed)
    for term in terms:
        move = records[term.line - 1]
        assert move["kind"] == "move" and move["data"]["move"]["kind"] == "propose"
        assert move["data"]["move"]["terms"][term.issue] == agreed[term.issue]
        assert (term.party, term.round, term.turn) == (
            move["actor"],
            move["data"]["move"]["round"] + 1,
            move["data"]["move"]["turn"] + 1,
        )
        kinds = [i.what for i in term.inputs]
        assert kinds[0] == "strategy rule" and "profile" in kinds and "policy gate" in kinds
        profile = next(i for i in term.inputs if i.what == "profile")
        assert "weight " not in profile.text and "reservation" not in profile.text  # a reference, unless asked
    private = explain(read_lines(strategy_run), private=True)
    assert all("reservation value" in next(i for i in t.inputs if i.what == "profile").text for t in private)
    code, output = replay_cli(strategy_run, "--explain")
    assert code == 0 and "what decided each agreed term" in output and "accepted by" in output


def test_a_mediated_run_with_policies_replays(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    data = scenario.model_dump(mode="json")
    for tier in data["dispute_ladder"]:
        tier["max_rounds"] = None
    data["protocol"]["stall_rounds"] = 2
    stalled = Scenario.model_validate(data)
    agents = dict.fromkeys(stalled.party_ids, "tit_for_tat(kindness=0)")  # never the first to move: a stall
    policies, _ = load_policy_set("fair-and-open")
    transcript = run(tmp_path, stalled, agents, policies=policies)
    report = replay(transcript)
    assert report.ok, report.divergences
    assert report.decisions.get("mediator", 0) >= 1 and report.decisions.get("ladder", 0) >= 2


@pytest.mark.skipif(importlib.util.find_spec("negmas") is None, reason="the negmas extra is not installed")
def test_a_run_with_a_negmas_seat_replays(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    agents = {scenario.party_ids[0]: "negmas(AspirationNegotiator)", scenario.party_ids[1]: "pareto"}
    transcript = run(tmp_path, scenario, agents)
    report = replay(transcript)
    assert report.ok, report.divergences


def test_a_resumed_run_replays(tmp_path: Path) -> None:
    """A run stopped after its first superstep and resumed by another process's store replays as one run."""
    scenario, _ = load_scenario("platform_material")
    transcript = tmp_path / "t.jsonl"
    agents = dict.fromkeys(scenario.party_ids, "boulware")
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = runs.start(
            scenario, agents=agents, seed=4, negotiation_id="cut", transcript=transcript, rounds_per_step=1
        )
        next(events)
        events.close()  # the process stops here: a checkpoint, part of the transcript
    assert not verify(transcript, require_seal=False).sealed
    cut = replay(transcript)
    assert cut.ok and cut.ending == "cut" and "played on" in cut.notes[0]
    with Negotiations(tmp_path / "c.sqlite") as runs:
        assert any(isinstance(e, Scored) for e in runs.resume("cut"))
    report = replay(transcript)
    assert report.ok and report.ending == "sealed", report.divergences


def _forge(transcript: Path, checkpoints: Path, negotiation_id: str, out: Path) -> tuple[Path, int]:
    """Alter a party's move and re-sign it, and every record after it, with the run's own operator key.

    The forger stole the operator's run secret (from the checkpoint) and so holds the operator key; it
    has no party's key, so the records parties signed keep their old signatures."""
    with Negotiations(checkpoints) as runs:
        state = runs.state(negotiation_id)
    assert state is not None
    operator = KeyPair.derived(state["run"]["signing"]["secret"], "operator")
    records = lines(transcript)
    index = [n for n, r in enumerate(records) if r["kind"] == "move" and r["data"]["move"]["kind"] == "propose"][2]
    move = records[index]["data"]["move"]
    scenario = Scenario.model_validate(records[0]["data"]["scenario"])
    issue = next(i for i in scenario.issues if len(i.values()) > 1)
    move["terms"][issue.id] = next(v for v in issue.values() if v != move["terms"][issue.id])
    records[index]["data"]["table"]["proposal"] = dict(move["terms"])
    prev = records[index]["prev_hash"]
    for n in range(index, len(records)):
        body = {k: v for k, v in records[n].items() if k not in ("hash", "sig")}
        body["prev_hash"] = prev
        if body["kind"] == "seal":
            body["data"] = {**body["data"], "last_hash": prev}
        digest = record_hash(body)
        sig = dict(records[n]["sig"])
        if n == index or sig["by"] == "operator":
            sig = {"by": "operator", "key": operator.public_key, "ed25519": operator.sign(record_message(digest))}
        records[n] = {**body, "hash": digest, "sig": sig}
        prev = digest
    return write(out, records), index + 1


def test_an_altered_move_re_signed_with_the_stolen_operator_key_is_named_by_its_line(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    transcript = run(tmp_path, scenario, dict.fromkeys(scenario.party_ids, "pareto"))
    forged, line = _forge(transcript, tmp_path / "c.sqlite", "replayed", tmp_path / "forged.jsonl")
    verified = runner.invoke(app, ["audit", "verify", str(forged)])
    assert verified.exit_code == 5  # verify catches the party signature the forger could not make...
    code, output = replay_cli(forged)
    assert code == 5, output
    # ...and replay names the altered decision itself: the move its agent does not make.
    assert f"DIVERGES {forged}: line {line}:" in output and "is not the move its agent makes" in output
    report = replay(forged)
    assert report.divergences[0].line == line and report.verify_problem is not None


def test_other_code_is_refused_unless_forced(strategy_run: Path, tmp_path: Path) -> None:
    records = lines(strategy_run)
    records[0]["data"]["code"]["sha256"] = "0" * 64
    other = write(tmp_path / "other.jsonl", records)
    code, output = replay_cli(other)
    assert code == 2 and "--force" in output and "code sha256 0000000000000000" in output
    with pytest.raises(CodeVersionDiffers):
        replay(other)
    forced = replay(other, force=True)
    assert forced.forced and not forced.divergences  # every decision re-derives...
    assert not forced.ok and forced.verify_line == 1  # ...but the edited run start no longer verifies


def test_what_is_not_a_transcript_is_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"kind": "move"}\n', encoding="utf-8")
    assert replay_cli(bad)[0] == 2
    assert replay_cli(tmp_path / "missing.jsonl")[0] == 2
