"""Benchmark: how fast the `pactlab` command starts, against the 0.5 s target.

Runs `pactlab --help`, `pactlab --version` and `pactlab scenario validate` on a shipped
scenario file, each in a fresh subprocess, N times (after one warm-up run that may compile
bytecode), and prints the median and the max wall-clock time per command next to the target.
These commands import neither the workflow (LangGraph) nor matplotlib, FastAPI or the OpenAI
SDK (tests/cli/test_startup.py checks it); this measures what that buys on this machine.

    python -m benchmarks.cli_startup [--runs 10] [--target 0.5] [--module]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TARGET_S = 0.5
DEFAULT_RUNS = 10
SCENARIO = "platform_material"


def pactlab_command(module: bool = False) -> list[str]:
    """The `pactlab` console script beside this interpreter, or `python -m pactlab` (if `module` or no script)."""
    script = Path(sys.executable).with_name("pactlab")
    return [sys.executable, "-m", "pactlab"] if module or not script.is_file() else [str(script)]


def scenario_file() -> Path:
    """The file of a shipped scenario (validated by path, as a user would)."""
    from pactlab.domain.catalog import shipped_scenarios

    return shipped_scenarios()[SCENARIO]


def time_command(command: Sequence[str], runs: int) -> list[float]:
    """Wall-clock seconds of `runs` runs of `command` (after one warm-up run); each must exit 0."""
    times = []
    for n in range(runs + 1):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
        if n > 0:
            times.append(elapsed)
    return times


def run(runs: int = DEFAULT_RUNS, module: bool = False) -> list[dict[str, Any]]:
    """One row per command: its median and max wall-clock time over `runs` runs."""
    pactlab = pactlab_command(module)
    commands = {
        "pactlab --help": [*pactlab, "--help"],
        "pactlab --version": [*pactlab, "--version"],
        f"pactlab scenario validate {SCENARIO}.yaml": [*pactlab, "scenario", "validate", str(scenario_file())],
    }
    rows = []
    for name, command in commands.items():
        times = time_command(command, runs)
        rows.append({"command": name, "runs": runs, "median_s": statistics.median(times), "max_s": max(times)})
    return rows


def print_table(rows: Sequence[dict[str, Any]], target: float = TARGET_S) -> None:
    width = max(len(row["command"]) for row in rows)
    print(f"{'command':<{width}}  {'runs':>4}  {'median s':>8}  {'max s':>6}  {'target s':>8}  median")
    for row in rows:
        verdict = "ok" if row["median_s"] < target else "OVER"
        print(
            f"{row['command']:<{width}}  {row['runs']:>4}  {row['median_s']:>8.3f}  {row['max_s']:>6.3f}  "
            f"{target:>8.2f}  {verdict}"
        )


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cli_startup", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="timed runs per command (after a warm-up)")
    parser.add_argument("--target", type=float, default=TARGET_S, help="the target wall-clock time, in seconds")
    parser.add_argument(
        "--module", action="store_true", help="time 'python -m pactlab' instead of the 'pactlab' console script"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    print(f"start-up of {' '.join(pactlab_command(args.module))} ({args.runs} runs per command, after a warm-up)")
    rows = run(args.runs, module=args.module)
    print_table(rows, args.target)
    return rows


if __name__ == "__main__":
    main()
