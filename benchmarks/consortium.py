"""Benchmark: consortium scale — many parties, huge outcome spaces (issue 17).

Run ``python -m benchmarks.consortium`` (``--help``). For each (parties, outcomes) — ``--cases
6:1e12 …``, or the grid ``--parties 6 8 10 --sizes 1e6 1e9 1e12 1e15`` (``--grid`` for exactly
that) — it builds the seeded generated scenario (``benchmarks.generated_scenario``) and measures,
each in a fresh child process (so that peak memory is the child's own maximum resident set):

- ``analyse``: the outcome analysis (`evals.scorecard.analyse`, "auto": the optimiser above
  `pactlab.domain.scale.frontier_enumerable`'s limit), wall time and peak RSS;
- ``run`` (``--run``): a full ``pactlab run FILE --policies none -q`` (strategy agents, which
  search their offers in a large space, the evaluator, outputs), wall time and peak RSS;
- ``negmas`` (``--negmas``): the same analysis with NegMAS's functions on the identical domain
  (issues and linear-additive utility functions with the same tables and reservation values:
  ``negmas.preferences.pareto_frontier``, then ``nash_points`` and ``kalai_points`` on it),
  wall time and peak RSS, or ``timeout`` when it does not finish within ``--timeout`` seconds,
  or ``>limit`` above ``--negmas-limit`` outcomes (NegMAS lists every outcome as a Python tuple);
- ``check`` (``--check``): where the exact frontier is computable (at most ``--check-limit``
  outcomes, within ``--timeout``), the optimiser's answers against the exact enumerating path's:
  the Nash, Kalai–Smorodinsky and utilitarian objectives equal (and the Nash gap 0), the Pareto
  verdicts of ``CHECK_DEALS`` random deals plus frontier points equal, every exact distance
  inside the reported interval (equal where it is marked exact). ``ok``, or what differed.

The machine is shared: run the big sizes once, with ``nice``, not in a loop.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

DEFAULT_CASES = ("6:1e6", "6:1e12", "8:1e12", "10:1e15")
GRID_PARTIES = (6, 8, 10)
GRID_SIZES = ("1e6", "1e9", "1e12", "1e15")
CHECK_DEALS = 20
"""Random deals whose Pareto verdicts and distances the correctness column compares (besides frontier points)."""


def _analyse_child(outcomes: int, parties: int) -> dict[str, Any]:
    from benchmarks import generated_scenario
    from evals.scorecard import analyse

    scenario = generated_scenario(outcomes, parties, seed=1)
    start = time.perf_counter()
    fast = analyse(scenario)
    return {
        "analyse_s": time.perf_counter() - start,
        "method": fast.frontier.method,
        "nash_exact": fast.nash is not None and fast.nash.exact,
    }


def _negmas_child(outcomes: int, parties: int) -> dict[str, Any]:
    from negmas.preferences import kalai_points, nash_points, pareto_frontier

    from benchmarks import generated_scenario
    from benchmarks.outcome_space import _domain, negmas_domain

    scenario = generated_scenario(outcomes, parties, seed=1)
    space, utilities = _domain(scenario)
    issues, ufuns = negmas_domain(space, utilities)
    for ufun, utility in zip(ufuns, utilities.values(), strict=True):
        ufun.reserved_value = float(utility.reservation_value)
    start = time.perf_counter()
    frontier, _ = pareto_frontier(ufuns, issues=issues, sort_by_welfare=True)
    nash = nash_points(ufuns, frontier, issues=issues)
    kalai_points(ufuns, frontier, issues=issues)
    seconds = time.perf_counter() - start
    product = 0.0
    if nash:
        gains = [u - r for u, r in zip(nash[0][0], (x.reservation_value for x in utilities.values()), strict=True)]
        product = math.prod(gains) if all(g > 0 for g in gains) else 0.0
    return {"negmas_s": seconds, "negmas_frontier": len(frontier), "negmas_nash_product": product}


def _check_child(outcomes: int, parties: int) -> dict[str, Any]:
    """The optimiser against the exact path (see the module docstring); the first difference found, or ok."""
    import numpy as np

    from benchmarks import generated_scenario
    from evals.scorecard import analyse, score

    scenario = generated_scenario(outcomes, parties, seed=1)
    start = time.perf_counter()
    exact = analyse(scenario, method="enumerate")
    exact_s = time.perf_counter() - start
    fast = analyse(scenario, method="optimise")
    problems: list[str] = []
    for name in ("nash", "kalai_smorodinsky", "utilitarian"):
        a, b = getattr(fast, name), getattr(exact, name)
        if (a is None) != (b is None):
            problems.append(f"{name}: one path found none")
        elif a is not None and b is not None:
            if not math.isclose(a.objective, b.objective, rel_tol=1e-9, abs_tol=1e-12):
                problems.append(f"{name}: {a.objective!r} != {b.objective!r}")
            if not a.exact or a.gap != 0.0:
                problems.append(f"{name}: gap {a.gap!r}")
    space = exact.space
    rng = np.random.default_rng(outcomes + parties)
    deals = [int(o) for o in rng.integers(0, space.cardinality, CHECK_DEALS)]
    deals += [int(o) for o in exact.frontier.outcomes[:: max(1, len(exact.frontier) // 5)][:5]]
    verdicts = 0
    for outcome in deals:
        sheet = dict(space.term_sheet(outcome).terms)
        args: dict[str, Any] = {"outcome": "agreement", "agreement": sheet, "agreed_by": scenario.party_ids}
        slow = score(scenario, [], rounds=1, analysis=exact, **args)
        quick = score(scenario, [], rounds=1, analysis=fast, **args)
        verdicts += 1
        if quick.pareto_optimal != slow.pareto_optimal:
            problems.append(f"outcome {outcome}: Pareto verdict {quick.pareto_optimal} != {slow.pareto_optimal}")
        assert quick.accuracy is not None
        d = quick.accuracy["pareto_distance"]
        if d.exact and not math.isclose(quick.pareto_distance, slow.pareto_distance, abs_tol=1e-9):
            problems.append(f"outcome {outcome}: distance {quick.pareto_distance} != {slow.pareto_distance}")
        if not d.exact and not ((d.lower or 0.0) - 1e-9 <= slow.pareto_distance <= (d.upper or 0.0) + 1e-9):
            problems.append(f"outcome {outcome}: distance {slow.pareto_distance} outside [{d.lower}, {d.upper}]")
    return {
        "exact_s": exact_s,
        "frontier_size": len(exact.frontier),
        "checked_deals": verdicts,
        "check": "ok" if not problems else "; ".join(problems[:3]),
    }


_CHILDREN = {"analyse": _analyse_child, "negmas": _negmas_child, "check": _check_child}


_PEAK = (
    "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
    "use = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print('peak_kib', use.ru_maxrss, use.ru_utime + use.ru_stime, file=sys.stderr); "
    "sys.exit(done.returncode)"
)
"""A wrapper whose only child is the measured command: its RUSAGE_CHILDREN peak is that command's own."""


