"""`pactlab audit verify|show|keys`, `pactlab eval` and `pactlab termsheet`: check and read a run's transcript.

Exit codes: 0, 5 if the transcript fails verification (altered, truncated or malformed), 2 if
it is not a pactlab run or an option is wrong, 3 for a term sheet of a run without agreement,
1 if the recomputed scorecard differs from the recorded one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import audit_replay, exit_codes
from pactlab.errors import BadInput

if TYPE_CHECKING:
    from evals.audit import VerifyReport

audit_app = typer.Typer(help="Verify and read hash-chained audit transcripts.", no_args_is_help=True)
console = Console(emoji=False, highlight=False)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

audit_app.command("replay")(audit_replay.audit_replay)

FileArgument = Annotated[Path, typer.Argument(help="A transcript.jsonl written by a run.")]


def _verified(path: Path, trust: Path | None = None) -> VerifyReport:
    """The verification of the transcript at `path` when it verifies; AuditCorrupt (exit 5) if not."""
    from evals.audit import AuditCorrupt, AuditIncomplete, verify
    from evals.identity import read_trust

    if not path.is_file():
        raise BadInput(f"no such file: {path}")
    pinned = None if trust is None else read_trust(trust)
    report = verify(path, trust=pinned)
    if report.incomplete:
        raise AuditIncomplete(
            f"INCOMPLETE, not tampered: {path}: {report.records} records verify, but the run never sealed the "
            "transcript: it was cut short (killed, or still running); 'pactlab resume NEGOTIATION_ID' finishes it"
        )
    if not report.ok:
        raise AuditCorrupt(
            f"TAMPERED or damaged: {path}: line {report.first_bad}: {report.problem}", line=report.first_bad
        )
    return report


@audit_app.command("verify")
def audit_verify(
    path: FileArgument,
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust",
            help="A JSON file of the public key expected for each identity ({name: key}, as 'pactlab keys export' "
            "or 'pactlab audit keys' write): a transcript signed with any other key fails.",
        ),
    ] = None,
    signers: Annotated[bool, typer.Option("--signers", help="List the signer of every record.")] = False,
) -> None:
    """Check the hash chain, every record's signature and the seal; name the first bad record.

    Exit 5 if the file was altered (or signed by other keys than the pinned ones); 7 if it was
    only cut short (unsealed, every record intact).
    """
    from collections import Counter

    from evals.audit import read_records

    report = _verified(path, trust)
    console.print(
        f"[green]ok[/] {escape(str(path))}: {report.records} records, sealed, chain intact "
        f"(last hash {report.last_hash})"
    )
    counts = Counter(report.signers)
    pinned = "pinned by the trust file" if trust is not None else "not pinned (give --trust to pin keys)"
    console.print(f"signed by {escape(', '.join(f'{n} ({c})' for n, c in counts.items()))}; keys {pinned}")
    if report.cosigned_by:
        console.print(f"agreement co-signed by {escape(', '.join(report.cosigned_by))}")
    if signers:
        for record in read_records(path):
            line = f"  {record.seq:>4} {record.kind:<16} {record.actor:<16} signed by {record.sig.by}"
            console.print(escape(line))


@audit_app.command("keys")
def audit_keys(
    path: FileArgument,
    output: Annotated[Path | None, typer.Option("--out", help="Write the trust file here instead of stdout.")] = None,
) -> None:
    """Export the public keys a transcript declares, as a trust file to pin them (`audit verify --trust`)."""
    report = _verified(path)
    text = json.dumps(report.identities, indent=2, sort_keys=True)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {escape(str(output))}")


@audit_app.command("show")
def audit_show(path: FileArgument) -> None:
    """Print the negotiation as a timeline: who proposed what, why, and what each proposal was worth."""
    from evals.transcript import read_transcript
    from pactlab.app.cli.render import MoveRenderer

    _verified(path)
    run = read_transcript(path)
    console.rule(f"[bold]{escape(run.scenario.title)}[/] — {escape(run.negotiation_id)}")
    console.print(
        f"seed {run.seed}; code {run.code.get('version', '?')} ({run.code.get('sha256', '?')[:12]})", markup=False
    )
    for party in run.scenario.parties:
        console.print(
            f"  [bold]{escape(party.id)}[/] {escape(party.name)} — {escape(str(run.agents.get(party.id, '?')))}"
        )
    renderer = MoveRenderer(console, run.scenario)
    claims = _claims_by_turn(path)
    for move in run.moves:
        renderer.show(move)
        if move["rationale"] and move["kind"] == "propose":
            console.print(f"          [dim]why: {escape(move['rationale'])}[/]")
        for claim in claims.get(move["turn"], []):  # deceptive statements stay visible to the auditor
            colour = {"true": "green", "false": "red"}.get(str(claim["verdict"]), "yellow")
            console.print(
                f"          [{colour}]claim {escape(str(claim['verdict']))}[/] ({escape(str(claim['about']))}): "
                f'"{escape(str(claim["text"]))}" — {escape(str(claim["evidence"]))}'
            )
    if run.table is not None and run.table["ended_by"]:
        console.print(f"[bold]{escape(run.table['ended_by'])}[/]")


def _claims_by_turn(path: Path) -> dict[int, list[dict[str, object]]]:
    """The evaluator's ``claim`` records of a transcript, by the turn of the move that stated them."""
    from evals.audit import read_records

    found: dict[int, list[dict[str, object]]] = {}
    for record in read_records(path):
        if record.kind == "claim":
            found.setdefault(int(record.data.get("turn", -1)), []).append(dict(record.data))
    return found


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
    from evals.termsheet import NoAgreement, draft_term_sheet, parse_formats, render, write_term_sheet
    from evals.transcript import read_transcript

    _verified(path)
    try:
        formats = parse_formats(fmt, default=("md",) if output is None else ("md", "html"))
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    if output is None and (len(formats) > 1 or "docx" in formats):
        raise BadInput("to stdout, give one text format (md or html); for several or docx, give --out DIR")
    try:
        document = draft_term_sheet(read_transcript(path))
    except NoAgreement as exc:  # an outcome, not an error: exit 3, as the run did
        errors.print(str(exc), style="bold yellow", markup=False)
        raise typer.Exit(exit_codes.NO_AGREEMENT) from None
    if output is None:
        print(render(document, formats[0]).decode("utf-8"))
        return
    for written in write_term_sheet(document, output, formats):
        console.print(f"wrote {written}", markup=False)


def eval_command(
    path: FileArgument,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard as JSON.")] = False,
) -> None:
    """Recompute the scorecard from a transcript alone, and check it against the recorded one."""
    from evals.transcript import read_transcript, rescore
    from pactlab.app.cli.progress import progress_bars
    from pactlab.app.cli.render import print_scorecard

    _verified(path)
    run = read_transcript(path)
    with progress_bars(console, quiet=as_json):
        card = rescore(run)
    if as_json:
        print(json.dumps(card.model_dump(mode="json"), indent=2))
    else:
        print_scorecard(console, card)
    if run.scorecard is not None and run.scorecard != card.model_dump(mode="json"):
        errors.print("[bold yellow]warning:[/] the recomputed scorecard differs from the one recorded at evaluation")
        raise typer.Exit(exit_codes.FAILURE)
