"""Start, resume and inspect durable negotiations (SQLite checkpoints keyed by negotiation id).

Rehearsals add three things: a run can pause for a person (`Paused`, answered with `answer`),
its seats can be people (agent spec ``"human"``) or agents under a mandate whose moves outside
it wait for approval (`agents.human`), and it can be forked just before any turn into a new
negotiation id (`fork`, from LangGraph's checkpoint history).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.errors import GraphRecursionError
from langgraph.types import Command, StateSnapshot

from agents.human import HUMAN, ApprovalGate, HumanNegotiator, Mandate
from agents.registry import DEFAULT_STRATEGY, make_negotiator
from evals.audit import FsyncPolicy
from evals.scorecard import OutcomeAnalysis, Scorecard
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, opening_table, table_record
from pactlab.errors import Conflict, NotFound
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.graph import build_graph
from pactlab.workflow.pause import ask_in_graph
from pactlab.workflow.provenance import code_version, llm_environment
from pactlab.workflow.signing import keyring_for, new_signing
from pactlab.workflow.state import NegotiationState, RunSpec
from pactlab.workflow.writer_lock import opening, writer
from policies import PolicySet, not_applicable

Durability = Literal["sync", "async", "exit"]

DEFAULT_ROUNDS_PER_STEP = 5
"""Rounds between checkpoints for strategy negotiators (see `pactlab.workflow.graph`)."""


class NegotiationNotFound(NotFound, LookupError):
    """No checkpoint exists for the negotiation id."""


class NegotiationFinished(NotFound, RuntimeError):
    """The negotiation already ended; there is nothing to resume."""


class WaitingForPerson(NegotiationFinished):
    """Nothing an operator can resume: the run waits for a person's move or approval (see `answer`)."""


class NegotiationExists(Conflict, ValueError):
    """The negotiation id (or its transcript) is taken."""


class NotWaiting(Conflict, RuntimeError):
    """An answer for a run that is not waiting for a person (it moved on, ended, or never paused)."""


class NoForkPoint(NotFound, LookupError):
    """No checkpoint lies before the requested turn (only runs played turn by turn have one before every turn)."""


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


@dataclass(frozen=True)
class Paused:
    """The run waits for a person. `question` is what was asked (see `agents.human`, `pactlab.workflow.pause`):
    ``kind`` "move" (a person's turn) or "approval" (an agent's move outside its mandate)."""

    question: dict[str, Any]


Event = MoveMade | Scored | Paused


class CommittingSaver(SqliteSaver):
    """SQLite checkpoints that first make the run's audit records durable: the group commit of a superstep.

    Before LangGraph stores a checkpoint or a node's pending writes (either lets a resumed run skip
    the node that wrote the records), the run's audit writer fsyncs every record written so far:
    one fsync per superstep, and a checkpoint never claims a record that is not on disk. Done here
    rather than at the end of the node, the fsync runs wherever LangGraph writes the checkpoint: with
    ``durability="async"`` on its background thread, overlapping the next superstep.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self.commits: dict[str, Callable[[], None]] = {}
        """The commit of each running negotiation's audit trail, by thread id (`Negotiations._stream`)."""

    def _commit(self, config: RunnableConfig) -> None:
        commit = self.commits.get(str(config["configurable"]["thread_id"]))
        if commit is not None:
            commit()

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        self._commit(config)
        return super().put(config, checkpoint, metadata, new_versions)

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        self._commit(config)
        super().put_writes(config, writes, task_id, task_path)


