"""A league's figures: per type metrics with intervals, the ranking, pairwise tests, seat coverage.

The ranking orders types by the mean of the league's ranking metric (``rank_by``, default own
utility), higher first. Each pair of types is compared on that metric's per-run values by a
two-sided Mann–Whitney U test, Holm-adjusted over all pairs (`evals.league.stats`); a type's
``beats`` lists the types it is significantly ahead of at the 5% level. Note that two types
that met in a run both contribute an observation from it; the test treats observations as
independent, which they are across runs, not within one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from evals.intervals import Interval, t_interval, wilson
from evals.league.llm import LLMRow, VersusBaseline, llm_rows, versus_baseline
from evals.league.metrics import BY_KEY, METRICS, Metric, Observation, metric_range, observations
from evals.league.runs import LeagueInfo, LeagueRun
from evals.league.stats import Comparison, pairwise
from evals.plain_json import nan_to_null
from evals.scorecard import approximate_counts


@dataclass(frozen=True)
class TypeRow:
    """One negotiator type's line of the table."""

    name: str
    spec: str
    rank: int
    runs: int
    metrics: dict[str, Interval]
    beats: list[str] = field(default_factory=list)
    beaten_by: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LeagueSummary:
    info: LeagueInfo
    counts: dict[str, int]
    metrics: list[Metric]  # those with values (the opponent-model metric only when scorecards report it)
    ranges: dict[str, tuple[float, float]]
    rows: list[TypeRow]  # in rank order
    comparisons: list[Comparison]
    by_scenario: dict[str, dict[str, Interval]]  # scenario -> type -> ranking metric
    head_to_head: dict[str, dict[str, Interval]]  # type -> opponent type -> ranking metric
    coverage: dict[str, dict[str, dict[str, int]]]  # scenario -> seat -> type -> planned runs
    covered: bool  # every type sat in every seat of every scenario (in the plan)
    failed: list[tuple[str, str]]  # (run id, error), at most 50
    llm: list[LLMRow] = field(default_factory=list)  # LLM types: decision sources and costs (`evals.league.llm`)
    versus: list[VersusBaseline] = field(default_factory=list)  # LLM stances and roles against the baseline LLM type
    approximate: dict[str, int] = field(default_factory=dict)  # figure -> runs where it is approximate (large spaces)


def summarise(info: LeagueInfo, runs: Sequence[LeagueRun]) -> LeagueSummary:
    """Every figure of the league report, from its runs."""
    done = [r for r in runs if r.done]
    found = [o for r in done for o in observations(r)]
    by_type: dict[str, list[Observation]] = {name: [] for name in info.types}
    for obs in found:
        by_type.setdefault(obs.type, []).append(obs)
    metrics = [m for m in METRICS if any(m.key in o.values for o in found) or m.key != "opponent_model"]
    ranges = {m.key: metric_range(m.key, runs) for m in metrics}
    rank_by = info.rank_by if info.rank_by in BY_KEY else "utility"
    table = {name: {m.key: _interval(m, obs, ranges[m.key]) for m in metrics} for name, obs in by_type.items()}
    samples = {name: [o.values[rank_by] for o in obs if rank_by in o.values] for name, obs in by_type.items()}
    comparisons = pairwise(samples)
    order = sorted(by_type, key=lambda n: (-_or_low(table[n][rank_by].estimate), n))
    rows = [
        TypeRow(
            name=name,
            spec=info.types.get(name, name),
            rank=position + 1,
            runs=len(by_type[name]),
            metrics=table[name],
            beats=[c.second if c.first == name else c.first for c in comparisons if c.better == name],
            beaten_by=[c.better for c in comparisons if c.better is not None and name in (c.first, c.second)
                       and c.better != name],
        )
        for position, name in enumerate(order)
    ]  # fmt: skip
    counts = Counter(r.status for r in runs)
    return LeagueSummary(
        info=info,
        counts={s: counts.get(s, 0) for s in ("done", "failed", "running", "pending")},
        metrics=metrics,
        ranges=ranges,
        rows=rows,
        comparisons=comparisons,
        by_scenario=_by(found, lambda o: o.scenario, rank_by, ranges[rank_by]),
        head_to_head=_head_to_head(found, rank_by, ranges[rank_by]),
        coverage=coverage(runs),
        covered=covered(info, runs),
        failed=[(r.run_id, r.error or "") for r in runs if r.status == "failed"][:50],
        llm=(llm := llm_rows(info.types, runs)),
        versus=versus_baseline(llm),
        approximate=approximate_counts([r.scorecard for r in done if r.scorecard is not None]),
    )


def coverage(runs: Sequence[LeagueRun]) -> dict[str, dict[str, dict[str, int]]]:
    """Per scenario and seat, how many runs (planned, whatever their status) seat each type there."""
    table: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for run in runs:
        for party, kind in run.seats:
            table[run.scenario][party][kind] += 1
    return {s: {p: dict(c) for p, c in seats.items()} for s, seats in table.items()}


def covered(info: LeagueInfo, runs: Sequence[LeagueRun]) -> bool:
    """Whether every type sat in every seat of every scenario of the league."""
    table = coverage(runs)
    return all(
        scenario in table and all(set(info.types) <= set(types) for types in table[scenario].values())
        for scenario in info.scenarios
    )


def _interval(metric: Metric, found: Sequence[Observation], bounds: tuple[float, float]) -> Interval:
    values = [o.values[metric.key] for o in found if metric.key in o.values]
    if metric.kind == "proportion":
        return wilson(round(sum(values)), len(values))
    return t_interval(values, *bounds)


def _by(
    found: Sequence[Observation], key: Any, metric: str, bounds: tuple[float, float]
) -> dict[str, dict[str, Interval]]:
    groups: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for obs in found:
        groups[key(obs)][obs.type].append(obs)
    return {g: {t: _interval(BY_KEY[metric], obs, bounds) for t, obs in types.items()} for g, types in groups.items()}


def _head_to_head(
    found: Sequence[Observation], metric: str, bounds: tuple[float, float]
) -> dict[str, dict[str, Interval]]:
    """Row type's ranking metric in the runs whose other seats all held one column type."""
    groups: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    for obs in found:
        if len(obs.opponents) == 1:
            groups[obs.type][obs.opponents[0]].append(obs)
    return {t: {o: _interval(BY_KEY[metric], obs, bounds) for o, obs in opp.items()} for t, opp in groups.items()}


def _or_low(x: float) -> float:
    return -math.inf if math.isnan(x) else x


def to_json(summary: LeagueSummary) -> dict[str, Any]:
    """The summary as plain JSON (NaN becomes null; comparisons name the type ahead)."""
    data = asdict(summary)
    data["comparisons"] = [{**asdict(c), "better": c.better} for c in summary.comparisons]
    cleaned: dict[str, Any] = nan_to_null(data)
    return cleaned
