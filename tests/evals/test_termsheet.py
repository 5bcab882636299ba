"""The term sheet drafted from real transcripts: every agreed term, traced and redlined, rendered safely.

The runs are made through the real CLI (in parallel, once per module) into a temporary directory.
The trace and the redline are checked against an oracle written here from the moves themselves.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from evals.audit import verify
from evals.termsheet import (
    Clause,
    IssueNames,
    NoAgreement,
    TermSheetDocument,
    draft_term_sheet,
    issue_rationale,
    to_docx,
    to_html,
    to_markdown,
)
from evals.termsheet.rationale import distinctive_options
from evals.transcript import TranscriptError, TranscriptRun, read_transcript
from pactlab.domain.catalog import shipped_scenarios
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.table import MEDIATOR, MoveRecord
from tests.evals.termsheet_helpers import W, accepted_text, original_text, read_docx, word_date

EVIL_NAME = "Nordvik <script>alert('x')</script> & \"Sons\" Mobility"
EVIL_ISSUE = "Platform <b>design</b> & <i>scope"

# id -> (scenario name or file written below, seed, expected outcome)
RUNS: dict[str, tuple[str, int, str]] = {
    "boost": ("boost_converter", 2, "agreement"),
    "material": ("platform_material", 0, "agreement"),
    "ecosystem": ("ecosystem", 0, "agreement"),  # quorum: the lab does not sign
    "evil": ("evil.yaml", 2, "agreement"),
    "impasse": ("one_round.yaml", 0, "impasse"),
}


def _write_variants(directory: Path) -> None:
    source = shipped_scenarios()["boost_converter"].read_text(encoding="utf-8")
    assert "    name: Nordvik Mobility\n" in source and "    name: Platform design\n" in source
    evil = source.replace("    name: Nordvik Mobility\n", f"    name: {json.dumps(EVIL_NAME)}\n").replace(
        "    name: Platform design\n", f"    name: {json.dumps(EVIL_ISSUE)}\n"
    )
    title = next(line for line in source.splitlines() if line.startswith("title:"))
    evil = evil.replace(title, 'title: "<script>document.title=1</script> converter & co"')
    (directory / "evil.yaml").write_text(evil, encoding="utf-8")
    assert "  max_rounds: 40\n" in source
    (directory / "one_round.yaml").write_text(source.replace("  max_rounds: 40\n", "  max_rounds: 1\n"), "utf-8")


@pytest.fixture(scope="module")
def transcripts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run every scenario through the CLI at once; check each ended as expected."""
    base = tmp_path_factory.mktemp("termsheet")
    _write_variants(base)
    procs = {}
    for run_id, (scenario, seed, _) in RUNS.items():
        target = str(base / scenario) if scenario.endswith(".yaml") else scenario
        procs[run_id] = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pactlab",
                "run",
                target,
                "--seed",
                str(seed),
                "--id",
                run_id,
                "--out",
                str(base),
                "-q",
                "--policies",
                "minimal",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    paths = {}
    for run_id, proc in procs.items():
        output, _ = proc.communicate(timeout=120)
        expected = RUNS[run_id][2]
        assert proc.returncode == (0 if expected == "agreement" else 3), output
        outcome = json.loads((base / run_id / "scorecard.json").read_text())["outcome"]
        assert outcome == expected, f"{run_id}: expected {expected}, got {outcome}; pick another seed"
        paths[run_id] = base / run_id / "transcript.jsonl"
    return paths


AGREED = ["boost", "material", "ecosystem", "evil"]


@pytest.fixture(scope="module")
def drafted(transcripts: dict[str, Path]) -> dict[str, tuple[TranscriptRun, TermSheetDocument]]:
    out = {}
    for run_id in AGREED:
        run = read_transcript(transcripts[run_id])
        out[run_id] = (run, draft_term_sheet(run))
    return out


def _same(a: IssueValue | None, b: IssueValue | None) -> bool:
    return a is not None and b is not None and value_key(a) == value_key(b)


def _chain(run: TranscriptRun) -> list[MoveRecord]:
    return [m for m in run.moves if m["kind"] == "propose"]


