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
from pactlab.app.cli.batch import (
    AddressOption,
    BackendOption,
    DryRunOption,
    LlmModeOption,
    MaxCostOption,
    MaxRunsOption,
    MaxTokensBudgetOption,
    QuietOption,
    WorkersOption,
)
from pactlab.app.cli.llm import MaxTokensOption, ModelOption, NCtxOption, ThreadsOption

if TYPE_CHECKING:
    from pactlab.app.sweeps.loading import LoadedSweep
    from pactlab.app.sweeps.sweeper import SweepOutcome

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

SWEEPS_OUT = Path("transcripts") / "sweeps"


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
    workers: WorkersOption = 2,
    backend: BackendOption = "local",
    address: AddressOption = None,
    max_runs: MaxRunsOption = None,
    max_tokens: MaxTokensBudgetOption = None,
    max_cost: MaxCostOption = None,
    dry_run: DryRunOption = False,
    llm: LlmModeOption = None,
    quiet: QuietOption = False,
    model: ModelOption = None,
    n_ctx: NCtxOption = 4096,
    threads: ThreadsOption = None,
    llm_max_tokens: MaxTokensOption = None,
) -> None:
    """Run a sweep of negotiations over scenario variants; resumable (done runs are never rerun)."""
    from pactlab.app.cli.batch import backend as make_backend
    from pactlab.app.cli.batch import budget as budget_from
    from pactlab.app.cli.batch import run_batch
    from pactlab.app.cli.llm import LocalOptions
    from pactlab.app.sweeps.loading import load_sweep
    from pactlab.app.sweeps.plan import describe

    loaded = load_sweep(sweep_file)
    runner = make_backend(backend, workers, address)
    folder = out or SWEEPS_OUT / loaded.sweep.name
    _plan_text(loaded)
    if dry_run:
        for variant in loaded.variants:
            prepared = loaded.prepared[variant.sha256]
            console.print(f"  {variant.sha256[:12]}  {escape(describe(variant.params))}  [dim]{prepared.kind}[/]")
        return
    outcome = run_batch(
        loaded,
        folder,
        runner,
        limits=budget_from(loaded.sweep.budget, max_runs, max_tokens, max_cost),
        llm=llm,
        local=LocalOptions(model, n_ctx, threads, llm_max_tokens),
        console=console,
        errors=errors,
        quiet=quiet,
        what="sweep",
    )
    _summary(outcome, folder)
    raise typer.Exit(exit_codes.FAILURE if outcome.failed else 0)


def _summary(outcome: SweepOutcome, folder: Path) -> None:
    from pactlab.app.cli.batch import summarise
    from pactlab.app.sweeps.store import STORE

    summarise(outcome, console)
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
