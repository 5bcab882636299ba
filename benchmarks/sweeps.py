"""Benchmark: strategy negotiations per second through `pactlab explore`'s local backend.

A 1,000-run sweep of the platform_material scenario (10 supplier reservation values x 5
platform negotiators x 20 seeds, the supplier Pareto-seeking, the minimal policy set) on 2
worker processes, then the scaling from 1 to 2 workers (and more, if asked) on a smaller
sweep of the same kind. Every run writes its audit transcript (fsync per record) and
scorecard, and its result goes to the SQLite store, as in a real sweep. Wall time includes
starting the worker processes; the steady rate counts the runs between the first and the
last finish.

    python -m benchmarks.sweeps [--runs 1000] [--scaling-runs 200] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pactlab.app.sweeps import Store, load_sweep, run_sweep
from pactlab.app.sweeps.pool import LocalBackend

NEGOTIATORS = ("boulware", "linear", "conceder", "tit_for_tat", "pareto")


def sweep_text(runs: int) -> str:
    """A grid sweep of `runs` runs (a multiple of 50): 10 reservation values x 5 negotiators x seeds."""
    if runs % 50:
        raise ValueError(f"runs must be a multiple of 50, not {runs}")
    values = ", ".join(f"{0.40 + 0.025 * k:.3f}" for k in range(10))
    return (
        f"name: bench-{runs}-sweep\n"
        "scenario: platform_material\n"
        f"seeds: {{count: {runs // 50}}}\n"
        "fixed: {policies: minimal, negotiators.supplier: pareto}\n"
        "grid:\n"
        f"  parties.supplier.private.reservation_value: [{values}]\n"
        f"  negotiators.platform: [{', '.join(NEGOTIATORS)}]\n"
    )


@dataclass(frozen=True)
class Measure:
    runs: int
    workers: int
    wall: float
    steady: float  # runs per second between the first and the last finish
    agreements: float

    @property
    def per_second(self) -> float:
        return self.runs / self.wall


def measure(runs: int, workers: int) -> Measure:
    """Run a fresh sweep of `runs` runs on `workers` processes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_sweep.yaml"
        path.write_text(sweep_text(runs), encoding="utf-8")
        loaded = load_sweep(path)
        start = time.perf_counter()
        outcome = run_sweep(loaded, Path(tmp) / "out", LocalBackend(workers))
        wall = time.perf_counter() - start
        with Store(Path(tmp) / "out" / "sweep.sqlite") as store:
            stored = list(store.runs())
    if outcome.done != runs:
        raise RuntimeError(f"{runs - outcome.done} runs did not finish")
    finished = sorted(datetime.fromisoformat(r.finished_at) for r in stored if r.finished_at)
    span = (finished[-1] - finished[0]).total_seconds()
    agreed = sum(1 for r in stored if r.scorecard and r.scorecard["outcome"] == "agreement")
    return Measure(runs, workers, wall, (runs - 1) / span if span > 0 else float("nan"), agreed / runs)


def main(argv: Sequence[str] | None = None) -> list[Measure]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweeps", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of the main sweep (on 2 workers)")
    parser.add_argument("--scaling-runs", type=int, default=200, help="runs per worker count for the scaling")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts for the scaling")
    args = parser.parse_args(argv)
    results = [measure(args.runs, 2)]
    main_run = results[0]
    print(
        f"{main_run.runs}-run sweep, 2 workers: {main_run.wall:.1f} s wall, {main_run.per_second:.1f} negotiations/s "
        f"({main_run.steady:.1f}/s steady), {main_run.agreements:.0%} agreements"
    )
    scaling = [measure(args.scaling_runs, w) for w in args.workers]
    results += scaling
    base = scaling[0]
    print(f"scaling, {args.scaling_runs}-run sweep:")
    print(f"  {'workers':>7} {'wall s':>8} {'runs/s':>8} {'steady/s':>9} {'speed-up':>9}")
    for m in scaling:
        print(
            f"  {m.workers:>7} {m.wall:>8.1f} {m.per_second:>8.1f} {m.steady:>9.1f} "
            f"{m.per_second / base.per_second:>8.2f}x"
        )
    return results


if __name__ == "__main__":
    main()
