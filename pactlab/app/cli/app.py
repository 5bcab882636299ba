"""`pactlab`: run, resume and inspect negotiations; validate scenarios."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from agents.mediator import MEDIATORS
from agents.registry import DEFAULT_STRATEGY, STRATEGIES, parse_spec
from evals.audit import AuditError
from pactlab.app.cli import exit_codes
from pactlab.app.cli.audit import audit_app, eval_command, termsheet_command
from pactlab.app.cli.llm import LLM_MODES, default_agent, llm_endpoint
from pactlab.app.cli.playbook import playbook_app
from pactlab.app.cli.render import MoveRenderer, print_scorecard
from pactlab.app.cli.starter import MAX_PARTIES, MIN_PARTIES, starter_scenario
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.loader import FileError
from pactlab.domain.scenario import Scenario
from pactlab.domain.schema import scenario_schema as scenario_json_schema
from pactlab.workflow import (
    MoveMade,
    NegotiationFinished,
    NegotiationNotFound,
    Negotiations,
    Scored,
)
from pactlab.workflow.outputs import write_outputs
from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP, Durability
from policies import load_policy_set, not_applicable_note

app = typer.Typer(
    help="pactlab: AI agents negotiate the IP and risk terms of innovation partnerships.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
scenario_app = typer.Typer(help="Validate, list and start scenarios; export their JSON Schema.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
app.add_typer(audit_app, name="audit")
app.add_typer(playbook_app, name="playbook")
app.command("eval")(eval_command)
app.command("termsheet")(termsheet_command)

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)

DEFAULT_OUT = Path("transcripts")
CHECKPOINTS = "checkpoints.sqlite"
TRANSCRIPT = "transcript.jsonl"

OutOption = Annotated[Path, typer.Option("--out", help="Directory for checkpoints and run outputs.")]


def _fail(message: str, code: int) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _file_error(exc: FileError) -> typer.Exit:
    for problem in exc.problems:
        errors.print(f"[bold red]error:[/] {problem}", markup=True, soft_wrap=True)
    return typer.Exit(exit_codes.BAD_INPUT)


_PARTY_SPEC = re.compile(r"^([a-z][a-z0-9_]*)=(.+)$")


def _parse_agents(scenario: Scenario, specs: list[str], default: str = DEFAULT_STRATEGY) -> dict[str, str]:
    """Map every party to a negotiator spec from `--agent PARTY=SPEC` (or `--agent SPEC` for all)."""
    chosen = dict.fromkeys(scenario.party_ids, default)
    for spec in specs:
        assigned = _PARTY_SPEC.match(spec)
        party, strategy = (assigned.group(1), assigned.group(2)) if assigned else ("", spec)
        try:
            parse_spec(strategy)
        except ValueError as exc:
            raise _fail(f"--agent {spec}: {exc}", exit_codes.BAD_INPUT) from None
        if not party:
            chosen = dict.fromkeys(scenario.party_ids, strategy)
        elif party not in chosen:
            raise _fail(
                f"--agent {spec}: unknown party {party!r}; parties: {', '.join(scenario.party_ids)}",
                exit_codes.BAD_INPUT,
            )
        else:
            chosen[party] = strategy
    return chosen


def _follow(events: object, renderer: MoveRenderer, pace: float, quiet: bool) -> Scored | None:
    scored = None
    for event in events:  # type: ignore[attr-defined]
        assert isinstance(event, (MoveMade, Scored))
        if isinstance(event, MoveMade):
            if not quiet:
                renderer.show(event.move)
            if event.status != "open" and not quiet:
                console.print(f"[bold]{event.ended_by}[/]")
            if pace > 0:
                time.sleep(pace)
        else:
            scored = event
    return scored


def _finish(runs: Negotiations, negotiation_id: str, scenario: Scenario, scored: Scored | None, out: Path) -> None:
    state = runs.state(negotiation_id)
    if scored is None or state is None:
        raise _fail(f"negotiation {negotiation_id!r} ended without a scorecard", exit_codes.FAILURE)
    print_scorecard(console, scored.scorecard)
    paths = write_outputs(out / negotiation_id, scenario, state, scored.scorecard)
    for path in paths:
        console.print(f"[dim]wrote[/] {path}")
    console.print(f"[dim]negotiation id[/] {negotiation_id}")
    raise typer.Exit(exit_codes.AGREEMENT if scored.scorecard.outcome == "agreement" else exit_codes.NO_AGREEMENT)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or the name of a shipped scenario.")],
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same moves.")] = 0,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", help="PARTY=STRATEGY, e.g. platform=boulware or lab='pareto(e=0.5)'; repeatable."),
    ] = None,
    out: OutOption = DEFAULT_OUT,
    negotiation_id: Annotated[str | None, typer.Option("--id", help="Negotiation id (default: generated).")] = None,
    pace: Annotated[float, typer.Option(help="Seconds to pause after each move, to watch live.")] = 0.0,
    durability: Annotated[str, typer.Option(help="Checkpoint writes: sync, async or exit.")] = "sync",
    policies: Annotated[
        str | None,
        typer.Option(
            "--policies",
            help="Policy set: a shipped name (fair-and-open, minimal), a file, or 'none'. Default: the scenario's.",
        ),
    ] = None,
    checkpoint_every: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"Rounds between checkpoints; a killed run replays at most this many. Default: "
            f"{DEFAULT_ROUNDS_PER_STEP}, or 1 with LLM negotiators.",
        ),
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm",
            help="LLM negotiators for every party without --agent: 'local' starts llama.cpp's server with the "
            "local Gemma 3 270M model (extra pactlab[llm]); 'env' uses OPENAI_BASE_URL, OPENAI_API_KEY and "
            "PACTLAB_LLM_MODEL.",
        ),
    ] = None,
    mediator: Annotated[
        str,
        typer.Option(
            help="Mediator of the ladder's mediation tier: nash (the Nash bargaining solution of the parties' "
            "stated preferences) or llm (a chat model reading the public table only; see --llm)."
        ),
    ] = "nash",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only print the scorecard.")] = False,
) -> None:
    """Run a negotiation with strategy or LLM agents; print each move live and the scorecard at the end.

    Exit codes: 0 agreement, 3 no agreement (impasse or walk-away), 2 bad input, 1 failure.
    """
    try:
        loaded, path = load_scenario(scenario)
    except FileError as exc:
        raise _file_error(exc) from None
    if durability not in ("sync", "async", "exit"):
        raise _fail(f"--durability {durability!r}: use sync, async or exit", exit_codes.BAD_INPUT)
    if llm is not None and llm not in LLM_MODES:
        raise _fail(f"--llm {llm!r}: use {' or '.join(LLM_MODES)}", exit_codes.BAD_INPUT)
    agents = _parse_agents(loaded, agent or [], default_agent(llm) if llm else DEFAULT_STRATEGY)
    if mediator not in MEDIATORS:
        raise _fail(f"--mediator {mediator!r}: use {' or '.join(MEDIATORS)}", exit_codes.BAD_INPUT)
    uses_llm = mediator == "llm" or any(spec.startswith("llm") for spec in agents.values())
    rounds_per_step = checkpoint_every or (1 if uses_llm else DEFAULT_ROUNDS_PER_STEP)
    chosen = policies or loaded.policy_set
    policy_set = None
    if chosen and chosen != "none":
        try:
            policy_set, _ = load_policy_set(chosen)
        except FileError as exc:
            raise _file_error(exc) from None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    negotiation_id = negotiation_id or f"{loaded.id}-{stamp}-{secrets.token_hex(2)}"
    console.rule(f"[bold]{loaded.title}[/]")
    for party in loaded.parties:
        console.print(f"  [bold]{party.id}[/] {party.name} ({party.core_business}) — {agents[party.id]}")
    if policy_set is not None:
        console.print(f"  policies: [bold]{policy_set.name}[/] {policy_set.version} ({len(policy_set.rules)} rules)")
        console.print(not_applicable_note(policy_set, loaded), end="", markup=False, highlight=False)
    else:
        console.print("  policies: none (no policy gate)")
    durability_mode: Durability = durability  # type: ignore[assignment]
    with Negotiations(out / CHECKPOINTS, durability=durability_mode) as runs, _llm_endpoint(llm, quiet):
        try:
            events = runs.start(
                loaded,
                agents=agents,
                seed=seed,
                negotiation_id=negotiation_id,
                source=str(path),
                rounds_per_step=rounds_per_step,
                transcript=out / negotiation_id / TRANSCRIPT,
                policies=policy_set,
                mediator=mediator,
            )
            scored = _follow(events, MoveRenderer(console, loaded), pace, quiet)
        except AuditError as exc:
            raise _fail(f"audit trail: {exc}; the run stopped (checkpoints kept)", exit_codes.FAILURE) from None
        except ValueError as exc:  # LLMConfigError (e.g. no API key) included
            raise _fail(str(exc), exit_codes.BAD_INPUT) from None
        _finish(runs, negotiation_id, loaded, scored, out)


@contextmanager
def _llm_endpoint(mode: str | None, quiet: bool) -> Iterator[None]:
    """The LLM endpoint for the run (see pactlab.app.cli.llm); a local server that cannot start is a failure."""
    if mode is None:
        yield
        return
    from agents.llm import LocalServerError

    try:
        with llm_endpoint(mode, console, quiet=quiet):
            yield
    except LocalServerError as exc:
        raise _fail(f"local model server: {exc}", exit_codes.FAILURE) from None


@app.command()
def resume(
    negotiation_id: Annotated[str, typer.Argument(help="The id printed when the run started.")],
    out: OutOption = DEFAULT_OUT,
    pace: Annotated[float, typer.Option(help="Seconds to pause after each move.")] = 0.0,
    llm: Annotated[
        str | None, typer.Option("--llm", help="Where LLM negotiators find their model: local or env (see run).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Resume an interrupted negotiation from its last checkpoint."""
    checkpoints = out / CHECKPOINTS
    if not checkpoints.exists():
        raise _fail(f"no checkpoints at {checkpoints}; pass --out DIR of the original run", exit_codes.NOT_FOUND)
    with Negotiations(checkpoints) as runs:
        state = runs.state(negotiation_id)
        if state is None:
            known = ", ".join(runs.ids()[-5:]) or "none"
            raise _fail(f"no negotiation {negotiation_id!r} in {checkpoints} (latest: {known})", exit_codes.NOT_FOUND)
        scenario = Scenario.model_validate(state["run"]["scenario"])
        renderer = MoveRenderer(console, scenario)
        console.rule(f"[bold]Resuming {negotiation_id}[/] at round {state['table']['round'] + 1}")
        if not quiet:
            renderer.replay(state["moves"])
            console.print("[dim]— resumed here —[/]")
        try:
            with _llm_endpoint(llm, quiet):
                scored = _follow(runs.resume(negotiation_id), renderer, pace, quiet)
        except (NegotiationFinished, NegotiationNotFound) as exc:
            raise _fail(str(exc), exit_codes.NOT_FOUND) from None
        except AuditError as exc:
            raise _fail(f"audit trail: {exc}; the run stopped (checkpoints kept)", exit_codes.FAILURE) from None
        _finish(runs, negotiation_id, scenario, scored, out)


