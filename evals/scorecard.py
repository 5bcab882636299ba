"""The scorecard of one negotiation: how good, how efficient and how fair its outcome is.

A scorecard is computed from the scenario (which holds the private profiles) and the public
record of moves alone, so it can be recomputed later from an audit transcript. The same inputs
always give the same scorecard. The expensive part, the Pareto frontier and the bargaining
solutions, depends on the scenario only: compute it once with `analyse` and pass it to `score`
for every run of that scenario.

Under a quorum rule the bargaining figures follow `evals.bargaining`'s coalitional definitions:
the Nash product, the Nash ratio and the fairness measures are computed over the deal's
coalition (the veto holders and the clearing parties with the largest gains, as many as the
quorum needs), named in the card's ``coalition`` field, and each bargaining point names its
own. A party outside that coalition does not sign the deal, so its utility neither zeroes the
Nash product nor makes the deal look unfair. Under unanimity the coalition is every party, the
figures are the classic ones and ``coalition`` is left out of the JSON. Pareto figures need no
rule: anything that dominates a passing deal passes too.

Large outcome spaces
    Above the size `pactlab.domain.scale.frontier_enumerable` allows, `analyse` does not list the
    frontier: `evals.optimise` answers each question by mixed-integer programming (the Nash,
    Kalai–Smorodinsky and utilitarian points; the deal's Pareto optimality and distance). The
    analysis then holds only the frontier points it found (``frontier_method`` "optimisation",
    ``frontier_exact`` False), and the card's ``accuracy`` says, figure by figure, whether it is
    exact and, when not, the interval it lies in. ``budget`` (seconds, `--eval-budget`) bounds
    the analysis and, again, the deal's own questions; what is unfinished when it runs out is
    reported as the best answer so far with its bound. Small spaces: ``accuracy`` is left out.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from evals.bargaining import Solution, coalition, kalai_smorodinsky, nash_product, nash_solution, utilitarian
from evals.claims import PartyTruth
from evals.fairness import gini, min_max_ratio, surplus
from evals.frontier import Frontier, distance_to_frontier, pareto_frontier
from evals.opponent_models import ModelAccuracy, ModelEstimate, accuracy
from evals.optimise import Dominance, LargeSpace, deadline_after
from evals.usage import LLMUsage
from pactlab.domain import progress
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction, utility_functions
from pactlab.domain.scale import frontier_enumerable
from pactlab.domain.scenario import RESERVED_ACTORS, AgreementRule, Scenario
from pactlab.domain.table import MoveRecord, TableRecord

Outcome = Literal["agreement", "impasse", "walk_away"]
Method = Literal["auto", "enumerate", "optimise"]


class FigureAccuracy(BaseModel):
    """How exact a figure of a large-space scorecard is: exact, or within [lower, upper]."""

    model_config = ConfigDict(frozen=True)

    exact: bool
    lower: float | None = Field(default=None, description="Proven lower bound when not exact.")
    upper: float | None = Field(default=None, description="Proven upper bound when not exact.")


class PartyScore(BaseModel):
    """How one party fared, and how it bargained (from its own utility's point of view)."""

    model_config = ConfigDict(frozen=True)

    party: str
    name: str
    utility: float | None = Field(description="Utility of the agreement; None if there is none.")
    reservation_value: float
    surplus: float = Field(description="Utility minus reservation value; 0 without agreement (it keeps its BATNA).")
    offers_made: int
    accepts: int
    first_offer_utility: float | None = Field(description="Own utility of its first offer; None if it made none.")
    last_offer_utility: float | None = Field(description="Own utility of its last offer; None if it made none.")
    concession: float = Field(description="first_offer_utility - last_offer_utility (0 with fewer than 2 offers).")
    concession_rate: float = Field(description="Concession per offer after the first (0 with fewer than 2 offers).")
    walked_away: bool
    constraints_met: bool | None = Field(
        default=None, description="Whether the agreement keeps the party's hard constraints; None without one."
    )


class PolicyNotApplicable(BaseModel):
    """A rule of the run's policy set (or part of one) that the scenario gave nothing to judge, and why."""

    model_config = ConfigDict(frozen=True)

    rule: str
    reason: str


class BargainingPoint(BaseModel):
    """A bargaining solution of the scenario (Nash, Kalai-Smorodinsky, utilitarian) as a reference."""

    model_config = ConfigDict(frozen=True)

    name: str
    terms: dict[str, IssueValue]
    utilities: dict[str, float]
    objective: float = Field(description="What the solution maximises, at this point.")
    exact: bool = Field(description="Whether it was found on the exact Pareto frontier, or proven optimal.")
    bound: float | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Large outcome spaces: how far the objective may lie below the best (proven), when not exact.",
    )
    coalition: list[str] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Under a quorum rule: the winning coalition the objective is computed over (left out of the "
        "JSON under unanimity, where it is every party).",
    )


