"""Benchmark: consortium scale — many parties, huge outcome spaces (issue 17).

Run ``python -m benchmarks.consortium`` (``--help``). For each (parties, outcomes) it builds the
seeded generated scenario (``benchmarks.generated_scenario``) and measures, each in a fresh
child process (so that peak memory is the child's own maximum resident set):

- ``analyse``: the outcome analysis (`evals.scorecard.analyse`, "auto": the optimiser above
  `pactlab.domain.scale.frontier_enumerable`'s limit), wall time and peak RSS;
- ``run`` (with ``--run``): a full ``pactlab run FILE --policies none -q`` (strategy agents,
  evaluator, outputs), wall time and peak RSS;
- a correctness column where the exact frontier is computable (``--check``): the optimiser's
  Nash, Kalai–Smorodinsky and utilitarian objectives against the enumerating path's.

The machine is shared: run the big sizes once, not in a loop.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

DEFAULT_CASES = ("6:1e6", "6:1e12", "8:1e12", "10:1e15")

_ANALYSE = """
import json, sys, time
from benchmarks import generated_scenario
from evals.scorecard import analyse
n, parties, check = int(float(sys.argv[1])), int(sys.argv[2]), sys.argv[3] == "1"
scenario = generated_scenario(n, parties, seed=1)
start = time.perf_counter()
fast = analyse(scenario)
row = {"analyse_s": time.perf_counter() - start, "method": fast.frontier.method,
       "nash_exact": fast.nash is not None and fast.nash.exact}
if check:
    exact, forced = analyse(scenario, method="enumerate"), analyse(scenario, method="optimise")
    same = True
    for name in ("nash", "kalai_smorodinsky", "utilitarian"):
        a, b = getattr(forced, name), getattr(exact, name)
        close = a is None or abs(a.objective - b.objective) <= 1e-9 * max(1.0, abs(b.objective))
        same &= (a is None) == (b is None) and close
    row["same_as_exact"] = bool(same)
print(json.dumps(row))
"""


def _child(args: list[str]) -> tuple[str, float, float]:
    """Run a child process; its stdout, wall seconds and peak RSS in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout, seconds, max(peak, before) / 1024  # ru_maxrss is in KiB on Linux


def bench_one(parties: int, outcomes: int, *, run: bool, check: bool) -> dict[str, Any]:
    """One row: the analysis, and the full run when asked (each in its own child process)."""
    row: dict[str, Any] = {"parties": parties, "outcomes": outcomes}
    out, seconds, peak = _child([sys.executable, "-c", _ANALYSE, str(outcomes), str(parties), "1" if check else "0"])
    row.update(json.loads(out.strip().splitlines()[-1]), analyse_wall_s=seconds, analyse_peak_mib=peak)
    if run:
        import yaml

        from benchmarks import generated_scenario

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scenario.yaml"
            scenario = generated_scenario(outcomes, parties, seed=1)
            path.write_text(yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
            cmd = [sys.executable, "-m", "pactlab", "run", str(path), "--policies", "none", "-q"]
            _, seconds, peak = _child([*cmd, "--id", "bench", "--out", str(Path(tmp) / "runs"), "--seed", "7"])
            card = json.loads((Path(tmp) / "runs" / "bench" / "scorecard.json").read_text(encoding="utf-8"))
        row.update(run_s=seconds, run_peak_mib=peak, run_outcome=card["outcome"])
    return row


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.consortium", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", default=list(DEFAULT_CASES), help="PARTIES:OUTCOMES, e.g. 6:1e12")
    parser.add_argument("--run", action="store_true", help="also time a full `pactlab run` per case")
    parser.add_argument("--check", action="store_true", help="compare with the exact frontier (small spaces only)")
    args = parser.parse_args(argv)
    rows = []
    print(f"{'parties':>7} {'outcomes':>9} {'method':>12} {'analyse s':>9} {'MiB':>6} {'run s':>7} {'MiB':>6} same")
    for case in args.cases:
        parties, outcomes = case.split(":")
        row = bench_one(int(parties), int(float(outcomes)), run=args.run, check=args.check)
        rows.append(row)
        run_s = f"{row['run_s']:7.1f} {row['run_peak_mib']:6.0f}" if "run_s" in row else f"{'-':>7} {'-':>6}"
        print(
            f"{row['parties']:>7} {'1e' + str(round(math.log10(row['outcomes']))):>9} {row['method']:>12} "
            f"{row['analyse_wall_s']:9.1f} {row['analyse_peak_mib']:6.0f} {run_s} {row.get('same_as_exact', '-')}",
            flush=True,
        )
    return rows


if __name__ == "__main__":
    main()
