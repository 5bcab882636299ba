"""The deal on paper: the agreed term sheet of a run, drafted from its audit transcript.

`draft_term_sheet` turns a `TranscriptRun` that ended in agreement into a `TermSheetDocument`:
one clause per agreed issue in plain contract language, each traced to the proposal (and its
audit record) that set its final value, with the redline of how the term moved from proposal
to proposal. `to_markdown`, `to_html` and `to_docx` render it; `write_term_sheet` writes the
files beside a run.

The modules, one job each:
- `model`: the document (clauses, their trace into the audit trail, the redline steps);
- `drafting`: the document from the transcript's moves and the scenario;
- `rationale`: the part of a move's rationale about one issue;
- `variables` and `wording`: contract language from the scenario's Jinja2 templates, or the
  default template of each clause kind (`templates/clauses/*.j2`, package data);
- `redline`: word-level redline pieces, for Word's tracked changes;
- `render_markdown`, `render_html` (a Jinja2 template, autoescaped) and `docx` (python-docx);
- `output`: the formats and writing them.
"""

from __future__ import annotations

from evals.termsheet.docx import to_docx
from evals.termsheet.drafting import draft_term_sheet
from evals.termsheet.errors import NoAgreement, WordingError
from evals.termsheet.model import Clause, Origin, Outcome, RecordRef, Revision, TermSheetDocument, TermSheetParty
from evals.termsheet.output import (
    DEFAULT_FORMATS,
    FORMATS,
    TEXT_FORMATS,
    Format,
    file_name,
    parse_formats,
    render,
    write_term_sheet,
)
from evals.termsheet.rationale import IssueNames, issue_rationale, split_rationale
from evals.termsheet.render_html import to_html
from evals.termsheet.render_markdown import to_markdown
from evals.termsheet.variables import Signatories
from evals.termsheet.wording import check_wording

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "TEXT_FORMATS",
    "Clause",
    "Format",
    "IssueNames",
    "NoAgreement",
    "Origin",
    "Outcome",
    "RecordRef",
    "Revision",
    "Signatories",
    "TermSheetDocument",
    "TermSheetParty",
    "WordingError",
    "check_wording",
    "draft_term_sheet",
    "file_name",
    "issue_rationale",
    "parse_formats",
    "render",
    "split_rationale",
    "to_docx",
    "to_html",
    "to_markdown",
    "write_term_sheet",
]
