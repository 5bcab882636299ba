"""The two-step turn of an LLM seat: a tiny decision step first, then the terms only for a counter.

Why: on the local Gemma 3 270M the one-step turn (a long prompt with the scenario, the brief,
the table and four candidates, answered with action + candidate + words) never closed a deal:
the model kept proposing and ignored the advisor's "accept". The premise here (to be measured
with the harness, `leagues/llm_targets.yaml`) is that a small model decides better when the
question is small and the facts it needs sit next to it, so a turn is split:

1. **Decision step** (`decision_prompt`, answered with `DecisionReply`): accept, counter,
   reject or walk away. Its prompt is a few lines: who the party is, the round and the rounds
   left (and the dispute tier with its mandate as a utility floor: "your mandate at this tier
   allows down to 0.60"), what is on the table and who put it there (the mediator's single
   negotiating text is presented as such, not as another party's demand), the latest words of
   the others as quoted data, the advisor's valuation of the proposal against the party's
   current target and walk-away point, and the advisor's recommendation. Its reply example
   carries the recommended decision (small models copy the example's shape; the model may
   still answer otherwise, and the harness's decision source counts its answer as its own).
   In `free` mode, which shows no numbers, the valuation is given in words.
2. **Terms step**, only for a counter (or when there is no proposal of another party to answer,
   where proposing is the only move that keeps the negotiation going): the full prompt of the
   mode (`choose`: pick one of the advisor's candidates, `TermsChoice`; `advised` / `free`:
   write the terms, `terms_reply`).

Every guarantee is the one-step turn's: an accept below the reservation value or outside the
hard limits is refused in code and sent back for repair (then the fallback acts); proposals are
checked the same way; the words pass the privacy screen. Each step is one model call and one
`llm_call` audit record (its own requests, repairs and tokens), with two additive fields:
``step`` (``decision`` or ``terms``) and, for the decision step, ``decision``; a counter's
decision record has ``action: null`` (its terms record carries the proposal), so the harness
counts one decision per turn and replay finds every request it sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.llm.prompts import QUOTE_CLOSE, QUOTE_OPEN, Valuer, describe_blocked, move_line
from agents.llm.replies import Verdict
from pactlab.domain.table import MEDIATOR, Turn

Step = Literal["decision", "terms"]


@dataclass(frozen=True)
class Valuation:
    """What the advisor says about the proposal on the table, for the decision step."""

    on_table: float  # the proposal's worth to the party (0-1)
    target: float  # the advisor's aim this turn
    reservation: float  # the walk-away point
    mandate_floor: float | None  # the lowest worth the tier's mandate allows (None without a ladder)
    acceptable: bool  # within the reservation value and hard limits
    recommend: Verdict


def can_answer(turn: Turn, party: str) -> bool:
    """Whether a proposal of another party is on the table (otherwise the only moves are propose and walk away)."""
    return turn.proposal is not None and turn.proposer != party


def options(turn: Turn, party: str) -> tuple[Verdict, ...]:
    """The decisions open this turn: no accept of a proposal the party has already accepted."""
    if party in turn.accepted_by:
        return ("counter", "reject", "walk_away")
    return ("accept", "counter", "reject", "walk_away")


def recommendation(
    value: Valuation | None, open_to: tuple[Verdict, ...], recommends_accept: bool, turn: Turn | None = None
) -> Verdict:
    """Accept when the proposal meets the aim (and may be accepted); else counter. Never accept again once
    the policy gate refused an accept this turn (a small model copies the recommendation)."""
    if value is None:
        return "counter"
    if turn is not None and any(b.kind == "accept" for b in turn.blocked):
        return "counter"
    if recommends_accept and "accept" in open_to and value.acceptable and value.on_table >= value.target - 1e-9:
        return "accept"
    return "counter"


def _rounds(turn: Turn) -> str:
    left = max(turn.max_rounds - turn.round, 1)
    line = f"Round {turn.round + 1} of at most {turn.max_rounds}: {left} round(s) left including this one."
    if turn.tier is not None:
        tier_left = max(turn.tier.start_round + turn.tier.rounds - turn.round, 1)
        line += f"\nDispute tier: {turn.tier.name} ({turn.tier.kind}), {tier_left} round(s) left at this tier" + (
            "; it is the last tier where a deal is possible." if turn.tier.final else "."
        )
    return line


def _since_last_own(turn: Turn, party: str) -> list[str]:
    """The others' moves since the party's last move (at most 4), as quoted lines valued by nothing."""
    moves = list(turn.moves)
    start = max((n + 1 for n, m in enumerate(moves) if m["party"] == party), default=0)
    return [move_line(m, _no_terms) for m in moves[start:][-4:]]


def _no_terms(_: object) -> float | None:
    return None


def _on_table(turn: Turn) -> str:
    assert turn.proposal is not None
    accepted = ", ".join(sorted(turn.accepted_by)) or "nobody yet"
    if turn.proposer == MEDIATOR:
        return (
            "ON THE TABLE: the mediator's single negotiating text (a neutral draft for every party, not another "
            f"party's demand; accepted by {accepted})."
        )
    return f"ON THE TABLE: a proposal by {turn.proposer} (accepted by {accepted})."


def _advice(value: Valuation, numbers: bool) -> str:
    if numbers:
        head = (
            f"ADVISOR (values to your side, 0-1): the proposal on the table is worth {value.on_table:.2f} to you; "
            f"your target now is {value.target:.2f}; a deal must be worth at least {value.reservation:.2f} to you "
            "(your walk-away point)"
        )
        if value.mandate_floor is not None:
            head += f"; your mandate at this tier allows down to {value.mandate_floor:.2f}"
        head += "."
    else:
        if not value.acceptable:
            verdict = "worse for you than no deal at all"
        elif value.on_table >= value.target - 1e-9:
            verdict = "good enough for you at this stage"
        else:
            verdict = "acceptable but below what you should aim for at this stage"
        head = f"ADVISOR: the proposal on the table is {verdict}."
    if not value.acceptable:
        why = "it is below your walk-away point or breaks a hard limit: you may not accept it"
    elif value.recommend == "accept":
        why = "the proposal on the table meets your target"
    elif value.on_table >= value.target - 1e-9:
        why = "the policy gate refused your accept of it: propose terms it allows"
    else:
        why = "the proposal on the table is below your target: ask for better terms"
    return f"{head}\n- the advisor recommends: {value.recommend} ({why})"


def decision_prompt(turn: Turn, party: str, who: str, value: Valuation, *, numbers: bool) -> str:
    """The decision step's user message (see the module docstring)."""
    open_to = options(turn, party)
    lines = [f"You negotiate for {who} (id {party}).", _rounds(turn), _on_table(turn)]
    recent = _since_last_own(turn, party)
    if recent:
        lines.append(f"{QUOTE_OPEN}\n" + "\n".join(recent) + f"\n{QUOTE_CLOSE}")
    lines.append(_advice(value, numbers))
    blocked = describe_blocked(turn)
    if blocked:
        lines.append(blocked)
    meaning = {
        "accept": "accept: agree to the proposal on the table",
        "counter": "counter: propose other terms (you choose them next)",
        "reject": "reject: decline it without new terms",
        "walk_away": "walk_away: leave the negotiation for good",
    }
    lines.append("DECIDE one of: " + "; ".join(meaning[o] for o in open_to) + ".")
    example = decision_example(value.recommend)
    lines.append(f"Reply with JSON like {example}")
    return "\n".join(lines)


def decision_example(verdict: Verdict) -> str:
    """A valid decision reply, quoted in the prompt and in repair requests."""
    message, reason = {
        "accept": ("We accept the proposal on the table.", "It meets our target."),
        "counter": ("We can move toward you on some issues.", "The proposal is below our target."),
        "reject": ("We cannot accept this proposal.", "It is below our target."),
        "walk_away": ("We withdraw from the negotiation.", "No deal here is better for us than none."),
    }[verdict]
    return f'{{"decision": "{verdict}", "message": "{message}", "reason": "{reason}"}}'


__all__ = [
    "Step",
    "Valuation",
    "Valuer",
    "can_answer",
    "decision_example",
    "decision_prompt",
    "options",
    "recommendation",
]
