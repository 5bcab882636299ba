"""`pactlab plan`: opening offers and concession plans tried against many counterparts you cannot see.

A scenario's `uncertainty` blocks (`pactlab.domain.uncertainty`) say what the other side may be
like. For the person's party, each *plan* is a time-dependent strategy (Faratin et al. 1998)
with an opening aspiration (``opening``: how far from the walk-away point toward the best terms
the first offers aim) and a concession curve (exponent e: Boulware, linear, Conceder). Every plan
plays the same N drawn counterparts (seeded draws: counterpart k is draw k of the seed), under the
scenario's policy set, on a sweep backend (`pactlab.app.sweeps`: a local process pool or Ray).

Per plan: the agreement probability with its Wilson interval (`evals.intervals`), the expected
value (the agreement's utility, or the walk-away value without one; Student t interval), the
worst case as CVaR at 10 % (the mean of the worst tenth of outcomes) and the mean value when a
deal is reached. The *robust* plan has the highest CVaR, then the highest expected value. Two
kinds of concession are ranked by agreement bought per unit of value given up:

- between plans: moving from the robust plan to a softer one (more agreement, less value per deal);
- on the robust plan's opening offer: changing one issue, measured on the drawn counterparts (the
  share that would prefer the offer to walking away, against the value it costs the person).
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.registry import DEFAULT_STRATEGY, parse_spec
from agents.strategies.curves import curve_name
from evals.intervals import t_interval, wilson
from evals.markdown import text as escape
from pactlab.app.sweeps.backend import Backend
from pactlab.app.sweeps.tasks import RunResult, RunTask
from pactlab.domain.counterparts import draw_counterparts, uncertain_parties
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.uncertainty import Draw
from pactlab.errors import BadInput
from policies import PolicySet

DEFAULT_OPENINGS = (1.0, 0.85, 0.7)
"""Opening aspirations tried by default: the best terms, and 85 % and 70 % of the way up from the walk-away point."""

DEFAULT_CURVES = (0.2, 1.0)
"""Concession exponents tried by default: Boulware and linear (``--curves 0.2,1,3`` adds a Conceder)."""

CVAR_SHARE = 0.1
"""The worst-case measure: the mean value of the worst 10 % of outcomes."""

ISSUE_CONCESSIONS = 6
"""How many single-issue concessions the report lists."""


class PlanError(BadInput):
    """A plan that cannot be made: no party declares uncertainty, an unknown seat, a bad grid."""


@dataclass(frozen=True)
class Candidate:
    """One plan for the person's party: an opening aspiration and a concession curve."""

    opening: float
    e: float

    @property
    def spec(self) -> str:
        return f"time_dependent(e={self.e:g}, opening={self.opening:g})"

    @property
    def label(self) -> str:
        return f"open at {self.opening:.0%}, {curve_name(self.e)} (e={self.e:g})"


def candidates(openings: Sequence[float], curves: Sequence[float]) -> list[Candidate]:
    """Every opening × curve, each checked by the strategy registry (PlanError naming the bad value)."""
    grid = [Candidate(float(o), float(e)) for o in openings for e in curves]
    if not grid:
        raise PlanError("give at least one opening and one curve")
    for c in grid:
        try:
            parse_spec(c.spec)
        except ValueError as exc:
            raise PlanError(f"plan {c.spec}: {exc}") from None
    return grid


class PlanRow(BaseModel):
    """How one plan fared against the drawn counterparts (utilities on 0..1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rank: int
    plan: str
    spec: str
    opening: float
    e: float
    runs: int = Field(description="Negotiations that finished (failed ones are counted in `failed`).")
    failed: int
    agreement: float
    agreement_low: float
    agreement_high: float
    expected_value: float = Field(description="Mean of the agreement's utility, or the walk-away value without one.")
    expected_low: float
    expected_high: float
    cvar10: float = Field(description="Mean value of the worst 10 % of outcomes.")
    value_if_agreed: float | None = Field(description="Mean utility of the agreements reached.")
    opening_offer: dict[str, IssueValue] | None = Field(description="The person's most frequent first offer.")
    opening_value: float | None


class PlanStep(BaseModel):
    """A move from the robust plan to a softer one: agreement bought, value per deal given up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to_plan: str
    agreement_gain: float
    value_given_up: float
    rate: float | None = Field(description="agreement_gain / value_given_up (None: the step gives up nothing).")


