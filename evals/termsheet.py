"""The deal on paper: the agreed term sheet of a run, drafted from its audit transcript.

`draft_term_sheet` turns a `TranscriptRun` that ended in agreement into a `TermSheetDocument`:
one clause per agreed issue, written in plain contract language, each traced to the proposal
that set its final value, with the redline of how the term moved from proposal to proposal.
`to_markdown` and `to_html` render it (the HTML is self-contained and escapes everything that
comes from the scenario or the moves).

The chain of proposals is every `propose` move of the run, in turn order, up to the one the
parties agreed to (the last proposal: any later one would have replaced it on the table). A
reject empties the table but does not erase the drafting history, so the chain runs across it.
For each issue:
- `history` (the redline) holds the proposals whose value differs from the previous proposal's
  (the first proposal always counts, as the first draft);
- `origin` is the last entry of the history: tracing back from the agreement, the proposal that
  first put the final value on the table with no different value proposed since.

Turns and rounds are stored 0-based, as in the table's `MoveRecord`; the rendered documents
show them 1-based, as `pactlab audit show` does.

Clause language comes from templates keyed by issue id (and, where the shipped scenarios give
the same issue id a different meaning, by scenario and issue id). A template that does not know
the value, or needs a party role the scenario lacks, falls back to the generic clause
"<Issue name>: <value><unit>." followed by the issue's description, so any scenario renders.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from evals.transcript import TranscriptError, TranscriptRun
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.scenario import Party, Scenario
from pactlab.domain.table import MEDIATOR, MoveRecord
from pactlab.errors import BadInput

AnyIssue = CategoricalIssue | NumericIssue | BooleanIssue


class NoAgreement(BadInput, ValueError):
    """The transcript's negotiation did not end in an agreement, so there is no term sheet to draft."""

    def __init__(self, outcome: str, ended_by: str | None = None, negotiation_id: str | None = None) -> None:
        what = f"negotiation {negotiation_id!r}" if negotiation_id else "the negotiation"
        if outcome == "open":
            message = f"no term sheet: {what} has no outcome yet (the transcript ends before the negotiation did)"
        else:
            message = f"no term sheet: {what} ended in {outcome.replace('_', '-')}, not in an agreement"
        if ended_by:
            message += f" ({ended_by})"
        super().__init__(message)
        self.outcome = outcome
        self.ended_by = ended_by


# -- the document ------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermSheetParty(_Model):
    id: str
    name: str
    core_business: str
    signed: bool = Field(description="Whether the party accepted the agreed terms (is bound by them).")


class Origin(_Model):
    """The proposal that set a clause's final value."""

    turn: int = Field(description="0-based turn, as in the move record.")
    round: int = Field(description="0-based round, as in the move record.")
    party: str
    party_name: str
    rationale: str
    message: str


class Revision(_Model):
    """One step of the redline: a proposal that changed the term's value."""

    turn: int
    round: int
    party: str
    party_name: str
    value: IssueValue | None = Field(description="The value proposed (None: the proposal left the issue out).")
    value_text: str
    previous: IssueValue | None = Field(default=None, description="The value it replaced; None for the first draft.")
    previous_text: str | None = None


class Clause(_Model):
    issue_id: str
    heading: str
    value: IssueValue
    value_text: str = Field(description="The value as people read it, e.g. '24 months' or 'split by field'.")
    text: str = Field(description="The clause in plain contract language.")
    description: str = Field(default="", description="The issue's description in the scenario.")
    origin: Origin
    history: list[Revision] = Field(description="Every proposal that changed this term, in order (the redline).")


class Outcome(_Model):
    status: str
    ended_by: str | None
    proposer: str
    proposer_name: str
    proposal_turn: int = Field(description="0-based turn of the agreed proposal.")
    proposal_round: int
    accepted_by: list[str] = Field(description="Party ids that accepted (the proposer included), scenario order.")
    final_turn: int = Field(description="0-based turn of the move that concluded the agreement.")
    rounds: int = Field(description="Rounds used (1-based count).")
    proposals: int = Field(description="Number of proposals in the chain that led to the agreement.")