def _agreement(transcript: Path) -> dict[str, Any]:
    scorecard = json.loads((transcript.parent / "scorecard.json").read_text())
    agreement: dict[str, Any] = scorecard["agreement"]
    return agreement


# -- the terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize("run_id", AGREED)
def test_every_agreed_term_appears_exactly_once_with_its_value(
    run_id: str, transcripts: dict[str, Path], drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    run, doc = drafted[run_id]
    agreement = _agreement(transcripts[run_id])
    assert [c.issue_id for c in doc.clauses] == [i for i in run.scenario.issue_ids if i in agreement]
    assert {c.issue_id for c in doc.clauses} == set(agreement)
    issues = {i.id: i for i in run.scenario.issues}
    markdown = to_markdown(doc)
    terms = markdown.split("## Terms", 1)[1].split("## Schedule A", 1)[0]
    for n, clause in enumerate(doc.clauses, 1):
        assert _same(clause.value, agreement[clause.issue_id]), clause.issue_id
        assert clause.heading == issues[clause.issue_id].label
        assert clause.text
        if run_id != "evil":  # the evil run's names are escaped in Markdown (checked below)
            assert terms.count(f"### {n}. {clause.heading}\n") == 1
            assert terms.count(f"### {n + 1}. ") == (1 if n < len(doc.clauses) else 0)
        assert f"(`{value_key(agreement[clause.issue_id])}`)" in terms
    assert doc.outcome.status == "agreement"
    assert doc.negotiation_id == run_id


def test_clauses_speak_plain_contract_language_with_party_names(
    drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]],
) -> None:
    texts = {c.issue_id: (c.value, c.text) for c in drafted["boost"][1].clauses}
    value, royalty = texts["royalty_rate"]
    assert royalty.startswith("Voltra Power Electronics pays Nordvik Mobility")  # the clause's payer and payee
    value, cost = texts["rnd_cost_share_platform"]
    assert isinstance(value, int) and 0 < value < 100, "seed 2 agrees a split budget; the check below assumes it"
    assert cost == (
        f"Nordvik Mobility bears {value}% of the research and development cost; "
        f"Voltra Power Electronics bears the remaining {100 - value}%."
    )
    eco_run, eco = drafted["ecosystem"]
    signed = [p for p in eco.parties if p.signed]
    assert [p.id for p in signed] == [p for p in eco_run.scenario.party_ids if p in eco.outcome.accepted_by]
    assert len(signed) == 3 and not next(p for p in eco.parties if p.id == "university_lab").signed
    clauses = {c.issue_id: c for c in eco.clauses}
    ip = clauses["foreground_ip"]
    if ip.value == "split_by_field":
        fields = {p.id: p.fields for p in eco_run.scenario.parties}
        expected = "; ".join(f"{p.name} in {' and '.join(f.replace('_', ' ') for f in fields[p.id])}" for p in signed)
        assert ip.text.endswith(f"owned by each party in its own field of use: {expected}.")
    ladder = clauses["dispute_resolution"]
    if ladder.value == "full_ladder":
        for tier in eco_run.scenario.dispute_ladder:
            assert tier.name in ladder.text
    for clause in eco.clauses:
        assert "_" not in clause.text, f"raw option or id leaked into {clause.issue_id}: {clause.text}"


def test_issues_without_a_clause_get_a_neutral_sentence(
    drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]],
) -> None:
    run, worded = drafted["boost"]
    issues = [i.model_copy(update={"clause": None}) for i in run.scenario.issues]
    doc = draft_term_sheet(dataclasses.replace(run, scenario=run.scenario.model_copy(update={"issues": issues})))
    by_id = {i.id: i for i in run.scenario.issues}
    for clause, before in zip(doc.clauses, worded.clauses, strict=True):
        issue = by_id[clause.issue_id]
        assert clause.text == f"The parties agree on {issue.label}: {clause.value_text}. {issue.description}"
        assert clause.text != before.text or before.kind == "other"
    royalty = next(c for c in doc.clauses if c.issue_id == "royalty_rate")
    assert royalty.text.startswith(f"The parties agree on Royalty on third-party sales: {royalty.value}%.")
    exclusivity = next(c for c in doc.clauses if c.issue_id == "exclusivity_months")
    assert f": {exclusivity.value} months." in exclusivity.text


