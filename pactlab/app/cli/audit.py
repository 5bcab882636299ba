"""`pactlab audit verify|show` and `pactlab eval`: check and read a run's audit transcript."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from evals.audit import AuditError, verify
from evals.termsheet import NoAgreement, WordingError, draft_term_sheet, parse_formats, render, write_term_sheet
from evals.transcript import TranscriptError, party_view, read_transcript, rescore
from pactlab.app.cli import exit_codes
from pactlab.app.cli.render import MoveRenderer, print_scorecard

audit_app = typer.Typer(help="Verify and read hash-chained audit transcripts.", no_args_is_help=True)
console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

FileArgument = Annotated[Path, typer.Argument(help="A transcript.jsonl written by a run.")]


def _verified(path: Path) -> None:
    if not path.is_file():
        errors.print(f"[bold red]error:[/] no such file: {path}")
        raise typer.Exit(exit_codes.BAD_INPUT)
    report = verify(path)
    if not report.ok:
        errors.print(f"[bold red]TAMPERED or damaged:[/] {path}: line {report.first_bad}: {report.problem}")
        raise typer.Exit(exit_codes.TAMPERED)


@audit_app.command("verify")
def audit_verify(path: FileArgument) -> None:
    """Check the hash chain and the seal; name the first bad record. Exit 5 if the file was altered."""
    _verified(path)
    report = verify(path)
    console.print(f"[green]ok[/] {path}: {report.records} records, sealed, chain intact (last hash {report.last_hash})")


@audit_app.command("show")
def audit_show(path: FileArgument) -> None:
    """Print the negotiation as a timeline: who proposed what, why, and what each proposal was worth."""
    _verified(path)
    try:
        run = read_transcript(path)
    except (AuditError, TranscriptError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    console.rule(f"[bold]{run.scenario.title}[/] — {run.negotiation_id}")
    console.print(f"seed {run.seed}; code {run.code.get('version', '?')} ({run.code.get('sha256', '?')[:12]})")
    for party in run.scenario.parties:
        console.print(f"  [bold]{party.id}[/] {party.name} — {run.agents.get(party.id, '?')}")
    renderer = MoveRenderer(console, run.scenario)
    for move in run.moves:
        renderer.show(move)
        if move["rationale"] and move["kind"] == "propose":
            console.print(f"          [dim]why: {move['rationale']}[/]")
    if run.table is not None and run.table["ended_by"]:
        console.print(f"[bold]{run.table['ended_by']}[/]")


@audit_app.command("view")
def audit_view(
    path: FileArgument,
    as_party: Annotated[str, typer.Option("--as", help="The party whose view to export.")],
    output: Annotated[Path | None, typer.Option("--out", help="Write JSON here instead of stdout.")] = None,
) -> None:
    """Export only what one party saw at the table (JSON): no other party's private profile."""
    _verified(path)
    try:
        view = party_view(read_transcript(path), as_party)
    except (AuditError, TranscriptError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    text = json.dumps(view, indent=2, ensure_ascii=False)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


def termsheet_command(
    path: FileArgument,
    output: Annotated[Path | None, typer.Option("--out", help="Write termsheet.FORMAT files here.")] = None,
    fmt: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="md, html, docx or all; repeatable. Default: md to stdout, or md and html with --out. "
            "docx (a Word file whose redline is tracked changes) needs --out.",
        ),
    ] = None,
) -> None:
    """Draft the agreed deal as a term sheet: a clause per issue, each traced to the turn that set it."""
    _verified(path)
    try:
        formats = parse_formats(fmt, default=("md",) if output is None else ("md", "html"))
        if output is None and (len(formats) > 1 or "docx" in formats):
            raise ValueError("to stdout, give one text format (md or html); for several or docx, give --out DIR")
    except ValueError as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    try:
        document = draft_term_sheet(read_transcript(path))
    except NoAgreement as exc:
        errors.print(f"[bold yellow]{exc}[/]")
        raise typer.Exit(exit_codes.NO_AGREEMENT) from None
    except (AuditError, TranscriptError, WordingError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    if output is None:
        print(render(document, formats[0]).decode("utf-8"))
        return
    for written in write_term_sheet(document, output, formats):
        console.print(f"wrote {written}")


def eval_command(
    path: FileArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON.")] = False,
) -> None:
    """Recompute the scorecard from a transcript alone, and check it against the recorded one."""
    _verified(path)
    try:
        run = read_transcript(path)
        card = rescore(run)
    except (AuditError, TranscriptError) as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(exit_codes.BAD_INPUT) from None
    if as_json:
        print(json.dumps(card.model_dump(mode="json"), indent=2))
    else:
        print_scorecard(console, card)
    if run.scorecard is not None and run.scorecard != card.model_dump(mode="json"):
        errors.print("[bold yellow]warning:[/] the recomputed scorecard differs from the one recorded at evaluation")
        raise typer.Exit(exit_codes.FAILURE)
