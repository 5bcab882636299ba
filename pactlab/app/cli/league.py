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
    pass

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)

LEAGUES_OUT = Path("transcripts") / "leagues"


def league(
    league_file: Annotated[str, typer.Argument(metavar="LEAGUE", help="A league file, or a shipped league's name.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (store, runs, report); default transcripts/leagues/NAME."),
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
    """Run a league (negotiator types × scenarios × seats × seeds) and write its ranked report; resumable."""
    from evals.league.llm import is_llm_type
    from evals.league.report import llm_markdown, ranking_markdown, versus_markdown, write_report
    from pactlab.app.cli.batch import backend as make_backend
    from pactlab.app.cli.batch import budget as budget_from
    from pactlab.app.cli.batch import run_batch, summarise
    from pactlab.app.cli.llm import LocalOptions
    from pactlab.app.league.plan import load_league
    from pactlab.app.league.reading import ENDPOINT, read_league
    from pactlab.app.sweeps.store import STORE
    from pactlab.domain.catalog import resolve_file, shipped_folder

    loaded = load_league(resolve_file(league_file, shipped_folder("leagues"), "league"))
    spec = loaded.league
    runner = make_backend(backend, workers, address)
    folder = out or LEAGUES_OUT / spec.name
    console.print(
        f"[bold]{spec.name}[/]: {len(spec.negotiators)} types × {len(loaded.scenarios)} scenarios "
        f"({', '.join(s.label for s in loaded.scenarios)}) × all seats × {len(spec.seed_list)} seed(s) = "
        f"{len(loaded.sweep.runs)} runs"
    )
    if dry_run:
        return
    llm_types = [t.name for t in spec.negotiators if is_llm_type(t.spec)]

    def keep_endpoint(endpoint: dict[str, str]) -> None:
        if llm_types:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / ENDPOINT).write_text(json.dumps(endpoint, indent=2) + "\n", encoding="utf-8")

    outcome = run_batch(
        loaded.sweep,
        folder,
        runner,
        limits=budget_from(spec.budget, max_runs, max_tokens, max_cost),
        llm=llm,
        local=LocalOptions(model, n_ctx, threads, llm_max_tokens),
        console=console,
        errors=errors,
        quiet=quiet,
        what="league",
        on_endpoint=keep_endpoint,
    )
    summarise(outcome, console)
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
