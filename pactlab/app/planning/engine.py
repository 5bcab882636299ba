"""Play one planned negotiation against one drawn counterpart, in whatever process a sweep backend chose.

Why the LangGraph workflow and not a hand-written loop: a plan must earn what the person would
earn in a rehearsal, under the same policy gate, dispute ladder and mediator, and the workflow is
the only place that wires them. Run with an in-memory checkpointer, ``durability="exit"``, all
rounds in one superstep and no audit trail (nobody reads a plan's 10,000 transcripts), a two-party
negotiation of a shipped scenario costs about 20-45 ms here, almost all of it in the negotiators
and the gate (LangGraph's own cost is about 0.15 ms per superstep, see NOTES.md): a second,
direct engine would save little and could drift from what rehearsals do. The figures are printed
by ``python -m benchmarks.plan``.

The task is a sweep `RunTask` (the drawn scenario, the negotiators, the policy set, the seed), so
the sweep backends (`pactlab.app.sweeps.pool.LocalBackend`, `RayBackend`) run it unchanged; the
result's `scorecard` is a compact dict (`Played`), not a full scorecard.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from collections import OrderedDict
from typing import Any, Literal, TypedDict

from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.app.sweeps.tasks import RunResult, RunTask, utc_now
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario
from pactlab.workflow import Negotiations, Scored
from policies import PolicySet

CACHED_SCENARIOS = 16
"""Drawn scenarios whose outcome analysis a process keeps: a counterpart's plans run back to back."""


class Played(TypedDict):
    """What a plan needs from one negotiation: agreement, every party's utility, each party's first offer."""

    agreement: bool
    utilities: dict[str, float]  # the agreement's utility, or the party's reservation value without one
    first_offers: dict[str, dict[str, IssueValue]]
    rounds: int


class _Player:
    def __init__(self) -> None:
        self.runs = Negotiations(":memory:", durability="exit")
        self.cache: OrderedDict[str, tuple[Scenario, OutcomeAnalysis, PolicySet | None]] = OrderedDict()
        self.name = f"{socket.gethostname()}:{os.getpid()}"

    def prepared(self, task: RunTask) -> tuple[Scenario, OutcomeAnalysis, PolicySet | None]:
        key = task.scenario_sha256
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        scenario = Scenario.model_validate(task.scenario)
        policies = PolicySet.model_validate(task.policies) if task.policies is not None else None
        entry = (scenario, analyse(scenario), policies)
        self.cache[key] = entry
        if len(self.cache) > CACHED_SCENARIOS:
            self.cache.popitem(last=False)
        return entry

    def play(self, task: RunTask) -> Played:
        scenario, analysis, policies = self.prepared(task)
        try:
            events = self.runs.start(
                scenario,
                agents=task.agents,
                seed=task.seed,
                negotiation_id=task.run_id,
                rounds_per_step=scenario.protocol.max_rounds,
                policies=policies,
                analysis=analysis,
            )
            cards = [event.scorecard for event in events if isinstance(event, Scored)]
            state = self.runs.state(task.run_id)
        finally:
            self.runs.saver.delete_thread(task.run_id)
        if not cards or state is None:
            raise RuntimeError(f"negotiation {task.run_id} ended without a scorecard")
        card = cards[-1]
        first: dict[str, dict[str, IssueValue]] = {}
        for move in state.get("moves", []):
            if move["kind"] == "propose" and move["terms"] is not None and move["party"] not in first:
                first[move["party"]] = dict(move["terms"])
        return Played(
            agreement=card.agreement is not None,
            utilities={p.party: p.utility if p.utility is not None else p.reservation_value for p in card.parties},
            first_offers=first,
            rounds=card.rounds,
        )


_local = threading.local()


def play(task: RunTask) -> RunResult:
    """Run `task` (a module-level function: spawned workers and Ray import it); never raises."""
    player: _Player | None = getattr(_local, "player", None)
    if player is None:
        player = _local.player = _Player()
    started, clock = utc_now(), time.perf_counter()
    status: Literal["done", "failed"]
    played: dict[str, Any] | None
    try:
        played, status, error = dict(player.play(task)), "done", None
    except Exception as exc:  # a failed negotiation is a result the plan reports
        played, status = None, "failed"
        error = "".join(traceback.format_exception_only(exc)).strip()
    return RunResult(
        task.run_id, status, played, None, error, started, utc_now(), time.perf_counter() - clock, player.name
    )


__all__ = ["Played", "play"]
