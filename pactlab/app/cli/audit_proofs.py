"""`pactlab audit view|prove|check-view`: a party's view of a run, and the Merkle proofs that it is still there.

`view --as PARTY` prints what the party saw as a timeline (`--json`: as JSON); `--export VIEW.json`
writes the view with the operator's signed tree heads it saw and an inclusion proof of each of its
records. `prove` prints an RFC 9162 inclusion or consistency proof of a transcript (JSON).
`check-view VIEW.json FILE` confirms a later transcript contains the view unchanged: exit 0, or
exit 5 naming each difference. The logic is `evals.views`; this module reads options and prints.
The commands are registered on `pactlab audit` by `pactlab.app.cli.main`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli.audit import FileArgument, _verified
from pactlab.errors import BadInput

if TYPE_CHECKING:
    from evals.transcript import TranscriptRun

console = Console(emoji=False, highlight=False)


def audit_view(
    path: FileArgument,
    as_party: Annotated[str, typer.Option("--as", help="The party whose view to show (a party id of the scenario).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the view as JSON instead of a timeline.")] = False,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Write the party's view with the signed tree heads it saw and the inclusion proof of each of its "
            "records (JSON), to check a later transcript with 'pactlab audit check-view'.",
        ),
    ] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Write the view's JSON here (as --json).")] = None,
) -> None:
    """Show only what one party saw at the table: a timeline of the moves (no other party's private profile)."""
    from evals.transcript import party_view, read_transcript
    from evals.views import export_view

    _verified(path)
    run = read_transcript(path)
    view = party_view(run, as_party)
    if export is not None:
        exported = export_view(run, path.read_bytes(), as_party)
        export.write_text(exported.model_dump_json(indent=2) + "\n", encoding="utf-8")
        heads = exported.tree_heads
        console.print(
            f"wrote {export}: {len(exported.records)} records and {len(heads)} signed tree heads that "
            f"{as_party} saw (last: {heads[-1].tree_size} records, root {heads[-1].root_hash[:16]}…)",
            markup=False,
        )
        return
    if as_json or output is not None:
        text = json.dumps(view, indent=2, ensure_ascii=False)
        if output is None:
            print(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            console.print(f"wrote {output}", markup=False)
        return
    for line in timeline(run, as_party):
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def timeline(run: TranscriptRun, party: str) -> list[str]:
    """What `party` saw, one line per event: round, who and what in words (display names, option labels)."""
    from evals.audit.tree_heads import TREE_HEAD_KIND, tree_head_of
    from pactlab.app.rehearsal.wording import move_sentence

    scenario = run.scenario
    me = scenario.party(party)
    lines = [
        f"{scenario.title} — as seen by {me.name} ({party})",
        "Parties: " + "; ".join(f"{p.name} ({p.id})" for p in scenario.parties),
    ]
    moves = run.moves
    index = 0
    for record in run.records:
        if record.kind == "move":
            move = moves[index]
            lines.append(f"round {move['round'] + 1:>2}  {move_sentence(scenario, moves, index, seat=party)}")
            index += 1
        elif record.kind == TREE_HEAD_KIND:
            head = tree_head_of(record)
            lines.append(
                f"round {head.round + 1:>2}  The operator signs the record so far: {head.tree_size} entries, "
                f"root {head.root_hash[:16]}… (a tree head {me.name} can check later)."
            )
    if run.table is not None and run.table["status"] != "open":
        ended = run.table["ended_by"] or run.table["status"]
        lines.append(f"outcome   {ended}")
    return lines


def audit_prove(
    path: FileArgument,
    seq: Annotated[int | None, typer.Option("--seq", help="The record (its seq) whose inclusion to prove.")] = None,
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            help="Prove inclusion in the tree of the first SIZE records (default: the last "
            "signed tree head that covers the record).",
        ),
    ] = None,
    first: Annotated[int | None, typer.Option("--from", help="Consistency proof: the smaller tree's size.")] = None,
    second: Annotated[int | None, typer.Option("--to", help="Consistency proof: the larger tree's size.")] = None,
) -> None:
    """Print an RFC 9162 proof (JSON): inclusion of record --seq N, or consistency --from M --to N."""
    from evals.views import Transcript

    _verified(path)
    transcript = Transcript(path.read_bytes())
    proof: Any
    if seq is not None and first is None and second is None:
        proof = transcript.inclusion(seq, size)
    elif seq is None and size is None and first is not None and second is not None:
        proof = transcript.consistency(first, second)
    else:
        raise BadInput("give either --seq N [--size M] (inclusion) or --from M --to N (consistency)")
    print(proof.model_dump_json(indent=2))


def audit_check_view(
    view_file: Annotated[Path, typer.Argument(help="A view written by 'pactlab audit view --export'.")],
    path: FileArgument,
) -> None:
    """Confirm a later transcript contains a party's view unchanged; exit 5 naming what differs."""
    from evals.views import ViewMismatch, check_view, read_view

    for file in (view_file, path):
        if not file.is_file():
            raise BadInput(f"no such file: {file}")
    view = read_view(view_file.read_bytes())
    check = check_view(view, path.read_bytes())
    if not check.ok:
        raise ViewMismatch(check)
    console.print(
        f"[green]ok[/] {escape(str(path))} contains {escape(view.party)}'s view unchanged: "
        f"{check.tree_heads_checked} tree heads consistent with the transcript's ({check.view_size} → "
        f"{check.transcript_size} records), {check.records_checked} records included"
    )
