"""A negotiation playbook: a party's position written the way legal and partnership teams write it.

Per clause (an issue of the scenario): a priority, the preferred position, acceptable fallbacks
in order, and what is unacceptable; then a walk-away rule. A scenario may give a party a
``playbook:`` instead of ``private:``; `pactlab.domain.compile_playbook` turns it into the
private profile the negotiators and the evaluator use, deterministically, by rules a deal team
can check (`pactlab playbook explain` prints them):

- **weights** come from priorities: high 3, medium 2, low 1, or the number given;
- **values** come from the order of positions: the preferred position 1, fallback j of k
  ``1 - j / (k + 1)``, unacceptable positions 0; a numeric clause is valued 1 at its preferred
  value, falling linearly with the distance from it (``{linear: up|down}`` when the preferred
  value is an end of the range, else ``{peak: preferred}``);
- **hard constraints** come from what is unacceptable (``issue not in [...]``), from a numeric
  clause's acceptable range (``issue >= min``, ``issue <= max``), from the walk-away rule's
  ``require`` (at least N clauses at a level or better), and from ``constraints:`` verbatim;
- **the reservation value** comes from the walk-away rule's ``below``: the utility of the
  package with every clause at that level (``fallback_1``: every clause at its first
  fallback). Trade-offs stay open: a deal worse on one clause and better on another is
  acceptable while the package is worth at least as much.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from pactlab.domain.constraints import Constraint
from pactlab.domain.ids import ID_PATTERN
from pactlab.domain.issues import IssueValue

PriorityName = Literal["high", "medium", "low"]

PRIORITY_WEIGHTS: dict[str, float] = {"high": 3.0, "medium": 2.0, "low": 1.0}
"""The weight each named priority compiles to (a number given as the priority is the weight itself)."""

LEVEL_PATTERN = r"^(preferred|last_fallback|fallback_[1-9][0-9]*)$"
"""A level of a clause's positions: ``preferred``, ``fallback_1``, ``fallback_2``, …, ``last_fallback``."""

Level = Annotated[str, Field(pattern=LEVEL_PATTERN)]


def _word_or_other(raw: Any) -> str:
    """Tag of a field that takes a word or something else: errors then speak of the form written."""
    return "word" if isinstance(raw, str) else "other"


Priority = Annotated[
    Annotated[PriorityName, Tag("word")] | Annotated[float, Field(ge=0, allow_inf_nan=False), Tag("other")],
    Discriminator(_word_or_other),
]
"""high, medium, low, or a non-negative number."""

Unacceptable = Annotated[
    Annotated[Literal["others"], Tag("word")] | Annotated[list[IssueValue], Tag("other")],
    Discriminator(_word_or_other),
]
"""A list of positions, or ``others``."""

ClauseGroup = Annotated[
    Annotated[PriorityName, Tag("word")] | Annotated[list[Annotated[str, Field(pattern=ID_PATTERN)]], Tag("other")],
    Discriminator(_word_or_other),
]
"""A priority (its clauses) or a list of clause ids."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AcceptableRange(_Strict):
    """For a numeric clause: the range of acceptable values; outside it is unacceptable."""

    min: float | None = Field(default=None, description="Lowest acceptable value (default: the issue's minimum).")
    max: float | None = Field(default=None, description="Highest acceptable value (default: the issue's maximum).")


class ClausePosition(_Strict):
    """One clause of the playbook: how much it matters, and the positions from best to unacceptable."""

    priority: Priority = Field(description="high, medium, low, or a non-negative number (the weight itself).")
    preferred: IssueValue = Field(description="The position the party opens with and would most like.")
    fallbacks: list[IssueValue] = Field(
        default_factory=list,
        description="Acceptable positions in the order the party would concede them (for a numeric clause: each "
        "farther from the preferred value than the one before).",
    )
    unacceptable: Unacceptable = Field(
        default_factory=list,
        description="Positions the party will not sign (hard constraints); 'others': every option not preferred "
        "or a fallback. A categorical or yes/no clause places every option somewhere.",
    )
    acceptable: AcceptableRange | None = Field(
        default=None,
        description="Numeric clauses: the acceptable range (default: from the preferred value through the "
        "fallbacks, or the whole range without fallbacks).",
    )
    why: str = Field(default="", description="The reasoning, for people; `pactlab playbook explain` prints it.")


class Requirement(_Strict):
    """Walk away unless at least `at_least` of the named clauses sit at `at` or better."""

    at_least: int = Field(ge=1, description="How many of the clauses must hold their level.")
    of: ClauseGroup = Field(
        description="The clauses: a priority (every clause of that priority) or a list of clause ids."
    )
    at: Level = Field(default="fallback_1", description="The level each must reach (or better).")


class WalkAway(_Strict):
    """When the party walks away rather than sign."""

    below: Level = Field(
        description="Walk away from any deal worth less than the package with every clause at this level "
        "(e.g. fallback_1); this sets the reservation value."
    )
    require: Requirement | None = Field(
        default=None, description="Also walk away unless enough clauses hold a level (a hard constraint)."
    )


class Playbook(_Strict):
    """A party's negotiation playbook (see the module docstring for how it compiles)."""

    party: Annotated[str, Field(pattern=ID_PATTERN)] | None = Field(
        default=None, description="The party it is written for (checked where a scenario uses it)."
    )
    scenario: str | None = Field(
        default=None,
        description="The scenario it is written against (a file relative to the playbook, or a shipped name), "
        "for `pactlab playbook explain`; a scenario that uses the playbook ignores it.",
    )
    interests: str = Field(default="", description="Narrative brief: what the organisation wants and why.")
    clauses: dict[Annotated[str, Field(pattern=ID_PATTERN)], ClausePosition] = Field(
        min_length=1, description="Per issue id: the party's position. Issues not listed do not matter to it."
    )
    walk_away: WalkAway
    constraints: list[Constraint] = Field(
        default_factory=list, description="Further hard limits, in the constraint language, taken as they are."
    )


def level_index(level: str) -> int | None:
    """0 for preferred, j for fallback_j, None for last_fallback."""
    if level == "preferred":
        return 0
    if level == "last_fallback":
        return None
    match = re.fullmatch(r"fallback_([1-9][0-9]*)", level)
    if match is None:
        raise ValueError(f"unknown level {level!r}; levels: preferred, fallback_1, fallback_2, ..., last_fallback")
    return int(match.group(1))


__all__ = [
    "LEVEL_PATTERN",
    "PRIORITY_WEIGHTS",
    "AcceptableRange",
    "ClauseGroup",
    "ClausePosition",
    "Level",
    "Playbook",
    "Priority",
    "PriorityName",
    "Requirement",
    "Unacceptable",
    "WalkAway",
    "level_index",
]