class TermSheetDocument(_Model):
    title: str
    scenario_id: str
    scenario_title: str
    context: str
    negotiation_id: str
    parties: list[TermSheetParty]
    clauses: list[Clause]
    outcome: Outcome
    scenario_sha256: str
    code_version: str
    code_sha256: str | None = None
    transcript_last_hash: str | None = None
    sealed_at: str | None = Field(default=None, description="UTC timestamp of the transcript's last record.")


# -- drafting ----------------------------------------------------------------------------------


def draft_term_sheet(run: TranscriptRun) -> TermSheetDocument:
    """The agreed deal of `run` as a term sheet; raises `NoAgreement` if the run did not end in one."""
    table = run.table
    if table is None:
        raise NoAgreement("open", "no move was made", run.negotiation_id)
    if table["status"] != "agreement":
        raise NoAgreement(table["status"], table["ended_by"], run.negotiation_id)
    agreed = table["proposal"]
    proposer = table["proposer"]
    if agreed is None or proposer is None:
        raise TranscriptError("the transcript records an agreement but no proposal on the table")
    chain = [m for m in run.moves if m["kind"] == "propose" and m["terms"] is not None]
    if not chain or chain[-1]["party"] != proposer or not _same_terms(chain[-1]["terms"] or {}, agreed):
        raise TranscriptError(
            "the agreed terms on the table are not the last proposal in the transcript; the record is inconsistent"
        )
    scenario = run.scenario
    accepted = set(table["accepted_by"])
    ctx = _Context(scenario, tuple(p for p in scenario.parties if p.id in accepted))
    issues: dict[str, AnyIssue] = {i.id: i for i in scenario.issues}
    order = [i for i in scenario.issue_ids if i in agreed] + [k for k in agreed if k not in issues]
    clauses = [_clause(ctx, issues.get(issue_id), issue_id, agreed[issue_id], chain) for issue_id in order]
    last = chain[-1]
    start = run.records[0].data if run.records else {}
    outcome = Outcome(
        status=table["status"],
        ended_by=table["ended_by"],
        proposer=proposer,
        proposer_name=ctx.name(proposer),
        proposal_turn=last["turn"],
        proposal_round=last["round"],
        accepted_by=[p.id for p in scenario.parties if p.id in accepted],
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


def _same(a: IssueValue | None, b: IssueValue | None) -> bool:
    if a is None or b is None:
        return a is b
    return isinstance(a, bool) == isinstance(b, bool) and value_key(a) == value_key(b)


def _same_terms(a: dict[str, IssueValue], b: dict[str, IssueValue]) -> bool:
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)


def _clause(
    ctx: _Context, issue: AnyIssue | None, issue_id: str, value: IssueValue, chain: Sequence[MoveRecord]
) -> Clause:
    history: list[Revision] = []
    previous: IssueValue | None = None
    for n, move in enumerate(chain):
        current = (move["terms"] or {}).get(issue_id)
        if n == 0 or not _same(current, previous):
            history.append(
                Revision(
                    turn=move["turn"],
                    round=move["round"],
                    party=move["party"],
                    party_name=ctx.name(move["party"]),
                    value=current,
                    value_text=_value_text(ctx, issue, current),
                    previous=previous,
                    previous_text=None if n == 0 else _value_text(ctx, issue, previous),
                )
            )
        previous = current
    setter = history[-1]  # the chain ends with the agreed proposal, whose value is `value`
    move = next(m for m in chain if m["turn"] == setter.turn)
    origin = Origin(
        turn=move["turn"],
        round=move["round"],
        party=move["party"],
        party_name=ctx.name(move["party"]),
        rationale=move["rationale"],
        message=move["message"],
    )
    heading = issue.label if issue is not None else issue_id.replace("_", " ")
    return Clause(
        issue_id=issue_id,
        heading=heading,
        value=value,
        value_text=_value_text(ctx, issue, value),
        text=_clause_text(ctx, issue, issue_id, value),
        description=issue.description if issue is not None else "",
        origin=origin,
        history=history,
    )


# -- values and names --------------------------------------------------------------------------


def _number(x: float | int) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _with_unit(x: float | int, unit: str) -> str:
    if not unit:
        return _number(x)
    return f"{_number(x)}{unit}" if unit == "%" else f"{_number(x)} {unit}"