class Scorecard(BaseModel):
    """Outcome, efficiency and fairness of one negotiation; JSON is `model_dump_json(indent=2)`."""

    model_config = ConfigDict(frozen=True)

    negotiation_id: str
    scenario_id: str
    scenario_title: str
    seed: int
    outcome: Outcome
    rounds: int
    turns: int = Field(description="Number of moves on the table.")
    agreement: dict[str, IssueValue] | None = Field(description="The agreed term sheet, in scenario issue order.")
    agreed_by: list[str]
    parties: list[PartyScore]
    social_welfare: float = Field(
        description="Sum of the parties' utilities; without agreement, the sum of their reservation values."
    )
    nash_product: float = Field(
        description="Product of the gains over reservation of the parties in `coalition` (every party under "
        "unanimity); 0 without agreement or when no winning coalition clears the deal."
    )
    nash_ratio: float = Field(description="nash_product over the Nash bargaining solution's; 0 without agreement.")
    coalition: list[str] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Under a quorum rule: the winning coalition (veto holders and the clearing parties with the "
        "largest gains, as many as the quorum needs) that nash_product, nash_ratio and the fairness figures are "
        "computed over; left out of the JSON under unanimity (every party), without agreement, and when no "
        "winning coalition clears the deal (the figures are then over every party).",
    )
    pareto_distance: float = Field(
        description="0 if no frontier point dominates the deal, else the Euclidean distance in utility space to "
        "the nearest frontier point; measured from the reservation point without agreement; 0 if the frontier "
        "is empty."
    )
    pareto_optimal: bool = Field(
        description="An agreement that keeps every party's hard constraints and that no other such outcome "
        "dominates (it is on the frontier); False without agreement."
    )
    fairness_min_max_ratio: float
    fairness_gini: float
    nash_point: BargainingPoint | None
    kalai_smorodinsky_point: BargainingPoint | None
    utilitarian_point: BargainingPoint | None
    frontier_size: int
    frontier_exact: bool
    frontier_method: str
    outcome_space_size: int
    llm_usage: LLMUsage | None = Field(default=None, description="Model calls, tokens and cost; None without LLMs.")
    truthfulness: dict[str, PartyTruth] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Per party: private figures the privacy screen withheld from its words, and the claims its "
        "words stated by verdict (true / false / unverifiable; evals.claims). Left out of the JSON when there "
        "were neither.",
    )
    policies_not_applicable: list[PolicyNotApplicable] = Field(
        default_factory=list,
        description="Rules of the policy set that the scenario declares no meaning for (no ip_ownership clause, "
        "no cost or risk clause, ...): reported once, judged never. Empty without a policy set.",
    )
    opponent_models: list[ModelAccuracy] = Field(
        default_factory=list,
        description="Per (agent, opponent) pair, how right the agent's opponent model was at the end: Pearson "
        "correlation of estimated vs true utilities and the reservation-value error (evals.opponent_models). "
        "Empty when no agent keeps an opponent model.",
    )
    accuracy: dict[str, FigureAccuracy] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Large outcome spaces only (evals.optimise): per figure, whether it is exact and else the "
        "interval it lies in; left out of the JSON when the frontier was enumerated (every figure exact).",
    )

    def to_html(self, *, terms: bool = True) -> str:
        """The scorecard as escaped HTML tables, each figure with its glossary tooltip (`evals.glossary`);
        `terms` False leaves out the agreed terms (a caller that shows them with their labels)."""
        from evals.glossary import BY_KEY
        from pactlab.domain.notebook import render_html

        tips = {key: term.short for key, term in BY_KEY.items()}
        return render_html("scorecard.html.j2", package="evals", card=self, tips=tips, glossary=BY_KEY, terms=terms)

    def _repr_html_(self) -> str:
        """Jupyter's rendering: `to_html`."""
        return self.to_html()