class Negotiations:
    """Runs negotiations through the checkpointed graph; one SQLite file holds every run's checkpoints."""

    def __init__(self, checkpoint_path: str | Path, durability: Durability = "sync") -> None:
        self.checkpoint_path = Path(checkpoint_path)
        self._shared = str(checkpoint_path) != ":memory:"  # a file other processes may open too
        if self._shared:
            self.checkpoint_path.parent.mkdir(parents=True, exist_ok=True)
        with opening(self.checkpoint_path) if self._shared else nullcontext():
            self._connection = sqlite3.connect(str(self.checkpoint_path), check_same_thread=False, timeout=60)
            # WAL with synchronous=NORMAL: a commit survives a killed process (the journal is
            # written before the call returns) without an fsync per superstep; only a power
            # loss can drop the last few commits.
            if self._connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self.saver = CommittingSaver(self._connection)
            self.saver.setup()
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
        mediator: str = "nash",
        audit_fsync: FsyncPolicy = "step",
        turn_by_turn: bool = False,
        mandates: Mapping[str, Mandate] | None = None,
    ) -> Iterator[Event]:
        """Open a new negotiation and stream its events until it ends (or pauses for a person).

        A party whose agent spec is ``"human"`` is played by a person; `mandates` put agents
        under a mandate whose breaches wait for a person's approval; `turn_by_turn` checkpoints
        before every turn (rehearsals: a pause or a fork at any turn).

        This is the low-level engine: it applies exactly the `policies` and `transcript` given
        (None: no policy gate, no audit transcript) and writes no outputs. To run a scenario as
        ``pactlab run`` does (its own policy set, signed transcript, scorecard, term sheet) use
        `pactlab.run`.
        """
        with self._writing(negotiation_id):
            if self.state(negotiation_id) is not None:
                raise NegotiationExists(
                    f"negotiation id {negotiation_id!r} already exists in {self.checkpoint_path}; pick another"
                )
            missing = [p for p in scenario.party_ids if p not in agents]
            if missing:
                raise ValueError(f"no negotiator for {', '.join(missing)}")
            if rounds_per_step < 1:
                raise ValueError(f"rounds per checkpoint must be at least 1, not {rounds_per_step}")
            for party in mandates or {}:
                if party not in scenario.party_ids:
                    raise ValueError(f"mandate for unknown party {party!r}; parties: {', '.join(scenario.party_ids)}")
                if agents[party] == HUMAN:
                    raise ValueError(f"{party} is played by a person: a mandate binds an agent, not a person")
            if transcript is not None and transcript.exists() and transcript.stat().st_size > 0:
                # (an empty one is what a run killed before its first checkpoint leaves: reused)
                raise NegotiationExists(f"transcript {transcript} already exists; pick another negotiation id or --out")
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
                mediator=mediator,
                audit_fsync=audit_fsync,
            )
            if turn_by_turn:
                spec["turn_by_turn"] = True
            if mandates:
                spec["mandates"] = {p: m.model_dump(mode="json") for p, m in mandates.items()}
            spec["signing"] = new_signing(scenario.party_ids)
            initial = NegotiationState(run=spec, table=table_record(opening_table(scenario)), moves=[], scorecard=None)
            context = build_context(spec, analysis)
            try:
                # The checkpoint first, then the transcript's first record: a kill between the two
                # leaves a run that `resume` continues (writing the missing run_start); a kill
                # before the checkpoint leaves at most an empty transcript, which a rerun reuses.
                self.graph.update_state(_config(negotiation_id), initial, as_node="play_rounds")
                context.record("run_start", "operator", run_start_record(spec, scenario, policies), "run_start")
            except BaseException:
                context.close()
                raise
            yield from self._stream(None, negotiation_id, context)

    def resume(self, negotiation_id: str, analysis: OutcomeAnalysis | None = None) -> Iterator[Event]:
        """Continue a negotiation from its last checkpoint; ends as an uninterrupted run would."""
        with self._writing(negotiation_id):
            snapshot = self.graph.get_state(_config(negotiation_id))
            if not snapshot.values:
                raise NegotiationNotFound(f"no negotiation {negotiation_id!r} in {self.checkpoint_path}")
            if not snapshot.next:
                status = snapshot.values["table"]["status"]
                raise NegotiationFinished(f"negotiation {negotiation_id!r} has already ended ({status})")
            if snapshot.interrupts:
                question = _question(snapshot.interrupts[0].value)
                what = "an approval" if question.get("kind") == "approval" else f"{question.get('party')}'s move"
                raise WaitingForPerson(
                    f"negotiation {negotiation_id!r} waits for a person ({what} at turn "
                    f"{question.get('turn', 0) + 1}); continue it with "
                    f"'pactlab rehearse --continue {negotiation_id}' or in 'pactlab serve'"
                )
            spec = snapshot.values["run"]
            context = build_context(spec, analysis)
            if context.audit is not None and context.audit.records == 0 and "forked_from" not in spec:
                # killed between the first checkpoint and the first record: write it now
                policies = PolicySet.model_validate(spec["policies"]) if spec["policies"] else None
                context.record("run_start", "operator", run_start_record(spec, context.scenario, policies), "run_start")
            yield from self._stream(None, negotiation_id, context)

    def pending(self, negotiation_id: str) -> dict[str, Any] | None:
        """What the run waits for a person to answer (the interrupt's payload), or None."""
        snapshot = self.graph.get_state(_config(negotiation_id))
        if not snapshot.values or not snapshot.interrupts:
            return None
        return _question(snapshot.interrupts[0].value)

    def answer(self, negotiation_id: str, value: Any, analysis: OutcomeAnalysis | None = None) -> Iterator[Event]:
        """Resume a run paused for a person with their answer; stream events until the next pause or the end.

        The answer is validated inside the graph too: a malformed one is asked again, with the reason.
        """
        if value is None:
            raise ValueError("an answer is needed: a move or a decision, not None")
        with self._writing(negotiation_id):
            snapshot = self.graph.get_state(_config(negotiation_id))
            if not snapshot.values:
                raise NegotiationNotFound(f"no negotiation {negotiation_id!r} in {self.checkpoint_path}")
            if not snapshot.interrupts:
                raise NotWaiting(f"negotiation {negotiation_id!r} is not waiting for a person")
            context = build_context(snapshot.values["run"], analysis)
            yield from self._stream(Command(resume=value), negotiation_id, context)

    def fork(
        self, source_id: str, before_turn: int, negotiation_id: str, *, transcript: Path | None = None
    ) -> NegotiationState:
        """Branch `source_id` just before its turn `before_turn` (0-based) into a new negotiation id.

        The branch starts from the source's checkpoint before that turn (LangGraph's checkpoint
        history; a branch's own history starts at its fork point, so earlier turns are looked up
        in the run it came from) and plays on when resumed or answered. The source is untouched.
        """
        with self._writing(negotiation_id):
            if self.state(negotiation_id) is not None:
                raise NegotiationExists(f"negotiation id {negotiation_id!r} already exists in {self.checkpoint_path}")
            snapshot = self._before_turn(source_id, before_turn)
            values = snapshot.values
            spec = RunSpec(**values["run"])  # type: ignore[typeddict-item]
            spec["negotiation_id"] = negotiation_id
            spec["transcript"] = str(transcript) if transcript else None
            spec["forked_from"] = {"negotiation_id": source_id, "turn": before_turn}
            forked = NegotiationState(run=spec, table=values["table"], moves=list(values["moves"]), scorecard=None)
            self.graph.update_state(_config(negotiation_id), forked, as_node="play_rounds")
            state = self.state(negotiation_id)
        assert state is not None
        return state

    def state(self, negotiation_id: str) -> NegotiationState | None:
        """The latest checkpointed state, or None if the id is unknown."""
        values = self.graph.get_state(_config(negotiation_id)).values
        return NegotiationState(**values) if values else None  # type: ignore[typeddict-item]

    def ids(self) -> list[str]:
        """Every negotiation id with a checkpoint, oldest first."""
        self.saver.setup()
        with self.saver.lock:
            rows = self._connection.execute(
                "SELECT thread_id FROM checkpoints GROUP BY thread_id ORDER BY MIN(rowid)"
            ).fetchall()
        return [str(r[0]) for r in rows]

    def delete(self, negotiation_id: str) -> None:
        """Remove every checkpoint of `negotiation_id` (its audit transcript is the caller's to keep)."""
        with self._writing(negotiation_id):
            self.saver.delete_thread(negotiation_id)

    def _writing(self, negotiation_id: str) -> AbstractContextManager[None]:
        """This process's writer lock on a negotiation (see `pactlab.workflow.writer_lock`)."""
        return writer(self.checkpoint_path, negotiation_id) if self._shared else nullcontext()

    def _before_turn(self, negotiation_id: str, turn: int) -> StateSnapshot:
        """The checkpoint of `negotiation_id` (or of the run it was forked from) just before `turn`."""
        state = self.state(negotiation_id)
        if state is None:
            raise NegotiationNotFound(f"no negotiation {negotiation_id!r} in {self.checkpoint_path}")
        played = len(state["moves"])
        last = played if state["table"]["status"] == "open" else played - 1
        if not 0 <= turn <= last:
            raise NoForkPoint(f"negotiation {negotiation_id!r} has no turn {turn + 1}; its turns are 1..{last + 1}")
        for snapshot in self.graph.get_state_history(_config(negotiation_id)):
            values = snapshot.values
            if (
                values
                and snapshot.next == ("play_rounds",)
                and len(values.get("moves", [])) == turn
                and values["table"]["status"] == "open"
            ):
                return snapshot
        parent = state["run"].get("forked_from")
        if parent is not None and turn <= parent["turn"]:
            return self._before_turn(parent["negotiation_id"], turn)
        raise NoForkPoint(
            f"negotiation {negotiation_id!r} has no checkpoint just before turn {turn + 1}: runs that are not "
            "played turn by turn (rehearsals are) checkpoint only every few rounds"
        )

    def _stream(
        self, initial: NegotiationState | Command[Any] | None, negotiation_id: str, ctx: NegotiationContext
    ) -> Iterator[Event]:
        config = _config(negotiation_id)
        # At least one round per superstep, plus evaluate; turn by turn, one superstep per turn
        # and one per round for the ladder's events.
        per_round = len(ctx.scenario.parties) + 1 if _turn_by_turn(ctx) else 1
        config["recursion_limit"] = ctx.scenario.protocol.max_rounds * per_round + 10
        if ctx.audit is not None:
            ctx.commit_at_checkpoint, ctx.commit_mark = True, ctx.audit.records  # the run start's records too
            self.saver.commits[negotiation_id] = ctx.checkpoint_commit
        try:
            for update in self.graph.stream(
                initial, config, context=ctx, stream_mode="updates", durability=self.durability
            ):
                for node, values in update.items():
                    yield from _events(node, values)
        except GraphRecursionError as exc:  # pragma: no cover - the protocol's round limit ends runs first
            raise RuntimeError(f"negotiation {negotiation_id!r} exceeded its step budget: {exc}") from exc
        finally:
            self.saver.commits.pop(negotiation_id, None)
            ctx.close()


