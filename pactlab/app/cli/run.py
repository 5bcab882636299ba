"""`pactlab run`, `pactlab resume` and `pactlab strategies`: negotiations with strategy or LLM agents.

Exit codes: 0 agreement, 3 no agreement (impasse or walk-away), 2 bad input, 4 unknown
negotiation or nothing to resume, 6 a negotiation id or transcript that exists already,
1 failure. The workflow (LangGraph), the agents and the evaluator are imported when a command
runs, not when the CLI starts.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.app.cli.llm import LocalOptions, MaxTokensOption, ModelOption, NCtxOption, ThreadsOption
from pactlab.errors import BadInput, Conflict, InternalError, NotFound

if TYPE_CHECKING:
    from pactlab.app.cli.render import MoveRenderer
    from pactlab.domain.scenario import Scenario
    from pactlab.workflow import Negotiations, NegotiationState, Scored

console = Console(emoji=False, highlight=False)

DEFAULT_OUT = Path("transcripts")
DEFAULT_ROUNDS_PER_STEP = 5
"""`pactlab.workflow.runner.DEFAULT_ROUNDS_PER_STEP`, for the help text (a test keeps them equal)."""

OutOption = Annotated[Path, typer.Option("--out", help="Directory for checkpoints and run outputs.")]


def parse_agents(scenario: Scenario, specs: list[str], default: str) -> dict[str, str]:
    """Map every party to a negotiator spec from `--agent PARTY=SPEC` (or `--agent SPEC` for all)."""
    from agents.registry import parse_spec, split_assignment

    chosen = dict.fromkeys(scenario.party_ids, default)
    for spec in specs:
        party, strategy = split_assignment(spec)
        try:
            parse_spec(strategy)
        except ValueError as exc:
            raise BadInput(f"--agent {spec}: {exc}") from None
        if not party:
            chosen = dict.fromkeys(scenario.party_ids, strategy)
        elif party not in chosen:
            raise BadInput(f"--agent {spec}: unknown party {party!r}; parties: {', '.join(scenario.party_ids)}")
        else:
            chosen[party] = strategy
    return chosen


def _follow(events: Iterable[object], renderer: MoveRenderer, pace: float, quiet: bool) -> Scored | None:
    from pactlab.workflow import MoveMade, Scored

    scored = None
    for event in events:
        assert isinstance(event, (MoveMade, Scored))
        if isinstance(event, MoveMade):
            if not quiet:
                renderer.show(event.move)
            if event.status != "open" and not quiet:
                console.print(f"[bold]{escape(event.ended_by or '')}[/]")
            if pace > 0:
                time.sleep(pace)
        else:
            scored = event
    return scored


def _finish(
    runs: Negotiations,
    negotiation_id: str,
    scenario: Scenario,
    scored: Scored | None,
    out: Path,
    *,
    only_missing: bool = False,
) -> None:
    from pactlab.app.cli.render import print_scorecard
    from pactlab.workflow.outputs import write_outputs

    state = runs.state(negotiation_id)
    if scored is None or state is None:
        raise InternalError(f"negotiation {negotiation_id!r} ended without a scorecard")
    print_scorecard(console, scored.scorecard)
    paths = write_outputs(out / negotiation_id, scenario, state, scored.scorecard, only_missing=only_missing)
    for path in paths:
        console.print(f"[dim]wrote[/] {escape(str(path))}")
    console.print(f"[dim]negotiation id[/] {escape(negotiation_id)}")
    raise typer.Exit(exit_codes.AGREEMENT if scored.scorecard.outcome == "agreement" else exit_codes.NO_AGREEMENT)


def _write_missing_outputs(
    runs: Negotiations, negotiation_id: str, scenario: Scenario, state: NegotiationState, out: Path
) -> None:
    """A run that ended and was scored but was killed while writing its outputs: write the rest."""
    from rich.markup import escape

    from evals.scorecard import Scorecard
    from pactlab.workflow import Scored
    from pactlab.workflow.outputs import missing_outputs

    status = state["table"]["status"]
    if not missing_outputs(out / negotiation_id, state):
        raise NotFound(f"negotiation {negotiation_id!r} has already ended ({status}); nothing to resume")
    console.rule(f"[bold]{escape(negotiation_id)}[/] has ended ({status}): writing its missing outputs")
    card = Scored(scorecard=Scorecard.model_validate(state["scorecard"]))
    _finish(runs, negotiation_id, scenario, card, out, only_missing=True)


@contextmanager
def _llm_endpoint(mode: str | None, quiet: bool, local: LocalOptions | None = None) -> Iterator[None]:
    """The LLM endpoint for the run (see pactlab.app.cli.llm); nothing to do without --llm."""
    if mode is None:
        yield
        return
    from pactlab.app.cli.llm import llm_endpoint

    with llm_endpoint(mode, console, quiet=quiet, local=local):
        yield


@contextmanager
def _audit_stops_the_run() -> Iterator[None]:
    """An audit trail error stops the run; say that the checkpoints are kept (the error keeps its class)."""
    from evals.audit import AuditError

    try:
        yield
    except AuditError as exc:
        exc.add_note("the run stopped (checkpoints kept)")
        raise


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
    eval_budget: Annotated[
        float | None,
        typer.Option(
            "--eval-budget",
            min=0.0,
            help="Seconds the evaluator may spend on a large outcome space (evals.optimise), for the analysis and "
            "again for the deal; unfinished figures are reported with their proven bounds. Default: no limit.",
        ),
    ] = None,
    model: ModelOption = None,
    n_ctx: NCtxOption = 4096,
    threads: ThreadsOption = None,
    llm_max_tokens: MaxTokensOption = None,
) -> None:
    """Run a negotiation with strategy or LLM agents; print each move live and the scorecard at the end.

    Exit codes: 0 agreement, 3 no agreement (impasse or walk-away), 2 bad input, 6 the id is taken, 1 failure.
    """
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.limits import seed_problem

    if (problem := seed_problem(seed)) is not None:
        raise BadInput(f"--seed {seed}: {problem}")
    loaded, path = load_scenario(scenario)  # a bad scenario is reported before the workflow is loaded
    if durability not in ("sync", "async", "exit"):
        raise BadInput(f"--durability {durability!r}: use sync, async or exit")
    from agents.mediator import MEDIATORS
    from agents.registry import DEFAULT_STRATEGY
    from evals.scorecard import analyse
    from pactlab.app.cli.llm import LLM_MODES, default_agent, refuse_unready
    from pactlab.app.cli.render import MoveRenderer
    from pactlab.domain.run_folder import CHECKPOINTS, TRANSCRIPT
    from pactlab.workflow import Negotiations
    from pactlab.workflow.runner import Durability
    from policies import load_policy_set, not_applicable_note

    if llm is not None and llm not in LLM_MODES:
        raise BadInput(f"--llm {llm!r}: use {' or '.join(LLM_MODES)}")
    agents = parse_agents(loaded, agent or [], default_agent(llm) if llm else DEFAULT_STRATEGY)
    if mediator not in MEDIATORS:
        raise BadInput(f"--mediator {mediator!r}: use {' or '.join(MEDIATORS)}")
    uses_llm = mediator == "llm" or any(spec.startswith("llm") for spec in agents.values())
    local = LocalOptions(model, n_ctx, threads, llm_max_tokens)
    local.check(llm)
    refuse_unready(llm, [(loaded, agents)], mediator=mediator == "llm")
    rounds_per_step = checkpoint_every or (1 if uses_llm else DEFAULT_ROUNDS_PER_STEP)
    chosen = policies or loaded.policy_set
    policy_set = load_policy_set(chosen)[0] if chosen and chosen != "none" else None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    negotiation_id = negotiation_id or f"{loaded.id}-{stamp}-{secrets.token_hex(2)}"
    transcript = out / negotiation_id / TRANSCRIPT
    if transcript.exists() and transcript.stat().st_size > 0:  # an empty one: a run killed before it began
        raise Conflict(f"transcript {transcript} already exists; pick another negotiation id (--id) or --out")
    console.rule(f"[bold]{escape(loaded.title)}[/]")
    for party in loaded.parties:
        console.print(f"  [bold]{party.id}[/] {escape(f'{party.name} ({party.core_business}) — {agents[party.id]}')}")
    if policy_set is not None:
        version = escape(str(policy_set.version))
        console.print(f"  policies: [bold]{escape(policy_set.name)}[/] {version} ({len(policy_set.rules)} rules)")
        console.print(not_applicable_note(policy_set, loaded), end="", markup=False, highlight=False)
    else:
        console.print("  policies: none (no policy gate)")
    console.print(f"  negotiation id [bold]{escape(negotiation_id)}[/] (resume it with 'pactlab resume' if stopped)")
    durability_mode: Durability = durability  # type: ignore[assignment]
    with Negotiations(out / CHECKPOINTS, durability=durability_mode) as runs, _llm_endpoint(llm, quiet, local):
        if runs.state(negotiation_id) is not None:
            raise Conflict(
                f"negotiation id {negotiation_id!r} already exists in {out / CHECKPOINTS}; pick another (--id)"
            )
        from pactlab.app.cli.progress import progress_bars  # on use: it loads the domain

        with _audit_stops_the_run(), progress_bars(console, quiet):
            events = runs.start(
                loaded,
                agents=agents,
                seed=seed,
                negotiation_id=negotiation_id,
                source=str(path),
                rounds_per_step=rounds_per_step,
                transcript=transcript,
                policies=policy_set,
                mediator=mediator,
                analysis=None if eval_budget is None else analyse(loaded, budget=eval_budget),
            )
            scored = _follow(events, MoveRenderer(console, loaded), pace, quiet)
        _finish(runs, negotiation_id, loaded, scored, out)


def resume(
    negotiation_id: Annotated[str, typer.Argument(help="The id printed when the run started.")],
    out: OutOption = DEFAULT_OUT,
    pace: Annotated[float, typer.Option(help="Seconds to pause after each move.")] = 0.0,
    llm: Annotated[
        str | None, typer.Option("--llm", help="Where LLM negotiators find their model: local or env (see run).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Resume an interrupted negotiation from its last checkpoint.

    Exit codes: as for run, and 4 if there is no such negotiation or nothing left to resume.
    """
    from pactlab.app.cli.render import MoveRenderer
    from pactlab.domain.run_folder import CHECKPOINTS
    from pactlab.domain.scenario import Scenario
    from pactlab.workflow import Negotiations

    checkpoints = out / CHECKPOINTS
    if not checkpoints.exists():
        raise NotFound(f"no checkpoints at {checkpoints}; pass --out DIR of the original run")
    with Negotiations(checkpoints) as runs:
        state = runs.state(negotiation_id)
        if state is None:
            known = ", ".join(runs.ids()[-5:]) or "none"
            raise NotFound(f"no negotiation {negotiation_id!r} in {checkpoints} (latest: {known})")
        scenario = Scenario.model_validate(state["run"]["scenario"])
        if state["table"]["status"] != "open" and state.get("scorecard") is not None:
            _write_missing_outputs(runs, negotiation_id, scenario, state, out)
        renderer = MoveRenderer(console, scenario)
        console.rule(f"[bold]Resuming {negotiation_id}[/] at round {state['table']['round'] + 1}")
        if not quiet:
            renderer.replay(state["moves"])
            console.print("[dim]— resumed here —[/]")
        from pactlab.app.cli.progress import progress_bars  # on use: it loads the domain

        with _audit_stops_the_run(), _llm_endpoint(llm, quiet), progress_bars(console, quiet):
            scored = _follow(runs.resume(negotiation_id), renderer, pace, quiet)
        _finish(runs, negotiation_id, scenario, scored, out)


def strategies() -> None:
    """List the strategy negotiators and their parameters."""
    from agents.registry import STRATEGIES

    for name, description in STRATEGIES.items():
        console.print(f"[bold]{name}[/]: {description}")