def approximate_figures(card: Scorecard | Mapping[str, Any]) -> dict[str, FigureAccuracy]:
    """The figures of a scorecard (a model or its JSON form) that are not exact, with their bounds.

    Empty for a card whose frontier was enumerated (every figure exact): the reports call this
    to say, figure by figure, what is approximate and within what."""
    raw = card.accuracy if isinstance(card, Scorecard) else card.get("accuracy")
    if not raw:
        return {}
    figures = {k: v if isinstance(v, FigureAccuracy) else FigureAccuracy.model_validate(v) for k, v in raw.items()}
    return {k: v for k, v in figures.items() if not v.exact}


def bound_text(figure: FigureAccuracy) -> str:
    """How a non-exact figure is bounded, in words: "within [a, b]" or "unproven" (no bound found in time)."""
    if figure.lower is None or figure.upper is None:
        return "unproven (no bound within the time budget)"
    return f"within [{figure.lower:.4g}, {figure.upper:.4g}]"


def accuracy_note(card: Scorecard | Mapping[str, Any]) -> str | None:
    """One sentence naming every approximate figure of a card and its bound (None when all are exact)."""
    figures = approximate_figures(card)
    if not figures:
        return None
    listed = "; ".join(f"{name.replace('_', ' ')} {bound_text(f)}" for name, f in figures.items())
    return f"Approximate figures (large outcome space, answered by optimisation within a time budget): {listed}."


def approximate_counts(cards: Sequence[Scorecard | Mapping[str, Any]]) -> dict[str, int]:
    """Per figure, in how many of `cards` it is approximate (the sweep and league reports' note)."""
    counts: dict[str, int] = {}
    for card in cards:
        for name in approximate_figures(card):
            counts[name] = counts.get(name, 0) + 1
    return counts


def approximate_summary(counts: Mapping[str, int], runs: int) -> str | None:
    """The reports' sentence on approximate figures over `runs` runs (None when every figure is exact)."""
    if not counts:
        return None
    listed = "; ".join(f"{name.replace('_', ' ')} in {n} of {runs} runs" for name, n in counts.items())
    return (
        f"Approximate figures (large outcome spaces, answered by optimisation within a time budget): {listed}. "
        "Each run's scorecard gives the bound (accuracy)."
    )


@dataclass(frozen=True)
class OutcomeAnalysis:
    """What depends on the scenario only: utilities, Pareto frontier, bargaining solutions.

    Compute it once per scenario with `analyse` and share it across runs; it is immutable.
    """

    scenario_sha256: str
    space: OutcomeSpace
    utilities: dict[str, UtilityFunction]
    frontier: Frontier
    nash: Solution | None
    kalai_smorodinsky: Solution | None
    utilitarian: Solution | None
    rule: AgreementRule = field(default_factory=AgreementRule)
    large: LargeSpace | None = field(default=None)
    budget: float | None = field(default=None)
    seconds: float = field(default=0.0)

    @property
    def reservations(self) -> dict[str, float]:
        return {p: u.reservation_value for p, u in self.utilities.items()}

    def utilities_of(self, sheet: TermSheet) -> dict[str, float]:
        """Each party's utility of a term sheet, in scenario party order."""
        return {p: u(sheet) for p, u in self.utilities.items()}

    def matches(self, scenario: Scenario) -> bool:
        return self.scenario_sha256 == scenario.sha256()


def analyse(
    scenario: Scenario,
    *,
    frontier: Frontier | None = None,
    seed: int = 0,
    budget: float | None = None,
    method: Method = "auto",
) -> OutcomeAnalysis:
    """The frontier (unless given) and the three bargaining solutions of `scenario` under its agreement rule.

    `method` "auto" enumerates the frontier when `frontier_enumerable` allows it and else
    optimises per question (`evals.optimise`, within `budget` seconds); "enumerate" and
    "optimise" force a path (tests compare them). `seed` only matters for the approximate
    frontier of spaces with wide multi-issue constraints.
    """
    space = OutcomeSpace(scenario.issues)
    utilities = utility_functions(space, {p.id: p.private for p in scenario.parties})
    large = frontier is None and (
        method == "optimise" or (method == "auto" and not frontier_enumerable(space.cardinality, len(utilities)))
    )
    if large:
        return _analyse_large(scenario, space, utilities, scenario.protocol.agreement, budget)
    if frontier is None:
        frontier = pareto_frontier(space, utilities, seed=seed)
    rule = scenario.protocol.agreement
    return OutcomeAnalysis(
        scenario_sha256=scenario.sha256(),
        space=space,
        utilities=utilities,
        frontier=frontier,
        nash=nash_solution(space, utilities, frontier, rule),
        kalai_smorodinsky=kalai_smorodinsky(space, utilities, frontier, rule),
        utilitarian=utilitarian(space, utilities, frontier, rule),
        rule=rule,
    )


