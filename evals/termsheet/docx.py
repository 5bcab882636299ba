"""The term sheet as a Word document whose redline is real tracked changes.

Each clause is one paragraph holding its whole history as Word revisions: the first proposal's
wording is the base text, and every later proposal that changed the term is a tracked change
(`w:del` of what it replaced, `w:ins` of what it put in, word by word, see
`evals.termsheet.redline`). Word's *Accept all changes* gives the agreed terms, *Reject all
changes* the first draft, and the review pane lists each change by party.

Every change is
- authored by the party that proposed it (its display name, as Word's "author" of the revision:
  Word lists and filters changes by author, so the field stays the party's name alone);
- dated with its move's audit-record timestamp (`w:date`, to the second);
- commented with the audit record it comes from: sequence number and SHA-256, and the part of
  the rationale about that term. A comment is what Word shows beside the change, with the same
  author and date, in the margin and in the review pane; a bookmark would be invisible and the
  author or initials field too short and would split one party into many "authors". The first
  draft carries such a comment too.

python-docx builds the document, styles and comments part (its comments API, new in 1.2); the
revision marks are OOXML elements built with its `OxmlElement`, since python-docx has no API
for them (see the README for why not docx-redline or docx-revisions).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

from evals.termsheet.model import Clause, RecordRef, Revision, TermSheetDocument, turn_label
from evals.termsheet.redline import Piece, redline
from evals.termsheet.render_markdown import NO_RATIONALE
from evals.termsheet.wording import join_names
from pactlab.domain.issues import value_key

INTRO = (
    "Each clause shows, as tracked changes, how its term moved from the first proposal to the agreed terms. "
    "Every change is authored by the party that proposed it, dated with its move, and commented with the "
    "audit record it comes from. Accept all changes to read the agreed terms; reject all to read the first draft."
)


def _when(ts: str) -> datetime:
    """An audit timestamp ('…T08:11:24.470417Z') as a UTC datetime to the second, as Word stores it."""
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(UTC).replace(microsecond=0)


def _word_date(ts: str) -> str:
    return _when(ts).strftime("%Y-%m-%dT%H:%M:%SZ")


def author(ref: RecordRef) -> str:
    """The party's display name as Word shows the author of a change."""
    return ref.party_name[:1].upper() + ref.party_name[1:]


