"""Benchmark: strategy-agent negotiations per second through the durable LangGraph workflow.

Runs Boulware vs Conceder (2 parties, 100 rounds) on generated domains of about 10^4, 10^5
and 10^6 outcomes, and the shipped ecosystem scenario with the default negotiators, each
with SQLite checkpointing on: durability sync with a checkpoint every round and every
DEFAULT_ROUNDS_PER_STEP rounds (the default), async, and exit; then with the signed audit
trail: fsynced per record, and group commit (the records of a superstep fsynced together, once,
just before its checkpoint is written) with sync and with async checkpoint writes (the fsync and
the checkpoint then overlap the next superstep). With NegMAS installed (the `bench` extra), runs
NegMAS's SAO mechanism with its Boulware and Conceder time-based negotiators on the identical
domains and prints the ratios. With `--repeats K` every mode and NegMAS are measured K times,
interleaved (so that a change in the machine's load hits all alike), and the median is shown.

    python -m benchmarks.negotiations [--runs N] [--sizes 10000 ...] [--repeats K] [--trail-only] [--no-ecosystem]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks import generated_scenario
from benchmarks.outcome_space import _domain, negmas_available, negmas_domain
from evals.audit import FsyncPolicy
from evals.scorecard import analyse
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import Scenario
from pactlab.workflow import Negotiations, Scored
from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP, Durability

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
ROUNDS = 100
MODES: dict[str, tuple[Durability, int, bool | FsyncPolicy]] = {
    "sync, 1 round/ckpt": ("sync", 1, False),
    f"sync, {DEFAULT_ROUNDS_PER_STEP} rounds/ckpt": ("sync", DEFAULT_ROUNDS_PER_STEP, False),
    f"async, {DEFAULT_ROUNDS_PER_STEP} rounds/ckpt": ("async", DEFAULT_ROUNDS_PER_STEP, False),
    "exit": ("exit", DEFAULT_ROUNDS_PER_STEP, False),
    "sync + audit trail (fsync/record)": ("sync", DEFAULT_ROUNDS_PER_STEP, "record"),
    "sync + audit trail (group commit/superstep)": ("sync", DEFAULT_ROUNDS_PER_STEP, "step"),
    "async + audit trail (group commit/superstep)": ("async", DEFAULT_ROUNDS_PER_STEP, "step"),
}
DEFAULT_MODE = f"sync, {DEFAULT_ROUNDS_PER_STEP} rounds/ckpt"
SYNC_TRAIL_MODE = "sync + audit trail (group commit/superstep)"
TRAIL_MODE = "async + audit trail (group commit/superstep)"
"""Issue 14's durable mode: the signed trail on, one commit point per superstep (its records fsynced
together before its checkpoint is written), the fsync and the checkpoint off the graph's path."""


def with_rounds(scenario: Scenario, rounds: int) -> Scenario:
    data = scenario.model_dump(mode="json")
    data["protocol"]["max_rounds"] = rounds
    return Scenario.model_validate(data)


def pactlab_rate(
    scenario: Scenario,
    agents: dict[str, str],
    runs: int,
    durability: Durability,
    rounds_per_step: int,
    audit_trail: bool | FsyncPolicy = False,
) -> dict[str, Any]:
    """Negotiations per second (seeds 0..runs-1), checkpoints in a fresh SQLite file."""
    analysis = analyse(scenario)  # once per scenario, as a sweep would share it
    outcomes: list[str] = []
    rounds: list[int] = []
    with tempfile.TemporaryDirectory() as tmp, Negotiations(Path(tmp) / "c.sqlite", durability=durability) as store:
        # One untimed run warms the negotiators' per-profile caches and imports.
        options: dict[str, Any] = {"rounds_per_step": rounds_per_step, "analysis": analysis}

        def transcript(name: str) -> dict[str, Any]:
            if not audit_trail:
                return {}
            fsync = audit_trail if isinstance(audit_trail, str) else "record"
            return {"transcript": Path(tmp) / f"{name}.jsonl", "audit_fsync": fsync}

        list(store.start(scenario, agents=agents, seed=0, negotiation_id="warm-up", **options, **transcript("w")))
        start = time.perf_counter()
        for seed in range(runs):
            name = f"r{seed}"
            events = store.start(scenario, agents=agents, seed=seed, negotiation_id=name, **options, **transcript(name))
            for event in events:
                if isinstance(event, Scored):
                    outcomes.append(event.scorecard.outcome)
                    rounds.append(event.scorecard.rounds)
        elapsed = time.perf_counter() - start
    return {
        "per_second": runs / elapsed,
        "agreements": outcomes.count("agreement") / len(outcomes),
        "mean_rounds": sum(rounds) / len(rounds),
    }


def negmas_rate(scenario: Scenario, runs: int) -> dict[str, Any]:
    """NegMAS SAO, BoulwareTBNegotiator vs ConcederTBNegotiator, same domain and reservation values."""
    from negmas import BoulwareTBNegotiator, ConcederTBNegotiator, SAOMechanism

    space, utilities = _domain(scenario)
    issues, ufuns = negmas_domain(space, utilities)
    for ufun, party in zip(ufuns, scenario.parties, strict=True):
        ufun.reserved_value = party.private.reservation_value
    agreements = 0
    steps = 0
    start = time.perf_counter()
    for _ in range(runs):
        mechanism = SAOMechanism(issues=issues, n_steps=ROUNDS)
        mechanism.add(BoulwareTBNegotiator(name=scenario.parties[0].id), ufun=ufuns[0])
        mechanism.add(ConcederTBNegotiator(name=scenario.parties[1].id), ufun=ufuns[1])
        mechanism.run()
        agreements += mechanism.agreement is not None
        steps += mechanism.state.step
    elapsed = time.perf_counter() - start
    return {"per_second": runs / elapsed, "agreements": agreements / runs, "mean_rounds": steps / runs}


