"""`pactlab plan SCENARIO --as PARTY`: opening offers and concession plans against counterparts you cannot see.

Every plan (opening aspiration × concession curve) plays N counterparts drawn from the scenario's
uncertainty blocks, on a sweep backend; the ranked table, the robust plan and the concessions
worth making are printed (``--json`` for the report as JSON, ``--markdown FILE`` to write it).
See `pactlab.app.planning.plan`. Exit codes: 0, 2 bad input, 4 unknown scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.errors import BadInput

if TYPE_CHECKING:
    from pactlab.app.planning.plan import PlanReport
    from pactlab.app.sweeps.backend import Backend

console = Console(emoji=False, highlight=False, soft_wrap=True)
errors = Console(emoji=False, stderr=True, highlight=False, soft_wrap=True)


def _floats(text: str, option: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise BadInput(f"{option} {text}: give numbers separated by commas, e.g. 1,0.85,0.7") from None


def _backend(name: str, workers: int, address: str | None) -> Backend:
    from pactlab.app.planning.engine import play
    from pactlab.app.sweeps.pool import LocalBackend
    from pactlab.app.sweeps.ray_backend import RayBackend

    if name == "local":
        if address:
            raise BadInput("--address applies to --backend ray only")
        return LocalBackend(workers, function=play)
    if name == "ray":
        return RayBackend(workers, address, function=play)
    raise BadInput(f"--backend {name!r}: use local or ray")


def plan(
    scenario: Annotated[str, typer.Argument(help="A scenario file, or the name of a shipped scenario.")],
    seat: Annotated[str, typer.Option("--as", help="The party you plan for.")],
    counterparts: Annotated[int, typer.Option(min=1, help="Counterparts drawn from the uncertainty.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the draws (counterpart k is draw k of it).")] = 0,
    openings: Annotated[
        str, typer.Option(help="Opening aspirations to try: shares of the way from walk-away to best terms.")
    ] = "1,0.85,0.7",
    curves: Annotated[str, typer.Option(help="Concession exponents e to try (<1 Boulware, 1 linear, >1 Conceder).")] = (
        "0.2,1"
    ),
    policies: Annotated[
        str | None,
        typer.Option("--policies", help="Policy set: a shipped name, a file, or 'none' (default: the scenario's)."),
    ] = None,
    backend: Annotated[str, typer.Option(help="local (process pool) or ray.")] = "local",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: a local Ray instance).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of the table.")] = False,
    markdown_file: Annotated[
        Path | None, typer.Option("--markdown", metavar="FILE", help="Also write the report as Markdown.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Rank opening offers and concession plans against counterparts drawn from the scenario's uncertainty."""
    from pactlab.app.planning.plan import candidates, make_plan, markdown
    from pactlab.app.rehearsal.errors import RehearsalError
    from pactlab.app.rehearsal.inputs import parse_policies
    from pactlab.domain.catalog import load_scenario
    from pactlab.domain.limits import seed_problem

    if (problem := seed_problem(seed)) is not None:
        raise BadInput(f"--seed {seed}: {problem}")
    loaded, path = load_scenario(scenario)
    _check_specs(loaded, path)
    grid = candidates(_floats(openings, "--openings"), _floats(curves, "--curves"))
    try:
        policy_set = parse_policies(loaded, policies)
    except RehearsalError as exc:
        raise BadInput(str(exc)) from None
    runner = _backend(backend, workers, address)
    total = counterparts * len(grid)
    if not quiet and not as_json:
        errors.print(f"{len(grid)} plans × {counterparts:,} counterparts = {total:,} negotiations on {backend}")
    progress = None if quiet else _Progress(total)
    try:
        report = make_plan(
            loaded,
            seat,
            backend=runner,
            workers=workers,
            counterparts=counterparts,
            seed=seed,
            policies=policy_set,
            plans=grid,
            on_result=None if progress is None else progress.advance,
        )
    finally:
        if progress is not None:
            progress.end()
    if markdown_file is not None:
        markdown_file.write_text(markdown(report), encoding="utf-8")
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    print_plan(report)
    if markdown_file is not None:
        console.print(f"[dim]report:[/] {escape(str(markdown_file))}")


def _check_specs(scenario: object, path: Path) -> None:
    """Negotiator specs of the uncertainty blocks, read by the registry and reported at their line."""
    from pactlab.app.planning.plan import check_strategies
    from pactlab.domain.loader import FileError, locate_problems
    from pactlab.domain.scenario import Scenario

    assert isinstance(scenario, Scenario)
    found = check_strategies(scenario)
    if found:
        raise FileError(locate_problems(path, found))


class _Progress:
    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("[bold]negotiations"), BarColumn(), MofNCompleteColumn(), TextColumn("ETA"),
            TimeRemainingColumn(), console=errors,
        )  # fmt: skip
        self._task = self._bar.add_task("negotiations", total=total)
        self._bar.start()

    def advance(self, _: object) -> None:
        self._bar.update(self._task, advance=1)

    def end(self) -> None:
        self._bar.stop()


def print_plan(report: PlanReport) -> None:
    """The ranked plans as a rich table, then the recommendation and the concessions worth making."""
    from rich.table import Table

    from pactlab.domain.issues import value_key

    def v(x: float | None) -> str:
        return "—" if x is None else f"{100 * x:.1f}"

    table = Table(
        title=f"Plans for {report.party_name} against {report.counterparts:,} drawn counterparts "
        f"(value to you, 0-100; walk-away {v(report.reservation_value)})"
    )
    for name, justify in (
        ("rank", "right"),
        ("plan", "left"),
        ("agreement [95% CI]", "right"),
        ("expected value [95% CI]", "right"),
        ("worst 10% (CVaR)", "right"),
        ("value if agreed", "right"),
        ("failed", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in report.rows:
        table.add_row(
            str(r.rank),
            escape(r.plan),
            f"{100 * r.agreement:.1f}% [{100 * r.agreement_low:.1f}, {100 * r.agreement_high:.1f}]",
            f"{v(r.expected_value)} [{v(r.expected_low)}, {v(r.expected_high)}]",
            v(r.cvar10),
            v(r.value_if_agreed),
            str(r.failed),
        )
    console.print(table)
    best = report.rows[0]
    console.print(
        f"[bold]Robust plan:[/] {escape(best.plan)} ({escape(best.spec)}): "
        "the best worst case, then the best expected value."
    )
    if best.opening_offer:
        terms = ", ".join(f"{escape(k)}={escape(value_key(x))}" for k, x in best.opening_offer.items())
        console.print(f"[bold]Opening offer[/] (value to you {v(best.opening_value)}): {terms}")
    for s in report.plan_steps[:3]:
        rate = "at no cost per deal" if s.rate is None else f"{s.rate / 100:.2f} pts of agreement per point given up"
        console.print(
            f"  softer: {escape(s.to_plan)}: +{100 * s.agreement_gain:.1f} pts agreement for "
            f"{v(s.value_given_up)} points per deal ({rate})"
        )
    if report.issue_steps:
        console.print("[bold]Concessions on the opening offer[/] (most acceptance per point given up):")
        for i in report.issue_steps:
            console.print(
                f"  {escape(i.issue_name)}: {escape(value_key(i.before))} → {escape(value_key(i.after))}: "
                f"−{v(i.cost)} points for you; counterparts who would take it {100 * i.acceptance_before:.0f}% → "
                f"{100 * i.acceptance_after:.0f}%"
            )
    console.print(
        f"[dim]{report.seconds:.1f} s, {report.negotiations_per_second:g} negotiations/s on {report.backend} "
        f"({report.workers} workers). {escape(report.methods)}.[/]"
    )
