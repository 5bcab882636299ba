"""The shapes of the models' replies, built from the outcome space: what a model may answer.

A complete term sheet is a pydantic model with one field per issue (`terms_model`), whose JSON
Schema guides the model; the negotiator answers an action with a term sheet (`reply_model`) or,
in `choose` mode, with the number of a candidate (`ChoiceReply`); in a two-step turn
(`agents.llm.turn`) it first decides (`DecisionReply`: accept, counter, reject, walk away) and
only for a counter gives its terms (`TermsChoice`, or `terms_reply` in the modes that write
terms); the mediator answers with its single negotiating text (`mediator_reply`). The client
validates every reply against its shape before the agent's own checks.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue
from pactlab.domain.outcome_space import OutcomeSpace

Kind = Literal["propose", "accept", "reject", "walk_away"]
Verdict = Literal["accept", "counter", "reject", "walk_away"]
"""The decision step's answers: a counter is a proposal, whose terms the terms step gives."""


class DecisionReply(BaseModel):
    """The decision step of a two-step turn: what to do with the proposal on the table."""

    model_config = ConfigDict(extra="forbid")

    decision: Verdict
    message: str = Field(description="What you say to the other parties.")
    reason: str = Field(description="Why, in one sentence.")


class TermsChoice(BaseModel):
    """The terms step in `choose` mode: the number of a candidate term sheet for the counter-offer."""

    model_config = ConfigDict(extra="forbid")

    candidate: int = Field(description="The number of the candidate term sheet (1-based).")
    message: str = Field(description="What you say to the other parties.")
    rationale: str = Field(description="Why: the issues your proposal changes and why.")


class ChoiceReply(BaseModel):
    """The reply in `choose` mode: an action, and for a proposal the number of a candidate."""

    model_config = ConfigDict(extra="forbid")

    action: Kind
    candidate: int = Field(description="For propose: the number of the candidate term sheet (1-based).")
    message: str = Field(description="What you say to the other parties.")
    rationale: str = Field(description="Why: the issues your proposal changes and why.")
    reason: str = Field(description="For reject or walk_away: why.")


@cache
def terms_model(space: OutcomeSpace) -> type[BaseModel]:
    """A pydantic model of a complete term sheet of `space` (its JSON Schema guides the model)."""
    fields: dict[str, Any] = {}
    for issue in space.issues:
        if isinstance(issue, CategoricalIssue):
            fields[issue.id] = (Literal[tuple(issue.options)], ...)
        elif isinstance(issue, NumericIssue):
            fields[issue.id] = (int if issue.integer else float, ...)
        elif isinstance(issue, BooleanIssue):
            fields[issue.id] = (bool, ...)
    terms: type[BaseModel] = create_model("Terms", __config__=ConfigDict(extra="forbid"), **fields)
    return terms


@cache
def reply_model(space: OutcomeSpace) -> type[BaseModel]:
    """The reply in `free` and `advised` modes: an action with a complete term sheet."""
    reply: type[BaseModel] = create_model(
        "NegotiatorReply",
        __config__=ConfigDict(extra="forbid"),
        action=(Kind, ...),
        terms=(terms_model(space), Field(description="For propose: every issue's value. Otherwise ignored.")),
        message=(str, Field(description="What you say to the other parties.")),
        rationale=(str, Field(description="Why: the issues your proposal changes and why.")),
        reason=(str, Field(description="For reject or walk_away: why.")),
    )
    return reply


@cache
def terms_reply(space: OutcomeSpace) -> type[BaseModel]:
    """The terms step in `free` and `advised` modes: a complete term sheet for the counter-offer."""
    reply: type[BaseModel] = create_model(
        "TermsReply",
        __config__=ConfigDict(extra="forbid"),
        terms=(terms_model(space), Field(description="Every issue's value.")),
        message=(str, Field(description="What you say to the other parties.")),
        rationale=(str, Field(description="Why: the issues your proposal changes and why.")),
    )
    return reply


def mediator_reply(space: OutcomeSpace) -> type[BaseModel]:
    """The mediator's reply: its single negotiating text, with what it says and why."""
    reply: type[BaseModel] = create_model(
        "MediatorReply",
        __config__=ConfigDict(extra="forbid"),
        terms=(terms_model(space), Field(description="The single negotiating text: every issue's value.")),
        message=(str, Field(description="What you say to the parties.")),
        rationale=(str, Field(description="Why this text: how it balances the parties' positions.")),
    )
    return reply
