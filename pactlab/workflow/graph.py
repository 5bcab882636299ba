"""The negotiation as a LangGraph StateGraph: play_rounds -> (play_rounds | evaluate) -> END.

A superstep plays `rounds_per_step` rounds: every party at the table takes its turn in order —
its negotiator looks at the public table and acts (`take_turn`), then the protocol applies the
move (`pactlab.domain.protocol.apply_move`), which decides the next speaker and whether the
negotiation ended in agreement, impasse or walk-away. The superstep's moves are checkpointed
together and stream to the caller when it ends. A run killed mid-step resumes from the last
checkpoint and, because negotiators are pure functions of the table, replays those rounds
exactly. When the negotiation has ended, `evaluate` scores the outcome.

Why several rounds per superstep: a checkpoint costs LangGraph about 0.5–0.7 ms here, a
strategy negotiator's turn about 0.1 ms, so checkpointing every round would spend most of a
run on protecting work that is cheaper to redo. Seats whose turns are costly or cannot be
replayed (models, people) will want one round per step.

Rehearsals (`turn_by_turn` in the run spec) play one turn per superstep, and the ladder's
events at a round's start get a superstep of their own: every checkpoint then lies between two
turns, which is where a person's move is asked for and where a what-if branch can fork. A
person's turn pauses the graph with `interrupt()` (`pactlab.workflow.pause`); on resume LangGraph runs
the node again from its start, which here is the person's turn itself, and hands the recorded
answers back in order. The person's move goes through the same policy gate as any agent's; a
blocked move is explained and asked again, as often as it takes (a person gets no fallback).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from agents.base import opponent_estimates
from agents.human import HumanNegotiator
from evals.audit import read_records
from evals.opponent_models import ModelEstimate
from evals.scorecard import PolicyNotApplicable, score_table
from evals.transcript import TRAIL_FIGURE_KINDS, with_trail_figures
from pactlab.domain.actions import Action, Propose
from pactlab.domain.ladder import public_turn
from pactlab.domain.protocol import apply_move
from pactlab.domain.table import BlockedMove, MoveRecord, Table, Turn, move_record, table_from_record, table_record
from pactlab.workflow.claims import record_claims
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.escalation import ladder_step, tracked
from pactlab.workflow.gate import gate_of, judge_turn, record_gate
from pactlab.workflow.state import NegotiationState
from policies import not_applicable


def take_turn(table: Table, moves: list[MoveRecord], ctx: NegotiationContext) -> tuple[Table, MoveRecord]:
    """The speaker's negotiator acts on the public table; the protocol applies its move."""
    turn = public_turn(ctx.scenario, table, moves, table.speaker)
    negotiator = ctx.negotiators[table.speaker]
    if isinstance(negotiator, HumanNegotiator):
        action = person_turn(ctx, table, turn, moves, negotiator)
    else:
        judged = judge_turn(ctx, table, turn, moves)
        if judged.fallback is not None:
            ctx.record(
                "fallback",
                "policy_gate",
                {
                    "turn": table.turn,
                    "party": table.speaker,
                    "why": judged.fallback,
                    "action": judged.action.model_dump(mode="json"),
                },
                key=f"fallback:{table.turn}",
            )
        action = judged.action
    after = apply_move(table, table.speaker, action, ctx.scenario, ctx.space)
    return tracked(after, ctx), move_record(table.turn, table.round, table.speaker, action)


def person_turn(
    ctx: NegotiationContext, table: Table, turn: Turn, moves: list[MoveRecord], person: HumanNegotiator
) -> Action:
    """Ask the person for a move until one passes the policy gate; each attempt and verdict is recorded.

    The records are written after the person's answer arrives (each `ask` may pause the graph),
    keyed by turn and attempt, so the re-runs of this node on resume add nothing twice.
    """
    gate = gate_of(ctx)
    refused: list[BlockedMove] = []
    while True:
        attempt = len(refused)
        ctx.commit()  # asking may pause the run (a checkpoint): what was recorded so far goes to disk first
        submission = person.ask(replace(turn, blocked=tuple(refused)) if refused else turn)
        action = submission.action
        # The person who answered signs the move: seated by name (kept from earlier turns when the
        # answer names nobody, as after a reload), so their moves carry their name and signature.
        by = submission.by or (ctx.keyring.seated_name(table.speaker) if ctx.keyring else None) or ""
        if by:
            ctx.seat_person(table.speaker, by, key=f"identity:{table.turn}:{attempt}")
        ctx.record(
            "human_move",
            table.speaker,
            {
                "turn": table.turn,
                "round": table.round,
                "party": table.speaker,
                "attempt": attempt,
                "by": by,
                "action": action.model_dump(mode="json"),
            },
            key=f"human:{table.turn}:{attempt}",
        )
        verdicts, reason = gate.judge(table, action, moves)
        record_gate(ctx, table, table.speaker, attempt, action, verdicts, reason)
        if reason is None:
            return action
        refused.append(BlockedMove(action.kind, dict(action.terms) if isinstance(action, Propose) else None, reason))


