"""The `pactlab` command: the root app, its global options, and every command in one list.

Each command module defines its commands (or its sub-app) and imports nothing of the CLI's
other modules; this one assembles them. Command modules import the workflow, the agents, the
evaluator and the web app inside the commands that need them, so that `pactlab --help`,
`pactlab --version` and `pactlab scenario ...` start without them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pactlab.app.cli import audit, explore, keys, league, otel, playbook, rehearse, run, scenario
from pactlab.app.cli.errors import DEBUG_PARAM, PactlabGroup
from pactlab.version import __version__

app = typer.Typer(
    cls=PactlabGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"pactlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    debug: Annotated[
        bool, typer.Option(f"--{DEBUG_PARAM}", help="Print the traceback of every error, expected or not.")
    ] = False,
) -> None:
    """pactlab: AI agents negotiate the IP and risk terms of innovation partnerships.

    Exit codes: 0 agreement or success, 3 no agreement, 2 bad input, 4 not found, 5 tampered, 6 conflict, 1 failure.
    """


app.command()(run.run)
app.command()(run.resume)
app.command()(run.strategies)
app.add_typer(scenario.scenario_app, name="scenario")
audit.audit_app.command("otel")(otel.audit_otel)
app.add_typer(audit.audit_app, name="audit")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(playbook.playbook_app, name="playbook")
app.command("eval")(audit.eval_command)
app.command("termsheet")(audit.termsheet_command)
app.command()(explore.explore)
app.command()(explore.report)
app.command()(league.league)
app.command()(rehearse.rehearse)
app.command()(rehearse.debrief)
app.command()(rehearse.serve)


def main() -> None:
    """The `pactlab` console script (and `python -m pactlab`)."""
    app()
