"""People at the table: a person who negotiates for a party, and a person who approves an agent's moves.

Both ask through an `AskPerson` (`agents.ask`) that the workflow hands them; there, a question
pauses the run until the person's answer comes back:

- `HumanNegotiator` sits in a seat. On its turn it asks the person for a move with a payload that
  describes the turn (`move_question`); the answer is validated into a typed `Action`
  (`parse_submission`). A malformed answer is asked again with the reason; a well-formed move goes
  through the same policy gate as every agent's, and a blocked one comes back as another question
  carrying the gate's explanation (``turn.blocked``).
- `ApprovalGate` wraps an agent that was given a `Mandate` (e.g. ``price >= 2``,
  ``term_months <= 12``, ``utility >= 0.6``). A move outside the mandate asks a person for
  approval; approved, it goes ahead; rejected, the agent re-plans within its mandate (a twin of it
  whose seat holds the mandate as hard constraints and the floor as reservation value).

On resume the turn is played again from its start and the recorded answers come back to the
questions in order, so nothing here may depend on anything but the turn, the seat and those
answers; the audit records (`Recorder`) are keyed and written after the answers arrive.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.ask import AskPerson
from agents.base import Negotiator, Seat
from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.constraints import Constraint, ConstraintSyntaxError
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, _IssueBase, value_key
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.records import RecordKind
from pactlab.domain.table import Turn
from pactlab.errors import BadInput

HUMAN = "human"
"""The agent spec of a seat that a person takes (``agents: {platform: human}`` in the run spec)."""

MOVE_KINDS = ("propose", "accept", "reject", "walk_away")
MAX_TEXT = 4000
MAX_NAME = 120

Recorder = Callable[[RecordKind, str, dict[str, Any], str], None]
"""Writes one keyed audit record: (kind, actor, data, key)."""


class InvalidSubmission(BadInput, ValueError):
    """A person's answer that cannot be a move (or a decision); the message says what to fix.

    `problems` maps a form field (an issue id, ``kind``, ``reason``, ...) to what is wrong with it.
    """

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


# -- the person's move ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """A person's move, validated: the action and who made it."""

    action: Action
    by: str = ""


def legal_kinds(turn: Turn) -> list[str]:
    """The move kinds the protocol allows the speaker now."""
    kinds = ["propose"]
    if turn.proposal is not None and turn.proposer != turn.party:
        if turn.party not in turn.accepted_by:
            kinds.append("accept")
        kinds.append("reject")
    kinds.append("walk_away")
    return kinds


def move_question(turn: Turn, error: str | None = None) -> dict[str, Any]:
    """The question for a person's turn: the public table from their seat, plain JSON."""
    tier = turn.tier
    return {
        "kind": "move",
        "party": turn.party,
        "turn": turn.turn,
        "round": turn.round,
        "max_rounds": turn.max_rounds,
        "last_round": turn.is_last_round,
        "tier": None if tier is None else {"id": tier.id, "name": tier.name, "kind": tier.kind},
        "proposal": None if turn.proposal is None else dict(turn.proposal),
        "proposer": turn.proposer,
        "accepted_by": sorted(turn.accepted_by),
        "options": legal_kinds(turn),
        "attempt": len(turn.blocked),
        "blocked": [{"kind": b.kind, "terms": b.terms, "feedback": b.feedback} for b in turn.blocked],
        "error": error,
    }


def coerce_value(issue: _IssueBase, raw: object) -> IssueValue:
    """A value for `issue` from what a form or a JSON client sent (strings for numbers, 'yes' for true).

    Raises ValueError saying what the issue accepts.
    """
    if isinstance(issue, NumericIssue):
        if isinstance(raw, str):
            text = raw.strip().rstrip("%").strip()
            if not text:
                raise ValueError(f"missing; give {issue.describe_values()}")
            try:
                number = float(text)
            except ValueError:
                raise ValueError(f"{raw!r} is not a number; give {issue.describe_values()}") from None
        elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
            number = float(raw)
        else:
            raise ValueError(f"{raw!r} is not a number; give {issue.describe_values()}")
        if not math.isfinite(number):
            raise ValueError(f"{raw!r} is not a number; give {issue.describe_values()}")
        try:
            index = issue.index_of(number)
        except ValueError:
            shown = f"{number:g}"
            raise ValueError(f"{shown} is out of range or between steps; give {issue.describe_values()}") from None
        return issue.values()[index]
    if isinstance(issue, BooleanIssue):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "yes", "y", "1"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        raise ValueError(f"{raw!r} is not yes or no; give {issue.describe_values()}")
    if isinstance(issue, CategoricalIssue):
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"missing; give {issue.describe_values()}")
        issue.index_of(raw.strip())
        return raw.strip()
    raise ValueError(f"unsupported issue kind for {issue.id!r}")  # pragma: no cover - every kind is above