def run_start_record(spec: RunSpec, scenario: Scenario, policies: PolicySet | None) -> dict[str, Any]:
    """The transcript's first record: the scenario, agents, policies, seed and code that govern the run."""
    record: dict[str, Any] = {
        "negotiation_id": spec["negotiation_id"],
        "scenario": spec["scenario"],
        "scenario_sha256": spec["scenario_sha256"],
        "scenario_source": spec["scenario_source"],
        "agents": spec["agents"],
        "seed": spec["seed"],
        "rounds_per_step": spec["rounds_per_step"],
        "mediator": spec.get("mediator", "nash"),
        "code": code_version(),
        "policy_set": None
        if policies is None
        else {
            "name": policies.name,
            "version": policies.version,
            "sha256": policies.sha256(),
            "rules": spec["policies"],
            "not_applicable": [n.model_dump(mode="json") for n in not_applicable(policies, scenario)],
        },
    }
    record["identities"] = keyring_for(spec).identities
    if spec.get("turn_by_turn"):
        record["turn_by_turn"] = True
    if spec.get("mandates"):
        record["mandates"] = spec["mandates"]
    if any(a.startswith("llm") for a in [*spec["agents"].values(), spec.get("mediator", "nash")]):
        record["llm_environment"] = llm_environment()  # what a replay needs to rebuild the LLM agents
    return record


