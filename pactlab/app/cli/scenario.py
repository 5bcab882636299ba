"""`pactlab scenario validate|schema|list|new|import|export`: check, list and start scenarios; convert them.

These commands need the domain only (pydantic, YAML): they start fast, without the workflow,
the agents or the evaluator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.app.cli.errors import debugging, report
from pactlab.app.cli.starter import MAX_PARTIES, MIN_PARTIES, starter_scenario
from pactlab.errors import BadInput

scenario_app = typer.Typer(
    help="Validate, list and start scenarios; import and export them; export their JSON Schema.", no_args_is_help=True
)
import_app = typer.Typer(help="Read another tool's negotiation domain as a pactlab scenario.", no_args_is_help=True)
export_app = typer.Typer(help="Write a pactlab scenario in another tool's format.", no_args_is_help=True)
scenario_app.add_typer(import_app, name="import")
scenario_app.add_typer(export_app, name="export")
if TYPE_CHECKING:
    from pactlab.domain.scenario import Scenario

console = Console(emoji=False, highlight=False)
errors = Console(emoji=False, stderr=True, highlight=False)


@scenario_app.command("validate")
def scenario_validate(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Scenario files or shipped scenario names.")],
) -> None:
    """Check scenario files; print every problem with file, line and field. Exit 2 if any is invalid."""
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.loader import FileError

    failed = False
    for name in files:
        try:
            loaded, path = load_scenario(name)
        except FileError as exc:  # report it, and go on with the next file
            failed = True
            report(exc, debug=debugging(ctx))
            continue
        wording = _wording_problems(loaded)
        if wording:
            failed = True
            for problem in wording:
                errors.print(f"[bold red]error:[/] {escape(str(path))}: {escape(problem)}")
            continue
        console.print(
            f"[green]ok[/] {escape(str(path))}: {escape(loaded.title)} — "
            f"{len(loaded.parties)} parties, {len(loaded.issues)} issues"
        )
    if failed:
        raise typer.Exit(exit_codes.BAD_INPUT)


def _wording_problems(scenario: Scenario) -> list[str]:
    """The scenario's own term-sheet templates, each rendered at every value of its issue (the default
    wording is the package's, tested with it; checking it here would only slow validation down)."""
    own = any(
        clause.wording is not None
        or any(getattr(m, "wording", None) for m in (getattr(clause, "options", None) or {}).values())
        for _, clause in scenario.clauses()
    )
    if not own:
        return []
    from evals.termsheet.variables import Signatories
    from evals.termsheet.wording import check_wording

    return check_wording(Signatories(scenario, tuple(scenario.party_ids)))


@scenario_app.command("schema")
def scenario_schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of scenario files (what the loader accepts), for editors."""
    from pactlab.domain.schema import scenario_schema as scenario_json_schema

    schema = json.dumps(scenario_json_schema(), indent=2)
    if output is None:
        print(schema)
    else:
        output.write_text(schema + "\n", encoding="utf-8")
        console.print(f"wrote {output}", markup=False)


@scenario_app.command("new")
def scenario_new(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    parties: Annotated[
        int, typer.Option(min=MIN_PARTIES, max=MAX_PARTIES, help="How many parties, each with a playbook.")
    ] = 2,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a commented starter scenario, a playbook per party, that validates and runs."""
    text = starter_scenario(parties)
    if output is None:
        print(text, end="")
        return
    if output.exists() and not force:
        raise BadInput(f"{output} exists; pass --force to overwrite it")
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}: validate it with 'pactlab scenario validate {output}'", markup=False)


@scenario_app.command("list")
def scenario_list() -> None:
    """List the shipped scenarios."""
    from pactlab.domain.catalog import load_scenario, shipped_scenarios
    from pactlab.domain.loader import FileError

    for name, path in shipped_scenarios().items():
        try:
            loaded, _ = load_scenario(str(path))
        except FileError:
            console.print(f"[red]{escape(name)}[/] (invalid: run 'pactlab scenario validate {escape(name)}')")
            continue
        console.print(
            f"[bold]{escape(name)}[/]: {escape(loaded.title)} ({len(loaded.parties)} parties, "
            f"{len(loaded.issues)} issues)"
        )


@import_app.command("genius")
def scenario_import_genius(
    domain: Annotated[Path, typer.Argument(help="The GENIUS domain file (<negotiation_template>).")],
    profiles: Annotated[
        list[Path], typer.Argument(help="Two or more GENIUS profiles (<utility_space>), one per party.")
    ],
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
    real_steps: Annotated[
        int, typer.Option("--real-steps", min=1, help="Intervals each real (continuous) issue is divided into.")
    ] = 10,
    rounds: Annotated[int | None, typer.Option("--rounds", min=1, help="The protocol's round limit.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Read a GENIUS/ANAC domain and its profiles as a scenario (YAML); notes say what was not mapped."""
    from pactlab.domain.genius import read_genius
    from pactlab.domain.loader import parse_model
    from pactlab.domain.scenario import Scenario

    result = read_genius(domain, profiles, real_steps=real_steps, max_rounds=rounds)
    text = result.yaml()
    parse_model(text, Scenario, source=str(output or "<stdout>"))  # what the loader will read back
    for note in result.notes:
        errors.print(f"[yellow]note:[/] {escape(note)}")
    if output is None:
        print(text, end="")
        return
    if output.exists() and not force:
        raise BadInput(f"{output} exists; pass --force to overwrite it")
    output.write_text(text, encoding="utf-8")
    scenario = result.scenario
    console.print(
        f"wrote {output}: {len(scenario.parties)} parties, {len(scenario.issues)} issues; "
        f"run it with 'pactlab run {output} --policies none'",
        markup=False,
        soft_wrap=True,
    )


@export_app.command("genius")
def scenario_export_genius(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or the name of a shipped scenario.")],
    outdir: Annotated[Path, typer.Argument(help="Folder for the domain and one profile per party.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Write a scenario as a GENIUS domain and one profile per party, with the same utilities."""
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.genius import genius_files

    loaded, _ = load_scenario(scenario)
    exported = genius_files(loaded)
    for note in exported.notes:
        errors.print(f"[yellow]note:[/] {escape(note)}")
    exported.write(outdir, force=force)
    profiles = " ".join(str(outdir / name) for name in exported.profiles)
    console.print(
        f"wrote {outdir}: {exported.domain_file} and {len(exported.profiles)} profiles; read them back with "
        f"'pactlab scenario import genius {outdir / exported.domain_file} {profiles}'",
        markup=False,
        soft_wrap=True,
    )
