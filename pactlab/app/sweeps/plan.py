"""Expand a sweep's design into variants, and variants into runs with deterministic ids.

A variant is one combination of settings (the fixed ones plus the varied ones); its hash is
the SHA-256 of the canonical JSON of all its settings. A run is a variant, a seed and a
repetition; its id, which is also its negotiation id, is ``NAME-VARIANTHASH-sSEED`` (plus
``-rK`` with repetitions), so a restarted sweep recognises the runs it already has.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pactlab.app.sweeps.model import Range, SeedRange, Sweep
from pactlab.domain.limits import MAX_RUNS, MAX_VARIANTS, expansion_problem
from pactlab.errors import BadInput

YamlLoc = tuple[str | int, ...]
"""Where something is in the sweep file, as keys and list indices (for `pactlab.domain.loader.locate_problems`)."""


class PlanError(BadInput, ValueError):
    """A design that cannot expand; `where` locates it in the sweep file."""

    def __init__(self, where: YamlLoc, message: str) -> None:
        self.where = where
        super().__init__(message)


@dataclass(frozen=True)
class Variant:
    """One combination of settings: `params` are the varied ones, `settings` every one that applies."""

    index: int
    params: dict[str, Any]
    settings: dict[str, Any]
    sha256: str
    where: YamlLoc
    sources: dict[str, YamlLoc] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedRun:
    run_id: str
    variant: Variant
    seed: int
    repetition: int


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces; the form that is hashed and stored."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def factors(sweep: Sweep) -> list[str]:
    """The varied settings, in file order."""
    if sweep.grid is not None:
        return list(sweep.grid)
    if sweep.random is not None:
        return list(sweep.random.vary)
    if sweep.variants is not None:
        return list(dict.fromkeys(key for variant in sweep.variants for key in variant))
    return []


def design_size(sweep: Sweep) -> tuple[int, int, YamlLoc]:
    """Variants and runs the design makes, counted from the file without expanding it, and where to blame.

    A grid range with no step counts one value (expanding it fails with its own message).
    """
    if sweep.grid is not None:
        count = math.prod(
            len(v) if isinstance(v, list) else (v.count if v.step is not None else 1) for v in sweep.grid.values()
        )
        where: YamlLoc = ("grid",)
    elif sweep.random is not None:
        count, where = sweep.random.n, ("random", "n")
    elif sweep.variants is not None:
        count, where = len(sweep.variants), ("variants",)
    else:
        count, where = 1, ()
    seeds = sweep.seeds.count if isinstance(sweep.seeds, SeedRange) else len(sweep.seeds)
    planned = count * seeds * sweep.repetitions
    if count <= MAX_VARIANTS and planned > MAX_RUNS:
        where = ("seeds",) if seeds >= sweep.repetitions else ("repetitions",)
    return count, planned, where


def check_size(sweep: Sweep) -> None:
    """PlanError if the sweep would expand to more variants or runs than the limits allow (nothing is expanded)."""
    count, planned, where = design_size(sweep)
    hint = "vary fewer settings or fewer values, or use fewer seeds or repetitions"
    problem = expansion_problem("sweep", count, planned, hint)
    if problem is not None:
        raise PlanError(where, problem)


def variants(sweep: Sweep) -> list[Variant]:
    """Every variant of the design, in order; PlanError for a design too large, overlaps with `fixed` or repeats."""
    check_size(sweep)
    fixed_sources: dict[str, YamlLoc] = {key: ("fixed", key) for key in sweep.fixed}
    out: list[Variant] = []
    seen: dict[str, int] = {}
    for params, where, sources in _combinations(sweep):
        for key in params:
            if key in sweep.fixed:
                raise PlanError(sources[key], f"{key!r} is set under 'fixed' too; a setting is fixed or varied")
        settings = {**sweep.fixed, **params}
        sha = hashlib.sha256(canonical(settings).encode()).hexdigest()
        if sha in seen:
            if sweep.design == "random":
                continue  # drawn twice: the same variant runs once
            raise PlanError(where, f"this variant repeats variant {seen[sha]} (the same settings)")
        seen[sha] = len(out)
        out.append(Variant(len(out), params, settings, sha, where, {**fixed_sources, **sources}))
    return out


def runs(sweep: Sweep, planned: list[Variant]) -> list[PlannedRun]:
    """Every run: each variant, each seed, each repetition (PlanError above `MAX_RUNS`)."""
    planned_runs = len(planned) * len(sweep.seed_list) * sweep.repetitions
    problem = expansion_problem("sweep", 0, planned_runs, "use fewer variants, seeds or repetitions")
    if problem is not None:
        raise PlanError(("seeds",), problem)
    return [
        PlannedRun(run_id(sweep, v, seed, rep), v, seed, rep)
        for v in planned
        for seed in sweep.seed_list
        for rep in range(sweep.repetitions)
    ]


def run_id(sweep: Sweep, variant: Variant, seed: int, repetition: int) -> str:
    base = f"{sweep.name}-{variant.sha256[:12]}-s{seed}"
    return base if sweep.repetitions == 1 else f"{base}-r{repetition}"


def _combinations(sweep: Sweep) -> Iterator[tuple[dict[str, Any], YamlLoc, dict[str, YamlLoc]]]:
    if sweep.grid is not None:
        keys = list(sweep.grid)
        lists = [_listed(sweep.grid[k], ("grid", k)) for k in keys]
        for combo in itertools.product(*lists):
            yield (
                {k: v for k, (v, _) in zip(keys, combo, strict=True)},
                ("grid",),
                {k: loc for k, (_, loc) in zip(keys, combo, strict=True)},
            )
    elif sweep.random is not None:
        rng = random.Random(sweep.random.seed)
        for _ in range(sweep.random.n):
            params: dict[str, Any] = {}
            sources: dict[str, YamlLoc] = {}
            for key, values in sweep.random.vary.items():
                params[key], sources[key] = _draw(rng, values, ("random", "vary", key))
            yield params, ("random",), sources
    elif sweep.variants is not None:
        for n, variant in enumerate(sweep.variants):
            yield dict(variant), ("variants", n), {k: ("variants", n, k) for k in variant}
    else:
        yield {}, (), {}


def _listed(values: list[Any] | Range, where: YamlLoc) -> list[tuple[Any, YamlLoc]]:
    if isinstance(values, Range):
        if values.step is None:
            raise PlanError(where, "a grid range needs a step (a range without one is for the random design)")
        return [(v, where) for v in values.values()]
    return [(v, (*where, n)) for n, v in enumerate(values)]


def _draw(rng: random.Random, values: list[Any] | Range, where: YamlLoc) -> tuple[Any, YamlLoc]:
    if isinstance(values, list):
        n = rng.randrange(len(values))
        return values[n], (*where, n)
    if values.step is not None:
        return values.value_at(rng.randrange(values.count)), where  # as rng.choice(values.values()) draws
    if values.integer:
        return rng.randint(int(values.min), int(values.max)), where
    return round(rng.uniform(values.min, values.max), 6), where


def describe(params: Mapping[str, Any]) -> str:
    """``a=1, b='x'``: a variant's varied settings, for people."""
    return ", ".join(f"{k}={v!r}" for k, v in params.items()) or "(base scenario)"