def coerce_terms(space: OutcomeSpace, raw: object) -> dict[str, IssueValue]:
    """A complete, valid term sheet from a form's or client's mapping; InvalidSubmission names every bad issue."""
    if not isinstance(raw, Mapping):
        raise InvalidSubmission("a counter-offer needs terms: one value per issue", {"terms": "missing"})
    problems: dict[str, str] = {}
    terms: dict[str, IssueValue] = {}
    for issue in space.issues:
        if issue.id not in raw or raw[issue.id] is None:
            problems[issue.id] = f"missing; give {issue.describe_values()}"
            continue
        try:
            terms[issue.id] = coerce_value(issue, raw[issue.id])
        except ValueError as exc:
            problems[issue.id] = str(exc)
    for extra in raw:
        if extra not in space.by_id:
            problems[str(extra)[:60]] = f"not an issue of this scenario; issues: {', '.join(space.issue_ids)}"
    if problems:
        lines = "; ".join(f"{k}: {v}" for k, v in problems.items())
        raise InvalidSubmission(f"the counter-offer is not a valid term sheet: {lines}", problems)
    try:
        return dict(space.validate(terms).terms)
    except InvalidOffer as exc:  # pragma: no cover - coerce_value checked every issue
        raise InvalidSubmission(str(exc), exc.problems) from None


