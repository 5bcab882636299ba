"""A person's input to a rehearsal, checked: the start form, a move, an approval, a draft, a fork point.

Everything here runs before anything changes and raises `RehearsalError` with a message that
says what to fix (and, per form field, what is wrong); the rehearsal stays as it was. A move
or a decision is checked against the question the run waits on and handed on as the clean
answer the graph expects; the graph validates it once more when it resumes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agents.human import HUMAN, InvalidSubmission, Mandate, coerce_terms, parse_decision, parse_submission
from agents.registry import DEFAULT_STRATEGY, parse_spec
from pactlab.app.rehearsal.errors import RehearsalError
from pactlab.app.rehearsal.view import DraftCheck, View, question_turn
from pactlab.domain.actions import Action
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.loader import FileError
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import table_from_record
from pactlab.workflow.gate import Gate
from policies import PolicySet, load_policy_set, warnings

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
"""Negotiation ids a person may choose: letters, digits, '.', '_' and '-' (they name a folder)."""


# -- starting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """A rehearsal to start, checked: who plays which seat, under which mandates and policies."""

    scenario: Scenario
    seat: str | None
    agents: dict[str, str]  # every party's agent spec; the person's seat is HUMAN
    mandates: dict[str, Mandate]
    policy_set: PolicySet | None
    seed: int


def parse_start(
    scenario: str | Scenario,
    seat: str | None,
    *,
    seed: int,
    agents: Mapping[str, str],
    policies: str | None,
    mandates: Mapping[str, Sequence[str]] | Sequence[str],
) -> Start:
    """The start form, checked (see `Rehearsals.start` for what each argument may be)."""
    loaded = parse_scenario(scenario)
    parties = loaded.party_ids
    if seat is not None and seat not in parties:
        raise RehearsalError(f"unknown party {seat!r}; parties: {', '.join(parties)}", {"seat": "unknown party"})
    chosen = parse_agents(loaded, seat, agents)
    mandate_map = parse_mandates(loaded, seat, mandates)
    if seat is None and not mandate_map:
        raise RehearsalError(
            "choose a seat to play, or give an agent a mandate whose breaches you approve", {"seat": "required"}
        )
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**63:
        raise RehearsalError(f"seed must be a whole number from 0, not {seed!r}", {"seed": "not a whole number"})
    policy_set = parse_policies(loaded, policies)
    return Start(loaded, seat, chosen, mandate_map, policy_set, seed)


def parse_scenario(scenario: str | Scenario) -> Scenario:
    """A loaded scenario, a shipped name or a file."""
    if isinstance(scenario, Scenario):
        return scenario
    if not isinstance(scenario, str) or not scenario.strip():
        raise RehearsalError("choose a scenario", {"scenario": "required"})
    try:
        loaded, _ = load_scenario(scenario.strip())
    except FileError as exc:
        raise RehearsalError(str(exc), {"scenario": "not found or invalid"}) from None
    return loaded


def parse_agents(scenario: Scenario, seat: str | None, agents: Mapping[str, str]) -> dict[str, str]:
    """Every party's agent spec: the person in their seat, the given strategies, else the default strategy."""
    chosen = {p: (HUMAN if p == seat else DEFAULT_STRATEGY) for p in scenario.party_ids}
    for party, spec in agents.items():
        if party not in chosen:
            raise RehearsalError(
                f"unknown party {party!r}; parties: {', '.join(scenario.party_ids)}", {"agents": "unknown party"}
            )
        if party == seat:
            raise RehearsalError(f"{party} is your seat: you play it, no agent does", {"agents": "your seat"})
        if not spec or not str(spec).strip():
            continue
        try:
            parse_spec(str(spec))
        except ValueError as exc:
            raise RehearsalError(f"agent for {party}: {exc}", {f"agent_{party}": "invalid strategy"}) from None
        chosen[party] = str(spec).strip()
    return chosen


def parse_mandates(
    scenario: Scenario, seat: str | None, mandates: Mapping[str, Sequence[str]] | Sequence[str]
) -> dict[str, Mandate]:
    """Mandates from rule lines per party, or from "party: rule" lines."""
    rules: dict[str, list[str]] = {}
    if isinstance(mandates, Mapping):
        for party, lines in mandates.items():
            rules.setdefault(party, []).extend([lines] if isinstance(lines, str) else lines)
    else:
        for line in mandates:
            if not line.strip():
                continue
            party, sep, rule = line.partition(":")
            if not sep or not rule.strip():
                raise RehearsalError(
                    f"mandate {line!r}: write 'PARTY: RULE', e.g. 'PARTY: ISSUE >= 2' or 'PARTY: utility >= 0.6'",
                    {"mandates": "write PARTY: RULE"},
                )
            rules.setdefault(party.strip(), []).append(rule.strip())
    issues = {i.id: i for i in scenario.issues}
    found: dict[str, Mandate] = {}
    for party, lines in rules.items():
        if party not in scenario.party_ids:
            raise RehearsalError(
                f"mandate for unknown party {party!r}; parties: {', '.join(scenario.party_ids)}",
                {"mandates": "unknown party"},
            )
        if party == seat:
            raise RehearsalError(
                f"{party} is your seat: a mandate binds an agent, and you play {party} yourself",
                {"mandates": "your seat"},
            )
        try:
            found[party] = Mandate.parse(lines, issues)
        except ValueError as exc:
            raise RehearsalError(f"mandate for {party}: {exc}", {"mandates": "invalid rule"}) from None
    return found


