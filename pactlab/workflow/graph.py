"""The negotiation as a LangGraph StateGraph: play_rounds -> (play_rounds | evaluate) -> END.

A superstep plays `rounds_per_step` rounds: every party at the table takes its turn in order —
its negotiator looks at the public table and acts (`take_turn`), then the protocol applies the
move (`pactlab.protocol.apply_move`), which decides the next speaker and whether the
negotiation ended in agreement, impasse or walk-away. The superstep's moves are checkpointed
together and stream to the caller when it ends. A run killed mid-step resumes from the last
checkpoint and, because negotiators are pure functions of the table, replays those rounds
exactly. When the negotiation has ended, `evaluate` scores the outcome.

Why several rounds per superstep: a checkpoint costs LangGraph about 0.5–0.7 ms here, a
strategy negotiator's turn about 0.1 ms, so checkpointing every round would spend most of a
run on protecting work that is cheaper to redo. Seats whose turns are costly or cannot be
replayed (models, people) will want one round per step.
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from evals.scorecard import score_table
from pactlab.protocol import Table, apply_move, table_from_record, table_record
from pactlab.table import MoveRecord, move_record
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.escalation import ladder_step, public_turn, tracked
from pactlab.workflow.gate import judge_turn
from pactlab.workflow.state import NegotiationState


def take_turn(table: Table, moves: list[MoveRecord], ctx: NegotiationContext) -> tuple[Table, MoveRecord]:
    """The speaker's negotiator acts on the public table; the protocol applies its move."""
    turn = public_turn(table, moves, ctx, table.speaker)
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
    after = apply_move(table, table.speaker, judged.action, ctx.scenario, ctx.space)
    return tracked(after, ctx), move_record(table.turn, table.round, table.speaker, judged.action)


def play_rounds(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Every party at the table takes its turn, for `rounds_per_step` rounds or until the negotiation ends.

    At each round's start the ladder may escalate a stalled dispute or table the mediator's text.
    """
    ctx = runtime.context
    table = table_from_record(state["table"])
    history = list(state["moves"])
    played: list[MoveRecord] = []
    stop_at = table.round + ctx.rounds_per_step

    def land(move: MoveRecord, after: Table) -> None:
        record = {"move": dict(move), "table": dict(table_record(after))}
        ctx.record("move", move["party"], record, key=f"move:{move['turn']}")
        history.append(move)
        played.append(move)

    while table.status == "open" and table.round < stop_at:
        for event, after in ladder_step(table, history, ctx):
            land(event, after)
            table = after
        if table.status != "open":
            break
        table, move = take_turn(table, history, ctx)
        land(move, table)
    return {"table": table_record(table), "moves": played}


def evaluate(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Score the outcome from the scenario and the public moves."""
    ctx = runtime.context
    table = state["table"]
    card = score_table(
        ctx.scenario,
        state["moves"],
        table,
        negotiation_id=state["run"]["negotiation_id"],
        seed=ctx.seed,
        analysis=ctx.analysis,
    )
    scorecard = card.model_dump(mode="json")
    ctx.record("evaluation", "evaluator", {"scorecard": scorecard}, "evaluation")
    if ctx.audit is not None:
        ctx.audit.seal({"outcome": table["status"], "ended_by": table["ended_by"]})
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
