"""A sweep's figures: overall, by factor level and by variant, with 95% confidence intervals.

Measures per run, from its scorecard (as the scorecard defines them, so a run without
agreement counts 0 Nash ratio and 0 surplus, and its Pareto distance is measured from the
reservation point): agreement (a proportion), each party's surplus over its reservation
value, the Nash ratio, the Pareto distance, and policy violations (failed rule verdicts,
from the audit trail). Only done runs count; intervals are over the runs of a group, that is
over seeds (and repetitions) for a variant, and over seeds and the other factors' levels for
a factor level. See `evals.intervals` for the intervals (scipy/statsmodels), each bounded to its
measure's range: the agreement rate to [0, 1], the Nash ratio to [0, 1], a party's surplus to
[-reservation, 1 - reservation] (the widest over the runs), the Pareto distance to [0, √parties], and
violations to [0, ∞).
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from evals.intervals import Interval, t_interval, wilson
from evals.plain_json import nan_to_null
from evals.scorecard import Scorecard, approximate_counts
from evals.sweeps.runs import SweepInfo, SweepRun, level, level_of
from pactlab.domain.issues import IssueValue

MEASURES = ("agreement", "surplus", "nash_ratio", "pareto_distance", "violations")


@dataclass(frozen=True)
class Group:
    """The measures over a group of done runs."""

    label: str
    runs: int
    agreement: Interval
    surplus: dict[str, Interval]
    nash_ratio: Interval
    pareto_distance: Interval
    violations: Interval
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RobustDeal:
    """A term sheet and how widely it was agreed: in how many variants, in how many runs."""

    terms: dict[str, IssueValue]
    variants: int
    runs: int
    mean_utility: dict[str, float]
    levels: dict[str, list[str]]  # per factor, the levels under which it was agreed


@dataclass(frozen=True)
class SweepSummary:
    info: SweepInfo
    counts: dict[str, int]
    parties: list[str]
    overall: Group
    factors: dict[str, list[Group]]
    variants: list[Group]
    variants_total: int
    robust: list[RobustDeal]
    rules: dict[str, int]  # failed verdicts per rule id, over every done run
    approximate: dict[str, int] = field(default_factory=dict)  # figure -> runs where it is approximate (large spaces)


def summarise(info: SweepInfo, runs: Sequence[SweepRun], top: int = 10) -> SweepSummary:
    """Every figure of the report, from the runs."""
    done = [r for r in runs if r.done]
    parties = _parties(done)
    counts = Counter(r.status for r in runs)
    by_variant: dict[str, list[SweepRun]] = defaultdict(list)
    for run in done:
        by_variant[run.variant].append(run)
    return SweepSummary(
        info=info,
        counts={s: counts.get(s, 0) for s in ("done", "failed", "running", "pending")},
        parties=parties,
        overall=group("all runs", done, parties),
        factors={f: by_factor(done, f, parties) for f in info.factors},
        variants=[
            group(_describe(rs[0].params, info.factors), rs, parties, params=rs[0].params) for rs in by_variant.values()
        ],
        variants_total=len({r.variant for r in runs}),
        robust=robust_term_sheets(done, info.factors, top),
        rules=_rules(done),
        approximate=approximate_counts([r.scorecard for r in done if r.scorecard is not None]),
    )


def group(label: str, runs: Sequence[SweepRun], parties: Sequence[str], params: dict[str, Any] | None = None) -> Group:
    cards = [r.scorecard for r in runs if r.scorecard is not None]
    surplus = {p: t_interval([_surplus(card, p) for card in cards], *_surplus_range(cards, p)) for p in parties}
    reach = math.sqrt(max((len(c.parties) for c in cards), default=1))
    return Group(
        label=label,
        runs=len(cards),
        agreement=wilson(sum(c.outcome == "agreement" for c in cards), len(cards)),
        surplus=surplus,
        nash_ratio=t_interval([c.nash_ratio for c in cards], 0.0, 1.0),
        pareto_distance=t_interval([c.pareto_distance for c in cards], 0.0, reach),
        violations=t_interval([float(r.violations.violations) for r in runs if r.violations is not None], 0.0),
        params=dict(params or {}),
    )


def by_factor(runs: Sequence[SweepRun], factor: str, parties: Sequence[str]) -> list[Group]:
    """One group per level of `factor`, numbers in ascending order, other levels as first seen."""
    groups: dict[str, list[SweepRun]] = defaultdict(list)
    raw: dict[str, Any] = {}
    for run in runs:
        label = level_of(run, factor)
        groups[label].append(run)
        raw.setdefault(label, run.params.get(factor))
    labels = list(groups)
    if all(isinstance(raw[k], (int, float)) and not isinstance(raw[k], bool) for k in labels):
        labels.sort(key=lambda k: float(raw[k]))
    return [group(k, groups[k], parties, params={factor: raw[k]}) for k in labels]


def robust_term_sheets(runs: Sequence[SweepRun], factors: Sequence[str], top: int = 10) -> list[RobustDeal]:
    """The agreed term sheets, most variants first (then most runs): the ones that survive variation."""
    found: dict[str, list[SweepRun]] = defaultdict(list)
    for run in runs:
        if run.scorecard is not None and run.scorecard.agreement is not None:
            found[json.dumps(run.scorecard.agreement, sort_keys=True)].append(run)
    deals = []
    for agreed in found.values():
        cards = [r.scorecard for r in agreed if r.scorecard is not None]
        utilities: dict[str, list[float]] = defaultdict(list)
        for card in cards:
            for party in card.parties:
                if party.utility is not None:
                    utilities[party.party].append(party.utility)
        deals.append(
            RobustDeal(
                terms=dict(cards[0].agreement or {}),
                variants=len({r.variant for r in agreed}),
                runs=len(agreed),
                mean_utility={p: sum(us) / len(us) for p, us in utilities.items()},
                levels={f: sorted({level_of(r, f) for r in agreed}) for f in factors},
            )
        )
    deals.sort(key=lambda d: (-d.variants, -d.runs, json.dumps(d.terms, sort_keys=True)))
    return deals[:top]


def to_json(summary: SweepSummary) -> dict[str, Any]:
    """The summary as plain JSON (NaN becomes null)."""
    cleaned: dict[str, Any] = nan_to_null(asdict(summary))
    return cleaned


def _parties(runs: Sequence[SweepRun]) -> list[str]:
    for run in runs:
        if run.scorecard is not None:
            return [p.party for p in run.scorecard.parties]
    return []


def _surplus_range(cards: Sequence[Scorecard], party: str) -> tuple[float, float]:
    """The values a party's surplus can take over `cards`: utility (0–1) minus its reservation value, and
    0 without agreement; the widest over the runs (a factor may change the reservation value)."""
    reservations = [p.reservation_value for c in cards for p in c.parties if p.party == party]
    if not reservations:
        return (-1.0, 1.0)
    return (min(0.0, -max(reservations)), max(0.0, 1.0 - min(reservations)))


def intervals(summary: SweepSummary) -> list[Interval]:
    """Every interval of the report (for its note on methods and small samples)."""
    groups = [summary.overall, *(g for gs in summary.factors.values() for g in gs), *summary.variants]
    found: list[Interval] = []
    for g in groups:
        found += [g.agreement, *g.surplus.values(), g.nash_ratio, g.pareto_distance, g.violations]
    return found


def _surplus(card: Scorecard, party: str) -> float:
    return next((p.surplus for p in card.parties if p.party == party), 0.0)


def _rules(runs: Sequence[SweepRun]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for run in runs:
        if run.violations is not None:
            total.update(run.violations.by_rule)
    return dict(total.most_common())


def _describe(params: dict[str, Any], factors: Sequence[str]) -> str:
    return ", ".join(f"{f} = {level(params[f])}" for f in factors if f in params) or "base scenario"
