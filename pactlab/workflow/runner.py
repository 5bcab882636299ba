"""Start, resume and inspect durable negotiations (SQLite checkpoints keyed by negotiation id)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError

from evals.scorecard import OutcomeAnalysis, Scorecard
from pactlab.protocol import opening_table, table_record
from pactlab.provenance import code_version
from pactlab.scenario import Scenario
from pactlab.table import MoveRecord
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.graph import build_graph
from pactlab.workflow.state import NegotiationState, RunSpec
from policies import PolicySet

Durability = Literal["sync", "async", "exit"]

DEFAULT_ROUNDS_PER_STEP = 5
"""Rounds between checkpoints for strategy negotiators (see `pactlab.workflow.graph`)."""


class NegotiationNotFound(LookupError):
    """No checkpoint exists for the negotiation id."""


class NegotiationFinished(RuntimeError):
    """The negotiation already ended; there is nothing to resume."""


@dataclass(frozen=True)
class MoveMade:
    """A move landed on the table."""

    move: MoveRecord
    status: str
    ended_by: str | None


@dataclass(frozen=True)
class Scored:
    """The negotiation ended and was evaluated."""

    scorecard: Scorecard


Event = MoveMade | Scored


class Negotiations:
    """Runs negotiations through the checkpointed graph; one SQLite file holds every run's checkpoints."""

    def __init__(self, checkpoint_path: str | Path, durability: Durability = "sync") -> None:
        self.checkpoint_path = Path(checkpoint_path)
        self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = sqlite3.connect(str(self.checkpoint_path), check_same_thread=False)
        # WAL with synchronous=NORMAL: a commit survives a killed process (the journal is
        # written before the call returns) without an fsync per superstep; only a power
        # loss can drop the last few commits.
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self.saver = SqliteSaver(self._connection)
        self.graph = build_graph(self.saver)
        self.durability: Durability = durability

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> Negotiations:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(
        self,
        scenario: Scenario,
        *,
        agents: Mapping[str, str],
        seed: int,
        negotiation_id: str,
        source: str = "",
        rounds_per_step: int = DEFAULT_ROUNDS_PER_STEP,
        transcript: Path | None = None,
        policies: PolicySet | None = None,
        analysis: OutcomeAnalysis | None = None,
    ) -> Iterator[Event]:
        """Open a new negotiation and stream its events until it ends."""
        if self.state(negotiation_id) is not None:
            raise ValueError(
                f"negotiation id {negotiation_id!r} already exists in {self.checkpoint_path}; pick another"
            )
        missing = [p for p in scenario.party_ids if p not in agents]
        if missing:
            raise ValueError(f"no negotiator for {', '.join(missing)}")
        if rounds_per_step < 1:
            raise ValueError(f"rounds per checkpoint must be at least 1, not {rounds_per_step}")
        spec = RunSpec(
            negotiation_id=negotiation_id,
            scenario=scenario.model_dump(mode="json"),
            scenario_sha256=scenario.sha256(),
            scenario_source=source,
            agents={p: agents[p] for p in scenario.party_ids},
            seed=seed,
            rounds_per_step=rounds_per_step,
            transcript=str(transcript) if transcript else None,
            policies=policies.model_dump(mode="json") if policies else None,
        )
        initial = NegotiationState(run=spec, table=table_record(opening_table(scenario)), moves=[], scorecard=None)
        if transcript is not None and transcript.exists():
            raise ValueError(f"transcript {transcript} already exists; pick another negotiation id or --out")
        context = NegotiationContext.from_spec(spec, analysis)
        run_start = {
            "negotiation_id": negotiation_id,
            "scenario": spec["scenario"],
            "scenario_sha256": spec["scenario_sha256"],
            "scenario_source": source,
            "agents": spec["agents"],
            "seed": seed,
            "rounds_per_step": rounds_per_step,
            "code": code_version(),
            "policy_set": None
            if policies is None
            else {
                "name": policies.name,
                "version": policies.version,
                "sha256": policies.sha256(),
                "rules": spec["policies"],
            },
        }
        context.record("run_start", "operator", run_start, "run_start")
        yield from self._stream(initial, negotiation_id, context)

    def resume(self, negotiation_id: str, analysis: OutcomeAnalysis | None = None) -> Iterator[Event]:
        """Continue a negotiation from its last checkpoint; ends as an uninterrupted run would."""
        snapshot = self.graph.get_state(_config(negotiation_id))
        if not snapshot.values:
            raise NegotiationNotFound(f"no negotiation {negotiation_id!r} in {self.checkpoint_path}")
        if not snapshot.next:
            status = snapshot.values["table"]["status"]
            raise NegotiationFinished(f"negotiation {negotiation_id!r} has already ended ({status})")
        context = NegotiationContext.from_spec(snapshot.values["run"], analysis)
        yield from self._stream(None, negotiation_id, context)

    def state(self, negotiation_id: str) -> NegotiationState | None:
        """The latest checkpointed state, or None if the id is unknown."""
        values = self.graph.get_state(_config(negotiation_id)).values
        return NegotiationState(**values) if values else None  # type: ignore[typeddict-item]

    def ids(self) -> list[str]:
        """Every negotiation id with a checkpoint, oldest first."""
        self.saver.setup()
        rows = self._connection.execute(
            "SELECT thread_id FROM checkpoints GROUP BY thread_id ORDER BY MIN(rowid)"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def _stream(
        self, initial: NegotiationState | None, negotiation_id: str, ctx: NegotiationContext
    ) -> Iterator[Event]:
        config = _config(negotiation_id)
        # At least one round per superstep, plus evaluate.
        config["recursion_limit"] = ctx.scenario.protocol.max_rounds + 10
        try:
            for update in self.graph.stream(
                initial, config, context=ctx, stream_mode="updates", durability=self.durability
            ):
                for node, values in update.items():
                    yield from _events(node, values)
        except GraphRecursionError as exc:  # pragma: no cover - the protocol's round limit ends runs first
            raise RuntimeError(f"negotiation {negotiation_id!r} exceeded its step budget: {exc}") from exc
        finally:
            ctx.close()


def _events(node: str, values: Mapping[str, Any] | None) -> Iterator[Event]:
    if not values:
        return
    if node == "play_rounds":
        moves = values.get("moves", [])
        table = values["table"]
        for n, move in enumerate(moves):
            last = n == len(moves) - 1
            yield MoveMade(
                move=move, status=table["status"] if last else "open", ended_by=table["ended_by"] if last else None
            )
    elif node == "evaluate" and values.get("scorecard") is not None:
        yield Scored(scorecard=Scorecard.model_validate(values["scorecard"]))


def _config(negotiation_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": negotiation_id}}
