"""`pactlab scenario validate|schema|list`: check scenario files and export their JSON Schema.

These commands need the domain only (pydantic, YAML): they start fast, without the workflow,
the agents or the evaluator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.app.cli.errors import debugging, report

scenario_app = typer.Typer(help="Validate shipped or custom scenarios; export their JSON Schema.", no_args_is_help=True)
console = Console(highlight=False)


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
        console.print(
            f"[green]ok[/] {escape(str(path))}: {escape(loaded.title)} — "
            f"{len(loaded.parties)} parties, {len(loaded.issues)} issues"
        )
    if failed:
        raise typer.Exit(exit_codes.BAD_INPUT)


@scenario_app.command("schema")
def scenario_schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of scenario files, for editor autocompletion."""
    from pactlab.domain.scenario import Scenario

    schema = json.dumps(Scenario.model_json_schema(), indent=2)
    if output is None:
        print(schema)
    else:
        output.write_text(schema + "\n", encoding="utf-8")
        console.print(f"wrote {output}", markup=False)


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
