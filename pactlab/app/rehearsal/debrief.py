"""The debrief after a rehearsal: how the deal came out, what it cost the person, and what was left on the table.

From the finished rehearsal's state, its audit transcript and the scenario's outcome analysis:

- the scorecard (outcome, utilities, Nash ratio, distance to the Pareto frontier, fairness);
- where the deal sits against the frontier and the Nash bargaining solution (the numbers here,
  the picture in ``utility_space.png``, drawn by `evals.plots`);
- what each concession cost the person: every step down in their own offers, and the step from
  their last offer to the deal, split issue by issue;
- better deals both sides would have preferred: frontier outcomes that give every party at least
  as much as the deal and someone more (without a deal: the frontier deals everyone would have
  preferred to walking away);
- which rules fired (the policy gate's refusals and warnings), the fallbacks, the approvals,
  the escalations;
- the audit transcript: its path and whether it verifies;
- for a rehearsal with what-if branches, the branches side by side (`compare`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from evals.audit import AuditCorrupt, read_records, verify
from evals.bargaining import nash_product
from evals.scorecard import BargainingPoint, OutcomeAnalysis, PartyScore, Scorecard
from pactlab.app.rehearsal.uncertain import Revealed
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord

BETTER_DEALS = 5
"""How many better deals the debrief lists (the count says how many there are)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssueCost(_Model):
    issue: str
    before: IssueValue | None
    after: IssueValue
    cost: float = Field(description="Utility the party gave up on this issue (negative: it gained).")


class Concession(_Model):
    """One step down in a party's own offers (or from its last offer to the deal)."""

    turn: int = Field(description="1-based turn of the offer (or of the agreement) that conceded.")
    round: int = Field(description="1-based round.")
    what: str = Field(description='"offer" (a new offer) or "deal" (agreeing to the final terms).')
    before: float
    after: float
    cost: float = Field(description="before - after: the utility given up in this step.")
    issues: list[IssueCost]


class BetterDeal(_Model):
    terms: dict[str, IssueValue]
    utilities: dict[str, float]
    gains: dict[str, float] = Field(description="Each party's utility minus its utility of the deal (or reservation).")
    changes: list[str] = Field(description="The issues on which it differs from the deal, as issue=value.")


class RuleFired(_Model):
    rule_id: str
    kind: str
    severity: str
    statement: str
    blocked: int = Field(description="Moves this rule refused.")
    warned: int = Field(description="Moves that passed with this rule's warning.")
    parties: list[str]
    turns: list[int] = Field(description="1-based turns.")
    example: str = Field(description="The reason the rule gave the first time it fired.")


class ApprovalSeen(_Model):
    turn: int
    party: str
    decision: str
    approver: str
    note: str
    breaches: list[str]


class TranscriptCheck(_Model):
    path: str
    ok: bool
    sealed: bool
    records: int
    last_hash: str | None
    problem: str | None


class Debrief(_Model):
    negotiation_id: str
    scenario_title: str
    seat: str | None
    viewer: str | None
    outcome: str
    ended_by: str | None
    scorecard: Scorecard
    person: PartyScore | None
    deal_utilities: dict[str, float] | None
    reservations: dict[str, float]
    nash: BargainingPoint | None
    viewer_at_nash: float | None = Field(description="What the Nash bargaining solution would give the person's side.")
    concessions: list[Concession]
    conceded: float = Field(description="Total utility the person's side gave up, from its first offer to the end.")
    better_deals: list[BetterDeal]
    better_count: int
    rules: list[RuleFired]
    fallbacks: int
    approvals: list[ApprovalSeen]
    escalations: list[str]
    blocked_attempts: int = Field(description="The person's own moves the gate refused before one passed.")
    transcript: TranscriptCheck | None
    plot: str | None
    forked_from: dict[str, Any] | None
    revealed: Revealed | None = Field(
        default=None, description="An uncertain rehearsal's drawn counterpart(s), revealed now, and the robust plan."
    )


class BranchRow(_Model):
    negotiation_id: str
    forked_from: str | None
    fork_turn: int | None = Field(description="1-based turn at which the branch left its parent.")
    status: str
    rounds: int
    turns: int
    utilities: dict[str, float | None]
    surplus: float | None = Field(description="The person's side's surplus over its reservation value.")
    nash_ratio: float | None
    pareto_optimal: bool | None
    agreement: dict[str, IssueValue] | None
    waiting: str | None


class Comparison(_Model):
    viewer: str | None
    issues: list[str]
    branches: list[BranchRow]
    differing_issues: list[str] = Field(description="Issues whose agreed value differs between branches.")


