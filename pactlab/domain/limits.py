"""The limits on what pactlab reads and expands: one place, each documented, each one raisable.

Every file pactlab reads as data (scenario, playbook, policy set, sweep, league) goes through
`pactlab.domain.loader`, which refuses, before building anything, a text beyond these bounds;
a scenario's outcome space and a sweep's or league's expansion are sized from their
declarations before anything is enumerated. A limit is raised for one command with its
environment variable, e.g. ``PACTLAB_MAX_ISSUE_VALUES=1000000 pactlab run big.yaml`` (read
when pactlab starts). The ranges of integers that are stored (seeds, round counters) are not
settings: they are what SQLite's INTEGER and the checkpoint serializer (msgpack) hold.

=============================  ================  =========================================
limit                          default           environment variable
=============================  ================  =========================================
`MAX_FILE_BYTES`               5,000,000 bytes   ``PACTLAB_MAX_FILE_BYTES``
`MAX_DEPTH`                    32 levels         ``PACTLAB_MAX_DEPTH``
`MAX_NODES`                    200,000 values    ``PACTLAB_MAX_NODES``
`MAX_MAGNITUDE`                1e15              ``PACTLAB_MAX_MAGNITUDE``
`MAX_ISSUE_VALUES`             100,000           ``PACTLAB_MAX_ISSUE_VALUES``
`MAX_OUTCOMES`                 10^18 (at most)   ``PACTLAB_MAX_OUTCOMES`` (lowers only)
`MAX_VARIANTS`                 10,000            ``PACTLAB_MAX_VARIANTS``
`MAX_RUNS`                     100,000           ``PACTLAB_MAX_RUNS``
=============================  ================  =========================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Protocol

from pactlab.domain.scale import OPTIMISE_LIMIT


def _setting(name: str, default: int) -> int:
    """The positive whole number in environment variable `name`, else `default` (also when it is not one)."""
    raw = os.environ.get(name, "").strip().replace("_", "")
    try:
        value = int(float(raw)) if raw else default
    except (ValueError, OverflowError):
        return default
    return value if value > 0 else default


MAX_FILE_BYTES = _setting("PACTLAB_MAX_FILE_BYTES", 5_000_000)
"""Bytes a YAML file may have (the shipped scenarios have under 30,000)."""

MAX_DEPTH = _setting("PACTLAB_MAX_DEPTH", 32)
"""Nesting levels a YAML file may have (the shipped ones need 7); deeper would exhaust the stack."""

MAX_NODES = _setting("PACTLAB_MAX_NODES", 200_000)
"""Values a YAML file may expand to, aliases expanded (the shipped ones have under 1,000): no alias bomb."""

MAX_MAGNITUDE = float(_setting("PACTLAB_MAX_MAGNITUDE", 10**15))
"""Largest magnitude of a decimal number in a file: sums and products of such figures stay finite and exact."""

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
"""Whole numbers in a file lie in this range: what SQLite's INTEGER and msgpack hold (not a setting)."""

SEED_MAX = INT_MAX
"""Seeds lie in 0..SEED_MAX: they are stored in the sweep store and in checkpoints."""

MAX_ROUNDS = 10_000
"""Round limits and round counters (`max_rounds`, `stall_rounds`) lie in 1..MAX_ROUNDS."""

MAX_ISSUE_VALUES = _setting("PACTLAB_MAX_ISSUE_VALUES", 100_000)
"""Values one numeric issue may take (``(maximum - minimum) / step + 1``); each is listed when it is used."""

MAX_OUTCOMES = min(_setting("PACTLAB_MAX_OUTCOMES", OPTIMISE_LIMIT), OPTIMISE_LIMIT)
"""Outcomes (term sheets) a scenario's outcome space may hold: `pactlab.domain.scale.OPTIMISE_LIMIT` (10^18,
outcome indices are int64), the most pactlab handles at all; larger spaces than `scale` enumerates are
optimised over, not listed. The environment variable can only lower it."""

MAX_VARIANTS = _setting("PACTLAB_MAX_VARIANTS", 10_000)
"""Variants a sweep's design may expand to (each one is checked against the scenario before anything runs)."""

MAX_RUNS = _setting("PACTLAB_MAX_RUNS", 100_000)
"""Runs a sweep or league may plan (variants or seat assignments × seeds × repetitions)."""