def _value_text(ctx: _Context, issue: AnyIssue | None, value: IssueValue | None) -> str:
    """A value as people read it: '24 months', '10%', 'split by field', a party's name, 'yes'."""
    if value is None:
        return "(not proposed)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _with_unit(value, issue.unit if isinstance(issue, NumericIssue) else "")
    if value in ctx.by_id:
        return ctx.by_id[value].name
    return value.replace("_", " ")


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class _Context:
    """The scenario and the parties bound by the agreement, with the roles clause templates use."""

    scenario: Scenario
    signatories: tuple[Party, ...]

    @property
    def by_id(self) -> dict[str, Party]:
        return {p.id: p for p in self.scenario.parties}

    def name(self, party_id: str) -> str:
        party = self.by_id.get(party_id)
        if party is None:
            return "the mediator" if party_id == MEDIATOR else party_id
        return party.name

    @property
    def platform(self) -> Party | None:
        """The lead partner: the party with id 'platform', as in the shipped scenarios."""
        return self.by_id.get("platform")

    @property
    def suppliers(self) -> list[Party]:
        """The signatories that develop and supply for the lead partner (ids naming a supplier role)."""
        others = [p for p in self.signatories if self.platform is None or p.id != self.platform.id]
        named = [p for p in others if re.search(r"supplier|vendor|maker", p.id)]
        return named or [p for p in others if not re.search(r"lab|university", p.id)]

    @property
    def labs(self) -> list[Party]:
        return [p for p in self.signatories if re.search(r"lab|university", p.id)]

    def others(self, party: Party) -> list[Party]:
        return [p for p in self.signatories if p.id != party.id]


def _names(parties: Sequence[Party]) -> str:
    return _join([p.name for p in parties])


def _verb(parties: Sequence[Party], singular: str, plural: str) -> str:
    return singular if len(parties) == 1 else plural


# -- clause templates --------------------------------------------------------------------------

Template = Callable[[_Context, IssueValue], str | None]
"""A clause in plain contract language for one value, or None to use the generic clause."""


def _foreground_ip(ctx: _Context, value: IssueValue) -> str | None:
    subject = "Foreground IP (all intellectual property created under this agreement)"
    if value == "joint":
        return f"{subject} is owned jointly by {_names(ctx.signatories)}."
    if value == "split_by_field":
        fields = "; ".join(f"{p.name} in {p.core_business}" for p in ctx.signatories)
        return f"{subject} is owned by each party in the field of its core business: {fields}."
    if value == "inventing_party":
        return f"{subject} is owned by the party whose staff made the invention."
    if isinstance(value, str) and value in ctx.by_id:
        return f"{subject} is owned by {ctx.name(value)}."
    return None


def _licence_to_non_owner(ctx: _Context, value: IssueValue) -> str | None:
    subject = "A party that does not own a piece of foreground IP"
    texts = {
        "none": f"{subject} receives no licence to it.",
        "nonexclusive_royalty_free": f"{subject} receives a broad, non-exclusive, royalty-free licence to use it.",
        "nonexclusive_royalty_bearing": f"{subject} receives a non-exclusive licence to use it, against a royalty.",
        "exclusive_in_field": f"{subject} receives an exclusive licence to use it in the field of its core business.",
    }
    return texts.get(str(value))


def _background_ip_licence(ctx: _Context, value: IssueValue) -> str | None:
    texts = {
        "none": "Each party keeps its background IP; no licence to it is granted under this agreement.",
        "technology_specific": (
            "Each party grants the other parties a licence to its background IP limited to the technology "
            "developed under this agreement, for the purposes of this agreement."
        ),
        "broad_nonexclusive": (
            "Each party grants the other parties a broad, non-exclusive licence to the background IP it brings in."
        ),
    }
    return texts.get(str(value))


def _commercialisation_rights(ctx: _Context, value: IssueValue) -> str | None:
    lead, sellers = ctx.platform, ctx.suppliers
    if lead is None or not sellers:
        return None
    who, may = _names(sellers), _verb(sellers, "may", "may each")
    field = f"{lead.name}'s field ({lead.core_business})"
    texts = {
        "platform_field_only": f"{who} {may} sell what {_verb(sellers, 'it develops', 'they develop')} under "
        f"this agreement only within {field}.",
        "outside_platform_field": f"{who} {may} sell what {_verb(sellers, 'it develops', 'they develop')} under "
        f"this agreement to customers outside {field}.",
        "any_field": f"{who} {may} sell what {_verb(sellers, 'it develops', 'they develop')} under this agreement "
        "in any field, subject to the exclusivity period.",
    }
    return texts.get(str(value))


