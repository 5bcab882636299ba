"""The kinds of record the audit trail holds: one vocabulary for every layer that writes or reads it.

Agents report some of them (a model call, a fallback, a privacy-screen hit), the workflow writes
the rest, and evals read them all; so the names live at the bottom, where every layer can see them.
"""

from __future__ import annotations

from typing import Literal, cast

RecordKind = Literal[
    "run_start",  # the scenario, agents, policies, seed and code that govern the run
    "move",  # a move landed on the table (an escalation is a move of the ladder)
    "gate",  # the policy gate's verdicts on one attempted action
    "fallback",  # the gate's documented fallback acted in a party's name
    "human_move",  # what a person answered on their turn, before the gate judged it
    "approval",  # a person approved or rejected an agent's move outside its mandate
    "escalation_deferred",  # the process rule made an escalation wait
    "mediation_failed",  # the mediator could table no text this round
    "llm_call",  # one model-backed decision: requests, repairs, usage
    "llm_fallback",  # a model kept failing and the party's fallback acted
    "screen",  # the privacy screen withheld a private figure from a message
    "claim",  # the evaluator's verdict on a fact a party's words state (own position or the table)
    "identity",  # the operator seats a new signer (a person who joined later) with its public key
    "fork",  # a what-if branch starts here, naming its source
    "opponent_model",  # an agent's final estimate of another party's utility, for the evaluator alone
    "evaluation",  # the scorecard
    "seal",  # the closing record: how many records came before and the last one's hash
]
"""What a record says happened; writers must use one of these (mypy checks every call)."""

RECORD_KINDS: frozenset[str] = frozenset(RecordKind.__args__)  # type: ignore[attr-defined]


def record_kind(kind: str) -> RecordKind:
    """`kind` read back from a transcript, checked to be one pactlab writes."""
    if kind not in RECORD_KINDS:
        raise ValueError(f"unknown record kind {kind!r}; known: {', '.join(sorted(RECORD_KINDS))}")
    return cast(RecordKind, kind)


__all__ = ["RECORD_KINDS", "RecordKind", "record_kind"]