class IssueStep(BaseModel):
    """One issue of the opening offer changed: what it costs the person, how many more counterparts accept."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issue: str
    issue_name: str
    before: IssueValue
    after: IssueValue
    cost: float = Field(description="Utility the person gives up.")
    acceptance_before: float
    acceptance_after: float
    rate: float = Field(description="Acceptance gained per unit of utility given up.")


class PlanReport(BaseModel):
    """Every plan ranked, the robust recommendation and the concessions worth making."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario_id: str
    scenario_title: str
    party: str
    party_name: str
    uncertain: list[str] = Field(description="The parties whose profile was drawn.")
    counterparts: int
    seed: int
    backend: str
    workers: int
    seconds: float
    negotiations_per_second: float
    reservation_value: float
    rows: list[PlanRow]
    recommended: str
    plan_steps: list[PlanStep]
    issue_steps: list[IssueStep]
    methods: str


@dataclass
class _Collector:
    """The backend's events: results by run id, and progress."""

    on_result: Callable[[RunResult], None] | None = None
    results: dict[str, RunResult] = field(default_factory=dict)

    def started(self, task: RunTask) -> None:
        pass

    def finished(self, result: RunResult) -> None:
        self.results[result.run_id] = result
        if self.on_result is not None:
            self.on_result(result)


