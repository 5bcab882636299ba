"""`pactlab run`, `pactlab resume` and `pactlab strategies`: negotiations with strategy or LLM agents.

Exit codes: 0 agreement, 3 no agreement (impasse or walk-away), 2 bad input, 4 unknown
negotiation or nothing to resume, 6 a negotiation id or transcript that exists already,
1 failure. The workflow (LangGraph), the agents and the evaluator are imported when a command
runs, not when the CLI starts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.app.cli.llm import LocalOptions, MaxTokensOption, ModelOption, NCtxOption, ThreadsOption
from pactlab.errors import BadInput, NotFound

if TYPE_CHECKING:
    from pactlab.app.cli.render import MoveRenderer
    from pactlab.app.runs import MoveObserver, RunResult
    from pactlab.domain.scenario import Scenario
    from pactlab.domain.table import MoveRecord
    from pactlab.workflow import Negotiations, NegotiationState

console = Console(emoji=False, highlight=False)

DEFAULT_OUT = Path("transcripts")
DEFAULT_ROUNDS_PER_STEP = 5
"""`pactlab.workflow.runner.DEFAULT_ROUNDS_PER_STEP`, for the help text (a test keeps them equal)."""

OutOption = Annotated[Path, typer.Option("--out", help="Directory for checkpoints and run outputs.")]
OPTION_NAMES = {"seed": "--seed", "agents": "--agent", "durability": "--durability", "mediator": "--mediator"}
"""How `pactlab.app.runs.prepare_run` names this command's options in its errors."""


def _print_move(renderer: MoveRenderer, pace: float, quiet: bool) -> MoveObserver:
    """The live move lines of `pactlab run` (and `resume`): each move, how the run ended, the pace."""

    def show(move: MoveRecord, status: str, ended_by: str | None) -> None:
        if not quiet:
            renderer.show(move)
            if status != "open":
                console.print(f"[bold]{escape(ended_by or '')}[/]")
        if pace > 0:
            time.sleep(pace)

    return show


def _report(result: RunResult, *, written: list[Path] | None = None) -> None:
    """The scorecard, the files written and the id; exit 0 on agreement, 3 without."""
    from pactlab.app.cli.render import print_scorecard

    print_scorecard(console, result.scorecard)
    paths = result.paths
    files = [paths.scorecard_json, paths.scorecard_md, paths.plot, *paths.termsheets.values()]
    for path in files if written is None else written:
        console.print(f"[dim]wrote[/] {escape(str(path))}")
    console.print(f"[dim]negotiation id[/] {escape(result.negotiation_id)}")
    if result.trace_id is not None:
        console.print(f"[dim]OpenTelemetry trace[/] {result.trace_id}")
    raise typer.Exit(exit_codes.AGREEMENT if result.agreed else exit_codes.NO_AGREEMENT)


def _write_missing_outputs(
    runs: Negotiations, negotiation_id: str, scenario: Scenario, state: NegotiationState, out: Path
) -> None:
    """A run that ended and was scored but was killed while writing its outputs: write the rest."""
    from evals.scorecard import Scorecard
    from pactlab.app.runs import finish_run
    from pactlab.workflow import Scored
    from pactlab.workflow.outputs import missing_outputs

    status = state["table"]["status"]
    missing = missing_outputs(out / negotiation_id, state)
    if not missing:
        raise NotFound(f"negotiation {negotiation_id!r} has already ended ({status}); nothing to resume")
    console.rule(f"[bold]{escape(negotiation_id)}[/] has ended ({status}): writing its missing outputs")
    card = Scored(scorecard=Scorecard.model_validate(state["scorecard"]))
    _report(finish_run(runs, negotiation_id, scenario, card, out, only_missing=True), written=missing)


