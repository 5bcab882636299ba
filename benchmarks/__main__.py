"""`python -m benchmarks`: the benchmarks, one after the other (on demand, not a test).

By default the outcome space, the negotiations per second and the CLI start-up; `--only`
picks among every benchmark (the sweep and LLM ones take longer; see their own `--help`).
Each benchmark module is imported only when it runs, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

BENCHMARKS = (
    "outcome_space",
    "negotiations",
    "cli_startup",
    "sweeps",
    "llm_overhead",
    "quorum",
    "opponent_models",
    "protocols",
    "consortium",
    "plan",
)
DEFAULT = ("outcome_space", "negotiations", "cli_startup")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=BENCHMARKS,
        default=list(DEFAULT),
        metavar="NAME",
        help=f"run these benchmarks, with their defaults ({', '.join(BENCHMARKS)}); default: {' '.join(DEFAULT)}",
    )
    args = parser.parse_args(argv)
    for name in args.only:
        print(f"== benchmarks.{name}", flush=True)
        importlib.import_module(f"benchmarks.{name}").main([])


if __name__ == "__main__":
    main()
