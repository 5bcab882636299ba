"""Term sheets without running a negotiation: an invented scenario (no shipped id or word in it), and
a transcript built in memory from a list of proposals, with real record hashes."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import yaml

from evals.audit import ZERO_HASH, AuditRecord, AuditWriter, record_hash
from evals.identity import OPERATOR, KeyPair, record_message
from evals.transcript import TranscriptRun
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario

SIGNER = KeyPair.generate(OPERATOR)

INVENTED = """
id: blade_sensing
title: "Instrumented rotor blades: Acme Rotor Works, Birch Sensor Systems and the Cedar Institute"
context: Acme builds rotor blades; Birch makes strain sensors; Cedar researches composites.
issues:
  - id: results_owner
    kind: categorical
    name: Ownership of the results
    options: [acme_owns, shared, each_in_own_field, whoever_invents]
    clause:
      kind: ip_ownership
      options:
        acme_owns: {owner: acme}
        shared: {owner: joint}
        each_in_own_field: {owner: by_field}
        whoever_invents: {owner: inventor}
  - id: user_rights
    kind: categorical
    name: Rights of the other parties
    options: [no_rights, paid_rights, free_rights, sole_rights]
    clause:
      kind: licence
      options:
        no_rights: {scope: none}
        paid_rights: {scope: nonexclusive_royalty_bearing}
        free_rights: {scope: nonexclusive_royalty_free, limited_to: the blade programme}
        sole_rights: {scope: exclusive_in_field}
  - id: sales_scope
    kind: categorical
    name: Where Birch may sell
    options: [narrow, wide, open]
    clause:
      kind: commercialisation
      holders: [birch]
      customer: acme
      options:
        narrow: {scope: customer_field_only}
        wide: {scope: outside_customer_field}
        open: {scope: any_field}
  - id: lockout_period
    kind: numeric
    name: Lock-out period
    minimum: 0
    maximum: 24
    step: 6
    integer: true
    unit: months
    clause: {kind: exclusivity, grantors: [birch], beneficiary: acme}
  - id: fee_percent
    kind: numeric
    name: Running fee
    minimum: 0
    maximum: 6
    step: 1
    integer: true
    unit: "%"
    clause: {kind: royalty, payer: acme, payees: [birch, cedar], base: the price of each blade that carries the sensors}
  - id: signing_fee
    kind: numeric
    name: Signing fee
    minimum: 0
    maximum: 200
    step: 50
    integer: true
    unit: kEUR
    clause: {kind: payment, payer: acme, payees: [cedar]}
  - id: budget_share
    kind: numeric
    name: Budget borne by Acme
    minimum: 0
    maximum: 100
    step: 25
    integer: true
    unit: "%"
    clause: {kind: cost_share, bearer: acme}
  - id: liability
    kind: categorical
    name: Liability
    options: [sensor_maker_bears, by_gain, capped]
    clause:
      kind: risk_allocation
      options:
        sensor_maker_bears: {shares: {birch: 1.0}}
        by_gain: {shares: benefit}
        capped: {shares: {acme: 0.5, birch: 0.5}, cap: twice the annual fees}
  - id: blade_variant
    kind: categorical
    name: Blade variant
    options: [custom_blade, modular_blade]
    clause:
      kind: benefit
      options:
        custom_blade: {shares: {acme: 0.7, birch: 0.2, cedar: 0.1}}
        modular_blade: {shares: {acme: 0.4, birch: 0.4, cedar: 0.2}}
  - id: load_data_sharing
    kind: categorical
    name: Load data
    options: [withheld, confidential, open_data]
    clause:
      kind: disclosure
      discloser: acme
      subject: the blade load measurements
      options:
        withheld: {level: none}
        confidential: {level: under_nda}
        open_data: {level: full}
  - id: paper_delay
    kind: numeric
    name: Paper delay
    minimum: 0
    maximum: 12
    step: 3
    integer: true
    unit: months
    clause: {kind: publication, publisher: cedar}
  - id: escalation
    kind: categorical
    name: Escalation route
    options: [straight_to_tribunal, two_steps, whole_route]
    clause:
      kind: dispute_resolution
      options:
        straight_to_tribunal: {tiers: [tribunal]}
        two_steps: {tiers: [board, tribunal]}
        whole_route: {tiers: [engineers, board, tribunal]}
  - id: test_site
    kind: categorical
    name: Test site
    options: [north_coast, south_coast]
    clause: {kind: other}
  - id: handover_weeks
    kind: numeric
    name: Handover time
    minimum: 2
    maximum: 8
    step: 2
    integer: true
    unit: weeks