def play_rounds(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Every party at the table takes its turn, for `rounds_per_step` rounds or until the negotiation ends.

    At each round's start the ladder may escalate a stalled dispute or table the mediator's text.
    """
    ctx = runtime.context
    table = table_from_record(state["table"])
    history = list(state["moves"])
    played: list[MoveRecord] = []
    stop_at = table.round + ctx.rounds_per_step
    turn_by_turn = state["run"].get("turn_by_turn", False)

    def land(move: MoveRecord, after: Table) -> None:
        # The acceptance memory stays out of the audit record: it is a function of the moves (see
        # pactlab.domain.protocol), and recording it with every move would grow the trail quadratically.
        record = {"move": dict(move), "table": {k: v for k, v in table_record(after).items() if k != "memory"}}
        ctx.record("move", move["party"], record, key=f"move:{move['turn']}")
        record_claims(ctx, move, history)  # what its words state, checked for the auditor
        history.append(move)
        played.append(move)
        if after.round != move["round"] or after.status != "open":
            ctx.end_round(move["round"])  # the operator signs the tree head of the transcript so far

    while table.status == "open" and table.round < stop_at:
        events = ladder_step(table, history, ctx)
        for event, after in events:
            land(event, after)
            table = after
        if table.status != "open" or (turn_by_turn and events):
            break
        table, move = take_turn(table, history, ctx)
        land(move, table)
        if turn_by_turn:
            break
    ctx.commit()  # one commit point per superstep: LangGraph checkpoints after the node returns
    return {"table": table_record(table), "moves": played}


def final_estimates(state: NegotiationState, ctx: NegotiationContext) -> list[ModelEstimate]:
    """Each opponent-modelling agent's final estimates of the others, recorded for the evaluator alone.

    Asked of every party's agent with its own view of the final table (the public moves); one
    ``opponent_model`` record per agent with a model (keyed, so a re-run of the node adds none).
    """
    table = table_from_record(state["table"])
    found: list[ModelEstimate] = []
    for party, negotiator in ctx.negotiators.items():
        turn = public_turn(ctx.scenario, table, state["moves"], party)
        mine = [
            ModelEstimate(
                holder=party,
                about=e.about,
                model=e.model,
                tables=[list(t) for t in e.tables],
                reservation_value=e.reservation_value,
            )
            for e in opponent_estimates(negotiator, turn)
        ]
        if mine:
            data = {"party": party, "estimates": [e.model_dump(mode="json") for e in mine]}
            ctx.record("opponent_model", party, data, key=f"opponent_model:{party}")
            found.extend(mine)
    return found


def evaluate(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Score the outcome from the scenario, the public moves and the agents' final opponent-model estimates."""
    ctx = runtime.context
    table = state["table"]
    card = score_table(
        ctx.scenario,
        state["moves"],
        table,
        negotiation_id=state["run"]["negotiation_id"],
        seed=ctx.seed,
        analysis=ctx.analysis,
        estimates=final_estimates(state, ctx),
    )
    if ctx.policy_set is not None:
        found = not_applicable(ctx.policy_set, ctx.scenario)
        card = card.model_copy(
            update={"policies_not_applicable": [PolicyNotApplicable(**n.model_dump()) for n in found]}
        )
    if ctx.audit is not None and ctx.audit.kinds_written & TRAIL_FIGURE_KINDS:  # read only when there is any
        card = with_trail_figures(card, read_records(ctx.audit.path))  # as in a rescoring
    scorecard = card.model_dump(mode="json")
    ctx.record("evaluation", "evaluator", {"scorecard": scorecard}, "evaluation")
    if ctx.audit is not None:  # an agreement's seal carries every party's signature of the agreed terms
        agreed = table["proposal"] if table["status"] == "agreement" else None
        ctx.audit.seal({"outcome": table["status"], "ended_by": table["ended_by"]}, agreement=agreed)
    return {"scorecard": scorecard}


def next_step(state: NegotiationState) -> Literal["play_rounds", "evaluate"]:
    """Another round while the table is open; evaluate once it reached agreement, impasse or walk-away."""
    return "play_rounds" if state["table"]["status"] == "open" else "evaluate"


def build_graph(checkpointer: Checkpointer = None) -> CompiledStateGraph[NegotiationState, NegotiationContext]:
    graph = StateGraph(NegotiationState, context_schema=NegotiationContext)
    graph.add_node("play_rounds", play_rounds)
    graph.add_node("evaluate", evaluate)
    graph.add_edge(START, "play_rounds")
    graph.add_conditional_edges("play_rounds", next_step, ["play_rounds", "evaluate"])
    graph.add_edge("evaluate", END)
    return graph.compile(checkpointer=checkpointer)
