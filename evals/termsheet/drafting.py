"""Drafting: the agreed deal of a run, read from its audit transcript, as a `TermSheetDocument`.

The chain of proposals is every `propose` move of the run, in turn order, up to the one the
parties agreed to (the last proposal: any later one would have replaced it on the table). A
reject empties the table but does not erase the drafting history, so the chain runs across it.
For each issue:
- `history` (the redline) holds the proposals whose value differs from the previous proposal's
  (the first proposal always counts, as the first draft);
- `origin` is the last entry of the history: tracing back from the agreement, the proposal that
  first put the final value on the table with no different value proposed since.

Each entry points at the move's audit record (sequence number, hash, timestamp) and carries
only the part of the move's rationale about that issue (`evals.termsheet.rationale`). Each
history entry is worded with its own value and the other terms as agreed, so the redline of a
clause shows how that one term moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evals.audit import AuditRecord
from evals.termsheet.errors import NoAgreement
from evals.termsheet.model import Clause, Origin, Outcome, RecordRef, Revision, TermSheetDocument, TermSheetParty
from evals.termsheet.rationale import IssueNames, distinctive_options, issue_rationale
from evals.termsheet.variables import AnyIssue, Signatories, value_text
from evals.termsheet.wording import word_clause, word_unknown
from evals.transcript import TranscriptError, TranscriptRun
from pactlab.domain.issues import CategoricalIssue, IssueValue, value_key
from pactlab.domain.table import MEDIATOR, MoveRecord


@dataclass(frozen=True)
class Proposal:
    """A `propose` move with the audit record that holds it."""

    move: MoveRecord
    record: AuditRecord

    @property
    def terms(self) -> dict[str, IssueValue]:
        return self.move["terms"] or {}

    @property
    def reasons(self) -> Mapping[str, str] | None:
        """Per-issue reasons, if the move carries them (`reasons: {issue: text}` on the move)."""
        reasons = self.record.data.get("move", {}).get("reasons")
        return reasons if isinstance(reasons, dict) else None


def proposals(run: TranscriptRun) -> list[Proposal]:
    """Every proposal of the run, in turn order, with its audit record."""
    out: list[Proposal] = []
    for record in run.records:
        if record.kind != "move":
            continue
        move: MoveRecord = record.data["move"]
        if move["kind"] == "propose" and move["terms"] is not None:
            out.append(Proposal(move=move, record=record))
    return out


def draft_term_sheet(run: TranscriptRun) -> TermSheetDocument:
    """The agreed deal of `run` as a term sheet; raises `NoAgreement` if the run did not end in one.

    Raises `TranscriptError` if the agreement on the table is not the last proposal, and
    `WordingError` if a scenario's wording template does not render.
    """
    table = run.table
    if table is None:
        raise NoAgreement("open", "no move was made", run.negotiation_id)
    if table["status"] != "agreement":
        raise NoAgreement(table["status"], table["ended_by"], run.negotiation_id)
    agreed = table["proposal"]
    proposer = table["proposer"]
    if agreed is None or proposer is None:
        raise TranscriptError("the transcript records an agreement but no proposal on the table")
    chain = proposals(run)
    if not chain or chain[-1].move["party"] != proposer or not _same_terms(chain[-1].terms, agreed):
        raise TranscriptError(
            "the agreed terms on the table are not the last proposal in the transcript; the record is inconsistent"
        )
    scenario = run.scenario
    accepted = set(table["accepted_by"])
    sig = Signatories(scenario, tuple(p for p in scenario.party_ids if p in accepted))
    issues: dict[str, AnyIssue] = {i.id: i for i in scenario.issues}
    order = [i for i in scenario.issue_ids if i in agreed] + [k for k in agreed if k not in issues]
    drafter = _Drafter(sig, issues, agreed, chain)
    clauses = [drafter.clause(issue_id) for issue_id in order]
    last = chain[-1].move
    start = run.records[0].data if run.records else {}
    outcome = Outcome(
        status=table["status"],
        ended_by=table["ended_by"],
        proposer=proposer,
        proposer_name=party_name(sig, proposer),
        proposal_turn=last["turn"],
        proposal_round=last["round"],
        accepted_by=[p for p in scenario.party_ids if p in accepted],
        final_turn=run.moves[-1]["turn"],
        rounds=table["round"] + 1,
        proposals=len(chain),
    )
    return TermSheetDocument(
        title=f"Term sheet: {scenario.title}",
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        context=scenario.context,
        negotiation_id=run.negotiation_id,
        parties=[
            TermSheetParty(id=p.id, name=p.name, core_business=p.core_business, signed=p.id in accepted)
            for p in scenario.parties
        ],
        clauses=clauses,
        outcome=outcome,
        scenario_sha256=str(start.get("scenario_sha256") or scenario.sha256()),
        code_version=run.code.get("version", "unknown"),
        code_sha256=run.code.get("sha256"),
        transcript_last_hash=run.records[-1].hash if run.records else None,
        sealed_at=run.records[-1].ts if run.records else None,
    )


def party_name(sig: Signatories, party_id: str) -> str:
    if party_id in sig.views:
        return sig.views[party_id].name
    return "the mediator" if party_id == MEDIATOR else party_id


def _same(a: IssueValue | None, b: IssueValue | None) -> bool:
    if a is None or b is None:
        return a is b
    return isinstance(a, bool) == isinstance(b, bool) and value_key(a) == value_key(b)


def _same_terms(a: Mapping[str, IssueValue], b: Mapping[str, IssueValue]) -> bool:
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


@dataclass(frozen=True)
class _Drafter:
    sig: Signatories
    issues: Mapping[str, AnyIssue]
    agreed: Mapping[str, IssueValue]
    chain: Sequence[Proposal]

    def names(self, issue_id: str) -> IssueNames:
        issue = self.issues.get(issue_id)
        if issue is None:
            return IssueNames(issue_id=issue_id, label=issue_id.replace("_", " "))
        options = {
            i.id: [value_key(v) for v in i.values()] if isinstance(i, CategoricalIssue) else []
            for i in self.issues.values()
        }
        mine = distinctive_options(issue_id, options[issue_id], options, self.sig.scenario.party_ids)
        return IssueNames(issue_id=issue_id, label=issue.label, options=mine)

    def wording(self, issue_id: str, value: IssueValue | None) -> str:
        issue = self.issues.get(issue_id)
        if value is None:
            return ""
        if issue is None:
            return word_unknown(issue_id, value_text(self.sig, None, value))
        return word_clause(self.sig, issue, value, {**self.agreed, issue_id: value})

    def clause(self, issue_id: str) -> Clause:
        issue = self.issues.get(issue_id)
        names = self.names(issue_id)
        history: list[Revision] = []
        previous: IssueValue | None = None
        for n, proposal in enumerate(self.chain):
            current = proposal.terms.get(issue_id)
            if n == 0 or not _same(current, previous):
                history.append(
                    Revision(
                        **self._ref(proposal, names),
                        value=current,
                        value_text=value_text(self.sig, issue, current),
                        previous=previous,
                        previous_text=None if n == 0 else value_text(self.sig, issue, previous),
                        text=self.wording(issue_id, current),
                    )
                )
            previous = current
        setter = history[-1]  # the chain ends with the agreed proposal, whose value is the agreed one
        proposal = next(p for p in self.chain if p.record.seq == setter.seq)
        value = self.agreed[issue_id]
        return Clause(
            issue_id=issue_id,
            heading=names.label,
            kind=issue.clause.kind if issue is not None and issue.clause is not None else None,
            value=value,
            value_text=value_text(self.sig, issue, value),
            text=self.wording(issue_id, value),
            description=issue.description if issue is not None else "",
            origin=Origin(**self._ref(proposal, names), message=proposal.move["message"]),
            history=history,
        )

    def _ref(self, proposal: Proposal, names: IssueNames) -> dict[str, Any]:
        move, record = proposal.move, proposal.record
        return RecordRef(
            turn=move["turn"],
            round=move["round"],
            party=move["party"],
            party_name=party_name(self.sig, move["party"]),
            seq=record.seq,
            record_hash=record.hash,
            ts=record.ts,
            rationale=issue_rationale(move["rationale"], names, proposal.reasons),
        ).model_dump()


__all__ = ["Proposal", "draft_term_sheet", "party_name", "proposals"]