@contextmanager
def _llm_endpoint(mode: str | None, quiet: bool, local: LocalOptions | None = None) -> Iterator[None]:
    """The LLM endpoint for the run (see pactlab.app.cli.llm); nothing to do without --llm."""
    if mode is None:
        yield
        return
    from pactlab.app.cli.llm import llm_endpoint

    with llm_endpoint(mode, console, quiet=quiet, local=local):
        yield


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
    otel: Annotated[
        str | None,
        typer.Option(
            "--otel",
            metavar="TARGET",
            help="Export the run's OpenTelemetry trace when it ends (rounds, model calls, token usage; no messages "
            "or private figures): 'otlp' (OTEL_EXPORTER_OTLP_* variables), 'console', or a file path.",
        ),
    ] = None,
) -> None:
    """Run a negotiation with strategy or LLM agents; print each move live and the scorecard at the end.

    Exit codes: 0 agreement, 3 no agreement (impasse or walk-away), 2 bad input, 6 the id is taken, 1 failure.
    """
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.limits import seed_problem

    if (problem := seed_problem(seed)) is not None:
        raise BadInput(f"--seed {seed}: {problem}")
    loaded = load_scenario(scenario)  # a bad scenario is reported before the workflow is loaded
    from pactlab.app.cli.llm import LLM_MODES, default_agent
    from pactlab.app.cli.render import MoveRenderer
    from pactlab.app.runs import execute_run, prepare_run
    from pactlab.workflow import Negotiations
    from policies import not_applicable_note

    if llm is not None and llm not in LLM_MODES:
        raise BadInput(f"--llm {llm!r}: use {' or '.join(LLM_MODES)}")
    local = LocalOptions(model, n_ctx, threads, llm_max_tokens)
    local.check(llm)
    plan = prepare_run(
        loaded,
        agents=agent or [],
        seed=seed,
        policies=policies,
        out=out,
        negotiation_id=negotiation_id,
        mediator=mediator,
        durability=durability,
        checkpoint_every=checkpoint_every,
        eval_budget=eval_budget,
        default_agent=default_agent(llm) if llm else None,
        local_llm=llm == "local",
        option_names=OPTION_NAMES,
        otel=otel,
    )
    scenario_ = plan.scenario
    console.rule(f"[bold]{escape(scenario_.title)}[/]")
    for party in scenario_.parties:
        line = f"{party.name} ({party.core_business}) — {plan.agents[party.id]}"
        console.print(f"  [bold]{party.id}[/] {escape(line)}")
    if plan.policy_set is not None:
        version = escape(str(plan.policy_set.version))
        console.print(
            f"  policies: [bold]{escape(plan.policy_set.name)}[/] {version} ({len(plan.policy_set.rules)} rules)"
        )
        console.print(not_applicable_note(plan.policy_set, scenario_), end="", markup=False, highlight=False)
    else:
        console.print("  policies: none (no policy gate)")
    console.print(
        f"  negotiation id [bold]{escape(plan.negotiation_id)}[/] (resume it with 'pactlab resume' if stopped)"
    )
    from pactlab.app.cli.progress import progress_bars  # on use: it loads the domain

    with (
        Negotiations(plan.checkpoints, durability=plan.durability) as runs,
        _llm_endpoint(llm, quiet, local),
        progress_bars(console, quiet),
    ):
        result = execute_run(plan, _print_move(MoveRenderer(console, scenario_), pace, quiet), runs=runs)
    _report(result)


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
    from pactlab.app.runs import audit_stops_the_run, finish_run, follow
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

        with progress_bars(console, quiet):
            with audit_stops_the_run(), _llm_endpoint(llm, quiet):
                scored = follow(runs.resume(negotiation_id), _print_move(renderer, pace, quiet))
            result = finish_run(runs, negotiation_id, scenario, scored, out)
    _report(result)


def strategies() -> None:
    """List the strategy negotiators and their parameters."""
    from agents.registry import STRATEGIES

    for name, description in STRATEGIES.items():
        console.print(f"[bold]{name}[/]: {description}")
