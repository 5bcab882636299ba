"""What an agent can do on its turn: one typed Action, whoever (or whatever) the agent is."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from pactlab.domain.issues import IssueValue


class _ActionBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    message: str = Field(default="", max_length=4000, description="What the party says to the table.")


class Propose(_ActionBase):
    """Put a complete term sheet on the table (a first offer or a counter-offer)."""

    kind: Literal["propose"] = "propose"
    terms: dict[str, IssueValue] = Field(description="One value per issue.")
    rationale: str = Field(default="", max_length=4000, description="Why these terms: the issues changed and why.")


class Accept(_ActionBase):
    """Accept the proposal currently on the table."""

    kind: Literal["accept"] = "accept"
    rationale: str = Field(default="", max_length=4000)


class Reject(_ActionBase):
    """Reject the proposal on the table without a counter-offer; the next party proposes."""

    kind: Literal["reject"] = "reject"
    reason: str = Field(min_length=1, max_length=4000, description="Why the proposal is unacceptable.")


class WalkAway(_ActionBase):
    """Leave the negotiation: no deal is better than any deal still possible."""

    kind: Literal["walk_away"] = "walk_away"
    reason: str = Field(min_length=1, max_length=4000)


Action = Annotated[Propose | Accept | Reject | WalkAway, Field(discriminator="kind")]
"""A move at the table; JSON picks the variant with ``kind``."""

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)


def parse_action(data: object) -> Action:
    """Validate a JSON-like mapping into an Action (raises pydantic.ValidationError)."""
    return ACTION_ADAPTER.validate_python(data)
