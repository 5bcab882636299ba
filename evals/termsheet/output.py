"""Which formats a term sheet is written in, and writing them beside a run.

`md` and `html` are text; `docx` is a Word file whose redline is tracked changes. A run that
ends in agreement gets all three (`pactlab.workflow.outputs`); `pactlab termsheet` writes the
ones asked for with ``--format`` (repeatable, or ``all``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

from evals.termsheet.docx import to_docx
from evals.termsheet.model import TermSheetDocument
from evals.termsheet.render_html import to_html
from evals.termsheet.render_markdown import to_markdown
from pactlab.domain.run_folder import termsheet_name

Format = Literal["md", "html", "docx"]
FORMATS: tuple[Format, ...] = ("md", "html", "docx")
TEXT_FORMATS: tuple[Format, ...] = ("md", "html")
DEFAULT_FORMATS: tuple[Format, ...] = ("md", "html")
"""What `pactlab termsheet --out DIR` writes without ``--format``."""

_RENDER: dict[Format, Callable[[TermSheetDocument], bytes]] = {
    "md": lambda doc: to_markdown(doc).encode("utf-8"),
    "html": lambda doc: to_html(doc).encode("utf-8"),
    "docx": to_docx,
}


def file_name(fmt: Format) -> str:
    return termsheet_name(fmt)


def parse_formats(values: Iterable[str] | None, default: Sequence[Format] = DEFAULT_FORMATS) -> tuple[Format, ...]:
    """The formats named by ``--format`` values (each may be a comma list, or `all`), in FORMATS order.

    Raises ValueError naming the unknown format and the valid ones.
    """
    asked: set[str] = set()
    for value in values or ():
        asked |= {v.strip().lower() for v in value.split(",") if v.strip()}
    if not asked:
        return tuple(default)
    if "all" in asked:
        return FORMATS
    unknown = sorted(asked - set(FORMATS))
    if unknown:
        raise ValueError(f"--format {', '.join(unknown)}: use {', '.join(FORMATS)} or all")
    return tuple(f for f in FORMATS if f in asked)


def render(doc: TermSheetDocument, fmt: Format) -> bytes:
    """The term sheet in one format, as the bytes of its file."""
    return _RENDER[fmt](doc)


def write_term_sheet(doc: TermSheetDocument, directory: Path, formats: Sequence[Format] = FORMATS) -> list[Path]:
    """Write `termsheet.<format>` for each format under `directory` (created if need be); return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for fmt in formats:
        path = directory / file_name(fmt)
        path.write_bytes(render(doc, fmt))
        paths.append(path)
    return paths


__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "TEXT_FORMATS",
    "Format",
    "file_name",
    "parse_formats",
    "render",
    "write_term_sheet",
]
