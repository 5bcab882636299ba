"""`pactlab rehearse`, `pactlab debrief` and `pactlab serve`: a person takes a seat at the table.

`pactlab rehearse SCENARIO --as PARTY` plays PARTY in the terminal while agents play the other
parties: it shows the table, the person's private brief and, for a draft counter-offer, its
value to their side and whether a rule would block it, before it is sent. Accept, counter
(issue by issue, with defaults from your own last offer, or your opening position: never the other
side's proposal), reject with a reason, walk away,
or leave and continue later (``--continue ID``); ``--delete ID`` removes an abandoned one (its files,
the audit transcript included, move to ``OUT/archive/ID``). Agents under a mandate (``--mandate
'seller: price >= 2'``) ask for approval of moves outside it. At the end: the debrief.
``--fork ID --turn N`` replays a finished or paused rehearsal from turn N as a new branch.

Exit codes: 0 agreement (or the person left, to continue later), 3 no agreement, 2 bad input,
4 unknown rehearsal. ``--explain`` (here and on ``pactlab debrief``) ends the debrief with what its
numbers mean, from `evals.glossary`.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape as e

from pactlab.app.cli import exit_codes
from pactlab.errors import BadInput, NotFound

console = Console(emoji=False, highlight=False)

DEFAULT_OUT = Path("transcripts")

OutOption = Annotated[Path, typer.Option("--out", help="Directory for checkpoints and rehearsal outputs.")]
ExplainOption = Annotated[
    bool,
    typer.Option(
        "--explain", help="End the debrief with what its numbers mean (surplus, Nash point, Pareto frontier, …)."
    ),
]


def rehearse(
    scenario: Annotated[str | None, typer.Argument(help="A scenario file, or the name of a shipped scenario.")] = None,
    seat: Annotated[str | None, typer.Option("--as", help="The party you play.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the agents.")] = 0,
    agent: Annotated[
        list[str] | None, typer.Option("--agent", help="PARTY=STRATEGY for another party, e.g. supplier=boulware.")
    ] = None,
    policies: Annotated[
        str | None, typer.Option("--policies", help="Policy set: fair-and-open, minimal, a file, or 'none'.")
    ] = None,
    mandate: Annotated[
        list[str] | None,
        typer.Option(
            "--mandate", help="'PARTY: RULE' for an agent, e.g. 'seller: price >= 2' or 'seller: utility >= 0.6'."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Your name, recorded with your moves and approvals.")
    ] = None,
    out: OutOption = DEFAULT_OUT,
    negotiation_id: Annotated[str | None, typer.Option("--id", help="Rehearsal id (default: generated).")] = None,
    continue_id: Annotated[str | None, typer.Option("--continue", help="Continue the rehearsal with this id.")] = None,
    fork: Annotated[str | None, typer.Option("--fork", help="Branch the rehearsal with this id (with --turn).")] = None,
    turn: Annotated[int | None, typer.Option("--turn", help="The turn to branch from (as shown, from 1).")] = None,
    pace: Annotated[float, typer.Option(help="Seconds to pause after each agent move.")] = 0.0,
    delete: Annotated[
        str | None,
        typer.Option(
            "--delete",
            help="Delete the rehearsal with this id: it leaves the lists; its files (audit transcript "
            "included) move to OUT/archive/ID.",
        ),
    ] = None,
    explain: ExplainOption = False,
) -> None:
    """Rehearse a negotiation: you play one party, agents play the others; a debrief at the end."""
    modes = sum(x is not None for x in (scenario, continue_id, fork, delete))
    if modes != 1:
        raise BadInput("give a SCENARIO to start, or --continue ID, or --fork ID --turn N, or --delete ID")
    if delete is not None:
        _delete(delete, out)
        return
    if fork is not None and turn is None:
        raise BadInput("--fork needs --turn N: the turn to play differently")
    from pactlab.domain.limits import seed_problem

    if (problem := seed_problem(seed)) is not None:
        raise BadInput(f"--seed {seed}: {problem}")
    from agents.llm_readiness import is_llm_spec
    from pactlab.app.cli.terminal import Leave, Terminal, print_debrief
    from pactlab.app.rehearsal import Rehearsals

    if scenario is not None and any(is_llm_spec(spec) for spec in _agents(agent or []).values()):
        from pactlab.app.cli.llm import refuse_unready
        from pactlab.domain.catalog import load_scenario

        refuse_unready(None, [(load_scenario(scenario)[0], _agents(agent or []))])
    person = name or _default_name()
    with Rehearsals(out) as service:
        ui = Terminal(service, person, pace)
        with _rehearsal_hint():
            if scenario is not None:
                agents = _agents(agent or [])
                console.print("[dim]Setting the table…[/]")
                view = service.start(
                    scenario,
                    seat,
                    seed=seed,
                    agents=agents,
                    policies=policies,
                    mandates=mandate or [],
                    negotiation_id=negotiation_id,
                )
            elif continue_id is not None:
                view = service.view(continue_id)
            else:
                assert fork is not None and turn is not None
                view = service.fork(fork, turn, negotiation_id=negotiation_id)
        if name is None and view.transcript is not None and view.seat is not None:
            # continued or branched without --name: the person who sat there plays on under their name
            from evals.transcript import seated_people

            ui.name = seated_people(view.transcript).get(view.seat, person)
        ui.bind(view)
        ui.header()
        ui.brief()
        console.rule("The table so far" if view.moves else "The table")
        branch_at = view.forked_from["turn"] if view.forked_from else None
        for move in view.moves:
            if move["turn"] == branch_at:
                console.print(f"[yellow]— the branch plays on from here (turn {branch_at + 1}) —[/]")
            ui.show(move)
        if branch_at is not None and branch_at >= len(view.moves):
            console.print(f"[yellow]— the branch plays on from here (turn {branch_at + 1}) —[/]")
        try:
            view = ui.play(view)
        except Leave:
            rid = view.id if ui.view is None else ui.view.id
            console.print(f"You left the table. Continue later: pactlab rehearse --continue {rid} --out {e(str(out))}")
            raise typer.Exit(exit_codes.AGREEMENT) from None
        print_debrief(service.debrief(view.id), service, explain=explain)
        console.print(f"[dim]rehearsal id[/] {e(view.id)}")
        code = exit_codes.AGREEMENT if view.status == "agreement" else exit_codes.NO_AGREEMENT
        raise typer.Exit(code)


def _delete(rid: str, out: Path) -> None:
    """`pactlab rehearse --delete ID`: the rehearsal leaves the lists; its files are archived, not destroyed."""
    from pactlab.app.rehearsal import Rehearsals

    with Rehearsals(out) as service, _rehearsal_hint():
        archived = service.delete(rid)
    where = f"; its files are kept in {archived}" if archived is not None else ""
    console.print(f"Deleted rehearsal {e(rid)}{e(where)}.", soft_wrap=True)


@contextmanager
def _rehearsal_hint() -> Iterator[None]:
    """An unknown rehearsal id says where rehearsals are looked for (the error keeps its class: exit 4)."""
    from pactlab.app.rehearsal import UnknownRehearsal

    try:
        yield
    except UnknownRehearsal as exc:
        exc.add_note("pass --out DIR of the rehearsal")
        raise


def _agents(specs: list[str]) -> dict[str, str]:
    agents: dict[str, str] = {}
    for spec in specs:
        party, sep, strategy = spec.partition("=")
        if not sep or not party.strip() or not strategy.strip():
            raise BadInput(f"--agent {spec}: write PARTY=STRATEGY, e.g. supplier=boulware")
        agents[party.strip()] = strategy.strip()
    return agents


def _default_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # pragma: no cover - no user name in the environment
        return "rehearsal"


def debrief(
    negotiation_id: Annotated[str, typer.Argument(help="The rehearsal id.")],
    out: OutOption = DEFAULT_OUT,
    explain: ExplainOption = False,
) -> None:
    """Print the debrief of a finished rehearsal, with its what-if branches side by side.

    Exit codes: 0, or 4 if there is no such rehearsal or it has no debrief yet.
    """
    from pactlab.app.cli.terminal import print_debrief
    from pactlab.app.rehearsal import RehearsalError, Rehearsals

    with Rehearsals(out) as service:
        with _rehearsal_hint():
            try:
                report = service.debrief(negotiation_id)
            except RehearsalError as exc:  # a rehearsal still under way: no debrief to find yet
                raise NotFound(str(exc)) from None
        print_debrief(report, service, explain=explain)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    out: OutOption = DEFAULT_OUT,
    pace: Annotated[float, typer.Option(help="Seconds between agent moves, to watch them land.")] = 0.3,
    scenarios: Annotated[
        list[Path] | None,
        typer.Option(
            "--scenarios",
            metavar="DIR",
            exists=True,
            file_okay=False,
            help="A folder of scenario files to offer (repeatable; replaces the default ./scenarios; "
            "the shipped scenarios are always offered).",
        ),
    ] = None,
    max_body: Annotated[
        int,
        typer.Option(
            "--max-body",
            min=1024,
            max=1 << 30,
            metavar="BYTES",
            help="Largest request body the server reads (larger: HTTP 413 before reading it).",
        ),
    ] = 1048576,  # pactlab.app.web.limits.DEFAULT_MAX_BODY (not imported here: the CLI starts fast)
) -> None:
    """Rehearse in the browser: a local web app where you pick a scenario and a seat and negotiate."""
    from pactlab.app.web.server import serve as run_server

    run_server(
        out,
        host=host,
        port=port,
        pace=pace,
        scenario_folders=scenarios,
        max_body=max_body,
        announce=lambda line: console.print(line, markup=False, soft_wrap=True),
    )