def _exclusivity_months(ctx: _Context, value: IssueValue) -> str | None:
    lead, sellers = ctx.platform, ctx.suppliers
    if lead is None or not sellers or isinstance(value, (bool, str)):
        return None
    who = _names(sellers)
    if value == 0:
        return (
            f"There is no exclusivity period: {who} {_verb(sellers, 'is', 'are')} free to sell the results "
            "of this agreement to other car makers from launch."
        )
    return (
        f"For {_with_unit(value, 'months')} after {lead.name}'s launch, {who} "
        f"{_verb(sellers, 'sells', 'sell')} the results of this agreement to no other car maker."
    )


def _rnd_cost_share(ctx: _Context, value: IssueValue) -> str | None:
    lead = ctx.platform
    if lead is None or isinstance(value, (bool, str)):
        return None
    rest = ctx.others(lead)
    share, remainder = _with_unit(value, "%"), _with_unit(100 - value, "%")
    if not rest or value >= 100:
        return f"{lead.name} bears the whole ({share}) of the research and development budget."
    if value <= 0:
        bear = _verb(rest, "bears", "bear")
        return f"{_names(rest)} {bear} the whole research and development budget; {lead.name} bears none of it."
    pro_rata = " pro rata" if len(rest) > 1 else ""
    return (
        f"{lead.name} bears {share} of the research and development budget; "
        f"{_names(rest)} {_verb(rest, 'bears', 'bear')} the remaining {remainder}{pro_rata}."
    )


def _risk_share(ctx: _Context, value: IssueValue) -> str | None:
    sellers = ctx.suppliers
    if not sellers:
        return None
    who = _names(sellers)
    what = _verb(sellers, "what it delivers", "what each delivers")
    if value in ("vendor_uncapped", "suppliers_uncapped"):
        carries = _verb(sellers, "carries", "carry")
        return f"{who} {carries} the costs of field failures and recalls of {what}, without a cap."
    if value == "proportional_to_benefit":
        return (
            "The costs of field failures and recalls are shared between the parties in proportion to the "
            "benefit each captures from the results of this agreement."
        )
    if value in ("vendor_capped_at_fees", "capped_at_fees"):
        return (
            f"{who} {_verb(sellers, 'carries', 'carry')} the costs of field failures and recalls of {what}, "
            f"up to a cap equal to the fees {_verb(sellers, 'it receives', 'each receives')} under this agreement."
        )
    return None


def _supply_chain(ctx: _Context, value: IssueValue) -> str | None:
    lead, sellers = ctx.platform, ctx.suppliers
    if lead is None or not sellers:
        return None
    who, carries = _names(sellers), _verb(sellers, "carries", "carry")
    texts = {
        "platform_integrates": f"{lead.name} integrates vertically: it sources the critical components and carries "
        "the supply of the product itself.",
        "vendor_with_second_source": f"{who} {carries} the supply of the product and "
        f"{_verb(sellers, 'qualifies and maintains', 'qualify and maintain')} a second source for its critical "
        "components.",
        "vendor_sole_source": f"{who} {carries} the supply of the product as sole source.",
    }
    return texts.get(str(value))


def _platform_design(ctx: _Context, value: IssueValue) -> str | None:
    lead, sellers = ctx.platform, ctx.suppliers
    if lead is None or not sellers:
        return None
    who, develops = _names(sellers), _verb(sellers, "develops", "develop")
    texts = {
        "single_spec_part": f"{who} {develops} a single-spec part for {lead.name}, not sold to other customers.",
        "configurable_outside_platform_field": f"{who} {develops} a configurable platform, which "
        f"{_verb(sellers, 'it', 'they')} may also sell to customers outside {lead.name}'s field "
        f"({lead.core_business}).",
        "open_configurable_platform": f"{who} {develops} an open configurable platform, which "
        f"{_verb(sellers, 'it', 'they')} may sell to any customer, subject to the exclusivity period.",
    }
    return texts.get(str(value))