def build_context(spec: RunSpec, analysis: OutcomeAnalysis | None = None) -> NegotiationContext:
    """The run's context from its spec: people in their seats, agents under mandate behind approval gates."""
    people = {p for p, a in spec["agents"].items() if a == HUMAN}
    mandates = spec.get("mandates") or {}
    if not people and not mandates:
        return NegotiationContext.from_spec(spec, analysis)
    # A person's seat is built as every other one (the policies' mandate included), by a stand-in agent.
    stand_in = RunSpec(**spec)
    stand_in["agents"] = {p: DEFAULT_STRATEGY if p in people else a for p, a in spec["agents"].items()}
    ctx = NegotiationContext.from_spec(stand_in, analysis)
    for party in people:
        ctx.negotiators[party] = HumanNegotiator(ctx.negotiators[party].seat, ask_in_graph)
    for party, raw in mandates.items():
        mandate = Mandate.model_validate(raw)
        inner = ctx.negotiators[party]
        within = make_negotiator(spec["agents"][party], mandate.seat_within(inner.seat))
        ctx.negotiators[party] = ApprovalGate(inner, within, mandate, ask_in_graph, ctx.record)
    return ctx


def _turn_by_turn(ctx: NegotiationContext) -> bool:
    return any(isinstance(n, (HumanNegotiator, ApprovalGate)) for n in ctx.negotiators.values())


def _question(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {"value": value}


def _events(node: str, values: Any) -> Iterator[Event]:
    if not values:
        return
    if node == "__interrupt__":
        for pending in values:
            yield Paused(question=_question(pending.value))
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
