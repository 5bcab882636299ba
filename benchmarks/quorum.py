"""Benchmark: bargaining figures under a quorum rule, the coalitional definition against the all-party one.

Run ``python -m benchmarks.quorum``. For each quorum scenario (the shipped ecosystem, and
generated six-party games where 5 of 6 must accept, both veto holders among them) it counts,
over the whole outcome space, the deals that pass the agreement rule, and how many of those
get a Nash ratio of 0 under the all-party definition (a product over every party, 0 as soon
as anyone is below its reservation value) and under `evals.bargaining`'s coalitional one. It
also checks the frontier-based Nash point against exhaustive search over every passing deal
(every minimal winning coalition tried), and prints the time of each.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks import generated_scenario
from evals.bargaining import feasible_mask, nash_solution
from evals.frontier import FloatArray, pareto_frontier
from pactlab.domain.catalog import SHIPPED_SCENARIOS
from pactlab.domain.loader import load_model
from pactlab.domain.outcome_space import OutcomeSpace, utility_functions
from pactlab.domain.scenario import AgreementRule, Protocol, Scenario

SIX_PARTY_SEEDS = (1, 2)


def six_party(seed: int, n_outcomes: int = 720) -> Scenario:
    """A generated six-party game: about `n_outcomes` deals, 5 of 6 must accept, parties 0 and 1 hold a veto."""
    base = generated_scenario(n_outcomes, 6, seed)
    rule = AgreementRule(kind="quorum", quorum=5, veto=[base.parties[0].id, base.parties[1].id])
    return base.model_copy(update={"protocol": Protocol(agreement=rule)})


def scenarios() -> list[Scenario]:
    """The quorum scenarios measured: the shipped ecosystem and the generated six-party games."""
    shipped = load_model(SHIPPED_SCENARIOS / "ecosystem.yaml", Scenario)
    return [shipped, *(six_party(seed) for seed in SIX_PARTY_SEEDS)]


def _brute_products(points: FloatArray, reservation: FloatArray, parties: list[str], rule: AgreementRule) -> FloatArray:
    """Every outcome's coalitional Nash product by trying every minimal winning coalition (-1: none clears)."""
    size = max(rule.quorum or len(parties), len(rule.veto))
    gains = points - reservation[None, :]
    clears = gains >= -1e-9
    best = np.full(points.shape[0], -1.0)
    for members in itertools.combinations(range(len(parties)), size):
        if not rule.met({parties[j] for j in members}, parties):
            continue
        ok = clears[:, list(members)].all(axis=1)
        product = np.prod(np.maximum(gains[:, list(members)], 0.0), axis=1)
        best = np.where(ok, np.maximum(best, product), best)
    return best


def measure(scenario: Scenario) -> dict[str, Any]:
    """The figures of one scenario (see the module docstring)."""
    rule = scenario.protocol.agreement
    space = OutcomeSpace(scenario.issues)
    utilities = utility_functions(space, {p.id: p.private for p in scenario.parties})
    parties = list(utilities)
    start = time.perf_counter()
    frontier = pareto_frontier(space, utilities)
    nash = nash_solution(space, utilities, frontier, rule)
    solve_s = time.perf_counter() - start
    start = time.perf_counter()
    feasible = feasible_mask(space, utilities, rule)
    every = np.arange(space.cardinality, dtype=np.int64)
    points = np.stack([utilities[p].of_outcomes(every) for p in parties], axis=1)
    reservation = np.array([utilities[p].reservation_value for p in parties])
    coalitional = _brute_products(points, reservation, parties, rule)
    all_party = np.prod(np.maximum(points - reservation[None, :], 0.0), axis=1)
    all_party[~np.all(points >= reservation[None, :] - 1e-9, axis=1)] = 0.0
    brute_s = time.perf_counter() - start
    passing = feasible & (coalitional >= 0)
    top = float(coalitional[feasible].max()) if feasible.any() else 0.0
    return {
        "scenario": scenario.id,
        "rule": f"{rule.quorum}/{len(parties)}+{len(rule.veto)} veto",
        "outcomes": space.cardinality,
        "passing": int(feasible.sum()),
        "brute_agrees_on_passing": bool((passing == feasible).all()),
        "zero_all_party": int((feasible & (all_party <= 0)).sum()),
        "zero_coalitional": int((feasible & (coalitional <= 0)).sum()),
        "nash_outcome": None if nash is None else nash.outcome,
        "nash_product": None if nash is None else nash.objective,
        "nash_coalition": None if nash is None else len(nash.coalition),
        "brute_max": top,
        "nash_is_brute_max": nash is not None and bool(np.isclose(nash.objective, top, rtol=1e-9, atol=1e-15)),
        "solve_s": solve_s,
        "brute_s": brute_s,
    }


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """The results as a rich table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Quorum-aware bargaining figures (reference: exhaustive search over every winning coalition)")
    columns = [  # (key, header, format)
        ("scenario", "scenario", "{}"),
        ("rule", "rule", "{}"),
        ("outcomes", "outcomes", "{:,}"),
        ("passing", "passing deals", "{:,}"),
        ("zero_all_party", "ratio 0, all-party", "{:,}"),
        ("zero_coalitional", "ratio 0, coalitional", "{:,}"),
        ("nash_product", "Nash product", "{:.6g}"),
        ("brute_max", "exhaustive max", "{:.6g}"),
        ("nash_is_brute_max", "same", "{}"),
        ("solve_s", "frontier+Nash s", "{:.3f}"),
        ("brute_s", "exhaustive s", "{:.3f}"),
    ]
    for _, header, _ in columns:
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(*("-" if row.get(key) is None else fmt.format(row[key]) for key, _, fmt in columns))
    Console(width=max(170, Console().width)).print(table)


def main(argv: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Command-line entry point: measure every quorum scenario and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quorum", description=__doc__.split("\n")[0])
    parser.parse_args(argv)
    rows = [measure(s) for s in scenarios()]
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
