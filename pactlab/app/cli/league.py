"""`pactlab league LEAGUE`: run a league of negotiator types and write its report.

LEAGUE is a league file or a shipped league's name (``standard``). The league runs on the sweep
machinery (`pactlab.app.sweeps`): the same store in ``--out``, budget, resume (run the same
command again: done runs are never rerun) and backends (process pool or Ray). Exit codes: 0 every
run done (or the budget stopped it), 1 some runs failed, 2 a bad league file or option, 6 the
folder holds another sweep or league.
"""

from __future__ import annotations

import json
import shlex
import sys
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
    from pactlab.app.sweeps.tasks import RunResult

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

LEAGUES_OUT = Path("transcripts") / "leagues"


class _Progress:
    """A progress bar with ETA on stderr."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("[bold]runs"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(emoji=False, stderr=True),
        )  # fmt: skip
        self._task = self._bar.add_task("runs", total=None)

    def begin(self, total: int, done: int) -> None:
        self._bar.update(self._task, total=total, completed=done)
        self._bar.start()

    def advance(self, result: RunResult) -> None:
        self._bar.update(self._task, advance=1)

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


def league(
    league_file: Annotated[str, typer.Argument(metavar="LEAGUE", help="A league file, or a shipped league's name.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (store, runs, report); default transcripts/leagues/NAME."),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes for strategy runs.")] = 2,
    backend: Annotated[str, typer.Option(help="local (process pool) or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")] = None,
    max_runs: Annotated[int | None, typer.Option(min=1, help="Start at most this many runs now.")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Stop at this many tokens over the league.")] = None,
    max_cost: Annotated[float | None, typer.Option(min=0.0, help="Stop at this cost over the league.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the league and count its runs; run nothing.")
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
    """Run a league (negotiator types × scenarios × seats × seeds) and write its ranked report; resumable."""
    from pydantic import ValidationError

    from evals.league.llm import is_llm_type
    from evals.league.report import llm_markdown, ranking_markdown, versus_markdown, write_report
    from pactlab.app.cli.llm import LLM_MODES, LocalOptions, llm_endpoint, refuse_unready
    from pactlab.app.league.plan import load_league
    from pactlab.app.league.reading import ENDPOINT, read_league
    from pactlab.app.sweeps.model import Budget
    from pactlab.app.sweeps.store import STORE
    from pactlab.app.sweeps.sweeper import run_sweep
    from pactlab.domain.catalog import resolve_file, shipped_folder

    loaded = load_league(resolve_file(league_file, shipped_folder("leagues"), "league"))
    spec = loaded.league
    runner = _backend(backend, workers, address)
    folder = out or LEAGUES_OUT / spec.name
    console.print(
        f"[bold]{spec.name}[/]: {len(spec.negotiators)} types × {len(loaded.scenarios)} scenarios "
        f"({', '.join(s.label for s in loaded.scenarios)}) × all seats × {len(spec.seed_list)} seed(s) = "
        f"{len(loaded.sweep.runs)} runs"
    )
    if dry_run:
        return
    given = spec.budget
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
    refuse_unready(llm, [(p.scenario, p.agents) for p in loaded.sweep.prepared.values()])
    llm_types = [t.name for t in spec.negotiators if is_llm_type(t.spec)]
    try:
        with llm_endpoint(llm, console, quiet=True, local=local) as endpoint:
            if llm_types:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / ENDPOINT).write_text(json.dumps(endpoint, indent=2) + "\n", encoding="utf-8")
            outcome = run_sweep(loaded.sweep, folder, runner, budget=budget, progress=None if quiet else _Progress())
    except ImportError as exc:  # an extra that is not installed (ray)
        raise BadInput(str(exc)) from None
    except KeyboardInterrupt:
        errors.print(f"interrupted; run the same command again to finish the league in {folder}", markup=False)
        raise typer.Exit(130) from None
    console.print(
        f"ran {outcome.ran} run(s) in {outcome.elapsed:.1f} s; {outcome.done}/{outcome.total} done, "
        f"{outcome.failed} failed, {outcome.unfinished - outcome.failed} not run yet"
    )
    if outcome.stopped:
        console.print(
            f"[yellow]stopped:[/] {escape(str(outcome.stopped))}; run again (with a larger budget) to continue"
        )
    command = "pactlab league " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if len(sys.argv) > 2 else ""
    info, runs = read_league(folder, command=command)
    summary, paths = write_report(info, runs, folder)
    console.print(ranking_markdown(summary), markup=False)
    if summary.llm:
        console.print(llm_markdown(summary), markup=False)
    if summary.versus:
        console.print(versus_markdown(summary), markup=False)
    for path in paths:
        console.print(f"[dim]wrote[/] {escape(str(path))}")
    console.print(f"[dim]store[/] {escape(str(folder / STORE))}")
    raise typer.Exit(exit_codes.FAILURE if outcome.failed else 0)