def _use_case_disclosure(ctx: _Context, value: IssueValue) -> str | None:
    lead = ctx.platform
    if lead is None:
        return None
    rest = _names(ctx.others(lead)) or "the other parties"
    texts = {
        "none": f"{lead.name} is not required to disclose its use case (the application, loads and volumes).",
        "under_nda": f"{lead.name} discloses its use case (the application, loads and volumes) to {rest} under a "
        "non-disclosure agreement.",
        "full": f"{lead.name} discloses its use case (the application, loads and volumes) to {rest} in full, "
        "without confidentiality restrictions.",
    }
    return texts.get(str(value))


def _dispute_resolution(ctx: _Context, value: IssueValue) -> str | None:
    if value == "direct_arbitration":
        return "Any dispute under this agreement is referred directly to binding arbitration."
    if value == "executive_then_arbitration":
        return (
            "Any dispute under this agreement is first referred to the parties' executives; "
            "if they do not settle it, it is referred to binding arbitration."
        )
    if value == "full_ladder":
        ladder = ctx.scenario.dispute_ladder
        tiers = (
            "; ".join(
                f"({n}) {t.name}" + (f": {t.description.rstrip('.')}" if t.description else "")
                for n, t in enumerate(ladder, 1)
            )
            if ladder
            else "(1) working level; (2) executives; (3) mediation; (4) arbitration"
        )
        return (
            "Disputes are settled at the level where they arise and escalate only tier by tier: "
            f"{tiers.rstrip('.')}. Work under this agreement continues while a dispute is being resolved."
        )
    return None


def _publication_embargo(ctx: _Context, value: IssueValue) -> str | None:
    if isinstance(value, (bool, str)):
        return None
    labs = ctx.labs
    who = _names(labs) if labs else "A party"
    if value == 0:
        return f"{who} may publish a result as soon as it has been disclosed to the other parties."
    return (
        f"{who} may publish a result {_with_unit(value, 'months')} after disclosing it to the other parties, "
        "not earlier; the delay serves patent filing and is never extended indefinitely."
    )


def _royalty_vendor_pays(ctx: _Context, value: IssueValue) -> str | None:
    lead, sellers = ctx.platform, ctx.suppliers
    if lead is None or not sellers or isinstance(value, (bool, str)):
        return None
    who = _names(sellers)
    if value == 0:
        return f"{who} {_verb(sellers, 'pays', 'pay')} {lead.name} no royalty on sales to other customers."
    return (
        f"{who} {_verb(sellers, 'pays', 'pay')} {lead.name} a royalty of {_with_unit(value, '%')} of the sales "
        f"price of every unit sold to customers other than {lead.name}."
    )


def _royalty_platform_pays(ctx: _Context, value: IssueValue) -> str | None:
    lead = ctx.platform
    if lead is None or isinstance(value, (bool, str)):
        return None
    payees = ctx.others(lead)
    if not payees:
        return None
    who = _names(payees)
    if value == 0:
        return f"{lead.name} pays {who} no royalty on the parts that use the results of this agreement."
    each = "each of " if len(payees) > 1 else ""
    return (
        f"{lead.name} pays {each}{who} a royalty of {_with_unit(value, '%')} of the part price of every part "
        "that uses the results of this agreement."
    )


TEMPLATES: dict[str, Template] = {
    "foreground_ip": _foreground_ip,
    "licence_to_non_owner": _licence_to_non_owner,
    "background_ip_licence": _background_ip_licence,
    "commercialisation_rights": _commercialisation_rights,
    "exclusivity_months": _exclusivity_months,
    "rnd_cost_share_platform": _rnd_cost_share,
    "risk_share": _risk_share,
    "supply_chain": _supply_chain,
    "platform_design": _platform_design,
    "use_case_disclosure": _use_case_disclosure,
    "dispute_resolution": _dispute_resolution,
    "publication_embargo_months": _publication_embargo,
    "royalty_rate": _royalty_platform_pays,
    # the boost converter's royalty runs the other way: the vendor pays on third-party sales
    "boost_converter.royalty_rate": _royalty_vendor_pays,
}
"""Clause templates keyed by issue id, or by 'scenario_id.issue_id' where a scenario means something else."""