def concessions(
    space: OutcomeSpace,
    utility: UtilityFunction,
    moves: Sequence[MoveRecord],
    party: str,
    agreement: Mapping[str, IssueValue] | None,
    end_turn: int,
    end_round: int,
) -> list[Concession]:
    """Every step in which `party` gave up utility: a new offer worth less to it than its previous one,
    and agreeing to a deal worth less than its last offer."""
    steps: list[Concession] = []
    previous: tuple[dict[str, IssueValue], float] | None = None
    for move in moves:
        if move["party"] != party or move["kind"] != "propose" or move["terms"] is None:
            continue
        terms = dict(space.validate(move["terms"]).terms)
        worth = utility(space.validate(terms))
        if previous is not None and previous[1] - worth > 1e-9:
            steps.append(_step(space, utility, previous[0], terms, move["turn"] + 1, move["round"] + 1, "offer"))
        previous = (terms, worth)
    if agreement is not None and previous is not None:
        deal = dict(space.validate(agreement).terms)
        if previous[1] - utility(space.validate(deal)) > 1e-9:
            steps.append(_step(space, utility, previous[0], deal, end_turn, end_round, "deal"))
    return steps


def _step(
    space: OutcomeSpace,
    utility: UtilityFunction,
    before: Mapping[str, IssueValue],
    after: Mapping[str, IssueValue],
    turn: int,
    round_: int,
    what: str,
) -> Concession:
    b, a = space.validate(before), space.validate(after)
    picks_b, picks_a = space.option_indices(b), space.option_indices(a)
    issues = []
    for k, issue in enumerate(space.issues):
        if picks_b[k] != picks_a[k]:
            table = utility.tables[k]
            issues.append(
                IssueCost(
                    issue=issue.id,
                    before=b[issue.id],
                    after=a[issue.id],
                    cost=float(table[picks_b[k]] - table[picks_a[k]]),
                )
            )
    issues.sort(key=lambda c: -c.cost)
    ub, ua = utility(b), utility(a)
    return Concession(turn=turn, round=round_, what=what, before=ub, after=ua, cost=ub - ua, issues=issues)


def better_deals(
    analysis: OutcomeAnalysis, agreement: Mapping[str, IssueValue] | None, viewer: str | None, limit: int = BETTER_DEALS
) -> tuple[list[BetterDeal], int]:
    """Frontier outcomes every party prefers to the deal (weakly, someone strictly); without a deal,
    the frontier outcomes every party prefers to its reservation value. Best for the viewer first."""
    frontier = analysis.frontier
    if len(frontier.outcomes) == 0:
        return [], 0
    parties = list(frontier.parties)
    points = np.asarray(frontier.utilities, dtype=float)
    reservations = analysis.reservations
    if agreement is not None:
        sheet = analysis.space.validate(agreement)
        base = analysis.utilities_of(sheet)
        ref = np.array([base[p] for p in parties])
        mask = np.all(points >= ref - 1e-9, axis=1) & np.any(points > ref + 1e-9, axis=1)
        deal_terms: dict[str, IssueValue] | None = dict(sheet.terms)
    else:
        ref = np.array([reservations[p] for p in parties])
        mask = np.all(points >= ref - 1e-9, axis=1) & np.any(points > ref + 1e-9, axis=1)
        deal_terms = None
    idx = np.flatnonzero(mask)
    if viewer is not None and viewer in parties:
        column = parties.index(viewer)
        order = sorted(idx, key=lambda i: (-points[i, column], -float(points[i].sum())))
    else:
        order = sorted(idx, key=lambda i: -nash_product(dict(zip(parties, points[i], strict=True)), reservations))
    found = []
    for i in order[:limit]:
        terms = dict(analysis.space.term_sheet(int(frontier.outcomes[i])).terms)
        utils = {p: float(points[i, n]) for n, p in enumerate(parties)}
        gains = {p: float(points[i, n] - ref[n]) for n, p in enumerate(parties)}
        if deal_terms is None:
            changes = [f"{k}={value_key(v)}" for k, v in terms.items()]
        else:
            changes = [f"{k}={value_key(v)}" for k, v in terms.items() if value_key(v) != value_key(deal_terms[k])]
        found.append(BetterDeal(terms=terms, utilities=utils, gains=gains, changes=changes))
    return found, len(idx)


def rules_fired(records: Sequence[Any]) -> tuple[list[RuleFired], int, list[ApprovalSeen], int]:
    """From the audit records: the rules that refused or warned, the fallbacks, the approvals, and
    how many of the person's moves the gate refused."""
    fired: dict[str, dict[str, Any]] = {}
    fallbacks = 0
    approvals: list[ApprovalSeen] = []
    person_blocked = 0
    for record in records:
        if record.kind == "gate":
            data = record.data
            for v in data.get("verdicts", []):
                if v.get("passed", True):
                    continue
                entry = fired.setdefault(
                    v["rule_id"],
                    {
                        "kind": v.get("kind", ""),
                        "severity": v.get("severity", ""),
                        "statement": v.get("statement", ""),
                        "blocked": 0,
                        "warned": 0,
                        "parties": [],
                        "turns": [],
                        "example": v.get("reason", ""),
                    },
                )
                entry["blocked" if v.get("severity") == "block" else "warned"] += 1
                party = str(data.get("party", ""))
                if party not in entry["parties"]:
                    entry["parties"].append(party)
                turn = int(data.get("turn", 0)) + 1
                if turn not in entry["turns"]:
                    entry["turns"].append(turn)
        elif record.kind == "fallback":
            fallbacks += 1
        elif record.kind == "approval":
            d = record.data
            approvals.append(
                ApprovalSeen(
                    turn=int(d["turn"]) + 1,
                    party=d["party"],
                    decision=d["decision"],
                    approver=d["approver"],
                    note=d.get("note", ""),
                    breaches=d.get("breaches", []),
                )
            )
    humans = {r.data.get("party") for r in records if r.kind == "human_move"}
    for record in records:
        if record.kind == "gate" and record.data.get("party") in humans and record.data.get("blocked"):
            person_blocked += 1
    rules = [RuleFired(rule_id=k, **v) for k, v in fired.items()]
    return rules, fallbacks, approvals, person_blocked