@app.command()
def strategies() -> None:
    """List the strategy negotiators and their parameters."""
    for name, description in STRATEGIES.items():
        console.print(f"[bold]{name}[/]: {description}")


@scenario_app.command("validate")
def scenario_validate(
    files: Annotated[list[str], typer.Argument(help="Scenario files or shipped scenario names.")],
) -> None:
    """Check scenario files; print every problem with file, line and field. Exit 2 if any is invalid."""
    failed = False
    for name in files:
        try:
            loaded, path = load_scenario(name)
        except FileError as exc:
            failed = True
            for problem in exc.problems:
                errors.print(f"[bold red]error:[/] {problem}", soft_wrap=True)
            continue
        console.print(
            f"[green]ok[/] {path}: {loaded.title} — {len(loaded.parties)} parties, {len(loaded.issues)} issues"
        )
    if failed:
        raise typer.Exit(exit_codes.BAD_INPUT)


@scenario_app.command("schema")
def scenario_schema(
    output: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the JSON Schema of scenario files (what the loader accepts), for editors."""
    schema = json.dumps(scenario_json_schema(), indent=2)
    if output is None:
        print(schema)
    else:
        output.write_text(schema + "\n", encoding="utf-8")
        console.print(f"wrote {output}")


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
        raise _fail(f"{output} exists; pass --force to overwrite it", exit_codes.BAD_INPUT)
    output.write_text(text, encoding="utf-8")
    console.print(f"wrote {output}: validate it with 'pactlab scenario validate {output}'")


@scenario_app.command("list")
def scenario_list() -> None:
    """List the shipped scenarios."""
    for name, path in shipped_scenarios().items():
        try:
            loaded, _ = load_scenario(str(path))
        except FileError:
            console.print(f"[red]{name}[/] (invalid: run 'pactlab scenario validate {name}')")
            continue
        console.print(f"[bold]{name}[/]: {loaded.title} ({len(loaded.parties)} parties, {len(loaded.issues)} issues)")


from pactlab.app.cli import explore as _explore  # noqa: E402, F401  (registers the explore and report commands)
from pactlab.app.cli import rehearse as _rehearse  # noqa: E402, F401  (registers the rehearse, debrief and serve commands)
