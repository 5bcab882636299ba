"""Benchmark: the exact Pareto frontier and the Nash point on generated outcome spaces.

Run ``python -m benchmarks.outcome_space`` (``--help`` for options). For each size it builds
a seeded linear-additive scenario (``benchmarks.generated_scenario``), times
``pareto_frontier`` and ``nash_solution`` (best of several runs, then one more run under
tracemalloc for the peak memory), and, if NegMAS is installed (``pip install negmas``, the
``bench`` extra), runs NegMAS's ``pareto_frontier`` on the identical issues and utility
functions, reports the speed ratio, and checks that both frontiers hold the same utility
vectors. NegMAS's reservation values are set to -inf so that it returns the whole frontier,
as pactlab does (pactlab's Nash point then filters by reservation value).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from benchmarks import generated_scenario
from evals.bargaining import nash_solution
from evals.frontier import Frontier, pareto_frontier
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
TOLERANCE = 1e-9  # NegMAS adds weighted values in its own way: compare utilities up to this


def _best_time(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(max(1, repeats)):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def _domain(scenario: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(scenario.issues)
    return space, utility_functions(space, {p.id: p.private for p in scenario.parties})


def negmas_available() -> bool:
    """Whether NegMAS can be imported (it is an optional, benchmark-only dependency)."""
    return importlib.util.find_spec("negmas") is not None


def negmas_domain(space: OutcomeSpace, utilities: dict[str, UtilityFunction]) -> tuple[list[Any], list[Any]]:
    """NegMAS issues and LinearAdditiveUtilityFunctions equal to pactlab's, reservation values -inf.

    Each issue's value function is the table of weighted values pactlab uses, with unit weights,
    so both libraries add the same numbers.
    """
    from negmas import LinearAdditiveUtilityFunction, make_issue

    pairs = zip(space.issues, space.options, strict=True)
    issues = [make_issue(list(options), name=issue.id) for issue, options in pairs]
    ufuns = []
    for party, ufun in utilities.items():
        values = [
            {option: float(v) for option, v in zip(options, table, strict=True)}
            for options, table in zip(space.options, ufun.tables, strict=True)
        ]
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values, weights=[1.0] * len(issues), issues=issues, reserved_value=float("-inf"), name=party
            )
        )
    return issues, ufuns


def _same_vectors(ours: np.ndarray, theirs: np.ndarray) -> bool:
    """Whether two sets of utility vectors agree up to TOLERANCE (as sets of distinct rows)."""
    a = np.unique(np.round(ours / TOLERANCE) * TOLERANCE, axis=0)
    b = np.unique(np.round(theirs / TOLERANCE) * TOLERANCE, axis=0)
    return a.shape == b.shape and bool(np.allclose(a, b, atol=10 * TOLERANCE))


def bench_one(
    n_outcomes: int, *, parties: int = 3, seed: int = 0, negmas: bool = True, repeats: int = 5
) -> dict[str, Any]:
    """Time and measure one size; with `negmas`, compare against NegMAS when it is installed."""
    scenario = generated_scenario(n_outcomes, parties, seed)
    space, utilities = _domain(scenario)
    holder: dict[str, Frontier] = {}

    def frontier() -> None:
        holder["f"] = pareto_frontier(space, utilities)

    frontier_s = _best_time(frontier, repeats)
    front = holder["f"]
    nash_s = _best_time(lambda: nash_solution(space, utilities, front), repeats)
    nash = nash_solution(space, utilities, front)
    row: dict[str, Any] = {
        "outcomes": space.cardinality,
        "issues": len(space.issues),
        "parties": parties,
        "seed": seed,
        "frontier_size": len(front),
        "distinct_vectors": int(np.unique(front.utilities, axis=0).shape[0]),
        "method": front.method,
        "exact": front.exact,
        "frontier_s": frontier_s,
        "nash_s": nash_s,
        "peak_mib": _peak_mib(frontier),
        "nash_outcome": None if nash is None else nash.outcome,
        "nash_product": None if nash is None else nash.objective,
    }
    if negmas and negmas_available():
        from negmas.preferences import pareto_frontier as negmas_pareto_frontier

        issues, ufuns = negmas_domain(space, utilities)
        result: dict[str, Any] = {}

        def run_negmas() -> None:
            result["r"] = negmas_pareto_frontier(ufuns, issues=issues, sort_by_welfare=True)

        negmas_s = _best_time(run_negmas, 1)
        points, _indices = result["r"]
        theirs = np.asarray(points, dtype=float).reshape(-1, parties)
        row.update(
            negmas_s=negmas_s,
            negmas_frontier_size=len(points),
            speedup=negmas_s / frontier_s if frontier_s > 0 else float("inf"),
            frontiers_agree=_same_vectors(front.utilities, theirs),
        )
    return row


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    negmas: bool = True,
    *,
    parties: int = 3,
    seed: int = 0,
    repeats: int = 5,
) -> list[dict[str, Any]]:
    """One result row per size (see `bench_one`); the lead's combined benchmark calls this."""
    return [bench_one(n, parties=parties, seed=seed, negmas=negmas, repeats=repeats) for n in sizes]


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """The results as a rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Pareto frontier and Nash point on generated linear-additive outcome spaces")
    columns = [  # (key, header, format)
        ("outcomes", "outcomes", "{:,}"),
        ("parties", "parties", "{}"),
        ("frontier_size", "frontier", "{:,}"),
        ("frontier_s", "frontier s", "{:.4f}"),
        ("nash_s", "Nash s", "{:.5f}"),
        ("peak_mib", "peak MiB", "{:.1f}"),
        ("negmas_s", "NegMAS s", "{:.3f}"),
        ("negmas_frontier_size", "NegMAS frontier", "{:,}"),
        ("speedup", "speed-up", "{:.0f}x"),
        ("frontiers_agree", "same frontier", "{}"),
    ]
    for _, header, _ in columns:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*(fmt.format(row[key]) if key in row else "-" for key, _, fmt in columns))
    Console(width=max(120, Console().width)).print(table)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Command-line entry point: run the benchmark and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.outcome_space", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="outcome-space sizes")
    parser.add_argument("--parties", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of pactlab; the best counts")
    parser.add_argument("--no-negmas", action="store_true", help="skip the NegMAS comparison")
    args = parser.parse_args(argv)
    if not args.no_negmas and not negmas_available():
        print("negmas is not installed: skipping the comparison (pip install negmas)")
    rows = run(args.sizes, not args.no_negmas, parties=args.parties, seed=args.seed, repeats=args.repeats)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