# -- the trace and the redline -----------------------------------------------------------------


def _names(run: TranscriptRun, issue_id: str) -> IssueNames:
    issues = {i.id: i for i in run.scenario.issues}
    options = {
        i: [value_key(v) for v in issue.values()] if issue.kind == "categorical" else [] for i, issue in issues.items()
    }
    return IssueNames(
        issue_id=issue_id,
        label=issues[issue_id].label,
        options=distinctive_options(issue_id, options[issue_id], options, run.scenario.party_ids),
    )


def _check_clause_trace(run: TranscriptRun, clause: Clause) -> None:
    chain = _chain(run)
    issue = clause.issue_id
    values = [(m["terms"] or {})[issue] for m in chain]
    at = next(n for n, m in enumerate(chain) if m["turn"] == clause.origin.turn)
    origin_move = chain[at]
    # the origin proposal has the final value, every proposal since keeps it, the one before differs
    assert all(_same(v, clause.value) for v in values[at:]), issue
    assert at == 0 or not _same(values[at - 1], clause.value), issue
    assert origin_move["party"] == clause.origin.party
    assert origin_move["round"] == clause.origin.round
    # the origin points at the move's own audit record
    record = next(r for r in run.records if r.seq == clause.origin.seq)
    assert record.kind == "move" and record.data["move"] == origin_move
    assert record.hash == clause.origin.record_hash and record.ts == clause.origin.ts
    # only the part of the rationale about this issue, never the rest of it
    assert clause.origin.rationale == issue_rationale(origin_move["rationale"], _names(run, issue))
    if origin_move["party"] == MEDIATOR:
        assert clause.origin.party_name == "the mediator"
    else:
        assert clause.origin.party_name == run.scenario.party(origin_move["party"]).name
    # the redline: exactly the proposals that changed the value, each with what it replaced
    changed = [n for n in range(len(chain)) if n == 0 or not _same(values[n], values[n - 1])]
    assert [r.turn for r in clause.history] == [chain[n]["turn"] for n in changed], issue
    for revision, n in zip(clause.history, changed, strict=True):
        assert revision.party == chain[n]["party"] and revision.round == chain[n]["round"]
        assert _same(revision.value, values[n])
        if n == 0:
            assert revision.previous is None and revision.previous_text is None
        else:
            assert _same(revision.previous, values[n - 1])
            assert not _same(revision.previous, revision.value)
    for earlier, later in zip(clause.history, clause.history[1:], strict=False):
        assert later.previous_text == earlier.value_text != later.value_text, issue
    assert clause.history[-1].turn == clause.origin.turn
    assert _same(clause.history[-1].value, clause.value)