def _clause_text(ctx: _Context, issue: AnyIssue | None, issue_id: str, value: IssueValue) -> str:
    template = TEMPLATES.get(f"{ctx.scenario.id}.{issue_id}") or TEMPLATES.get(issue_id)
    text = template(ctx, value) if template is not None else None
    if text is not None:
        return text
    label = issue.label if issue is not None else issue_id.replace("_", " ")
    generic = f"{label[:1].upper()}{label[1:]}: {_value_text(ctx, issue, value)}."
    if issue is not None and issue.description:
        generic += f" {issue.description}"
    return generic


# -- Markdown ----------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text for Markdown: one line, no raw HTML, no table-breaking pipes, no accidental emphasis."""
    one_line = " ".join(text.split())
    return (
        one_line.replace("\\", "\\\\")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
        .replace("*", "\\*")
        .replace("`", "'")
    )


def _turn(turn: int, round_: int) -> str:
    return f"turn {turn + 1}, round {round_ + 1}"


def to_markdown(doc: TermSheetDocument) -> str:
    """The term sheet as Markdown: the terms first, then the redline schedule and the record."""
    out: list[str] = [f"# {_md(doc.title)}", ""]
    if doc.context:
        out += [f"> {_md(doc.context)}", ""]
    out += ["## Parties", ""]
    for party in doc.parties:
        status = "signatory" if party.signed else "did not sign: not bound by these terms"
        out.append(f"- **{_md(party.name)}** (`{party.id}`): {_md(party.core_business)}. *{status}*")
    o = doc.outcome
    accepted = _join([_md(p.name) for p in doc.parties if p.id in o.accepted_by])
    out += [
        "",
        "## Agreement",
        "",
        f"Agreement on {_md(o.proposer_name)}'s proposal of {_turn(o.proposal_turn, o.proposal_round)}, "
        f"accepted by {accepted}; concluded at turn {o.final_turn + 1} after {o.rounds} round(s) "
        f"and {o.proposals} proposal(s).",
        "",
        "## Terms",
        "",
    ]
    for n, clause in enumerate(doc.clauses, 1):
        origin = clause.origin
        out += [
            f"### {n}. {_md(clause.heading)}",
            "",
            _md(clause.text),
            "",
            f"- Agreed value: **{_md(clause.value_text)}** (`{value_key(clause.value)}`)",
            f"- Set by {_md(origin.party_name)} at {_turn(origin.turn, origin.round)}; "
            f"unchanged in every proposal since.",
            f"- Rationale: {_md(origin.rationale) or '(none given)'}",
            f"- Redline: {len(clause.history)} change(s); see Schedule A, clause {n}.",
            "",
        ]
    out += ["## Schedule A: redline", "", "How each term moved from proposal to proposal (struck: replaced).", ""]
    for n, clause in enumerate(doc.clauses, 1):
        out += [
            f"### {n}. {_md(clause.heading)}",
            "",
            "| turn | round | party | change |",
            "| ---: | ---: | --- | --- |",
        ]
        for rev in clause.history:
            new = f"**{_md(rev.value_text)}**"
            change = new if rev.previous_text is None else f"~~{_md(rev.previous_text)}~~ → {new}"
            out.append(f"| {rev.turn + 1} | {rev.round + 1} | {_md(rev.party_name)} | {change} |")
        out.append("")
    out += [
        "## Record",
        "",
        f"- Negotiation: `{doc.negotiation_id}`",
        f"- Scenario: `{doc.scenario_id}`, SHA-256 `{doc.scenario_sha256}`",
        f"- Code version: {_md(doc.code_version)}" + (f", SHA-256 `{doc.code_sha256}`" if doc.code_sha256 else ""),
    ]
    if doc.transcript_last_hash:
        out.append(f"- Transcript last hash: `{doc.transcript_last_hash}`")
    if doc.sealed_at:
        out.append(f"- Last record written: {doc.sealed_at}")
    out.append("")
    return "\n".join(out)


# -- HTML --------------------------------------------------------------------------------------

