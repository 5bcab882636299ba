"""The policy gate in the real workflow: blocked moves go back with reasons, warnings pass, all recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agents.base import Negotiator, Seat
from agents.registry import make_negotiator
from evals.audit import read_records, verify
from pactlab.app.cli import exit_codes
from pactlab.domain.actions import Action, Propose
from pactlab.domain.catalog import load_scenario
from pactlab.domain.table import Turn
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow import context as context_module
from policies import load_policy_set

RULES = """
name: ip-and-fairness
version: "0.1.0"
description: IP must follow core business (blocks); proposals should already be fair (warns).
rules:
  - id: ip-follows-core-business
    kind: ip_follows_core_business
    severity: block
    statement: Foreground IP belongs to the party whose core business it serves.
    parameters:
      minimum_licence: nonexclusive_royalty_free
  - id: fair-proposals
    kind: fairness_bound
    severity: warn
    statement: Proposals should give the party gaining least most of what the party gaining most gains.
    parameters: {min_ratio: 0.9, on_proposals: true}
"""


def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300)


class GrabsTheIP:
    """A real negotiator that, on each first attempt, claims all foreground IP for its side."""

    def __init__(self, inner: Negotiator) -> None:
        self.inner = inner
        self.seat = inner.seat

    def act(self, turn: Turn) -> Action:
        action = self.inner.act(turn)
        if not turn.blocked and isinstance(action, Propose):
            return action.model_copy(update={"terms": {**action.terms, "foreground_ip": "supplier"}})
        return action


def test_a_blocked_proposal_goes_back_with_the_reason_and_warnings_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy_file = tmp_path / "rules.yaml"
    policy_file.write_text(RULES, encoding="utf-8")
    scenario, _ = load_scenario("platform_material")
    policy_set, _ = load_policy_set(policy_file)

    def make(spec: str, seat: Seat) -> Negotiator:
        real = make_negotiator(spec, seat)
        return GrabsTheIP(real) if seat.party_id == "supplier" else real

    monkeypatch.setattr(context_module, "make_negotiator", make)
    path = tmp_path / "g.jsonl"
    with Negotiations(tmp_path / "c.sqlite") as runs:
        events = list(
            runs.start(
                scenario,
                agents=dict.fromkeys(scenario.party_ids, "pareto"),
                seed=1,
                negotiation_id="g",
                transcript=path,
                policies=policy_set,
            )
        )
    card = next(e for e in events if isinstance(e, Scored)).scorecard
    assert card.outcome in ("agreement", "impasse", "walk_away")
    assert verify(path).ok
    records = read_records(path)
    assert records[0].data["policy_set"]["sha256"] == policy_set.sha256()
    gates = [r for r in records if r.kind == "gate"]
    moves = {r.data["move"]["turn"]: r.data["move"] for r in records if r.kind == "move"}

    supplier_first = [g for g in gates if g.data["party"] == "supplier" and g.data["attempt"] == 0]
    grabbed = [g for g in supplier_first if g.data["action"]["kind"] == "propose"]
    assert grabbed and all("ip-follows-core-business" in (g.data["blocked"] or "") for g in grabbed)
    assert all("Foreground IP belongs to the party" in g.data["blocked"] for g in grabbed)
    for g in grabbed:  # the refused terms never reach the table
        assert moves[g.data["turn"]]["terms"] is None or moves[g.data["turn"]]["terms"]["foreground_ip"] != "supplier"
        retry = next(r for r in gates if r.data["turn"] == g.data["turn"] and r.data["attempt"] == 1)
        assert retry.data["action"] != g.data["action"], "the agent is asked again and answers differently"
    if card.agreement is not None:
        assert card.agreement["foreground_ip"] == "split_by_field"

    warned = [
        v
        for g in gates
        if g.data["blocked"] is None
        for v in g.data["verdicts"]
        if v["rule_id"] == "fair-proposals" and not v["passed"]
    ]
    assert warned and all(v["severity"] == "warn" for v in warned), "warnings pass and are recorded"


def test_the_same_scenario_ends_differently_under_each_shipped_set(tmp_path: Path) -> None:
    outcomes = {}
    for name in ("minimal", "fair-and-open"):
        result = pactlab(
            "run", "boost_converter", "--seed", "7", "--id", name, "--out", str(tmp_path), "-q", "--policies", name
        )
        assert result.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.stderr
        records = read_records(tmp_path / name / "transcript.jsonl")
        outcomes[name] = next(r for r in records if r.kind == "evaluation").data["scorecard"]
        assert records[0].data["policy_set"]["name"] == name
    assert outcomes["minimal"]["agreement"] != outcomes["fair-and-open"]["agreement"]
    fair, minimal = outcomes["fair-and-open"], outcomes["minimal"]
    assert fair["outcome"] == minimal["outcome"] == "agreement"
    assert fair["agreement"]["foreground_ip"] == "split_by_field"
    assert fair["nash_ratio"] > minimal["nash_ratio"], "the strict set steers toward the Nash bargaining solution"


def test_unknown_policy_set_is_bad_input(tmp_path: Path) -> None:
    result = pactlab("run", "boost_converter", "--policies", "lenient", "--out", str(tmp_path))
    assert result.returncode == exit_codes.BAD_INPUT
    assert "fair-and-open" in result.stderr and "Traceback" not in result.stderr