parties:
  - id: acme
    name: Acme Rotor Works
    core_business: rotor blades for wind turbines
    fields: [rotor_blades]
    private: &profile
      weights: {results_owner: 1, user_rights: 1, sales_scope: 1, lockout_period: 1, fee_percent: 1, signing_fee: 1,
                budget_share: 1, liability: 1, blade_variant: 1, load_data_sharing: 1, paper_delay: 1, escalation: 1,
                test_site: 1, handover_weeks: 1}
      values:
        results_owner: {acme_owns: 1, shared: 0.5, each_in_own_field: 0.7, whoever_invents: 0.2}
        user_rights: {no_rights: 0, paid_rights: 0.3, free_rights: 1, sole_rights: 0.5}
        sales_scope: {narrow: 1, wide: 0.6, open: 0}
        lockout_period: {linear: up}
        fee_percent: {linear: down}
        signing_fee: {linear: down}
        budget_share: {linear: down}
        liability: {sensor_maker_bears: 1, by_gain: 0.5, capped: 0}
        blade_variant: {custom_blade: 1, modular_blade: 0.4}
        load_data_sharing: {withheld: 1, confidential: 0.7, open_data: 0}
        paper_delay: {linear: up}
        escalation: {straight_to_tribunal: 0, two_steps: 0.5, whole_route: 1}
        test_site: {north_coast: 1, south_coast: 0}
        handover_weeks: {linear: down}
      reservation_value: 0.1
  - id: birch
    name: Birch Sensor Systems
    core_business: strain and vibration sensors
    fields: [structural_sensing]
    private: *profile
  - id: cedar
    name: Cedar Institute of Technology
    core_business: composites research
    fields: [composites_research]
    private: *profile
protocol:
  max_rounds: 10
dispute_ladder:
  - id: engineers
    name: Engineering leads
    description: The engineering leads meet within a week.
  - id: board
    name: Steering board
    kind: executive
    description: One executive per party decides.
  - id: tribunal
    name: Arbitral tribunal
    kind: arbitration
    description: Binding arbitration on the open terms only.
"""

TS = "2026-12-01T10:{minute:02d}:{second:02d}.250000Z"


def invented(edit: dict[str, Any] | None = None) -> Scenario:
    """The invented scenario; `edit` maps issue ids to keys to set on the issue's clause (e.g. wording)."""
    data = yaml.safe_load(INVENTED)
    for issue in data["issues"]:
        for key, value in (edit or {}).get(issue["id"], {}).items():
            target = issue["clause"]
            *path, last = key.split(".")
            for step in path:
                target = target[step]
            target[last] = value
    return Scenario.model_validate(data)


