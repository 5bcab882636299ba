"""The term sheet as one self-contained HTML page, with a redline (del/ins) per clause.

The page is a Jinja2 template (package data, `templates/termsheet.html.j2`) rendered with
autoescaping on: every name, value, rationale and wording that comes from the scenario or the
moves is escaped, so a party called ``<script>`` is shown, never run.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

from evals.termsheet.model import TermSheetDocument, turn_label
from evals.termsheet.render_markdown import NO_RATIONALE
from evals.termsheet.wording import join_names
from pactlab.domain.issues import value_key


def _resource(name: str) -> str:
    return (files("evals.termsheet") / "templates" / name).read_text(encoding="utf-8")


@cache
def _page() -> Template:
    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.filters["names"] = join_names
    return env.from_string(_resource("termsheet.html.j2"))


def to_html(doc: TermSheetDocument) -> str:
    """The term sheet as a self-contained HTML page."""
    accepted = [p.name for p in doc.parties if p.id in doc.outcome.accepted_by]
    return (
        _page().render(
            doc=doc,
            accepted=accepted,
            css=Markup(_resource("termsheet.css")),  # our own stylesheet, not input
            turn=turn_label,
            key=value_key,
            no_rationale=NO_RATIONALE,
        )
        + "\n"
    )


__all__ = ["to_html"]