_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d1d1d; line-height: 1.5; }
h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #bbb; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.context { color: #444; font-style: italic; }
.clause { margin-bottom: 1.4rem; }
.clause p.text { margin: .3rem 0; }
.trace { font-size: .9rem; color: #444; margin: .2rem 0 0 0; }
.trace dt { font-weight: bold; float: left; clear: left; width: 7.5rem; }
.trace dd { margin-left: 8rem; }
.value { font-weight: bold; }
code { font-family: Menlo, Consolas, monospace; font-size: .85em; background: #f3f3f3; padding: 0 .2em; }
details { font-size: .9rem; margin-top: .3rem; }
ol.redline { padding-left: 1.4rem; }
ol.redline .who { color: #555; }
del { color: #a40000; background: #fbe9e9; }
ins { color: #0b6b0b; background: #e7f6e7; text-decoration: none; border-bottom: 1px solid #0b6b0b; }
.unsigned { color: #a40000; }
table.record td { padding: .1rem .6rem .1rem 0; vertical-align: top; word-break: break-all; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(doc: TermSheetDocument) -> str:
    """The term sheet as one self-contained HTML page, with a redline (del/ins) per clause."""
    o = doc.outcome
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(doc.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(doc.title)}</h1>",
    ]
    if doc.context:
        parts.append(f'<p class="context">{_e(doc.context)}</p>')
    parts += ["<h2>Parties</h2>", "<ul>"]
    for party in doc.parties:
        status = "signatory" if party.signed else '<span class="unsigned">did not sign: not bound by these terms</span>'
        parts.append(
            f"<li><strong>{_e(party.name)}</strong> (<code>{_e(party.id)}</code>): "
            f"{_e(party.core_business)}. <em>{status}</em></li>"
        )
    accepted = _join([_e(p.name) for p in doc.parties if p.id in o.accepted_by])
    parts += [
        "</ul>",
        "<h2>Agreement</h2>",
        f"<p>Agreement on {_e(o.proposer_name)}'s proposal of {_turn(o.proposal_turn, o.proposal_round)}, "
        f"accepted by {accepted}; concluded at turn {o.final_turn + 1} after {o.rounds} round(s) "
        f"and {o.proposals} proposal(s).</p>",
        "<h2>Terms</h2>",
    ]
    for n, clause in enumerate(doc.clauses, 1):
        origin = clause.origin
        parts += [
            f'<section class="clause" id="clause-{_e(clause.issue_id)}">',
            f"<h3>{n}. {_e(clause.heading)}</h3>",
            f'<p class="text">{_e(clause.text)}</p>',
            '<dl class="trace">',
            f'<dt>Agreed value</dt><dd><span class="value">{_e(clause.value_text)}</span> '
            f"(<code>{_e(value_key(clause.value))}</code>)</dd>",
            f"<dt>Set by</dt><dd>{_e(origin.party_name)} at {_turn(origin.turn, origin.round)}; "
            "unchanged in every proposal since</dd>",
            f"<dt>Rationale</dt><dd>{_e(origin.rationale) or '(none given)'}</dd>",
            "</dl>",
            f"<details><summary>Redline: {len(clause.history)} change(s)</summary>",
            '<ol class="redline">',
        ]
        for rev in clause.history:
            who = f'<span class="who">Turn {rev.turn + 1}, round {rev.round + 1}, {_e(rev.party_name)}:</span>'
            old = "" if rev.previous_text is None else f"<del>{_e(rev.previous_text)}</del> "
            parts.append(f"<li>{who} {old}<ins>{_e(rev.value_text)}</ins></li>")
        parts += ["</ol>", "</details>", "</section>"]
    record = [
        ("Negotiation", f"<code>{_e(doc.negotiation_id)}</code>"),
        ("Scenario", f"<code>{_e(doc.scenario_id)}</code>, SHA-256 <code>{_e(doc.scenario_sha256)}</code>"),
        (
            "Code version",
            _e(doc.code_version) + (f", SHA-256 <code>{_e(doc.code_sha256)}</code>" if doc.code_sha256 else ""),
        ),
    ]
    if doc.transcript_last_hash:
        record.append(("Transcript last hash", f"<code>{_e(doc.transcript_last_hash)}</code>"))
    if doc.sealed_at:
        record.append(("Last record written", _e(doc.sealed_at)))
    parts += ["<h2>Record</h2>", '<table class="record">']
    parts += [f"<tr><td>{label}</td><td>{cell}</td></tr>" for label, cell in record]
    parts += ["</table>", "</body>", "</html>", ""]
    return "\n".join(parts)