def parse_policies(scenario: Scenario, policies: str | None) -> PolicySet | None:
    """A shipped set or a file; "none" for none; empty or None for the scenario's own."""
    chosen = (policies or "").strip() or scenario.policy_set
    if not chosen or chosen == "none":
        return None
    try:
        policy_set, _ = load_policy_set(chosen)
    except FileError as exc:
        raise RehearsalError(str(exc), {"policies": "not found or invalid"}) from None
    return policy_set


def parse_id(wanted: str) -> str:
    """A negotiation id a person chose (whether it is taken is the store's business)."""
    rid = wanted.strip()
    if not ID_PATTERN.match(rid):
        raise RehearsalError(
            f"negotiation id {rid[:40]!r}: use up to 100 letters, digits, '.', '_' or '-'", {"id": "invalid"}
        )
    return rid


def is_id(rid: object) -> bool:
    """Whether `rid` could name a rehearsal at all (anything else is a forged or mistyped id)."""
    return isinstance(rid, str) and ID_PATTERN.match(rid) is not None


def parse_fork_turn(source: View, turn: object) -> int:
    """A turn of `source` (1-based, as shown) that a branch can start before."""
    if isinstance(turn, bool) or not isinstance(turn, int):
        raise RehearsalError(f"turn must be a whole number, not {turn!r}", {"turn": "not a whole number"})
    last = len(source.moves) + (1 if not source.finished else 0)
    if not 1 <= turn <= last:
        raise RehearsalError(f"no turn {turn} in {source.id}; choose a turn from 1 to {last}", {"turn": "out of range"})
    return turn


# -- answers --------------------------------------------------------------------------------------


def move_answer(view: View, answer: Mapping[str, Any]) -> dict[str, Any]:
    """The person's move, checked against the question the run waits on; the clean answer for the graph."""
    if view.finished:
        raise RehearsalError(f"rehearsal {view.id} has ended ({view.status.replace('_', ' ')}); see the debrief")
    if view.waiting != "move" or view.question is None:
        what = "an approval" if view.waiting == "approval" else "nobody yet: the agents are moving"
        raise RehearsalError(f"it is not your turn: the table waits for {what}")
    _expect(view.question, answer, "attempt")
    try:
        submission = parse_submission(answer, view.space, question_turn(view))
    except InvalidSubmission as exc:
        raise RehearsalError(str(exc), exc.problems) from None
    return {"kind": submission.action.kind, "by": submission.by, **_fields(submission.action)}


def decision_answer(view: View, answer: Mapping[str, Any]) -> dict[str, Any]:
    """An approval decision, checked against the request the run waits on; the clean answer for the graph."""
    if view.finished:
        raise RehearsalError(f"rehearsal {view.id} has ended ({view.status.replace('_', ' ')})")
    if view.waiting != "approval" or view.question is None:
        raise RehearsalError("no agent's move waits for approval now")
    _expect(view.question, answer, "review")
    try:
        decision = parse_decision(answer)
    except InvalidSubmission as exc:
        raise RehearsalError(str(exc), exc.problems) from None
    return {
        "decision": "approve" if decision.approved else "reject",
        "approver": decision.approver,
        "note": decision.note,
        "action": view.question.get("action"),  # the move decided on (see ApprovalGate._review)
    }


def check_draft(view: View, draft: Mapping[str, Any], gate: Gate) -> DraftCheck:
    """A draft move's worth to the person's side and, on their turn, what the policy gate would say."""
    own = view.own_utility
    reservation = None if own is None else own.reservation_value
    table_terms = view.table["proposal"]
    table_utility = view.worth(table_terms)
    kind = draft.get("kind", "propose")
    terms: dict[str, IssueValue] | None = None
    problems: dict[str, str] = {}
    message: str | None = None
    if kind == "propose":
        try:
            terms = coerce_terms(view.space, draft.get("terms"))
        except InvalidSubmission as exc:
            problems, message = exc.problems, str(exc)
    elif kind == "accept":
        terms = dict(table_terms) if table_terms is not None else None
    utility = view.worth(terms)
    broken = view.constraints_broken(terms)
    result = DraftCheck(problems, message, utility, reservation, table_utility, broken)
    if problems or view.waiting != "move" or view.question is None:
        return result
    try:
        submission = parse_submission({**draft, "reason": draft.get("reason") or "-"}, view.space, question_turn(view))
    except InvalidSubmission as exc:
        return DraftCheck(exc.problems, str(exc), utility, reservation, table_utility, broken)
    verdicts, blocked = gate.judge(table_from_record(view.table), submission.action, view.moves)
    return DraftCheck(
        {},
        None,
        utility,
        reservation,
        table_utility,
        broken,
        verdicts,
        blocked,
        [f"{v.rule_id}: {v.reason}" for v in warnings(verdicts)],
    )


def _expect(question: Mapping[str, Any], answer: Mapping[str, Any], counter: str) -> None:
    """Refuse an answer to a question that is no longer the one asked (another tab, a stale page)."""
    for key in ("turn", counter):
        if key in answer and answer[key] is not None:
            try:
                same = int(answer[key]) == int(question.get(key, -1))
            except (TypeError, ValueError):
                same = False
            if not same:
                raise RehearsalError(
                    f"the table has moved on since this page was drawn (now turn {int(question.get('turn', 0)) + 1}); "
                    "look again before you answer",
                    {"turn": "stale"},
                )


def _fields(action: Action) -> dict[str, Any]:
    data = action.model_dump(mode="json")
    data.pop("kind", None)
    return data


__all__ = [
    "ID_PATTERN",
    "Start",
    "check_draft",
    "decision_answer",
    "is_id",
    "move_answer",
    "parse_agents",
    "parse_fork_turn",
    "parse_id",
    "parse_mandates",
    "parse_policies",
    "parse_scenario",
    "parse_start",
]
