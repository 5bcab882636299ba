"""Benchmark: do strategy agents close multi-party quorum deals without the dispute ladder, per protocol?

Runs strategy agents under each `protocol.kind` (alternating, stacked, mediated) on the shipped
ecosystem scenario with escalation disabled (its ladder stays, since its dispute clause names the
tiers, but no tier has a time limit, nothing escalates on a stall, and the first tier's mandate is
the whole concession range: "without the ladder") and on generated six-party quorum-with-veto
games (`benchmarks.quorum_games`), over seeds 0..N-1. Two populations: every seat the default
strategy (`pareto`), and a mix in which each seed draws every seat's strategy from the catalog.
Prints the agreement rate, whether every agreed deal passes the agreement rule (each signatory at
or above its reservation value, the rule met by the signatories), and the mean Nash ratio as
`evals` computes it today (the product over every party, so a deal that leaves a party outside
the needed coalition below its reservation value scores 0), beside the reference figures.

    python -m benchmarks.protocols [--seeds 20] [--games 0 1] [--kinds stacked ...]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.quorum_games import quorum_game
from evals.scorecard import Scorecard, analyse
from pactlab.domain.catalog import load_scenario
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import ProtocolKind, Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE
from pactlab.workflow import Negotiations, Scored

KINDS: tuple[ProtocolKind, ...] = ("alternating", "stacked", "mediated")
MIX = ("boulware", "linear", "conceder", "pareto", "tit_for_tat")
REFERENCE = (
    "published LLM agents (LLM-Deliberation, GPT-4, 66 runs): a passing deal in the final round 64%; "
    "pactlab alternating offers before: 0/10 on the transcribed six-party game"
)
TARGET = 0.8


def without_escalation(scenario: Scenario) -> Scenario:
    """The scenario with its dispute ladder switched off: tiers kept (clauses may name them), no time
    limits, no stall escalation, the whole concession range from the first tier on."""
    data = scenario.model_dump(mode="json")
    data["protocol"]["stall_rounds"] = None
    for tier in data["dispute_ladder"]:
        tier["max_rounds"] = None
        tier["concession_mandate"] = 1.0
    return Scenario.model_validate(data)


def with_kind(scenario: Scenario, kind: ProtocolKind) -> Scenario:
    data = scenario.model_dump(mode="json")
    data["protocol"]["kind"] = kind
    return Scenario.model_validate(data)


def passes_rule(scenario: Scenario, card: Scorecard) -> bool:
    """Whether an agreed deal passes the agreement rule: the signatories meet it, each at or above its
    reservation value (the evaluator's tolerance)."""
    if card.agreement is None:
        return False
    space = OutcomeSpace(scenario.issues)
    sheet = space.validate(card.agreement)
    signed = set(card.agreed_by)
    rational = all(
        UtilityFunction(space, scenario.party(p).private)(sheet)
        >= scenario.party(p).private.reservation_value - UTILITY_TOLERANCE
        for p in signed
    )
    return rational and scenario.protocol.agreement.met(signed, scenario.party_ids)


def population(scenario: Scenario, seed: int, mixed: bool) -> dict[str, str]:
    if not mixed:
        return dict.fromkeys(scenario.party_ids, "pareto")
    rng = np.random.default_rng(seed)
    return {p: MIX[int(rng.integers(len(MIX)))] for p in scenario.party_ids}


@dataclass(frozen=True)
class Result:
    agreements: int
    passing: int
    nash_ratio: float
    runs: int


def run(scenario: Scenario, seeds: int, mixed: bool) -> Result:
    analysis = analyse(scenario)
    cards: list[Scorecard] = []
    with tempfile.TemporaryDirectory() as tmp, Negotiations(Path(tmp) / "c.sqlite", durability="exit") as store:
        for seed in range(seeds):
            agents = population(scenario, seed, mixed)
            for event in store.start(scenario, agents=agents, seed=seed, negotiation_id=f"s{seed}", analysis=analysis):
                if isinstance(event, Scored):
                    cards.append(event.scorecard)
    agreed = [c for c in cards if c.outcome == "agreement"]
    return Result(
        agreements=len(agreed),
        passing=sum(passes_rule(scenario, c) for c in agreed),
        nash_ratio=float(np.mean([c.nash_ratio for c in cards])) if cards else 0.0,
        runs=len(cards),
    )


def scenarios(games: Sequence[int]) -> list[tuple[str, Scenario]]:
    out = [("ecosystem (no escalation)", without_escalation(load_scenario("ecosystem")[0]))]
    out += [(f"quorum game {g} (6 parties, 5 of 6, 2 vetoes)", quorum_game(g)) for g in games]
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.protocols", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds per scenario, protocol and population")
    parser.add_argument("--games", type=int, nargs="+", default=[0, 1, 2], help="generated quorum games (seeds)")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    args = parser.parse_args(argv)
    print(f"reference: {REFERENCE}; target: stacked >= {TARGET:.0%} agreement on each scenario")
    header = f"{'scenario':46} {'protocol':12} {'agents':7} {'agreed':>8} {'passing':>8} {'Nash ratio':>10}"
    print(header)
    print("-" * len(header))
    for name, base in scenarios(args.games):
        for kind in args.kinds:
            scenario = with_kind(base, kind)
            for mixed in (False, True):
                r = run(scenario, args.seeds, mixed)
                agents = "mixed" if mixed else "pareto"
                print(
                    f"{name:46} {kind:12} {agents:7} {r.agreements:>3}/{r.runs:<4} {r.passing:>3}/{r.agreements:<4} "
                    f"{r.nash_ratio:>10.3f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