@pytest.mark.parametrize("run_id", AGREED)
def test_each_clause_is_traced_to_the_proposal_that_set_its_final_value(
    run_id: str, drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    run, doc = drafted[run_id]
    chain = _chain(run)
    assert run.table is not None
    assert chain[-1]["terms"] == run.table["proposal"] and chain[-1]["party"] == run.table["proposer"]
    assert doc.outcome.proposal_turn == chain[-1]["turn"] and doc.outcome.proposals == len(chain)
    for clause in doc.clauses:
        _check_clause_trace(run, clause)
    # the runs are long enough that the trace is not trivially "the last proposal" or "the first"
    assert {c.origin.turn for c in doc.clauses} != {chain[-1]["turn"]}
    assert any(len(c.history) > 2 for c in doc.clauses)


def test_the_record_identifies_the_transcript(
    transcripts: dict[str, Path], drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    run, doc = drafted["boost"]
    report = verify(transcripts["boost"])
    assert report.ok and doc.transcript_last_hash == run.records[-1].hash
    assert doc.scenario_sha256 == run.scenario.sha256() == run.records[0].data["scenario_sha256"]
    assert doc.code_version == run.code["version"]
    markdown, page = to_markdown(doc), to_html(doc)
    for text in (markdown, page):
        assert doc.scenario_sha256 in text and str(doc.transcript_last_hash) in text


# -- rendering ---------------------------------------------------------------------------------


class StrictHTML(HTMLParser):
    """Checks nesting, collects text, and the del/ins pairs of each clause's redline."""

    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.starts: list[str] = []
        self.text: list[str] = []
        self.section: str | None = None
        self.redline: dict[str, list[tuple[str, str]]] = {}
        self._mark: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append(tag)
        if tag == "section":
            self.section = dict(attrs).get("id")
        if tag in ("del", "ins"):
            self._mark = tag
            assert self.section is not None
            self.redline.setdefault(self.section, []).append((tag, ""))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()
        if tag in ("del", "ins"):
            self._mark = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._mark is not None and self.section is not None:
            tag, seen = self.redline[self.section][-1]
            self.redline[self.section][-1] = (tag, seen + data)


def _parse(page: str) -> StrictHTML:
    parser = StrictHTML()
    parser.feed(page)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser


@pytest.mark.parametrize("run_id", AGREED)
def test_markdown_and_html_name_the_parties_and_the_values(
    run_id: str, drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    run, doc = drafted[run_id]
    markdown = to_markdown(doc)
    parser = _parse(to_html(doc))
    text = " ".join(" ".join(parser.text).split())
    for party in run.scenario.parties:
        assert party.name in text
        if run_id != "evil":
            assert party.name in markdown
    for clause in doc.clauses:
        assert clause.value_text in text and clause.text in text
        assert clause.value_text in markdown
        if run_id != "evil":
            assert clause.text in markdown
    assert parser.starts.count("section") == len(doc.clauses)


@pytest.mark.parametrize("run_id", ["boost", "ecosystem"])
def test_html_redline_strikes_the_old_value_and_inserts_the_new_one(
    run_id: str, drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    _, doc = drafted[run_id]
    parser = _parse(to_html(doc))
    for clause in doc.clauses:
        expected: list[tuple[str, str]] = [("ins", clause.history[0].value_text)]
        for earlier, later in zip(clause.history, clause.history[1:], strict=False):
            expected += [("del", earlier.value_text), ("ins", later.value_text)]
        assert expected[-1] == ("ins", clause.value_text)
        assert parser.redline[f"clause-{clause.issue_id}"] == expected


def test_scenario_text_is_escaped(drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]) -> None:
    run, doc = drafted["evil"]
    assert run.scenario.party("platform").name == EVIL_NAME
    page = to_html(doc)
    parser = _parse(page)
    assert "script" not in parser.starts and "b" not in parser.starts and "i" not in parser.starts
    assert "<script" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    text = "".join(parser.text)
    assert EVIL_NAME in text and EVIL_ISSUE in text and "<script>document.title=1</script>" in text
    markdown = to_markdown(doc)
    assert "<script" not in markdown and "<b>" not in markdown
    assert "Nordvik &lt;script&gt;alert('x')&lt;/script&gt; & \"Sons\" Mobility" in markdown
    assert "### 1. Platform &lt;b&gt;design&lt;/b&gt; & &lt;i&gt;scope" in markdown


# -- no deal -----------------------------------------------------------------------------------


def test_a_run_without_agreement_has_no_term_sheet(transcripts: dict[str, Path]) -> None:
    run = read_transcript(transcripts["impasse"])
    with pytest.raises(NoAgreement, match="impasse") as caught:
        draft_term_sheet(run)
    assert caught.value.outcome == "impasse"
    assert caught.value.ended_by is not None and "1 rounds" in caught.value.ended_by


def test_an_agreement_that_is_not_the_last_proposal_is_refused(
    drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]],
) -> None:
    run, _ = drafted["boost"]
    assert run.table is not None and run.table["proposal"] is not None
    royalty = run.table["proposal"]["royalty_rate"]
    assert isinstance(royalty, int)
    tampered_table = dict(run.table, proposal=dict(run.table["proposal"], royalty_rate=(royalty + 1) % 8))
    with pytest.raises(TranscriptError, match="not the last proposal"):
        draft_term_sheet(dataclasses.replace(run, table=tampered_table))  # type: ignore[arg-type]
    unfinished = dict(run.table, status="open", ended_by=None)
    with pytest.raises(NoAgreement, match="no outcome yet"):
        draft_term_sheet(dataclasses.replace(run, table=unfinished))  # type: ignore[arg-type]


# -- Word: the redline as tracked changes ------------------------------------------------------


@pytest.mark.parametrize("run_id", ["boost", "ecosystem"])
def test_docx_redline_is_tracked_changes_by_the_party_that_made_each_change(
    run_id: str, drafted: dict[str, tuple[TranscriptRun, TermSheetDocument]]
) -> None:
    _, doc = drafted[run_id]
    paragraphs, comments = read_docx(to_docx(doc))
    ids: list[str] = []
    for n, clause in enumerate(doc.clauses, 1):
        paragraph = paragraphs[f"{n}. {clause.heading}"]
        # accept all changes: the agreed clause; reject all: the first draft
        assert accepted_text(paragraph) == clause.text
        assert original_text(paragraph) == clause.history[0].text
        changes = [e for e in paragraph.iter() if e.tag in (f"{W}ins", f"{W}del")]
        ids += [e.get(f"{W}id") for e in changes]
        stamped = {(e.get(f"{W}author"), e.get(f"{W}date")) for e in changes}
        steps = [
            (rev.party_name[:1].upper() + rev.party_name[1:], word_date(rev.ts))
            for before, rev in zip(clause.history, clause.history[1:], strict=False)
            if rev.text != before.text
        ]
        assert stamped == set(steps), clause.issue_id  # every change, and only those, by who made it and when
        assert len(changes) >= len(steps)
        # one comment per step (the first draft included), by its party, carrying its audit record's hash
        referenced = [e.get(f"{W}id") for e in paragraph.iter(f"{W}commentRangeStart")]
        assert len(referenced) == len(clause.history)
        texts = {comment_id: accepted_text(comments[comment_id]) for comment_id in referenced}
        for rev in clause.history:
            (comment_id,) = [c for c, text in texts.items() if rev.record_hash in text]
            comment = comments[comment_id]
            assert rev.record_hash in accepted_text(comment) and f"Audit record {rev.seq}," in accepted_text(comment)
            assert comment.get(f"{W}author").lower() == rev.party_name.lower()
            assert comment.get(f"{W}date") == word_date(rev.ts)
    assert len(ids) == len(set(ids)), "revision ids must be unique in the document"
    assert any(len(c.history) > 2 for c in doc.clauses)


def test_cli_writes_the_formats_asked_for(transcripts: dict[str, Path], tmp_path: Path) -> None:
    def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300)

    path = str(transcripts["boost"])
    beside = {p.name for p in transcripts["boost"].parent.iterdir()}
    assert {"termsheet.md", "termsheet.html", "termsheet.docx"} <= beside  # every agreed run gets all three
    done = pactlab("termsheet", path, "--format", "all", "--out", str(tmp_path / "all"))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["termsheet.docx", "termsheet.html", "termsheet.md"]
    done = pactlab("termsheet", path, "--format", "docx", "--format", "md", "--out", str(tmp_path / "two"))
    assert done.returncode == 0 and sorted(p.name for p in (tmp_path / "two").iterdir()) == [
        "termsheet.docx",
        "termsheet.md",
    ]
    printed = pactlab("termsheet", path, "--format", "html")
    assert printed.returncode == 0 and printed.stdout.startswith("<!DOCTYPE html>")
    for bad in (["--format", "pdf"], ["--format", "docx"], ["--format", "md", "--format", "html"]):
        refused = pactlab("termsheet", path, *bad)
        assert refused.returncode == 2, (bad, refused.stdout)
        assert "--format" in refused.stderr or "--out" in refused.stderr