def _analyse_large(
    scenario: Scenario,
    space: OutcomeSpace,
    utilities: dict[str, UtilityFunction],
    rule: AgreementRule,
    budget: float | None,
) -> OutcomeAnalysis:
    """The bargaining points by optimisation; the "frontier" holds just the points found."""
    start = time.monotonic()
    deadline = deadline_after(budget)
    model = LargeSpace(space, utilities, rule)
    with progress.task("outcome analysis: Nash, Kalai-Smorodinsky, utilitarian points", 3) as advance:
        nash = model.nash(deadline)
        advance(1)
        ks = model.kalai_smorodinsky(deadline)
        advance(1)
        util = model.utilitarian(deadline)
        advance(1)
    found = sorted({s.outcome for s in (nash, ks, util) if s is not None})
    outcomes = np.array(found, dtype=np.int64)
    points = np.array([model.point(o) for o in found], dtype=np.float64).reshape(len(found), len(utilities))
    frontier = Frontier(tuple(utilities), outcomes, points, exact=False, method="optimisation")
    return OutcomeAnalysis(
        scenario_sha256=scenario.sha256(),
        space=space,
        utilities=utilities,
        frontier=frontier,
        nash=nash,
        kalai_smorodinsky=ks,
        utilitarian=util,
        rule=rule,
        large=model,
        budget=budget,
        seconds=time.monotonic() - start,
    )


def score(
    scenario: Scenario,
    moves: Sequence[MoveRecord],
    *,
    outcome: str,
    agreement: Mapping[str, Any] | None,
    agreed_by: Sequence[str],
    rounds: int,
    negotiation_id: str = "",
    seed: int = 0,
    frontier: Frontier | None = None,
    analysis: OutcomeAnalysis | None = None,
    estimates: Sequence[ModelEstimate] = (),
) -> Scorecard:
    """Score a finished negotiation from the scenario and its public moves.

    `outcome` is "agreement" (then `agreement` is the agreed term sheet), "impasse" or
    "walk_away" (then `agreement` is None). `analysis` (from `analyse`) avoids recomputing the
    frontier; it must belong to this scenario. A `frontier` alone is used to build one (and
    the bargaining solutions are computed on it). `estimates` are the agents' final opponent-model
    estimates, scored against the private profiles (`evals.opponent_models`).
    """
    if outcome not in get_args(Outcome):
        raise ValueError(f"unknown outcome {outcome!r}; expected one of {', '.join(get_args(Outcome))}")
    if (outcome == "agreement") != (agreement is not None):
        raise ValueError(f"outcome {outcome!r} needs agreement={'a term sheet' if outcome == 'agreement' else 'None'}")
    if analysis is None:
        analysis = analyse(scenario, frontier=frontier)
    elif frontier is not None and frontier is not analysis.frontier:
        raise ValueError("pass either an analysis or a frontier, not both: the analysis holds its own frontier")
    elif not analysis.matches(scenario):
        raise ValueError("the outcome analysis belongs to a different scenario; build it with analyse(scenario)")
    party_ids = scenario.party_ids
    actors = set(party_ids) | set(RESERVED_ACTORS)
    unknown = sorted(set(agreed_by) - set(party_ids)) + sorted({m["party"] for m in moves} - actors)
    if unknown:
        raise ValueError(f"unknown part{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)}")

    space, frontier = analysis.space, analysis.frontier
    reservations = analysis.reservations
    sheet = space.validate(agreement) if agreement is not None else None
    deal = analysis.utilities_of(sheet) if sheet is not None else None
    gains = surplus(deal, reservations) if deal is not None else dict.fromkeys(party_ids, 0.0)
    point = deal if deal is not None else reservations

    rule = analysis.rule
    dominance = None
    if analysis.large is not None:
        with progress.task("Pareto check and distance of the deal"):
            dominance = analysis.large.dominance([point[p] for p in party_ids], deadline_after(analysis.budget))
    deal_product = nash_product(deal, reservations, rule) if deal is not None else 0.0
    members = coalition(deal, reservations, rule) if deal is not None else None
    needed = gains if members is None else {p: gains[p] for p in members}  # fairness among those the rule needs
    return Scorecard(
        negotiation_id=negotiation_id,
        scenario_id=scenario.id,
        scenario_title=scenario.title,
        seed=seed,
        outcome=cast(Outcome, outcome),  # checked above
        rounds=rounds,
        turns=len(moves),
        agreement=dict(sheet.terms) if sheet is not None else None,
        agreed_by=[p for p in party_ids if p in set(agreed_by)],
        parties=[_party_score(scenario, p, moves, analysis, sheet, deal, gains[p]) for p in party_ids],
        social_welfare=float(sum(point.values())),
        nash_product=deal_product,
        nash_ratio=_nash_ratio(deal, deal_product, analysis),
        coalition=list(members) if members is not None and rule.kind == "quorum" else None,
        pareto_distance=_pareto_distance(point, frontier) if dominance is None else dominance.distance.value,
        pareto_optimal=_pareto_optimal(sheet, deal, analysis)
        if dominance is None
        else _large_optimal(sheet, analysis, dominance.dominated),
        fairness_min_max_ratio=min_max_ratio(needed.values()),
        fairness_gini=gini(max(g, 0.0) for g in needed.values()),
        nash_point=bargaining_point(analysis.nash, rule),
        kalai_smorodinsky_point=bargaining_point(analysis.kalai_smorodinsky, rule),
        utilitarian_point=bargaining_point(analysis.utilitarian, rule),
        frontier_size=len(frontier.outcomes),
        frontier_exact=frontier.exact,
        frontier_method=frontier.method,
        outcome_space_size=space.cardinality,
        opponent_models=accuracy(space, analysis.utilities, estimates),
        accuracy=None if dominance is None else _accuracy(analysis, dominance, deal, deal_product),
    )


