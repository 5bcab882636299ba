"""Benchmarks and their shared, seeded generated domains.

`generated_scenario` builds a linear-additive scenario of about `n_outcomes` outcomes: issues
of about ten values each (categorical with random value tables, or integer numeric with
linear or peaked value functions), random weights, and reservation values in [0.3, 0.5].
The same seed always gives the same scenario.
"""

from __future__ import annotations

import math

import numpy as np

from pactlab.domain.issues import CategoricalIssue, NumericIssue
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile
from pactlab.domain.scenario import Party, Scenario

VALUES_PER_ISSUE = 10


def issue_sizes(n_outcomes: int) -> list[int]:
    """Option counts whose product is close to `n_outcomes`: tens, with the last one adjusted."""
    if n_outcomes < 2:
        raise ValueError("a generated scenario needs at least 2 outcomes")
    n_issues = max(1, round(math.log(n_outcomes, VALUES_PER_ISSUE)))
    rest = VALUES_PER_ISSUE ** (n_issues - 1)
    last = max(2, round(n_outcomes / rest))
    return [VALUES_PER_ISSUE] * (n_issues - 1) + [last]


def generated_scenario(n_outcomes: int, n_parties: int, seed: int) -> Scenario:
    """A seeded linear-additive scenario with about `n_outcomes` outcomes and `n_parties` parties."""
    if n_parties < 2:
        raise ValueError("a scenario needs at least 2 parties")
    rng = np.random.default_rng(seed)
    issues: list[CategoricalIssue | NumericIssue] = []
    for k, size in enumerate(issue_sizes(n_outcomes)):
        if k % 2 == 0:
            issues.append(CategoricalIssue(id=f"issue_{k}", options=[f"option_{j}" for j in range(size)]))
        else:
            issues.append(NumericIssue(id=f"issue_{k}", minimum=0, maximum=size - 1, step=1, integer=True))
    parties = []
    for p in range(n_parties):
        values: dict[str, OptionValues | LinearValue | PeakedValue] = {}
        for issue in issues:
            if isinstance(issue, CategoricalIssue):
                draws = rng.random(len(issue.options))
                table = {o: round(float(v), 4) for o, v in zip(issue.options, draws, strict=True)}
                values[issue.id] = OptionValues(table=table)
            elif rng.random() < 0.5:
                values[issue.id] = LinearValue(linear="up" if rng.random() < 0.5 else "down")
            else:
                peak = float(rng.integers(int(issue.minimum), int(issue.maximum) + 1))
                values[issue.id] = PeakedValue(peak=peak, floor=round(float(rng.random()) * 0.3, 4))
        raw_weights = rng.uniform(0.1, 1.0, len(issues))
        weights = {issue.id: round(float(w), 4) for issue, w in zip(issues, raw_weights, strict=True)}
        profile = PrivateProfile(
            weights=weights,
            values=values,
            reservation_value=round(float(rng.uniform(0.3, 0.5)), 4),
        )
        parties.append(Party(id=f"party_{p}", name=f"Party {p}", core_business=f"business {p}", private=profile))
    return Scenario(
        id=f"generated_{n_outcomes}_{n_parties}_{seed}",
        title=f"Generated: ~{n_outcomes} outcomes, {n_parties} parties, seed {seed}",
        issues=issues,
        parties=parties,
    )


__all__ = ["VALUES_PER_ISSUE", "generated_scenario", "issue_sizes"]
