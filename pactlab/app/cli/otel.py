"""`pactlab audit otel FILE --to TARGET`: send a run's trace (rounds, model calls, token usage) to OpenTelemetry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

console = Console(emoji=False, highlight=False, soft_wrap=True)


def _help() -> str:
    from pactlab.app.telemetry import TARGETS_HELP

    return TARGETS_HELP


def audit_otel(
    path: Annotated[Path, typer.Argument(help="A transcript.jsonl written by a run.")],
    to: Annotated[str, typer.Option("--to", help=_help())],
) -> None:
    """Export a verified transcript as an OpenTelemetry trace (GenAI conventions; no messages, no private figures)."""
    from pactlab.app.telemetry import export_transcript
    from pactlab.errors import BadInput

    if not path.is_file():
        raise BadInput(f"no such file: {path}")
    summary = export_transcript(path, to)
    console.print(f"exported {summary.spans} span(s) of trace {summary.trace_id} to {escape(summary.target)}")
