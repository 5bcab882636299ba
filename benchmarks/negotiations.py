"""Benchmark: strategy-agent negotiations per second through the durable LangGraph workflow.

Runs Boulware vs Conceder (2 parties, 100 rounds) on generated domains of about 10^4, 10^5
and 10^6 outcomes, and the shipped ecosystem scenario with the default negotiators, each
with SQLite checkpointing on: durability sync with a checkpoint every round and every
DEFAULT_ROUNDS_PER_STEP rounds (the default), async, and exit. With NegMAS installed (the
`bench` extra), runs NegMAS's SAO mechanism with its Boulware and Conceder time-based
negotiators on the identical domains and prints the ratios.

    python -m benchmarks.negotiations [--runs N] [--sizes 10000 100000 ...]
"""

from __future__ import annotations

import argparse
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
}
DEFAULT_MODE = f"sync, {DEFAULT_ROUNDS_PER_STEP} rounds/ckpt"
TRAIL_MODE = "sync + audit trail (group commit/superstep)"
"""What `pactlab run` does by default: a checkpoint every few rounds, the signed trail fsynced once per superstep."""


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


def run(sizes: Sequence[int] = DEFAULT_SIZES, runs: int = 30, negmas: bool = True) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with_negmas = negmas and negmas_available()
    for size in sizes:
        scenario = with_rounds(generated_scenario(size, 2, seed=0), ROUNDS)
        agents = {scenario.parties[0].id: "boulware", scenario.parties[1].id: "conceder"}
        row: dict[str, Any] = {"domain": f"generated ~{size:.0e} outcomes", "agents": "boulware vs conceder"}
        for mode, (durability, per_step, audit) in MODES.items():
            row[mode] = pactlab_rate(scenario, agents, runs, durability, per_step, audit)
        if with_negmas:
            row["negmas"] = negmas_rate(scenario, max(3, runs // 3) if size > 100_000 else runs)
        rows.append(row)
    ecosystem, _ = load_scenario("ecosystem")
    agents = dict.fromkeys(ecosystem.party_ids, "pareto")
    row = {"domain": "ecosystem (4 parties, 607,500 outcomes)", "agents": "pareto x4"}
    for mode, (durability, per_step, audit) in MODES.items():
        row[mode] = pactlab_rate(ecosystem, agents, max(3, runs // 3), durability, per_step, audit)
    rows.append(row)
    return rows


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Negotiations per second (checkpointing on, SQLite)")
    columns = ("domain", "agents", *MODES, "NegMAS", "default / NegMAS", "trail / NegMAS", "agreements", "rounds")
    for column in columns:
        table.add_column(column, justify="left" if column in ("domain", "agents") else "right")
    for row in rows:
        negmas = row.get("negmas")
        ours = row[DEFAULT_MODE]
        table.add_row(
            row["domain"],
            row["agents"],
            *(f"{row[mode]['per_second']:.1f}" for mode in MODES),
            "-" if negmas is None else f"{negmas['per_second']:.1f}",
            "-" if negmas is None else f"{row[DEFAULT_MODE]['per_second'] / negmas['per_second']:.1f}x",
            "-" if negmas is None else f"{row[TRAIL_MODE]['per_second'] / negmas['per_second']:.2f}x",
            f"{ours['agreements']:.0%}" + ("" if negmas is None else f" (NegMAS {negmas['agreements']:.0%})"),
            f"{ours['mean_rounds']:.1f}" + ("" if negmas is None else f" ({negmas['mean_rounds']:.1f})"),
        )
    Console(width=180).print(table)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.negotiations", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="outcome-space sizes")
    parser.add_argument("--runs", type=int, default=30, help="negotiations per measurement")
    parser.add_argument("--no-negmas", action="store_true", help="skip the NegMAS comparison")
    args = parser.parse_args(argv)
    rows = run(args.sizes, args.runs, negmas=not args.no_negmas)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