def _large_optimal(sheet: TermSheet | None, analysis: OutcomeAnalysis, dominated: bool) -> bool:
    """`_pareto_optimal` for a large space: an agreement keeping every hard constraint, not dominated."""
    if sheet is None or not all(u.satisfies_constraints(sheet) for u in analysis.utilities.values()):
        return False
    return not dominated


def _point_accuracy(solution: Solution | None, unfinished: bool) -> FigureAccuracy:
    if unfinished:  # the budget ran out before any answer: no point, and no bound either
        return FigureAccuracy(exact=False)
    if solution is None or solution.exact:
        return FigureAccuracy(exact=True)
    return FigureAccuracy(exact=False, lower=solution.objective, upper=solution.objective + solution.gap)


def _accuracy(
    analysis: OutcomeAnalysis, dominance: Dominance, deal: Mapping[str, float] | None, deal_product: float
) -> dict[str, FigureAccuracy]:
    """Per figure of a large-space card: exact, or the interval it lies in."""
    d = dominance.distance
    nash = analysis.nash
    unfinished = analysis.large.unfinished if analysis.large is not None else set()
    ratio = FigureAccuracy(exact="nash" not in unfinished)
    if deal is not None and nash is not None and not nash.exact and nash.objective > 0:
        best_upper = nash.objective + nash.gap
        ratio = FigureAccuracy(exact=False, lower=deal_product / best_upper, upper=deal_product / nash.objective)
    exact = FigureAccuracy(exact=True)
    distance = exact if d.exact else FigureAccuracy(exact=False, lower=d.lower, upper=d.upper)
    return {
        "social_welfare": exact,
        "nash_product": exact,
        "fairness_min_max_ratio": exact,
        "fairness_gini": exact,
        "pareto_optimal": FigureAccuracy(exact=dominance.exact),
        "pareto_distance": distance,
        "nash_ratio": ratio,
        "nash_point": _point_accuracy(nash, "nash" in unfinished),
        "kalai_smorodinsky_point": _point_accuracy(analysis.kalai_smorodinsky, "kalai_smorodinsky" in unfinished),
        "utilitarian_point": _point_accuracy(analysis.utilitarian, "utilitarian" in unfinished),
    }


def score_table(
    scenario: Scenario,
    moves: Sequence[MoveRecord],
    table: TableRecord,
    *,
    negotiation_id: str = "",
    seed: int = 0,
    analysis: OutcomeAnalysis | None = None,
    estimates: Sequence[ModelEstimate] = (),
) -> Scorecard:
    """`score` for a negotiation's final table: the workflow's evaluation and a transcript's rescoring."""
    agreed = table["status"] == "agreement"
    return score(
        scenario,
        moves,
        outcome=table["status"],
        agreement=table["proposal"] if agreed else None,
        agreed_by=table["accepted_by"] if agreed else [],
        rounds=min(table["round"] + 1, scenario.protocol.max_rounds),
        negotiation_id=negotiation_id,
        seed=seed,
        analysis=analysis,
        estimates=estimates,
    )


