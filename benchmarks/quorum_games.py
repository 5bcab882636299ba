"""Generated multi-party quorum-with-veto games, shaped like the published six-party scoring games.

`quorum_game(seed)` builds a seeded scenario in the mould of the LLM-Deliberation game
(Abdelnabi et al., NeurIPS 2024): six parties, five categorical issues (5 x 4 x 4 x 3 x 3 = 720
deals), integer points per option (each party's issue maxima add up to 100), a threshold in
points per party (its reservation value), and a deal passes when at least five of the six
parties reach their thresholds, both veto holders among them. Thresholds are set from each
party's own distribution of points, then moved together until between 3 % and 15 % of the deals
pass (the published game: 55 of 720) and at least one deal clears every threshold. Party and
issue ids are neutral (`party_0`, `issue_0`, `option_0`); the veto holders are the first two
parties. The same seed always gives the same scenario.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pactlab.domain.issues import CategoricalIssue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.preferences import PrivateProfile
from pactlab.domain.scenario import AgreementRule, Party, Protocol, ProtocolKind, Scenario

SIZES = (5, 4, 4, 3, 3)
"""Options per issue: 720 deals, as in the published six-party game."""
PASSING = (0.03, 0.15)
"""The share of deals that pass the rule, which the thresholds are tuned into."""


def _points(rng: np.random.Generator, sizes: Sequence[int]) -> list[list[int]]:
    """Per issue, the integer points of each option: issue maxima add up to 100, the best option scores its max."""
    shares = rng.dirichlet(np.full(len(sizes), 2.0))
    maxima = np.maximum(np.round(shares * 100).astype(int), 1)
    maxima[int(np.argmax(maxima))] += 100 - int(maxima.sum())
    points = []
    for size, top in zip(sizes, maxima, strict=True):
        row = rng.integers(0, int(top) + 1, size)
        row[int(rng.integers(size))] = top
        points.append([int(x) for x in row])
    return points


def passing_mask(scenario: Scenario) -> np.ndarray:
    """Which deals of the outcome space pass the scenario's agreement rule (each party at or above its
    reservation value counts as accepting)."""
    space = OutcomeSpace(scenario.issues)
    rule = scenario.protocol.agreement
    ids = scenario.party_ids
    rational = np.stack(
        [
            np.asarray(UtilityFunction(space, p.private).over_space()) >= p.private.reservation_value - 1e-9
            for p in scenario.parties
        ],
        axis=1,
    )
    ok = rational.sum(axis=1) >= (rule.quorum if rule.kind == "quorum" and rule.quorum else len(ids))
    for v in rule.veto:
        ok &= rational[:, ids.index(v)]
    return np.asarray(ok)


def quorum_game(
    seed: int,
    *,
    parties: int = 6,
    sizes: Sequence[int] = SIZES,
    quorum: int = 5,
    vetoes: int = 2,
    max_rounds: int = 30,
    kind: ProtocolKind = "alternating",
) -> Scenario:
    """A seeded six-party (by default) quorum-with-veto game with integer points (see the module docstring)."""
    if not 1 <= quorum <= parties or not 0 <= vetoes <= quorum:
        raise ValueError(f"need 1 <= quorum <= parties and 0 <= vetoes <= quorum, not {quorum}, {parties}, {vetoes}")
    rng = np.random.default_rng(seed)
    issues = [
        CategoricalIssue(id=f"issue_{k}", name=f"Issue {k}", options=[f"option_{j}" for j in range(n)])
        for k, n in enumerate(sizes)
    ]
    tables = [_points(rng, sizes) for _ in range(parties)]
    space = OutcomeSpace(issues)
    totals = []
    for table in tables:
        total = np.zeros(space.cardinality, dtype=np.int64)
        for k, row in enumerate(table):
            total += np.asarray(row)[(np.arange(space.cardinality) // space.strides[k]) % sizes[k]]
        totals.append(total)
    share = rng.uniform(0.35, 0.6, parties)  # each party's acceptable share of the deals, before tuning

    def build(shift: float) -> Scenario:
        members = []
        for p, (table, total) in enumerate(zip(tables, totals, strict=True)):
            q = float(np.clip(share[p] + shift, 0.02, 0.98))
            threshold = int(np.quantile(total, 1.0 - q, method="lower"))
            profile = PrivateProfile.model_validate(
                {
                    "utility": "sum",
                    "values": {
                        issue.id: {"table": dict(zip(issue.options, row, strict=True))}
                        for issue, row in zip(issues, table, strict=True)
                    },
                    "reservation_value": threshold,
                }
            )
            members.append(Party(id=f"party_{p}", name=f"Party {p}", core_business=f"business {p}", private=profile))
        rule = AgreementRule(kind="quorum", quorum=quorum, veto=[f"party_{p}" for p in range(vetoes)])
        return Scenario(
            id=f"quorum_game_{seed}",
            title=f"Generated {parties}-party quorum game ({quorum} of {parties}, {vetoes} vetoes), seed {seed}",
            issues=issues,
            parties=members,
            protocol=Protocol(kind=kind, max_rounds=max_rounds, agreement=rule, stall_rounds=None),
        )

    shift = 0.0
    scenario = build(shift)
    for _ in range(60):
        mask = passing_mask(scenario)
        unanimous = passing_mask(_unanimous(scenario)).any()
        if PASSING[0] <= mask.mean() <= PASSING[1] and unanimous:
            return scenario
        shift += 0.01 if mask.mean() < PASSING[0] or not unanimous else -0.01
        scenario = build(shift)
    raise RuntimeError(f"seed {seed}: no thresholds give {PASSING[0]:.0%}..{PASSING[1]:.0%} passing deals")


def _unanimous(scenario: Scenario) -> Scenario:
    protocol = scenario.protocol.model_copy(update={"agreement": AgreementRule()})
    return scenario.model_copy(update={"protocol": protocol})


__all__ = ["PASSING", "SIZES", "passing_mask", "quorum_game"]


def main(argv: Sequence[str] | None = None) -> None:
    """Print a generated game as scenario YAML (to negotiate it with `pactlab run`)."""
    import argparse

    import yaml

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.quorum_games",
        description="Print a generated six-party quorum-with-veto game as a pactlab scenario (YAML).",
    )
    parser.add_argument("--seed", type=int, default=0, help="the game's seed (default 0)")
    args = parser.parse_args(argv)
    game = quorum_game(args.seed)
    print(yaml.safe_dump(game.model_dump(mode="json", exclude_none=True), sort_keys=False), end="")


if __name__ == "__main__":
    main()
