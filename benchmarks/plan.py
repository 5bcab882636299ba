"""Benchmark: `pactlab plan` on a shipped scenario with declared uncertainty, at ≥ 1,000 drawn counterparts.

Runs the default plans (3 openings × 2 concession curves) for the platform side of
``boost_converter`` against N counterparts drawn from the vendor's uncertainty block, on the local
sweep backend (2 worker processes), and prints the ranked plan table (Markdown) with the
throughput. Reference: issue 16 asks for a ranked table at ≥ 1,000 counterparts within a few
minutes on 2 cores.

    python -m benchmarks.plan [--counterparts 1000] [--workers 2] [--seed 0]
"""

from __future__ import annotations

import argparse
import resource

from pactlab.app.planning.engine import play
from pactlab.app.planning.plan import make_plan, markdown
from pactlab.app.rehearsal.inputs import parse_policies
from pactlab.app.sweeps.pool import LocalBackend
from pactlab.domain.catalog import load_scenario


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.plan", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--counterparts", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    scenario, _ = load_scenario("boost_converter")
    before = _cpu()
    report = make_plan(
        scenario,
        "platform",
        backend=LocalBackend(args.workers, function=play),
        workers=args.workers,
        counterparts=args.counterparts,
        seed=args.seed,
        policies=parse_policies(scenario, None),
    )
    cpu = _cpu() - before  # this process and its finished worker processes
    print(markdown(report))
    print(
        f"{len(report.rows) * args.counterparts:,} negotiations in {report.seconds:.1f} s "
        f"({report.negotiations_per_second:g}/s) on {args.workers} workers; "
        "reference: issue 16, >= 1,000 counterparts within a few minutes on 2 cores"
    )
    negotiations = len(report.rows) * args.counterparts
    print(
        f"CPU: {cpu:.1f} s in all, {1000 * cpu / negotiations:.1f} ms per negotiation "
        "(the wall time above depends on what else shares the cores)"
    )


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