def bargaining_point(solution: Solution | None, rule: AgreementRule | None = None) -> BargainingPoint | None:
    """A bargaining solution as a plain, JSON-ready reference point (naming its coalition under a quorum)."""
    if solution is None:
        return None
    return BargainingPoint(
        name=solution.name,
        terms=dict(solution.terms.terms),
        utilities={p: float(u) for p, u in solution.utilities.items()},
        objective=float(solution.objective),
        exact=solution.exact,
        bound=None if solution.gap == 0.0 else solution.gap,
        coalition=list(solution.coalition) if rule is not None and rule.kind == "quorum" else None,
    )


def offer_utilities(
    moves: Sequence[MoveRecord], party: str, space: OutcomeSpace, utility: UtilityFunction
) -> list[float]:
    """`utility` of each offer `party` made, in the order made."""
    return [
        utility(space.validate(m["terms"]))
        for m in moves
        if m["party"] == party and m["kind"] == "propose" and m["terms"] is not None
    ]


def _party_score(
    scenario: Scenario,
    party: str,
    moves: Sequence[MoveRecord],
    analysis: OutcomeAnalysis,
    sheet: TermSheet | None,
    deal: Mapping[str, float] | None,
    gain: float,
) -> PartyScore:
    own = offer_utilities(moves, party, analysis.space, analysis.utilities[party])
    concession = own[0] - own[-1] if len(own) > 1 else 0.0
    return PartyScore(
        party=party,
        name=scenario.party(party).name,
        utility=None if deal is None else deal[party],
        reservation_value=analysis.utilities[party].reservation_value,
        surplus=gain,
        offers_made=len(own),
        accepts=sum(1 for m in moves if m["party"] == party and m["kind"] == "accept"),
        first_offer_utility=own[0] if own else None,
        last_offer_utility=own[-1] if own else None,
        concession=concession,
        concession_rate=concession / (len(own) - 1) if len(own) > 1 else 0.0,
        walked_away=any(m["party"] == party and m["kind"] == "walk_away" for m in moves),
        constraints_met=None if sheet is None else analysis.utilities[party].satisfies_constraints(sheet),
    )


def _nash_ratio(deal: Mapping[str, float] | None, deal_product: float, analysis: OutcomeAnalysis) -> float:
    """The deal's Nash product relative to the Nash bargaining solution's.

    Both products are coalitional (`evals.bargaining`): over the winning coalition with the
    largest product, every party under unanimity. 0 without agreement. If the Nash solution has
    no positive product (or there is none), a deal that a winning coalition clears scores 1 (it
    does as well as possible) and any other deal 0. The ratio can exceed 1 only if the deal
    beats a frontier that is approximate or that excludes it (e.g. a deal breaking a hard
    constraint).
    """
    if deal is None:
        return 0.0
    reservations, rule = analysis.reservations, analysis.rule
    best = nash_product(analysis.nash.utilities, reservations, rule) if analysis.nash is not None else 0.0
    if best <= 0:
        return 1.0 if coalition(deal, reservations, rule) is not None else 0.0
    return deal_product / best


def _pareto_optimal(sheet: TermSheet | None, deal: Mapping[str, float] | None, analysis: OutcomeAnalysis) -> bool:
    """On the frontier: inside the agreement space (every hard constraint kept) and not dominated.

    Dominance is decided up to ``UTILITY_TOLERANCE`` (see `evals.frontier`): a deal whose
    utilities equal a frontier point's but for float noise is on the frontier.

    A deal that breaks a hard constraint lies outside the space the frontier is drawn over, so
    it is not Pareto optimal even when no constraint-keeping outcome dominates it.
    """
    if sheet is None or deal is None or len(analysis.frontier.outcomes) == 0:
        return False
    if not all(u.satisfies_constraints(sheet) for u in analysis.utilities.values()):
        return False
    return _pareto_distance(deal, analysis.frontier) == 0.0


def _pareto_distance(point: Mapping[str, float], frontier: Frontier) -> float:
    """Distance to the frontier (`distance_to_frontier`); 0.0, not infinity, if the frontier is empty.

    An empty frontier means no outcome keeps every hard constraint: there is nothing to compare
    with, and JSON has no infinity.
    """
    if len(frontier.outcomes) == 0:
        return 0.0
    return float(distance_to_frontier([point[p] for p in frontier.parties], frontier))