def synthetic_run(
    scenario: Scenario,
    proposals: list[tuple[str, dict[str, IssueValue], str]],
    *,
    accepted_by: list[str] | None = None,
    reasons: dict[int, dict[str, str]] | None = None,
) -> TranscriptRun:
    """A run whose moves are `proposals` ((party, terms, rationale), one per turn, a minute apart), the last
    accepted by every other party (or `accepted_by`); `reasons[n]` are per-issue reasons on proposal n."""
    records: list[AuditRecord] = []

    def add(kind: str, actor: str, data: dict[str, Any]) -> None:
        seq = len(records)
        body = {
            "seq": seq,
            "ts": TS.format(minute=seq, second=seq % 60),
            "kind": kind,
            "actor": actor,
            "data": data,
            "key": None,
            "prev_hash": records[-1].hash if records else ZERO_HASH,
        }
        digest = record_hash(body)
        sig = {"by": OPERATOR, "key": SIGNER.public_key, "ed25519": SIGNER.sign(record_message(digest))}
        records.append(AuditRecord.model_validate({**body, "hash": digest, "sig": sig}))

    add(
        "run_start",
        "operator",
        {
            "negotiation_id": "synthetic",
            "scenario": scenario.model_dump(mode="json"),
            "scenario_sha256": scenario.sha256(),
            "seed": 0,
            "agents": {},
            "code": {"version": "test"},
        },
    )
    moves = []
    parties = scenario.party_ids
    signers = accepted_by or parties
    for turn, (party, terms, rationale) in enumerate(proposals):
        move: dict[str, Any] = {
            "turn": turn,
            "round": turn // len(parties),
            "party": party,
            "kind": "propose",
            "terms": terms,
            "message": "",
            "rationale": rationale,
            "reason": "",
        }
        if reasons and turn in reasons:
            move["reasons"] = reasons[turn]
        moves.append(move)
        add("move", party, {"move": move, "table": {}})
    last_party, last_terms, _ = proposals[-1]
    for party in signers:
        if party != last_party:
            turn = len(moves)
            accept = {
                "turn": turn,
                "round": turn // len(parties),
                "party": party,
                "kind": "accept",
                "terms": None,
                "message": "",
                "rationale": "",
                "reason": "",
            }
            moves.append(accept)
            add("move", party, {"move": accept, "table": {}})
    table = {
        "status": "agreement",
        "ended_by": "every party accepted",
        "proposal": last_terms,
        "proposer": last_party,
        "accepted_by": signers,
        "round": moves[-1]["round"],
    }
    return TranscriptRun(
        negotiation_id="synthetic",
        scenario=scenario,
        seed=0,
        agents={},
        code={"version": "test"},
        records=records,
        moves=moves,  # type: ignore[arg-type]
        table=table,  # type: ignore[arg-type]
    )


def first_terms(scenario: Scenario) -> dict[str, IssueValue]:
    return {i.id: i.values()[0] for i in scenario.issues}


# -- reading a .docx back (zip + ElementTree, no python-docx) ------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(element: Any, tag: str) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}{tag}"))


def accepted_text(paragraph: Any) -> str:
    """The paragraph with every tracked change accepted: inserted text kept, deleted text dropped."""
    return _text(paragraph, "t")


def original_text(paragraph: Any) -> str:
    """The paragraph with every tracked change rejected: deleted text kept, inserted text dropped."""

    def walk(element: Any, inside_ins: bool) -> str:
        out = ""
        for child in element:
            if child.tag == f"{W}ins":
                out += walk(child, True)
            elif child.tag in (f"{W}t", f"{W}delText") and not inside_ins:
                out += child.text or ""
            else:
                out += walk(child, inside_ins)
        return out

    return walk(paragraph, False)


def read_docx(data: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """({heading text: the paragraph after it}, {comment id: comment element}) of a .docx file."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    body = ET.fromstring(archive.read("word/document.xml")).find(f"{W}body")
    assert body is not None
    paragraphs = list(body.iter(f"{W}p"))
    after_heading: dict[str, Any] = {}
    for first, second in itertools.pairwise(paragraphs):
        style = first.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val", "").startswith("Heading"):
            after_heading[_text(first, "t")] = second
    comments = ET.fromstring(archive.read("word/comments.xml"))
    return after_heading, {c.get(f"{W}id"): c for c in comments.iter(f"{W}comment")}


def word_date(ts: str) -> str:
    return ts.split(".")[0].rstrip("Z") + "Z"


def write_transcript(run: TranscriptRun, path: Path) -> Path:
    """`run` as a sealed transcript file (new timestamps and hashes), the agreed table on its last move."""
    moves = [n for n, r in enumerate(run.records) if r.kind == "move"]
    with AuditWriter(path) as writer:
        for n, record in enumerate(run.records):
            data = dict(record.data, table=run.table) if n == moves[-1] else record.data
            writer.append(record.kind, record.actor, data)
        writer.seal()
    return path
