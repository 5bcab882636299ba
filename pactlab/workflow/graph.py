"""The negotiation as a LangGraph StateGraph: speak -> apply -> (speak | evaluate).

Each turn costs two supersteps: the speaker's agent chooses an action (`speak`), then the
protocol applies it to the table (`apply`), which also decides the next speaker and whether
the negotiation ended in agreement, impasse or walk-away. The edge after `apply` reads that
decision. When it has ended, `evaluate` scores the outcome.
"""

from __future__ import annotations

from typing import Literal

from evals.scorecard import score
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer

from pactlab.actions import parse_action
from pactlab.protocol import apply_move
from pactlab.table import Turn, move_record
from pactlab.workflow.context import NegotiationContext
from pactlab.workflow.state import NegotiationState, table_of, table_update


def speak(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """The speaker's negotiator looks at the public table and chooses its action."""
    ctx = runtime.context
    table = table_of(state)
    turn = Turn(
        party=table.speaker,
        round=table.round,
        max_rounds=ctx.scenario.protocol.max_rounds,
        turn=table.turn,
        parties_at_table=table.at_table,
        proposal=table.proposal,
        proposer=table.proposer,
        accepted_by=table.accepted_by,
        moves=state["moves"],
        seed=ctx.seed,
    )
    action = ctx.negotiators[table.speaker].act(turn)
    return {"pending": action.model_dump(mode="json")}


def apply(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """The protocol applies the pending action: the move goes on the table, the table moves on."""
    ctx = runtime.context
    table = table_of(state)
    assert state["pending"] is not None
    action = parse_action(state["pending"])
    after = apply_move(table, table.speaker, action, ctx.scenario, ctx.space)
    update = table_update(after)
    update["moves"] = [move_record(table.turn, table.round, table.speaker, action)]
    update["pending"] = None
    return update


def evaluate(state: NegotiationState, runtime: Runtime[NegotiationContext]) -> NegotiationState:
    """Score the outcome from the scenario and the public moves."""
    ctx = runtime.context
    agreed = state["status"] == "agreement"
    card = score(
        ctx.scenario,
        state["moves"],
        outcome=state["status"],
        agreement=state["proposal"] if agreed else None,
        agreed_by=state["accepted_by"] if agreed else [],
        rounds=min(state["round"] + 1, ctx.scenario.protocol.max_rounds),
        negotiation_id=state["run"]["negotiation_id"],
        seed=ctx.seed,
        analysis=ctx.analysis,
    )
    return {"scorecard": card.model_dump(mode="json")}


def after_apply(state: NegotiationState) -> Literal["speak", "evaluate"]:
    """Go on while the table is open; evaluate once it reached agreement, impasse or walk-away."""
    return "speak" if state["status"] == "open" else "evaluate"


def build_graph(checkpointer: Checkpointer = None) -> CompiledStateGraph[NegotiationState, NegotiationContext]:
    graph = StateGraph(NegotiationState, context_schema=NegotiationContext)
    graph.add_node("speak", speak)
    graph.add_node("apply", apply)
    graph.add_node("evaluate", evaluate)
    graph.add_edge(START, "speak")
    graph.add_edge("speak", "apply")
    graph.add_conditional_edges("apply", after_apply, ["speak", "evaluate"])
    graph.add_edge("evaluate", END)
    return graph.compile(checkpointer=checkpointer)
