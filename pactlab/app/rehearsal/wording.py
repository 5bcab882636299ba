"""Rehearsal numbers and moves in a deal team's words: one value scale and history as sentences.

One value scale everywhere a person looks (terminal and web): **value to you, 0–100**. A deal's
value is its utility to the viewer times 100; an option's value is what that option is worth on
its own issue, 0 (worst) to 100 (best). The *weighted contribution* of an option to the deal's
value (its value times the issue's weight) is shown only in a labelled breakdown ("adds N of the
deal's 100 points").

A move line describes the same change as the agents' messages: **the change from the party's own
previous offer** (a party's first offer is its opening and lists every term).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agents.strategies.base import format_value
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import LADDER, MEDIATOR, MoveRecord

SCALE = 100.0
"""Points of the one value scale shown to people: utility 1.0 is 100 points."""

VALUE_HELP = (
    "Value to you: 0–100, where 100 is your best possible deal and 0 your worst; "
    "an option's value is 0–100 on its own issue, and its contribution is that value times the issue's weight."
)
"""The one-line explanation of the scale, shown next to it in the terminal and on the page."""


def points(utility: float | None) -> float | None:
    """A utility (0–1) on the people's scale (0–100)."""
    return None if utility is None else utility * SCALE


def points_text(utility: float | None) -> str:
    """A utility as "NN.N / 100" (or "–" when there is none)."""
    value = points(utility)
    return "–" if value is None else f"{value:.1f}"


def change_text(delta: float) -> str:
    """A change of value to you, signed the same way in the terminal and on the page: a loss is negative."""
    shown = delta * SCALE
    if abs(shown) < 0.05:
        return "±0.0"
    return f"{'+' if shown > 0 else '−'}{abs(shown):.1f}"


def issue_name(scenario: Scenario, issue_id: str) -> str:
    """The issue's display name."""
    return next((i.label for i in scenario.issues if i.id == issue_id), issue_id)


def option_text(space: OutcomeSpace, issue_id: str, value: IssueValue | None) -> str:
    """An option as a person writes it (its label, units, yes/no)."""
    if value is None:
        return "?"
    if issue_id not in space.by_id:
        return value_key(value)
    return format_value(space, issue_id, value)


@dataclass(frozen=True)
class Change:
    """One term of a proposal against the proposer's own previous offer (before None: an opening)."""

    issue: str
    name: str
    before: str | None
    after: str


def own_previous(moves: Sequence[MoveRecord], index: int) -> Mapping[str, IssueValue] | None:
    """The terms the party of move `index` last proposed before it (None: this is its first offer)."""
    party = moves[index]["party"]
    for move in reversed(moves[:index]):
        if move["party"] == party and move["kind"] == "propose" and move["terms"] is not None:
            return move["terms"]
    return None


def changes(scenario: Scenario, moves: Sequence[MoveRecord], index: int) -> list[Change]:
    """What move `index` proposes, as the change from its party's own previous offer (all terms for an opening)."""
    move = moves[index]
    terms = move["terms"] or {}
    space = OutcomeSpace(scenario.issues)
    before = own_previous(moves, index)
    found = []
    for issue in scenario.issues:
        if issue.id not in terms:
            continue
        after = option_text(space, issue.id, terms[issue.id])
        if before is None:
            found.append(Change(issue.id, issue.label, None, after))
            continue
        old = before.get(issue.id)
        if old is None or value_key(old) != value_key(terms[issue.id]):
            found.append(Change(issue.id, issue.label, option_text(space, issue.id, old), after))
    return found


def move_sentence(scenario: Scenario, moves: Sequence[MoveRecord], index: int, seat: str | None = None) -> str:
    """Move `index` as one readable sentence (display names, option labels, the change from the party's
    own previous offer)."""
    move = moves[index]
    party = move["party"]
    if party in (MEDIATOR, LADDER):
        who = "The mediator" if party == MEDIATOR else "The escalation ladder"
    else:
        who = next((p.name for p in scenario.parties if p.id == party), party)
    you = party == seat
    if you:
        who = f"You ({who})"
    their = "your" if you else "its"

    def verb(third: str, second: str) -> str:
        return second if you else third

    kind = move["kind"]
    if kind == "propose" and move["terms"] is not None:
        found = changes(scenario, moves, index)
        offer = "tables a text" if party == MEDIATOR else verb("proposes", "propose")
        if own_previous(moves, index) is None:
            listed = "; ".join(f"{c.name}: {c.after}" for c in found)
            return f"{who} {verb('opens and', 'open and')} {offer} {listed}."
        if not found:
            return f"{who} {verb('repeats', 'repeat')} {their} previous offer unchanged."
        listed = "; ".join(f"{c.name} {c.before} → {c.after}" for c in found)
        return f"{who} {offer} a change from {their} previous offer: {listed}; the other terms as before."
    reason = (move["reason"] or "").strip().rstrip(".")
    tail = f": {reason}." if reason else "."
    if kind == "accept":
        return f"{who} {verb('accepts', 'accept')} the proposal on the table."
    if kind == "reject":
        return f"{who} {verb('rejects', 'reject')} the proposal on the table{tail}"
    if kind == "walk_away":
        return f"{who} {verb('walks', 'walk')} away{tail}"
    return f"{who} {verb('escalates', 'escalate')}{tail}"


__all__ = [
    "SCALE",
    "VALUE_HELP",
    "Change",
    "change_text",
    "changes",
    "issue_name",
    "move_sentence",
    "option_text",
    "own_previous",
    "points",
    "points_text",
]
