"""`pactlab audit replay FILE`: re-execute a negotiation from its transcript and name the first record that diverges.

Exit codes: 0 when every record re-derives (and the transcript verifies), 5 when a record diverges
(or the transcript fails verification), 2 when the file cannot be replayed (not a transcript, or
written by other code without --force).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes

if TYPE_CHECKING:
    from pactlab.workflow.replay import ReplayReport, TermExplanation

console = Console(emoji=False, highlight=False)


def audit_replay(
    path: Annotated[Path, typer.Argument(help="A transcript.jsonl written by a run.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replay even though the transcript was written by other code.")
    ] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="For each agreed term: the move that set it and the inputs that decided it."),
    ] = False,
    private: Annotated[
        bool,
        typer.Option("--private", help="With --explain, print the profile figures too (private to each party)."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report (and explanation) as JSON.")] = False,
) -> None:
    """Re-execute the negotiation from the transcript alone and compare every record the replay writes.

    Strategy and mediator decisions are recomputed; LLM decisions re-validated from the recorded model
    replies (no model is called); people's moves and approvals fed back as recorded. The first record
    whose kind, actor or data differ is named by its line, with the reason.
    """
    from pactlab.workflow.replay import ReplayInputError, read_lines, replay
    from pactlab.workflow.replay import explain as explain_terms

    report = replay(path, force=force)
    terms: list[TermExplanation] = []
    no_terms: str | None = None
    if explain:
        try:
            terms = explain_terms(read_lines(path), private=private)
        except ReplayInputError as exc:
            no_terms = str(exc)
    if as_json:
        payload = report.model_dump(mode="json")
        if explain:
            payload["explain"] = [t.model_dump(mode="json") for t in terms]
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print(report)
        if explain:
            _print_terms(terms, no_terms)
    if not report.ok:
        raise typer.Exit(exit_codes.TAMPERED)


def _print(report: ReplayReport) -> None:
    code = report.code_recorded
    decided = ", ".join(f"{who} {n}" for who, n in report.decisions.items()) or "none"
    where = escape(report.path)
    if not report.divergences:
        console.print(
            f"[green]ok[/] {where}: {report.compared} of {report.records} records re-derived and matched "
            f"(moves: {escape(decided)}); code {escape(code.get('version', '?'))} "
            f"({escape(code.get('sha256', '?')[:12])})"
        )
    else:
        first = report.divergences[0]
        console.print(
            f"[bold red]DIVERGES[/] {where}: line {first.line}: {escape(first.reason)}",
            soft_wrap=True,
        )
        for more in report.divergences[1:]:
            console.print(f"  line {more.line}: {escape(more.reason)}", soft_wrap=True)
        console.print(f"{report.compared} records compared before that; moves re-derived: {escape(decided)}")
    if report.verify_problem is not None:
        console.print(
            f"[bold red]fails verification[/] at line {report.verify_line}: {escape(report.verify_problem)}",
            soft_wrap=True,
        )
    for note in report.notes:
        console.print(f"note: {escape(note)}", soft_wrap=True)


def _print_terms(terms: list[TermExplanation], no_terms: str | None) -> None:
    if no_terms is not None:
        console.print(f"no clause to explain: {escape(no_terms)}", soft_wrap=True)
        return
    console.rule("what decided each agreed term")
    for term in terms:
        value = term.value if isinstance(term.value, str) else json.dumps(term.value)
        console.print(
            f"[bold]{escape(term.issue)}[/] = {escape(value)}: set by {escape(term.party)} at line {term.line} "
            f"(round {term.round}, turn {term.turn})"
        )
        for item in term.inputs:
            at = f"line {item.line}" if item.line is not None else "-"
            console.print(f"    {escape(item.what)} ({at}): {escape(item.text)}", soft_wrap=True)
    if terms and terms[0].accepted_by:
        accepted = ", ".join(f"{p} (line {n})" for p, n in terms[0].accepted_by)
        console.print(f"the agreed proposal was accepted by {escape(accepted)}")
