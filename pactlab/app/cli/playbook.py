"""`pactlab playbook explain FILE` shows what a playbook compiles to, and why; `pactlab playbook schema`.

FILE is a playbook file (its scenario from ``--scenario`` or its own ``scenario:``) or a scenario
file whose parties use playbooks (``--party`` picks one). Exit codes: 0, or 2 for a file or
option that does not validate.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

playbook_app = typer.Typer(
    help="Negotiation playbooks: what they compile to, and their JSON Schema.", no_args_is_help=True
)
"""The `pactlab playbook` commands; the CLI registers them under `playbook`."""

console = Console(emoji=False, highlight=False, soft_wrap=True)


@playbook_app.command("explain")
def explain(
    file: Annotated[Path, typer.Argument(help="A playbook file, or a scenario file whose parties use playbooks.")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="The scenario (file or shipped name) a playbook file is for.")
    ] = None,
    party: Annotated[str | None, typer.Option("--party", help="The party whose playbook to explain.")] = None,
) -> None:
    """Print the profile a playbook compiles to — weights, values, constraints, reservation value — and why."""
    from pactlab.app.cli.playbook_view import explain as show

    show(file, scenario, party)


@playbook_app.command("schema")
def schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of playbook files, for editors."""
    from pactlab.domain.schema import playbook_schema

    text = json.dumps(playbook_schema(), indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {output}", markup=False)