def _median(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The median sample by negotiations per second (all samples alike in agreements and rounds)."""
    ranked = sorted(samples, key=lambda r: r["per_second"])
    middle = dict(ranked[len(ranked) // 2])
    middle["per_second"] = statistics.median(r["per_second"] for r in samples)
    middle["samples"] = [round(r["per_second"], 2) for r in samples]
    return middle


def measure(
    scenario: Scenario,
    agents: dict[str, str],
    runs: int,
    modes: Sequence[str],
    repeats: int,
    negmas_runs: int | None,
) -> dict[str, Any]:
    """Every mode (and NegMAS, given `negmas_runs`) measured `repeats` times, interleaved; medians."""
    samples: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    negmas: list[dict[str, Any]] = []
    for _ in range(repeats):
        for mode in modes:
            durability, per_step, audit = MODES[mode]
            samples[mode].append(pactlab_rate(scenario, agents, runs, durability, per_step, audit))
        if negmas_runs is not None:
            negmas.append(negmas_rate(scenario, negmas_runs))
    row: dict[str, Any] = {mode: _median(found) for mode, found in samples.items()}
    if negmas:
        row["negmas"] = _median(negmas)
    return row


def run(
    sizes: Sequence[int] = DEFAULT_SIZES,
    runs: int = 30,
    negmas: bool = True,
    *,
    modes: Sequence[str] = tuple(MODES),
    repeats: int = 1,
    ecosystem: bool = True,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with_negmas = negmas and negmas_available()
    for size in sizes:
        scenario = with_rounds(generated_scenario(size, 2, seed=0), ROUNDS)
        agents = {scenario.parties[0].id: "boulware", scenario.parties[1].id: "conceder"}
        row: dict[str, Any] = {"domain": f"generated ~{size:.0e} outcomes", "agents": "boulware vs conceder"}
        negmas_runs = (max(3, runs // 3) if size > 100_000 else runs) if with_negmas else None
        row.update(measure(scenario, agents, runs, modes, repeats, negmas_runs))
        rows.append(row)
    if ecosystem:
        scenario, _ = load_scenario("ecosystem")
        agents = dict.fromkeys(scenario.party_ids, "pareto")
        row = {"domain": "ecosystem (4 parties, 607,500 outcomes)", "agents": "pareto x4"}
        row.update(measure(scenario, agents, max(3, runs // 3), modes, repeats, None))
        rows.append(row)
    return rows


def _ratio(row: dict[str, Any], mode: str) -> str:
    negmas = row.get("negmas")
    if negmas is None or mode not in row:
        return "-"
    return f"{row[mode]['per_second'] / negmas['per_second']:.2f}x"


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    modes = [m for m in MODES if m in rows[0]]
    table = Table(title="Negotiations per second (checkpointing on, SQLite)")
    ratios = [(f"{name} / NegMAS", m) for name, m in (("default", DEFAULT_MODE), ("sync trail", SYNC_TRAIL_MODE))]
    ratios.append(("async trail / NegMAS", TRAIL_MODE))
    ratios = [(name, m) for name, m in ratios if m in modes]
    columns = ("domain", "agents", *modes, "NegMAS", *(name for name, _ in ratios), "agreements", "rounds")
    for column in columns:
        table.add_column(column, justify="left" if column in ("domain", "agents") else "right")
    for row in rows:
        negmas = row.get("negmas")
        ours = row[modes[0]]
        table.add_row(
            row["domain"],
            row["agents"],
            *(f"{row[mode]['per_second']:.1f}" for mode in modes),
            "-" if negmas is None else f"{negmas['per_second']:.1f}",
            *(_ratio(row, mode) for _, mode in ratios),
            f"{ours['agreements']:.0%}" + ("" if negmas is None else f" (NegMAS {negmas['agreements']:.0%})"),
            f"{ours['mean_rounds']:.1f}" + ("" if negmas is None else f" ({negmas['mean_rounds']:.1f})"),
        )
    Console(width=220).print(table)
    for row in rows:
        negmas = row.get("negmas")
        if negmas is None or TRAIL_MODE not in row:
            continue
        trail = row[TRAIL_MODE]
        print(
            f"{row['domain']}: signed audit trail, group commit per superstep: {trail['per_second']:.1f}/s "
            f"(samples {trail['samples']}); NegMAS SAO {negmas['per_second']:.1f}/s (samples {negmas['samples']}); "
            f"ratio {_ratio(row, TRAIL_MODE)}"
        )


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.negotiations", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="outcome-space sizes")
    parser.add_argument("--runs", type=int, default=30, help="negotiations per measurement")
    parser.add_argument("--repeats", type=int, default=1, help="measurements per mode, interleaved (median shown)")
    parser.add_argument(
        "--trail-only",
        action="store_true",
        help="measure only the default mode (no trail) and the signed trail with group commit (sync, async)",
    )
    parser.add_argument("--no-negmas", action="store_true", help="skip the NegMAS comparison")
    parser.add_argument("--no-ecosystem", action="store_true", help="skip the ecosystem scenario")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.repeats < 1:
        parser.error("--runs and --repeats must be at least 1")
    rows = run(
        args.sizes,
        args.runs,
        negmas=not args.no_negmas,
        modes=[DEFAULT_MODE, SYNC_TRAIL_MODE, TRAIL_MODE] if args.trail_only else list(MODES),
        repeats=args.repeats,
        ecosystem=not args.no_ecosystem,
    )
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
