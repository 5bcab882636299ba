"""The negotiation as a LangGraph StateGraph: play_round -> (play_round | evaluate) -> END.

A superstep plays one round: every party at the table takes its turn in order — its
negotiator looks at the public table and acts (`take_turn`), then the protocol applies the
move (`pactlab.protocol.apply_move`), which decides the next speaker and whether the
negotiation ended in agreement, impasse or walk-away. The round's moves are checkpointed
together and stream to the caller when the round ends. A run killed mid-round resumes from the
round's start and, because negotiators are pure functions of the table, replays it exactly.
When the negotiation has ended, `evaluate` scores the outcome.
"""

from __future__ import annotations

from typing import Literal

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from evals.scorecard import score
from pactlab.protocol import Table, apply_move
from pactlab.table import MoveRecord, Turn, move_record
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.state import NegotiationState, table_of, table_record


def take_turn(table: Table, moves: list[MoveRecord], ctx: NegotiationContext) -> tuple[Table, MoveRecord]:
    """The speaker's negotiator acts on the public table; the protocol applies its move."""
    turn = Turn(
        party=table.speaker,
        round=table.round,
        max_rounds=ctx.scenario.protocol.max_rounds,
        turn=table.turn,
        parties_at_table=table.at_table,
        proposal=table.proposal,
        proposer=table.proposer,
        accepted_by=table.accepted_by,
        moves=moves,
    )
    action = ctx.negotiators[table.speaker].act(turn)
    after = apply_move(table, table.speaker, action, ctx.scenario, ctx.space)
    return after, move_record(table.turn, table.round, table.speaker, action)


def play_round(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Every party at the table takes its turn, until the round is over or the negotiation ends."""
    ctx = runtime.context
    table = table_of(state)
    history = list(state["moves"])
    played: list[MoveRecord] = []
    start_round = table.round
    while table.status == "open" and table.round == start_round:
        table, move = take_turn(table, history, ctx)
        history.append(move)
        played.append(move)
    return {"table": table_record(table), "moves": played}


def evaluate(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Score the outcome from the scenario and the public moves."""
    ctx = runtime.context
    table = table_of(state)
    agreed = table.status == "agreement"
    card = score(
        ctx.scenario,
        state["moves"],
        outcome=table.status,
        agreement=table.proposal if agreed else None,
        agreed_by=sorted(table.accepted_by) if agreed else [],
        rounds=min(table.round + 1, ctx.scenario.protocol.max_rounds),
        negotiation_id=state["run"]["negotiation_id"],
        seed=ctx.seed,
        analysis=ctx.analysis,
    )
    return {"scorecard": card.model_dump(mode="json")}


def next_step(state: NegotiationState) -> Literal["play_round", "evaluate"]:
    """Another round while the table is open; evaluate once it reached agreement, impasse or walk-away."""
    return "play_round" if state["table"]["status"] == "open" else "evaluate"


def build_graph(checkpointer: Checkpointer = None) -> CompiledStateGraph[NegotiationState, NegotiationContext]:
    graph = StateGraph(NegotiationState, context_schema=NegotiationContext)
    graph.add_node("play_round", play_round)
    graph.add_node("evaluate", evaluate)
    graph.add_edge(START, "play_round")
    graph.add_conditional_edges("play_round", next_step, ["play_round", "evaluate"])
    graph.add_edge("evaluate", END)
    return graph.compile(checkpointer=checkpointer)