def check_transcript(path: Path | None) -> tuple[TranscriptCheck | None, list[Any]]:
    if path is None or not path.exists():
        return None, []
    report = verify(path, require_seal=False)
    try:
        records = read_records(path)
    except AuditCorrupt:
        records = []
    check = TranscriptCheck(
        path=str(path),
        ok=report.ok,
        sealed=report.sealed,
        records=report.records,
        last_hash=report.last_hash,
        problem=report.problem,
    )
    return check, records


def debrief(
    *,
    negotiation_id: str,
    scenario: Scenario,
    seat: str | None,
    viewer: str | None,
    moves: Sequence[MoveRecord],
    table: Mapping[str, Any],
    scorecard: Scorecard,
    analysis: OutcomeAnalysis,
    transcript: Path | None,
    plot: Path | None,
    forked_from: Mapping[str, Any] | None = None,
) -> Debrief:
    """The debrief of a finished rehearsal (see the module docstring)."""
    agreement = scorecard.agreement
    space = analysis.space
    deal = analysis.utilities_of(space.validate(agreement)) if agreement is not None else None
    person = next((p for p in scorecard.parties if p.party == viewer), None)
    steps: list[Concession] = []
    if viewer is not None:
        steps = concessions(
            space,
            analysis.utilities[viewer],
            moves,
            viewer,
            agreement,
            int(table["turn"]),
            min(int(table["round"]) + 1, scenario.protocol.max_rounds),
        )
    better, count = better_deals(analysis, agreement, viewer)
    check, records = check_transcript(transcript)
    rules, fallbacks, approvals, blocked = rules_fired(records)
    nash = scorecard.nash_point
    conceded = sum(step.cost for step in steps)
    return Debrief(
        negotiation_id=negotiation_id,
        scenario_title=scenario.title,
        seat=seat,
        viewer=viewer,
        outcome=scorecard.outcome,
        ended_by=table.get("ended_by"),
        scorecard=scorecard,
        person=person,
        deal_utilities=deal,
        reservations=analysis.reservations,
        nash=nash,
        viewer_at_nash=None if nash is None or viewer is None else nash.utilities.get(viewer),
        concessions=steps,
        conceded=conceded,
        better_deals=better,
        better_count=count,
        rules=rules,
        fallbacks=fallbacks,
        approvals=approvals,
        escalations=[f"round {m['round'] + 1}: {m['message']}" for m in moves if m["kind"] == "escalate"],
        blocked_attempts=blocked,
        transcript=check,
        plot=str(plot) if plot is not None and plot.exists() else None,
        forked_from=dict(forked_from) if forked_from else None,
    )


def compare(rows: Sequence[BranchRow], issues: Sequence[str], viewer: str | None) -> Comparison:
    """Branches side by side, with the issues on which their agreements differ."""
    differing = []
    for issue in issues:
        values = {value_key(r.agreement[issue]) if r.agreement is not None else "—" for r in rows}
        if len(values) > 1:
            differing.append(issue)
    return Comparison(viewer=viewer, issues=list(issues), branches=list(rows), differing_issues=differing)


def branch_row(
    *,
    negotiation_id: str,
    forked_from: Mapping[str, Any] | None,
    table: Mapping[str, Any],
    moves: Sequence[MoveRecord],
    scorecard: Scorecard | None,
    viewer: str | None,
    parties: Sequence[str],
    waiting: str | None,
) -> BranchRow:
    utilities: dict[str, float | None] = dict.fromkeys(parties)
    surplus = None
    if scorecard is not None:
        for p in scorecard.parties:
            utilities[p.party] = p.utility
            if p.party == viewer:
                surplus = p.surplus
    return BranchRow(
        negotiation_id=negotiation_id,
        forked_from=None if not forked_from else str(forked_from["negotiation_id"]),
        fork_turn=None if not forked_from else int(forked_from["turn"]) + 1,
        status=str(table["status"]),
        rounds=scorecard.rounds if scorecard is not None else int(table["round"]) + 1,
        turns=len(moves),
        utilities=utilities,
        surplus=surplus,
        nash_ratio=None if scorecard is None else scorecard.nash_ratio,
        pareto_optimal=None if scorecard is None else scorecard.pareto_optimal,
        agreement=None if scorecard is None else scorecard.agreement,
        waiting=waiting,
    )