LAST_CPU = [0.0]


def _child(args: list[str], timeout: float | None = None) -> tuple[str | None, float, float]:
    """Run a child process; its stdout (None on timeout), wall seconds and its own peak RSS in MiB.

    Its CPU seconds (user + system, the figure a shared machine's load does not inflate) are kept
    in ``LAST_CPU``."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PEAK, *args], capture_output=True, text=True, check=False, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start, 0.0
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    last = next(line.split() for line in reversed(done.stderr.splitlines()) if line.startswith("peak_kib"))
    LAST_CPU[0] = float(last[2])
    return done.stdout, seconds, int(last[1]) / 1024  # ru_maxrss is in KiB on Linux


def _measure(kind: str, outcomes: int, parties: int, timeout: float | None) -> tuple[dict[str, Any] | None, float]:
    """One child measurement: its row (None on timeout) and peak RSS in MiB."""
    cmd = [sys.executable, "-m", "benchmarks.consortium", "--child", kind, str(outcomes), str(parties)]
    out, _, peak = _child(cmd, timeout)
    if out is None:
        return None, peak
    return json.loads(out.strip().splitlines()[-1]), peak


def bench_one(
    parties: int,
    outcomes: int,
    *,
    run: bool,
    check: bool,
    negmas: bool = False,
    timeout: float = 300.0,
    negmas_limit: int = 10**6,
    check_limit: int = 10**6,
) -> dict[str, Any]:
    """One row: the analysis, and the full run, NegMAS and the check when asked (each in its own child)."""
    row: dict[str, Any] = {"parties": parties, "outcomes": outcomes}
    found, peak = _measure("analyse", outcomes, parties, None)
    assert found is not None
    row.update(found, analyse_peak_mib=peak, analyse_cpu_s=LAST_CPU[0])
    if negmas:
        if outcomes > negmas_limit:
            row["negmas"] = ">limit"
        else:
            found, peak = _measure("negmas", outcomes, parties, timeout)
            row.update({"negmas": "timeout"} if found is None else {**found, "negmas": "ok", "negmas_peak_mib": peak})
    if check:
        if outcomes > check_limit:
            row["check"] = ">limit"
        else:
            found, _ = _measure("check", outcomes, parties, timeout)
            row.update({"check": "timeout"} if found is None else found)
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
        row.update(
            run_s=seconds,
            run_cpu_s=LAST_CPU[0],
            run_peak_mib=peak,
            run_outcome=card["outcome"],
            run_nash_ratio=card["nash_ratio"],
        )
    return row


def cases_of(args: argparse.Namespace) -> list[tuple[int, int]]:
    """(parties, outcomes) pairs: the grid when --grid, --parties or --sizes is given, else --cases."""
    if args.grid or args.parties or args.sizes:
        parties = args.parties or list(GRID_PARTIES)
        sizes = args.sizes or list(GRID_SIZES)
        return [(int(p), int(float(s))) for p, s in itertools.product(parties, sizes)]
    return [(int(p), int(float(n))) for p, n in (case.split(":") for case in args.cases)]


def _cell(row: dict[str, Any], seconds: str, peak: str) -> str:
    if seconds not in row:
        return f"{row.get(seconds.split('_')[0], '-'):>20}"
    cpu = row.get(seconds.replace("_s", "_cpu_s"))
    shown = f"{row[seconds]:.1f}" if cpu is None else f"{row[seconds]:.1f}/{cpu:.1f}"
    return f"{shown:>12} {row.get(peak, 0):7.0f}"


def _check_cell(row: dict[str, Any]) -> str:
    if "exact_s" not in row:
        return str(row.get("check", "-"))
    return f"{row['check']} (exact path {row['exact_s']:.1f} s, {row['checked_deals']} deals)"


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.consortium", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", nargs="+", default=list(DEFAULT_CASES), help="PARTIES:OUTCOMES, e.g. 6:1e12")
    parser.add_argument("--grid", action="store_true", help="every parties x sizes pair (6 8 10 x 1e6 … 1e15)")
    parser.add_argument("--parties", nargs="+", type=int, help="grid rows: numbers of parties (default 6 8 10)")
    parser.add_argument("--sizes", nargs="+", help="grid columns: outcome counts (default 1e6 1e9 1e12 1e15)")
    parser.add_argument("--run", action="store_true", help="also time a full `pactlab run` per case")
    parser.add_argument("--negmas", action="store_true", help="also time NegMAS's analysis where it can finish")
    parser.add_argument("--check", action="store_true", help="compare with the exact frontier where computable")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for a NegMAS or exact-check child")
    parser.add_argument("--negmas-limit", type=float, default=1e6, help="largest space given to NegMAS")
    parser.add_argument("--check-limit", type=float, default=1e6, help="largest space the exact check enumerates")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar (none off a terminal either)")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "OUTCOMES", "PARTIES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, outcomes, parties = args.child
        print(json.dumps(_CHILDREN[kind](int(outcomes), int(parties))))
        return []
    rows = []
    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"{'parties':>7} {'outcomes':>8} {'method':>12} {'analyse s':>8} {'MiB':>7} {'run s wall/cpu':>12} {'MiB':>7} "
        f"{'NegMAS s wall':>12} {'MiB':>7}  check",
        markup=False,
    )
    cases = cases_of(args)
    bars = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=args.quiet or not console.is_terminal,  # a bar over the cases on a terminal only
    )
    with bars as shown:
        task = shown.add_task("cases", total=len(cases))
        for parties, outcomes in cases:
            shown.update(task, description=f"{parties} parties, ~{outcomes:.0e} outcomes")
            row = bench_one(
                parties,
                outcomes,
                run=args.run,
                check=args.check,
                negmas=args.negmas,
                timeout=args.timeout,
                negmas_limit=int(args.negmas_limit),
                check_limit=int(args.check_limit),
            )
            rows.append(row)
            console.print(
                f"{row['parties']:>7} {'1e' + str(round(math.log10(row['outcomes']))):>8} {row['method']:>12} "
                f"{row['analyse_s']:9.1f} {row['analyse_peak_mib']:7.0f} {_cell(row, 'run_s', 'run_peak_mib')} "
                f"{_cell(row, 'negmas_s', 'negmas_peak_mib')}  {_check_cell(row)}",
                markup=False,
            )
            shown.advance(task)
    return rows


if __name__ == "__main__":
    main()
