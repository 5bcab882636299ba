"""The term sheet as Markdown: the terms first, then the redline schedule and the record.

Everything that comes from the scenario or the moves is escaped (`md`, `evals.markdown`): one
line, no raw HTML, no links, no table-breaking pipes, no accidental emphasis.
"""

from __future__ import annotations

from evals.markdown import code, text
from evals.termsheet.model import RecordRef, TermSheetDocument, turn_label
from evals.termsheet.wording import join_names
from pactlab.domain.issues import value_key

NO_RATIONALE = "(none given for this term)"


def md(value: str) -> str:
    """Text for Markdown: one line, every special character escaped (`evals.markdown.text`)."""
    return text(value)


def _record(ref: RecordRef) -> str:
    return f"audit record {ref.seq}, `{ref.record_hash}`"


def to_markdown(doc: TermSheetDocument) -> str:
    """The term sheet as Markdown."""
    out: list[str] = [f"# {md(doc.title)}", ""]
    if doc.context:
        out += [f"> {md(doc.context)}", ""]
    out += ["## Parties", ""]
    for party in doc.parties:
        status = "signatory" if party.signed else "did not sign: not bound by these terms"
        out.append(f"- **{md(party.name)}** ({code(party.id)}): {md(party.core_business)}. *{status}*")
    o = doc.outcome
    accepted = join_names([md(p.name) for p in doc.parties if p.id in o.accepted_by])
    out += [
        "",
        "## Agreement",
        "",
        f"Agreement on {md(o.proposer_name)}'s proposal of {turn_label(o.proposal_turn, o.proposal_round)}, "
        f"accepted by {accepted}; concluded at turn {o.final_turn + 1} after {o.rounds} round(s) "
        f"and {o.proposals} proposal(s).",
        "",
        "## Terms",
        "",
    ]
    for n, clause in enumerate(doc.clauses, 1):
        origin = clause.origin
        out += [
            f"### {n}. {md(clause.heading)}",
            "",
            md(clause.text),
            "",
            f"- Agreed value: **{md(clause.value_text)}** ({code(value_key(clause.value))})",
            f"- Set by {md(origin.party_name)} at {turn_label(origin.turn, origin.round)} ({_record(origin)}); "
            "unchanged in every proposal since.",
            f"- Rationale: {md(origin.rationale) or NO_RATIONALE}",
            f"- Redline: {len(clause.history)} change(s); see Schedule A, clause {n}.",
            "",
        ]
    out += ["## Schedule A: redline", "", "How each term moved from proposal to proposal (struck: replaced).", ""]
    for n, clause in enumerate(doc.clauses, 1):
        out += [
            f"### {n}. {md(clause.heading)}",
            "",
            "| turn | round | party | change | audit record |",
            "| ---: | ---: | --- | --- | --- |",
        ]
        for rev in clause.history:
            new = f"**{md(rev.value_text)}**"
            change = new if rev.previous_text is None else f"~~{md(rev.previous_text)}~~ → {new}"
            out.append(
                f"| {rev.turn + 1} | {rev.round + 1} | {md(rev.party_name)} | {change} | "
                f"{rev.seq} `{rev.record_hash[:12]}` |"
            )
        out.append("")
    out += [
        "## Record",
        "",
        f"- Negotiation: {code(doc.negotiation_id)}",
        f"- Scenario: {code(doc.scenario_id)}, SHA-256 `{doc.scenario_sha256}`",
        f"- Code version: {md(doc.code_version)}" + (f", SHA-256 `{doc.code_sha256}`" if doc.code_sha256 else ""),
    ]
    if doc.transcript_last_hash:
        out.append(f"- Transcript last hash: `{doc.transcript_last_hash}`")
    if doc.sealed_at:
        out.append(f"- Last record written: {doc.sealed_at}")
    out.append("")
    return "\n".join(out)


__all__ = ["NO_RATIONALE", "md", "to_markdown"]