def _text(value: object, field: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidSubmission(f"{field} must be text", {field: "must be text"})
    value = value.strip()
    if required and not value:
        article = "an" if field[:1] in "aeiou" else "a"
        raise InvalidSubmission(f"give {article} {field}", {field: "required"})
    if len(value) > limit:
        raise InvalidSubmission(f"{field} is too long ({len(value)} characters; at most {limit})", {field: "too long"})
    return value


def parse_submission(answer: object, space: OutcomeSpace, turn: Turn) -> Submission:
    """Validate a person's answer into a move the protocol allows now.

    The answer is a mapping: ``kind`` (propose, accept, reject, walk_away), ``terms`` (for
    propose: every issue, strings accepted for numbers), ``message``, ``rationale``, ``reason``
    (required to reject or walk away) and ``by`` (who made the move). Raises InvalidSubmission.
    """
    if not isinstance(answer, Mapping):
        raise InvalidSubmission("the answer must be a move: a mapping with a 'kind'", {"kind": "missing"})
    kind = answer.get("kind")
    if kind not in MOVE_KINDS:
        raise InvalidSubmission(
            f"unknown move {kind!r}; choose one of {', '.join(MOVE_KINDS)}", {"kind": "unknown move"}
        )
    allowed = legal_kinds(turn)
    if kind not in allowed:
        if turn.proposal is None:
            why = "there is no proposal on the table"
        elif turn.proposer == turn.party:
            why = "the proposal on the table is your own"
        else:
            why = "you have already accepted the proposal on the table"
        may = ", ".join(k.replace("_", " ") for k in allowed)
        verb = kind.replace("_", " ")
        raise InvalidSubmission(f"you cannot {verb} now: {why}; you may {may}", {"kind": "not allowed now"})
    by = _text(answer.get("by"), "name", limit=MAX_NAME)
    message = _text(answer.get("message"), "message")
    try:
        action: Action
        if kind == "propose":
            terms = coerce_terms(space, answer.get("terms"))
            action = Propose(terms=terms, message=message, rationale=_text(answer.get("rationale"), "rationale"))
        elif kind == "accept":
            action = Accept(message=message, rationale=_text(answer.get("rationale"), "rationale"))
        elif kind == "reject":
            action = Reject(reason=_text(answer.get("reason"), "reason", required=True), message=message)
        else:
            action = WalkAway(reason=_text(answer.get("reason"), "reason", required=True), message=message)
    except ValidationError as exc:  # pragma: no cover - the checks above come first
        raise InvalidSubmission(f"not a valid move: {exc.errors()[0]['msg']}") from None
    return Submission(action=action, by=by)


class HumanNegotiator:
    """A seat a person takes: its turn asks the person (`ask_person`) for a move until a valid one comes back.

    `ask` is what the workflow calls (it also learns who moved); `act` keeps the `Negotiator`
    protocol. Both keep `AskPerson`'s contract: they may pause and be played again.
    """

    def __init__(self, seat: Seat, ask_person: AskPerson) -> None:
        self.seat = seat
        self.ask_person = ask_person

    def ask(self, turn: Turn) -> Submission:
        error: str | None = None
        while True:
            answer = self.ask_person(move_question(turn, error))
            try:
                return parse_submission(answer, self.seat.space, turn)
            except InvalidSubmission as exc:
                error = str(exc)

    def act(self, turn: Turn) -> Action:
        return self.ask(turn).action


# -- mandates and approvals ----------------------------------------------------------------------


class Mandate(BaseModel):
    """What an agent may do without asking its principal: hard limits on terms and a utility floor.

    Written as rules, one a line: constraints in the scenario's constraint language
    (``price >= 2``, ``term_months <= 12``, ``owner in [seller, shared]``)
    and ``utility >= 0.6`` for the floor on the agent's own utility. A proposal is checked on its
    terms, an acceptance on the terms it accepts; rejecting and walking away are always within it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    constraints: list[Constraint] = Field(default_factory=list)
    utility_floor: float | None = Field(default=None, ge=0, le=1)

    @classmethod
    def parse(cls, rules: Sequence[str], issues: Mapping[str, _IssueBase]) -> Mandate:
        """A mandate from rule lines; ValueError naming the rule and what is wrong."""
        constraints: list[Constraint] = []
        floor: float | None = None
        for rule in rules:
            text = rule.strip()
            if not text:
                continue
            words = text.replace(">=", " >= ").split()
            if words and words[0] == "utility":
                if len(words) != 3 or words[1] != ">=":
                    raise ValueError(f"mandate rule {text!r}: write the utility floor as 'utility >= 0.6'")
                try:
                    floor = float(words[2])
                except ValueError:
                    raise ValueError(f"mandate rule {text!r}: {words[2]!r} is not a number") from None
                if not 0 <= floor <= 1:
                    raise ValueError(f"mandate rule {text!r}: a utility floor lies between 0 and 1")
                continue
            try:
                constraint = Constraint(text)
                constraint.check_against(issues)
            except (ConstraintSyntaxError, ValueError) as exc:
                raise ValueError(f"mandate rule {text!r}: {exc}") from None
            constraints.append(constraint)
        if not constraints and floor is None:
            raise ValueError("a mandate needs at least one rule, e.g. 'price >= 2' or 'utility >= 0.6'")
        return cls(constraints=constraints, utility_floor=floor)

    def rules(self) -> list[str]:
        """The mandate as rule lines (how it was written)."""
        lines = [str(c) for c in self.constraints]
        if self.utility_floor is not None:
            lines.append(f"utility >= {self.utility_floor:g}")
        return lines

    def breaches(self, action: Action, turn: Turn, utility: UtilityFunction) -> list[str]:
        """Why `action` lies outside the mandate (empty if it does not), in words."""
        if isinstance(action, Propose):
            terms: Mapping[str, IssueValue] | None = action.terms
        elif isinstance(action, Accept):
            terms = turn.proposal
        else:
            return []
        if terms is None:
            return []
        try:
            sheet = utility.space.validate(terms)
        except InvalidOffer:
            return []  # not a term sheet at all: the protocol refuses it anyway
        found: list[str] = []
        for constraint in self.constraints:
            if not constraint.holds(sheet.terms, utility.space.by_id):
                values = ", ".join(f"{i}={value_key(sheet[i])}" for i in constraint.issues)
                found.append(f"{constraint} (the terms have {values})")
        if self.utility_floor is not None:
            own = utility(sheet)
            if own < self.utility_floor - 1e-12:
                found.append(f"utility >= {self.utility_floor:g} (the terms are worth {own:.3f} to us)")
        return found

    def seat_within(self, seat: Seat) -> Seat:
        """The seat with the mandate as hard constraints and the floor as reservation value."""
        profile = seat.party.private
        update: dict[str, Any] = {"constraints": [*profile.constraints, *self.constraints]}
        if self.utility_floor is not None:
            update["reservation_value"] = max(profile.reservation_value, self.utility_floor)
        private = profile.model_copy(update=update)
        party = seat.party.model_copy(update={"private": private})
        return Seat(
            party=party,
            scenario_public=seat.scenario_public,
            space=seat.space,
            utility=UtilityFunction(seat.space, private),
            seed=seat.seed,
        )


@dataclass(frozen=True)
class ApprovalDecision:
    """A principal's answer to an approval request."""

    approved: bool
    approver: str
    note: str = ""


def parse_decision(answer: object) -> ApprovalDecision:
    """Validate an approval answer: ``decision`` (approve or reject), ``approver`` (a name), ``note``."""
    if not isinstance(answer, Mapping):
        raise InvalidSubmission(
            "the answer must be a decision: approve or reject, and your name", {"decision": "missing"}
        )
    decision = answer.get("decision")
    if decision not in ("approve", "reject"):
        raise InvalidSubmission(f"unknown decision {decision!r}; choose approve or reject", {"decision": "unknown"})
    approver = _text(answer.get("approver"), "approver name", required=True, limit=MAX_NAME)
    note = _text(answer.get("note"), "note")
    return ApprovalDecision(approved=decision == "approve", approver=approver, note=note)


def approval_question(
    turn: Turn, action: Action, breaches: Sequence[str], mandate: Mandate, review: int, error: str | None = None
) -> dict[str, Any]:
    """The question of an approval request: the agent's move and how it leaves the mandate."""
    return {
        "kind": "approval",
        "party": turn.party,
        "turn": turn.turn,
        "round": turn.round,
        "action": action.model_dump(mode="json"),
        "proposal": None if turn.proposal is None else dict(turn.proposal),
        "breaches": list(breaches),
        "mandate": mandate.rules(),
        "review": review,
        "error": error,
    }


REVIEWS = 2
"""Approval requests in one act() at most: the agent's own move, then its re-plan within the mandate."""


class ApprovalGate:
    """An agent whose moves outside its mandate wait for a person's approval (asked with `ask_person`).

    `inner` is the agent; `within` is the same kind of agent seated with the mandate
    (`Mandate.seat_within`), which re-plans a rejected move. If even that move leaves the
    mandate and is rejected too, the agent rejects the proposal on the table or, with none,
    walks away: both are within any mandate.
    """

    def __init__(
        self,
        inner: Negotiator,
        within: Negotiator,
        mandate: Mandate,
        ask_person: AskPerson,
        record: Recorder | None = None,
    ) -> None:
        self.inner = inner
        self.within = within
        self.mandate = mandate
        self.ask_person = ask_person
        self.seat = inner.seat
        self._record = record

    def act(self, turn: Turn) -> Action:
        action = self.inner.act(turn)
        for review in range(REVIEWS):
            breaches = self.mandate.breaches(action, turn, self.seat.utility)
            if not breaches or self._review(turn, action, breaches, review):
                return action
            if review + 1 < REVIEWS:
                action = self.within.act(turn)
        reason = "Our principal did not approve a move outside our mandate."
        if turn.proposal is not None and turn.proposer != turn.party:
            return Reject(reason=reason, message="We must decline this proposal.")
        return WalkAway(reason=reason, message="We cannot continue within our mandate.")

    def take_reports(self) -> list[Any]:
        """The wrapped agents' reports (model calls, ...), for the workflow to record after act()."""
        found: list[Any] = []
        for agent in (self.inner, self.within):
            take = getattr(agent, "take_reports", None)
            if callable(take):
                found.extend(take())
        return found

    def _review(self, turn: Turn, action: Action, breaches: list[str], review: int) -> bool:
        error: str | None = None
        shown = action.model_dump(mode="json")
        while True:
            answer = self.ask_person(approval_question(turn, action, breaches, self.mandate, review, error))
            # A model-backed agent acts again when the run resumes: a decision on another move does not count.
            if isinstance(answer, Mapping) and answer.get("action") not in (None, shown):
                error = "the agent's move changed since it was shown (its model ran again); decide on this one"
                continue
            try:
                decision = parse_decision(answer)
                break
            except InvalidSubmission as exc:
                error = str(exc)
        if self._record is not None:
            self._record(
                "approval",
                turn.party,
                {
                    "turn": turn.turn,
                    "round": turn.round,
                    "party": turn.party,
                    "attempt": len(turn.blocked),
                    "review": review,
                    "action": action.model_dump(mode="json"),
                    "breaches": breaches,
                    "mandate": self.mandate.rules(),
                    "decision": "approve" if decision.approved else "reject",
                    "approver": decision.approver,
                    "note": decision.note,
                },
                f"approval:{turn.turn}:{len(turn.blocked)}:{review}",
            )
        return decision.approved


__all__ = [
    "HUMAN",
    "ApprovalDecision",
    "ApprovalGate",
    "HumanNegotiator",
    "InvalidSubmission",
    "Mandate",
    "Submission",
    "approval_question",
    "coerce_terms",
    "coerce_value",
    "legal_kinds",
    "move_question",
    "parse_decision",
    "parse_submission",
]
