"""What `pactlab explore` and `pactlab league` share: batches of runs on the sweep machinery.

The options (backend, workers, budget, `--llm`), the progress bar, and running a loaded sweep
under a budget with the LLM endpoint up: one definition, so the two commands cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.app.cli.llm import LocalOptions
from pactlab.errors import BadInput

if TYPE_CHECKING:
    from pactlab.app.sweeps.backend import Backend
    from pactlab.app.sweeps.loading import LoadedSweep
    from pactlab.app.sweeps.model import Budget
    from pactlab.app.sweeps.sweeper import SweepOutcome
    from pactlab.app.sweeps.tasks import RunResult

WorkersOption = Annotated[int, typer.Option(min=1, help="Worker processes for strategy runs.")]
BackendOption = Annotated[str, typer.Option(help="local (process pool) or ray.")]
AddressOption = Annotated[str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")]
MaxRunsOption = Annotated[int | None, typer.Option(min=1, help="Start at most this many runs now.")]
MaxTokensBudgetOption = Annotated[int | None, typer.Option(min=1, help="Stop at this many tokens over all the runs.")]
MaxCostOption = Annotated[float | None, typer.Option(min=0.0, help="Stop at this cost over all the runs.")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check the file and list what would run; run nothing.")]
LlmModeOption = Annotated[
    str | None,
    typer.Option("--llm", help="Where LLM negotiators find their model: local (starts llama.cpp's server) or env."),
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


class BarProgress:
    """A progress bar with ETA on stderr, and the batch's running agreement and failure counts."""

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


def backend(name: str, workers: int, address: str | None) -> Backend:
    """The backend `--backend NAME` names; BadParameter for an unknown one or a misplaced `--address`."""
    from pactlab.app.sweeps.pool import LocalBackend
    from pactlab.app.sweeps.ray_backend import RayBackend

    if name == "local":
        if address:
            raise typer.BadParameter("--address applies to --backend ray only", param_hint="--address")
        return LocalBackend(workers)
    if name == "ray":
        return RayBackend(workers, address)
    raise typer.BadParameter(f"{name!r}: use local or ray", param_hint="--backend")


def budget(given: Budget, max_runs: int | None, max_tokens: int | None, max_cost: float | None) -> Budget:
    """The file's budget with each limit given on the command line in its place."""
    from pydantic import ValidationError

    from pactlab.app.sweeps.model import Budget

    try:
        return Budget(
            max_runs=max_runs if max_runs is not None else given.max_runs,
            max_tokens=max_tokens if max_tokens is not None else given.max_tokens,
            max_cost=max_cost if max_cost is not None else given.max_cost,
        )
    except ValidationError as exc:
        raise BadInput(f"budget: {exc.errors()[0]['msg']}") from None


def run_batch(
    loaded: LoadedSweep,
    folder: Path,
    runner: Backend,
    *,
    limits: Budget,
    llm: str | None,
    local: LocalOptions,
    console: Console,
    errors: Console,
    quiet: bool,
    what: str,
    on_endpoint: Callable[[dict[str, str]], None] | None = None,
) -> SweepOutcome:
    """Run `loaded` into `folder` under `limits`, with the LLM endpoint up when LLM seats need one.

    Refused before anything runs when the LLM seats have no usable endpoint or model; an
    interrupt exits 130 with how to finish (`what` names the batch: sweep, league).
    """
    from pactlab.app.cli.llm import LLM_MODES, llm_endpoint, refuse_unready
    from pactlab.app.sweeps.sweeper import run_sweep

    if llm is not None and llm not in LLM_MODES:
        raise BadInput(f"--llm {llm!r}: use {' or '.join(LLM_MODES)}")
    local.check(llm)
    refuse_unready(llm, [(p.scenario, p.agents) for p in loaded.prepared.values()])
    try:
        with llm_endpoint(llm, console, quiet=True, local=local) as endpoint:
            if on_endpoint is not None:
                on_endpoint(endpoint)
            return run_sweep(loaded, folder, runner, budget=limits, progress=None if quiet else BarProgress())
    except ImportError as exc:  # an extra that is not installed (ray): the option cannot work here
        raise BadInput(str(exc)) from None
    except KeyboardInterrupt:
        errors.print(f"interrupted; run the same command again to finish the {what} in {folder}", markup=False)
        raise typer.Exit(130) from None


def summarise(outcome: SweepOutcome, console: Console) -> None:
    """Print how many runs ran, how fast, what is left, why the budget stopped it, and the first failures."""
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
