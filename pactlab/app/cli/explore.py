"""`pactlab explore SWEEP` runs a sweep of negotiations; `pactlab report DIR` writes its report.

Exit codes of `explore`: 0 every run done (or the budget stopped the sweep), 1 some runs
failed (run it again to rerun them), 2 a bad sweep file or option, 6 the folder holds another
sweep (or this one with another definition); of `report`: 0, or 4 if the folder holds no sweep.
The sweep machinery is imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli import exit_codes
from pactlab.app.cli.llm import MaxTokensOption, ModelOption, NCtxOption, ThreadsOption
from pactlab.errors import BadInput

if TYPE_CHECKING:
    from pactlab.app.sweeps.backend import Backend
    from pactlab.app.sweeps.loading import LoadedSweep
    from pactlab.app.sweeps.sweeper import SweepOutcome
    from pactlab.app.sweeps.tasks import RunResult

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

SWEEPS_OUT = Path("transcripts") / "sweeps"


class BarProgress:
    """A progress bar with ETA on stderr, and the sweep's running agreement and failure counts."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(emoji=False, stderr=True),
        )
        self._task = self._bar.add_task("runs", total=None, tally="")
        self._agreements = 0
        self._failed = 0

    def begin(self, total: int, done: int) -> None:
        self._bar.update(self._task, total=total, completed=done)
        self._bar.start()

    def advance(self, result: RunResult) -> None:
        if result.status == "failed":
            self._failed += 1
        elif result.scorecard is not None and result.scorecard.get("outcome") == "agreement":
            self._agreements += 1
        tally = f"{self._agreements} agreements, {self._failed} failed"
        self._bar.update(self._task, advance=1, tally=tally)

    def end(self) -> None:
        self._bar.stop()


def _backend(name: str, workers: int, address: str | None) -> Backend:
    from pactlab.app.sweeps.pool import LocalBackend
    from pactlab.app.sweeps.ray_backend import RayBackend

    if name == "local":
        if address:
            raise typer.BadParameter("--address applies to --backend ray only", param_hint="--address")
        return LocalBackend(workers)
    if name == "ray":
        return RayBackend(workers, address)
    raise typer.BadParameter(f"{name!r}: use local or ray", param_hint="--backend")


def _plan_text(loaded: LoadedSweep) -> None:
    sweep = loaded.sweep
    kinds = {p.kind for p in loaded.prepared.values()}
    console.print(
        f"[bold]{sweep.name}[/]: {loaded.scenario.title} — {len(loaded.variants)} variant(s) ({sweep.design}) × "
        f"{len(sweep.seed_list)} seed(s) × {sweep.repetitions} repetition(s) = {len(loaded.runs)} runs "
        f"({', '.join(sorted(kinds))})"
    )


def explore(
    sweep_file: Annotated[Path, typer.Argument(metavar="SWEEP", help="A sweep file (YAML).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (store, runs, report); default transcripts/sweeps/NAME.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes for strategy runs.")] = 2,
    backend: Annotated[str, typer.Option(help="local (process pool) or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")] = None,
    max_runs: Annotated[int | None, typer.Option(min=1, help="Start at most this many runs now.")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Stop at this many tokens over the sweep.")] = None,
    max_cost: Annotated[float | None, typer.Option(min=0.0, help="Stop at this cost over the sweep.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the sweep and list its variants; run nothing.")
    ] = False,
    llm: Annotated[
        str | None,
        typer.Option("--llm", help="Where LLM negotiators find their model: local (starts llama.cpp's server) or env."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    model: ModelOption = None,
    n_ctx: NCtxOption = 4096,
    threads: ThreadsOption = None,
    llm_max_tokens: MaxTokensOption = None,
) -> None:
    """Run a sweep of negotiations over scenario variants; resumable (done runs are never rerun)."""
    from pydantic import ValidationError

    from pactlab.app.cli.llm import LLM_MODES, LocalOptions, llm_endpoint, refuse_unready
    from pactlab.app.sweeps.loading import load_sweep
    from pactlab.app.sweeps.model import Budget
    from pactlab.app.sweeps.plan import describe
    from pactlab.app.sweeps.sweeper import run_sweep

    loaded = load_sweep(sweep_file)
    runner = _backend(backend, workers, address)
    folder = out or SWEEPS_OUT / loaded.sweep.name
    _plan_text(loaded)
    if dry_run:
        for variant in loaded.variants:
            prepared = loaded.prepared[variant.sha256]
            console.print(f"  {variant.sha256[:12]}  {escape(describe(variant.params))}  [dim]{prepared.kind}[/]")
        return
    given = loaded.sweep.budget
    try:
        budget = Budget(
            max_runs=max_runs if max_runs is not None else given.max_runs,
            max_tokens=max_tokens if max_tokens is not None else given.max_tokens,
            max_cost=max_cost if max_cost is not None else given.max_cost,
        )
    except ValidationError as exc:
        raise BadInput(f"budget: {exc.errors()[0]['msg']}") from None
    if llm is not None and llm not in LLM_MODES:
        raise BadInput(f"--llm {llm!r}: use {' or '.join(LLM_MODES)}")
    local = LocalOptions(model, n_ctx, threads, llm_max_tokens)
    local.check(llm)
    refuse_unready(llm, [(p.scenario, p.agents) for p in loaded.prepared.values()])
    try:
        with llm_endpoint(llm, console, quiet=True, local=local):
            outcome = run_sweep(loaded, folder, runner, budget=budget, progress=None if quiet else BarProgress())
    except ImportError as exc:  # an extra that is not installed (ray): the option cannot work here
        raise BadInput(str(exc)) from None
    except KeyboardInterrupt:
        errors.print(f"interrupted; run the same command again to finish the sweep in {folder}", markup=False)
        raise typer.Exit(130) from None
    _summary(outcome, folder)
    raise typer.Exit(exit_codes.FAILURE if outcome.failed else 0)


def _summary(outcome: SweepOutcome, folder: Path) -> None:
    from pactlab.app.sweeps.store import STORE

    rate = f", {outcome.ran / outcome.elapsed:.1f} runs/s" if outcome.ran and outcome.elapsed > 0 else ""
    console.print(
        f"ran {outcome.ran} run(s) in {outcome.elapsed:.1f} s{rate}; {outcome.done}/{outcome.total} done, "
        f"{outcome.failed} failed, {outcome.unfinished - outcome.failed} not run yet"
    )
    if outcome.stopped:
        console.print(
            f"[yellow]stopped:[/] {escape(str(outcome.stopped))}; run again (with a larger budget) to continue"
        )
    for run_id in outcome.failures[:5]:
        console.print(f"[red]failed:[/] {escape(run_id)} (see the error in the report, or run again to retry)")
    console.print(f"[dim]store[/] {escape(str(folder / STORE))}; [dim]report:[/] pactlab report {escape(str(folder))}")


def report(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="The --out folder of a sweep.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the report files (default: DIR).")] = None,
) -> None:
    """Write a sweep's HTML report (figures by factor with 95% CIs, plots, robust term sheets) and CSV."""
    from evals.sweeps.report import write_report
    from pactlab.app.sweeps.reading import read_sweep, variant_scenarios

    info, runs = read_sweep(folder)
    scenarios, missing = variant_scenarios(folder)  # for the Pareto frontiers the charts draw
    _, paths = write_report(info, runs, out or folder, scenarios, missing=missing)
    for path in paths:
        console.print(f"[dim]wrote[/] {escape(str(path))}")