def initials(name: str) -> str:
    letters = [w[0] for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(letters[:3]).upper() or name[:2].upper()


class _Marks:
    """Revision ids, unique in the document (Word requires it)."""

    def __init__(self) -> None:
        self.next_id = 1

    def take(self) -> str:
        self.next_id += 1
        return str(self.next_id - 1)


def _run(text: str, *, deleted: bool = False) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    return run


def _change(tag: str, rev: Revision, marks: _Marks) -> BaseOxmlElement:
    return OxmlElement(
        tag, attrs={qn("w:id"): marks.take(), qn("w:author"): author(rev), qn("w:date"): _word_date(rev.ts)}
    )


def _piece_element(piece: Piece, history: list[Revision], marks: _Marks) -> BaseOxmlElement:
    """A redline piece as a run, or a run inside `w:ins`, `w:del` or `w:ins/w:del`."""
    if piece.inserted is None and piece.deleted is None:
        return _run(piece.text)
    inner = _run(piece.text, deleted=piece.deleted is not None)
    if piece.deleted is not None:
        deletion = _change("w:del", history[piece.deleted], marks)
        deletion.append(inner)
        inner = deletion
    if piece.inserted is not None:
        insertion = _change("w:ins", history[piece.inserted], marks)
        insertion.append(inner)
        inner = insertion
    return inner


def _comment_text(clause: Clause, step: int) -> str:
    rev = clause.history[step]
    if step == 0:
        what = f"First draft, {turn_label(rev.turn, rev.round)}: {rev.party_name} proposed {rev.value_text!r}."
    else:
        what = (
            f"{turn_label(rev.turn, rev.round).capitalize()}: {rev.party_name} proposed {rev.value_text!r} "
            f"in place of {rev.previous_text!r}."
        )
    return f"{what} Audit record {rev.seq}, SHA-256 {rev.record_hash}. Rationale: {rev.rationale or NO_RATIONALE}"


def _comment_reference(comment_id: int) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    properties.append(OxmlElement("w:rStyle", attrs={qn("w:val"): "CommentReference"}))
    run.append(properties)
    run.append(OxmlElement("w:commentReference", attrs={qn("w:id"): str(comment_id)}))
    return run


def _redline_paragraph(document: DocxDocument, clause: Clause, marks: _Marks) -> Paragraph:
    """The clause as one paragraph of tracked changes, each step commented with its audit record."""
    paragraph = document.add_paragraph()
    p = paragraph._p  # python-docx has no public API for revision marks: build them on the paragraph element
    pieces = redline([rev.text for rev in clause.history])
    elements: list[tuple[BaseOxmlElement, set[int]]] = []
    for piece in pieces:
        element = _piece_element(piece, clause.history, marks)
        steps = {s for s in (piece.inserted, piece.deleted) if s is not None}
        if piece.inserted is None:
            steps.add(0)  # the first draft's text
        p.append(element)
        elements.append((element, steps))
    for step, rev in enumerate(clause.history):
        comment = document.comments.add_comment(
            text=_comment_text(clause, step), author=author(rev), initials=initials(rev.party_name)
        )
        comment._comment_elm.date = _when(rev.ts)  # python-docx stamps "now"; the change dates from its move
        marked = [e for e, steps in elements if step in steps]
        start = OxmlElement("w:commentRangeStart", attrs={qn("w:id"): str(comment.comment_id)})
        end = OxmlElement("w:commentRangeEnd", attrs={qn("w:id"): str(comment.comment_id)})
        if marked:
            marked[0].addprevious(start)
            marked[-1].addnext(end)
        else:  # a step that did not change the wording (a template that ignores the value): mark the end
            p.append(start)
            p.append(end)
        end.addnext(_comment_reference(comment.comment_id))
    return paragraph


def to_docx(doc: TermSheetDocument) -> bytes:
    """The term sheet as a .docx file (bytes), its redline as tracked changes."""
    document = Document()
    properties = document.core_properties
    properties.title = doc.title
    properties.author = "pactlab"
    properties.comments = f"Negotiation {doc.negotiation_id}; transcript last hash {doc.transcript_last_hash or '-'}"
    if doc.sealed_at:
        properties.created = properties.modified = _when(doc.sealed_at).replace(tzinfo=None)
    document.add_heading(doc.title, level=0)
    if doc.context:
        document.add_paragraph().add_run(doc.context).italic = True

    document.add_heading("Parties", level=1)
    for party in doc.parties:
        item = document.add_paragraph(style="List Bullet")
        item.add_run(party.name).bold = True
        item.add_run(f" ({party.id}): {party.core_business}. ")
        item.add_run("signatory" if party.signed else "did not sign: not bound by these terms").italic = True

    o = doc.outcome
    accepted = join_names([p.name for p in doc.parties if p.id in o.accepted_by])
    document.add_heading("Agreement", level=1)
    document.add_paragraph(
        f"Agreement on {o.proposer_name}'s proposal of {turn_label(o.proposal_turn, o.proposal_round)}, "
        f"accepted by {accepted}; concluded at turn {o.final_turn + 1} after {o.rounds} round(s) "
        f"and {o.proposals} proposal(s)."
    )

    document.add_heading("Terms", level=1)
    document.add_paragraph().add_run(INTRO).italic = True
    marks = _Marks()
    for n, clause in enumerate(doc.clauses, 1):
        document.add_heading(f"{n}. {clause.heading}", level=2)
        _redline_paragraph(document, clause, marks)
        origin = clause.origin
        trace = document.add_paragraph()
        trace.add_run("Agreed value: ").bold = True
        trace.add_run(f"{clause.value_text} ({value_key(clause.value)}). ")
        trace.add_run("Set by: ").bold = True
        trace.add_run(
            f"{origin.party_name} at {turn_label(origin.turn, origin.round)}, audit record {origin.seq} "
            f"(SHA-256 {origin.record_hash}); unchanged in every proposal since. "
        )
        trace.add_run("Rationale: ").bold = True
        trace.add_run(origin.rationale or NO_RATIONALE)

    document.add_heading("Record", level=1)
    record = [
        ("Negotiation", doc.negotiation_id),
        ("Scenario", f"{doc.scenario_id}, SHA-256 {doc.scenario_sha256}"),
        ("Code version", doc.code_version + (f", SHA-256 {doc.code_sha256}" if doc.code_sha256 else "")),
    ]
    if doc.transcript_last_hash:
        record.append(("Transcript last hash", doc.transcript_last_hash))
    if doc.sealed_at:
        record.append(("Last record written", doc.sealed_at))
    for label, value in record:
        line = document.add_paragraph(style="List Bullet")
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


__all__ = ["INTRO", "author", "initials", "to_docx"]