class _Sized(Protocol):
    """An issue, as far as its size goes: its id and how many values it takes."""

    @property
    def id(self) -> str: ...

    def values(self) -> Sequence[object]: ...


def grid_size(minimum: float, maximum: float, step: float) -> float:
    """How many values ``minimum, minimum + step, ... maximum`` holds, without listing them (inf if unbounded)."""
    span = (maximum - minimum) / step
    return span + 1 if math.isfinite(span) else math.inf


def issue_size_problem(minimum: float, maximum: float, step: float, what: str = "the issue") -> str | None:
    """Why a numeric issue's grid (`what`, e.g. ``issue 'price'``) is too large to list, or None."""
    size = grid_size(minimum, maximum, step)
    if size <= MAX_ISSUE_VALUES:
        return None
    return (
        f"{what} takes {_count(size)} values ({minimum:g} to {maximum:g} in steps of {step:g}), more than an issue may "
        f"take ({MAX_ISSUE_VALUES:,}); choose a larger step or a narrower range "
        "(PACTLAB_MAX_ISSUE_VALUES raises the limit)"
    )


def outcome_space_size(issues: Sequence[_Sized]) -> int:
    """How many outcomes the issues make: the product of their value counts (an exact integer, never wrapping)."""
    return math.prod(len(issue.values()) for issue in issues)


def outcome_space_problem(issues: Sequence[_Sized]) -> str | None:
    """Why the outcome space of `issues` is too large to enumerate, or None; names the largest issues."""
    size = outcome_space_size(issues)
    if size <= MAX_OUTCOMES:
        return None
    largest = sorted(issues, key=lambda issue: -len(issue.values()))[:3]
    named = ", ".join(f"{issue.id!r} {len(issue.values()):,}" for issue in largest)
    return (
        f"the outcome space holds {size:,} outcomes, more than {MAX_OUTCOMES:,} (values per issue, largest first: "
        f"{named}); use fewer values (a larger step) or fewer issues"
    )


def number_problem(value: object) -> str | None:
    """Why a number read from a file is out of bounds (not finite, too large, beyond 64 bits), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if INT_MIN <= value <= INT_MAX:
            return None
        return f"{_short(value)} is out of range: a whole number must lie within ±{INT_MAX:,} (64 bits)"
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"{value} is not a finite number: give a number between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g}"
        if abs(value) > MAX_MAGNITUDE:
            return (
                f"{value:g} is too large: a decimal number must lie between -{MAX_MAGNITUDE:g} and {MAX_MAGNITUDE:g} "
                "(PACTLAB_MAX_MAGNITUDE raises the limit)"
            )
    return None


def seed_problem(seed: int) -> str | None:
    """Why `seed` cannot be stored (SQLite INTEGER, msgpack: 64 bits, not negative), or None."""
    if 0 <= seed <= SEED_MAX:
        return None
    return f"out of range: a seed is a whole number from 0 to {SEED_MAX}"


def expansion_problem(what: str, variants: int, runs: int, hint: str) -> str | None:
    """Why a design of `variants` variants and `runs` runs is too large to expand, or None."""
    if variants > MAX_VARIANTS:
        return (
            f"the {what} expands to {_count(variants)} variants, more than {MAX_VARIANTS:,}; {hint} "
            "(PACTLAB_MAX_VARIANTS raises the limit)"
        )
    if runs > MAX_RUNS:
        return (
            f"the {what} plans {_count(runs)} runs, more than {MAX_RUNS:,}; {hint} (PACTLAB_MAX_RUNS raises the limit)"
        )
    return None


def _count(n: float) -> str:
    """A count for a message: digits with commas, or scientific notation once it is huge."""
    return f"{n:,.0f}" if n < 1e15 else f"{n:.3g}"


def _short(n: int) -> str:
    """A huge integer for a message: its first digits and its length."""
    digits = str(abs(n)) if n.bit_length() < 10_000 else ""
    if digits and len(digits) <= 30:
        return str(n)
    return f"a {len(digits) or 'many'}-digit number" if digits else "a huge number"


__all__ = [
    "INT_MAX",
    "INT_MIN",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_ISSUE_VALUES",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_OUTCOMES",
    "MAX_ROUNDS",
    "MAX_RUNS",
    "MAX_VARIANTS",
    "SEED_MAX",
    "expansion_problem",
    "grid_size",
    "issue_size_problem",
    "number_problem",
    "outcome_space_problem",
    "outcome_space_size",
    "seed_problem",
]