def check_strategies(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Negotiator specs of uncertainty blocks the registry cannot read, as (field path, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for n, party in enumerate(scenario.parties):
        for k, alternative in enumerate(party.uncertainty.strategy if party.uncertainty else []):
            try:
                parse_spec(alternative.spec)
            except ValueError as exc:
                problems.append((("parties", n, "uncertainty", "strategy", k, "spec"), str(exc)))
    return problems


def counterpart_agents(scenario: Scenario, draws: Sequence[Draw], person: str, spec: str) -> dict[str, str]:
    """Who plays whom: the person's plan, each drawn party's drawn strategy, the default for the rest."""
    agents = {p: DEFAULT_STRATEGY for p in scenario.party_ids}
    agents.update({d.party: d.strategy for d in draws if d.strategy is not None})
    agents[person] = spec
    return agents


def plan_tasks(
    scenario: Scenario,
    person: str,
    plans: Sequence[Candidate],
    counterparts: int,
    seed: int,
    policies: PolicySet | None,
) -> Iterator[RunTask]:
    """Counterpart by counterpart (its plans back to back, so a worker analyses each drawn scenario once)."""
    policy_data = policies.model_dump(mode="json") if policies is not None else None
    for index in range(counterparts):
        concrete, draws = draw_counterparts(scenario, seed, seat=person, index=index)
        data, sha = concrete.model_dump(mode="json"), concrete.sha256()
        for k, plan in enumerate(plans):
            yield RunTask(
                run_id=f"plan-c{index}-p{k}",
                scenario=data,
                scenario_sha256=sha,
                source="",
                agents=counterpart_agents(concrete, draws, person, plan.spec),
                policies=policy_data,
                seed=index,
                run_dir="",
            )


def make_plan(
    scenario: Scenario,
    person: str,
    *,
    backend: Backend,
    workers: int,
    counterparts: int = 1000,
    seed: int = 0,
    policies: PolicySet | None = None,
    plans: Sequence[Candidate] | None = None,
    on_result: Callable[[RunResult], None] | None = None,
) -> PlanReport:
    """Play every plan against `counterparts` drawn counterparts on `backend` and rank the plans."""
    if person not in scenario.party_ids:
        raise PlanError(f"unknown party {person!r}; parties: {', '.join(scenario.party_ids)}")
    uncertain = uncertain_parties(scenario, person)
    if not uncertain:
        raise PlanError(
            f"no party other than {person!r} declares an 'uncertainty:' block in {scenario.id!r}; add one "
            "(ranges or alternatives for weights, values, reservation value, strategy: see `pactlab scenario schema`)"
        )
    problems = check_strategies(scenario)
    if problems:
        raise PlanError("; ".join(f"{'.'.join(map(str, loc))}: {message}" for loc, message in problems))
    if counterparts < 1:
        raise PlanError(f"--counterparts must be at least 1, not {counterparts}")
    grid = list(plans) if plans is not None else candidates(DEFAULT_OPENINGS, DEFAULT_CURVES)
    collector = _Collector(on_result)
    clock = time.perf_counter()
    backend.run(plan_tasks(scenario, person, grid, counterparts, seed, policies), collector)
    seconds = time.perf_counter() - clock
    space = OutcomeSpace(scenario.issues)
    me = UtilityFunction(space, scenario.party(person).private)
    rows = [_row(k, plan, collector.results, counterparts, me, person) for k, plan in enumerate(grid)]
    ranked = sorted(rows, key=lambda r: (-r.cvar10, -r.expected_value, -r.agreement))
    rows = [r.model_copy(update={"rank": n + 1}) for n, r in enumerate(ranked)]
    best = rows[0]
    steps = _plan_steps(best, rows)
    issue_steps = _issue_steps(scenario, person, best.opening_offer, space, me, counterparts, seed)
    values = [r.agreement for r in rows]
    return PlanReport(
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        party=person,
        party_name=scenario.party(person).name,
        uncertain=uncertain,
        counterparts=counterparts,
        seed=seed,
        backend=backend.name,
        workers=workers,
        seconds=round(seconds, 3),
        negotiations_per_second=round(len(collector.results) / seconds, 1) if seconds > 0 else 0.0,
        reservation_value=me.reservation_value,
        rows=rows,
        recommended=best.spec,
        plan_steps=steps,
        issue_steps=issue_steps,
        methods=f"agreement: {wilson(0, 1).method} 95% interval; expected value: Student t (scipy) 95% interval "
        f"clipped to [0, 1]; worst case: CVaR at {CVAR_SHARE:.0%} (mean of the worst tenth); "
        f"{len(values)} plans x {counterparts} counterparts",
    )


def cvar(values: Sequence[float], share: float = CVAR_SHARE) -> float:
    """Mean of the lowest ceil(share * n) values (the conditional value at risk of the worst `share`)."""
    ordered = sorted(values)
    k = max(1, math.ceil(share * len(ordered)))
    return float(np.mean(ordered[:k]))


def _row(k: int, plan: Candidate, results: dict[str, RunResult], n: int, me: UtilityFunction, person: str) -> PlanRow:
    done = [results.get(f"plan-c{i}-p{k}") for i in range(n)]
    played = [r.scorecard for r in done if r is not None and r.status == "done" and r.scorecard is not None]
    values = [float(p["utilities"][person]) for p in played]
    agreed = [v for p, v in zip(played, values, strict=True) if p["agreement"]]
    rate = wilson(len(agreed), len(played))
    mean = t_interval(values, 0.0, 1.0)
    firsts = [p["first_offers"][person] for p in played if person in p["first_offers"]]
    offers = Counter(json.dumps(terms, sort_keys=True) for terms in firsts)
    opening: dict[str, IssueValue] | None = None
    if offers:
        opening = dict(me.space.validate(json.loads(offers.most_common(1)[0][0])).terms)
    return PlanRow(
        rank=0,
        plan=plan.label,
        spec=plan.spec,
        opening=plan.opening,
        e=plan.e,
        runs=len(played),
        failed=n - len(played),
        agreement=rate.estimate if played else 0.0,
        agreement_low=rate.low if played else 0.0,
        agreement_high=rate.high if played else 0.0,
        expected_value=mean.estimate if played else 0.0,
        expected_low=mean.low if played else 0.0,
        expected_high=mean.high if played else 0.0,
        cvar10=cvar(values) if values else 0.0,
        value_if_agreed=float(np.mean(agreed)) if agreed else None,
        opening_offer=opening,
        opening_value=me(me.space.validate(opening)) if opening is not None else None,
    )


def _plan_steps(best: PlanRow, rows: Sequence[PlanRow]) -> list[PlanStep]:
    steps = []
    for row in rows:
        if row is best or row.agreement <= best.agreement:
            continue
        given = (best.value_if_agreed or 0.0) - (row.value_if_agreed or 0.0)
        gain = row.agreement - best.agreement
        steps.append(
            PlanStep(
                to_plan=row.plan,
                agreement_gain=gain,
                value_given_up=given,
                rate=gain / given if given > 1e-9 else None,
            )
        )
    return sorted(steps, key=lambda s: -(s.rate if s.rate is not None else math.inf))


def acceptance(
    scenario: Scenario, person: str, counterparts: int, seed: int, space: OutcomeSpace
) -> Callable[[dict[str, IssueValue]], float]:
    """The share of the drawn counterparts (every other party) that would take `terms` over walking away."""
    drawn: list[list[UtilityFunction]] = []
    for index in range(counterparts):
        concrete, _ = draw_counterparts(scenario, seed, seat=person, index=index)
        drawn.append([UtilityFunction(space, p.private) for p in concrete.parties if p.id != person])

    def share(terms: dict[str, IssueValue]) -> float:
        sheet = space.validate(terms)
        return sum(all(u.acceptable(sheet) for u in others) for others in drawn) / len(drawn)

    return share


def _issue_steps(
    scenario: Scenario,
    person: str,
    opening: dict[str, IssueValue] | None,
    space: OutcomeSpace,
    me: UtilityFunction,
    counterparts: int,
    seed: int,
) -> list[IssueStep]:
    if opening is None:
        return []
    share = acceptance(scenario, person, counterparts, seed, space)
    base_value, base_share = me(space.validate(opening)), share(opening)
    steps = []
    for issue in scenario.issues:
        for option in issue.values():
            if value_key(option) == value_key(opening[issue.id]):
                continue
            terms = {**opening, issue.id: option}
            sheet = space.validate(terms)
            if not me.acceptable(sheet):
                continue
            cost = base_value - me(sheet)
            gained = share(terms)
            if cost > 1e-9 and gained > base_share:
                steps.append(
                    IssueStep(
                        issue=issue.id,
                        issue_name=issue.name or issue.id,
                        before=opening[issue.id],
                        after=option,
                        cost=cost,
                        acceptance_before=base_share,
                        acceptance_after=gained,
                        rate=(gained - base_share) / cost,
                    )
                )
    return sorted(steps, key=lambda s: -s.rate)[:ISSUE_CONCESSIONS]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _v(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}"


def markdown(report: PlanReport) -> str:
    """The report as Markdown: the ranked plans, the recommendation, the concessions worth making."""
    lines = [
        f"# Plan for {escape(report.party_name)} in {escape(report.scenario_title)}",
        "",
        f"{len(report.rows)} plans against {report.counterparts:,} drawn counterparts "
        f"({', '.join(escape(p) for p in report.uncertain)} drawn from the scenario's uncertainty, "
        f"seed {report.seed}); "
        f"{report.backend} backend, {report.workers} worker(s), {report.seconds:.1f} s "
        f"({report.negotiations_per_second:g} negotiations/s). Values are the value to you on 0-100 "
        f"(the agreement's utility x 100; without agreement your walk-away value, {_v(report.reservation_value)}).",
        "",
        "| rank | plan | agreement (95% CI) | expected value (95% CI) | worst 10% (CVaR) | value if agreed | failed |",
        "| ---: | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for r in report.rows:
        lines.append(
            f"| {r.rank} | {escape(r.plan)} | "
            f"{_pct(r.agreement)} [{_pct(r.agreement_low)}, {_pct(r.agreement_high)}] | "
            f"{_v(r.expected_value)} [{_v(r.expected_low)}, {_v(r.expected_high)}] | {_v(r.cvar10)} | "
            f"{_v(r.value_if_agreed)} | {r.failed} |"
        )
    best = report.rows[0]
    lines += [
        "",
        f"**Robust plan:** {escape(best.plan)} (`{best.spec}`): the best worst case, then the best expected value.",
    ]
    if best.opening_offer:
        terms = ", ".join(f"{escape(k)} = {escape(value_key(v))}" for k, v in best.opening_offer.items())
        lines += ["", f"Opening offer (value to you {_v(best.opening_value)}): {terms}."]
    if report.plan_steps:
        lines += ["", "Softer plans, by agreement bought per point of value given up per deal:", ""]
        for s in report.plan_steps:
            rate = "free" if s.rate is None else f"{s.rate / 100:.2f} pts of agreement per point"
            lines.append(
                f"- {escape(s.to_plan)}: +{_pct(s.agreement_gain)} agreement for {_v(s.value_given_up)} points ({rate})"
            )
    if report.issue_steps:
        lines += ["", "Concessions on the opening offer that buy the most acceptance per point given up:", ""]
        for i in report.issue_steps:
            lines.append(
                f"- {escape(i.issue_name)}: {escape(value_key(i.before))} → {escape(value_key(i.after))}: costs you "
                f"{_v(i.cost)} points; counterparts who would take the offer over walking away: "
                f"{_pct(i.acceptance_before)} → {_pct(i.acceptance_after)}"
            )
    lines += ["", f"Methods: {escape(report.methods)}."]
    return "\n".join(lines) + "\n"


__all__ = [
    "DEFAULT_CURVES",
    "DEFAULT_OPENINGS",
    "Candidate",
    "IssueStep",
    "PlanError",
    "PlanReport",
    "PlanRow",
    "PlanStep",
    "acceptance",
    "candidates",
    "check_strategies",
    "counterpart_agents",
    "cvar",
    "make_plan",
    "markdown",
    "plan_tasks",
]
