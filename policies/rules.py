"""The rule kinds: small pure checks over typed inputs.

Each function returns a `Check` (passed, and why) or None when the rule has nothing to say about
the input (e.g. a scenario that declares no clause the rule weighs: see
`policies.applicability`, which reports those once per run). `policies.gate` decides which checks
apply to which move and turns checks into `Verdict`s.

Every rule judges what the scenario's clauses mean (`policies.meaning`), never issue, option or
party ids. Definitions used (written down so that people and agents can reproduce a verdict):

- *Surplus* of a party: its utility minus its reservation value.
- *Shares* of cost, risk and benefits: see `policies.shares`.
- *IP follows core business*: see `policies.ownership`.
- *Transparency, disclosure first*: a disclosure is made when the proposal on the table puts a
  disclosure clause's issue at an option whose level the rule counts as disclosed. A proposal may
  change one of that clause's dependent terms from its value in the proposal it answers only if
  the disclosure was already made in that proposal: the counterparty must see the disclosure
  before it sees dependent terms move. (Disclosing and moving dependent terms in the same
  proposal is therefore refused; disclose first, move next.) The opening proposal answers
  nothing and moves nothing.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

from evals.bargaining import RESERVATION_TOLERANCE, nash_product, nash_solution
from evals.fairness import min_max_ratio
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.scenario import Scenario
from policies.deal import Check, Deal
from policies.meaning import agreed, disclosed_options, disclosures, foreground_ownership
from policies.model import (
    FairnessBoundParams,
    IpFollowsCoreBusinessParams,
    ProcessParams,
    ProportionalityParams,
    TransparencyParams,
)
from policies.ownership import applies as ownership_applies
from policies.ownership import judge_ownership
from policies.shares import benefit_shares, carried_shares, cost_shares, risk_shares, weighed_clauses


def _fmt(x: float) -> str:
    return f"{x:.3f}"


# -- individual rationality -------------------------------------------------------------------


def individual_rationality(utilities: Mapping[str, UtilityFunction], terms: TermSheet, parties: Sequence[str]) -> Check:
    """Every one of `parties` at or above its reservation value and within its hard constraints."""
    problems: list[str] = []
    for p in parties:
        fn = utilities[p]
        u = fn(terms)
        if u < fn.reservation_value - RESERVATION_TOLERANCE:
            problems.append(f"{p} would get {_fmt(u)}, below its reservation value {_fmt(fn.reservation_value)}")
        broken = [str(c) for c in fn.constraints if not c.holds(terms.terms, fn.space.by_id)]
        if broken:
            problems.append(f"{p}'s hard constraint(s) broken: {'; '.join(broken)}")
    if problems:
        return Check(False, "; ".join(problems))
    return Check(True, f"{', '.join(parties)}: at or above reservation value, within hard constraints")


# -- proportionality --------------------------------------------------------------------------


def proportionality(params: ProportionalityParams, deal: Deal) -> Check | None:
    """Each party's share of cost and of risk within `tolerance` of its share of the benefits.

    None when the scenario declares no weighed cost_share and no risk_allocation clause.
    """
    weighed = weighed_clauses(deal.scenario)
    if not weighed:
        return None
    benefits = benefit_shares(deal)
    problems: list[str] = []
    declared: list[str] = []
    for what in ("cost", "risk"):
        if what not in weighed:
            continue
        shares = carried_shares(deal, weighed[what], benefits)
        if shares is None:
            continue
        declared.append(what)
        for p in deal.parties:
            gap = shares[p] - benefits[p]
            if abs(gap) > params.tolerance + 1e-9:
                problems.append(
                    f"{p} bears {shares[p]:.0%} of the {what} but captures {benefits[p]:.0%} of the benefits "
                    f"(gap {abs(gap):.0%} > tolerance {params.tolerance:.0%})"
                )
    if problems:
        return Check(False, "; ".join(problems))
    shown = ", ".join(f"{p} {benefits[p]:.0%}" for p in deal.parties)
    return Check(True, f"{' and '.join(declared)} shares within {params.tolerance:.0%} of benefit shares ({shown})")


# -- fairness bound ---------------------------------------------------------------------------


_NASH_CACHE: OrderedDict[tuple[str, ...], float | None] = OrderedDict()
_NASH_CACHE_SIZE = 64
_NASH_LOCK = threading.Lock()


def nash_objective(space: OutcomeSpace, utilities: Mapping[str, UtilityFunction]) -> float | None:
    """The Nash solution's product for `utilities` over `space` (None when no outcome is feasible), memoised.

    The Nash point depends only on the issues and the parties' profiles, which are fixed for a
    run, while the gate weighs every proposal and every mediator draft against it: so it is
    computed once per (issues, profiles) and kept in a small bounded cache keyed by their content
    (a run rebuilt on resume, or another run of the same scenario, finds it too). Thread-safe.
    """
    key = (
        *(issue.model_dump_json() for issue in space.issues),
        *(f"{party}\x00{fn.profile.model_dump_json()}" for party, fn in utilities.items()),
    )
    with _NASH_LOCK:
        if key in _NASH_CACHE:
            _NASH_CACHE.move_to_end(key)
            return _NASH_CACHE[key]
    best = nash_solution(space, utilities)
    objective = None if best is None else best.objective
    with _NASH_LOCK:
        _NASH_CACHE[key] = objective
        while len(_NASH_CACHE) > _NASH_CACHE_SIZE:
            _NASH_CACHE.popitem(last=False)
    return objective


def fairness_bound(params: FairnessBoundParams, deal: Deal) -> Check:
    """Min/max surplus ratio >= min_ratio, and/or Nash product >= nash_fraction x the Nash solution's."""
    surpluses = deal.surpluses()
    results: list[tuple[bool, str]] = []
    if params.min_ratio is not None:
        ratio = min_max_ratio(surpluses.values())
        ok = ratio >= params.min_ratio - 1e-12
        results.append((ok, f"min/max surplus ratio {ratio:.2f} {'>=' if ok else '<'} {params.min_ratio:.2f}"))
    if params.nash_fraction is not None:
        utils = {p: deal.utilities[p] for p in deal.parties}
        best = nash_objective(deal.space, utils)
        product = nash_product(
            {p: utils[p](deal.terms) for p in deal.parties}, {p: utils[p].reservation_value for p in deal.parties}
        )
        if best is None or best <= 0:
            results.append((True, "no individually rational deal with positive gains to compare with"))
        else:
            fraction = product / best
            ok = fraction >= params.nash_fraction - 1e-12
            results.append(
                (
                    ok,
                    f"Nash product at {fraction:.0%} of the Nash solution's ({'>=' if ok else '<'} "
                    f"{params.nash_fraction:.0%})",
                )
            )
    passed = any(ok for ok, _ in results) if params.combine == "any" else all(ok for ok, _ in results)
    return Check(passed, "; ".join(text for _, text in results))


# -- IP follows core business -----------------------------------------------------------------


def ip_follows_core_business(
    params: IpFollowsCoreBusinessParams, scenario: Scenario, terms: Mapping[str, IssueValue]
) -> Check | None:
    """Each foreground ownership clause gives every field's IP to its party, and every non-owner holds
    at least `minimum_licence` (see `policies.ownership`).

    None when the rule does not apply: no foreground ip_ownership clause, or no party declares fields.
    """
    if not ownership_applies(scenario):
        return None
    findings = [
        judge_ownership(i, c, scenario, terms, params.minimum_licence) for i, c in foreground_ownership(scenario)
    ]
    problems = [p for f in findings for p in f.problems]
    if problems:
        return Check(False, "; ".join(problems))
    return Check(True, "; ".join(f.summary for f in findings))


# -- transparency -----------------------------------------------------------------------------


_PUNCTUATION = re.compile(r"[^A-Za-z0-9_\- ]+")


def _normalise(text: str) -> str:
    """Lower case, punctuation and underscores as spaces, single spaces."""
    return " ".join(re.sub(r"[_\-]+", " ", _PUNCTUATION.sub(" ", text.lower())).split())


def names_issue(rationale: str, scenario: Scenario, issue_id: str) -> bool:
    """Whether `rationale` names the issue by id, name or label (case-insensitive, underscores as spaces)."""
    text = f" {_normalise(rationale)} "
    issue = next(i for i in scenario.issues if i.id == issue_id)
    candidates = {_normalise(issue_id), _normalise(issue.label)}
    return any(f" {c} " in text for c in candidates if c)


def transparency(
    params: TransparencyParams,
    scenario: Scenario,
    terms: Mapping[str, IssueValue],
    rationale: str,
    previous: Mapping[str, IssueValue] | None,
) -> Check:
    """A proposal's reasons, its terms' scope and the disclosure order.

    `previous` is the proposal it answers: the one on the table, or the proposer's own previous
    proposal when the table is empty (None for an opening proposal).
    """
    problems: list[str] = []
    declared = set(scenario.issue_ids)
    changed = [
        i
        for i in scenario.issue_ids
        if i in terms and (previous is None or value_key(terms[i]) != value_key(previous.get(i, "")))
    ]
    if params.declared_issues_only:
        extra = [str(k) for k in terms if k not in declared]
        if extra:
            problems.append(f"term(s) outside the declared issues: {', '.join(extra)}")
    if params.require_rationale:
        if not rationale.strip():
            problems.append("the proposal gives no rationale")
        elif previous is not None:
            unnamed = [i for i in changed if not names_issue(rationale, scenario, i)]
            if unnamed:
                problems.append(f"the rationale does not name changed issue(s): {', '.join(unnamed)}")
    if params.disclosed_levels and previous is not None:
        problems += _disclosure_problems(params, scenario, changed, previous)
    if problems:
        return Check(False, "; ".join(problems))
    what = f"names the changed issues ({', '.join(changed)})" if previous is not None and changed else "states reasons"
    return Check(True, f"the proposal {what}; terms within the declared issues")


def _disclosure_problems(
    params: TransparencyParams, scenario: Scenario, changed: list[str], previous: Mapping[str, IssueValue]
) -> list[str]:
    """Dependent terms that moved although the proposal answered had not yet made their disclosure."""
    problems: list[str] = []
    for issue, clause in disclosures(scenario):
        moved = [d for d in clause.dependent_terms if d in changed]
        meaning = agreed(clause.options, issue, previous)
        if not moved or (meaning is not None and meaning.level in params.disclosed_levels):
            continue
        allowed = " or ".join(disclosed_options(clause, issue, params.disclosed_levels)) or "a disclosed level"
        problems.append(
            f"{', '.join(moved)} changed before the disclosure was made ({clause.discloser} discloses "
            f"{clause.subject}: {issue.id} must already be {allowed} in the proposal answered)"
        )
    return problems


# -- process ----------------------------------------------------------------------------------


def process(params: ProcessParams, scenario: Scenario, round_: int, escalations: Sequence[tuple[str, int]]) -> Check:
    """Round limit (`round_` is 0-based), ladder order and cooling-off of the escalation history.

    `escalations` lists (tier id, round) in the order the tiers were entered. The negotiation
    starts at the ladder's first tier, so the history may begin with that tier (its start) or
    with the second; each later entry must be the tier right after the one before, at least
    `cooling_off_rounds` rounds later.
    """
    problems: list[str] = []
    limit = scenario.protocol.max_rounds
    if params.round_limit and round_ >= limit:
        problems.append(f"move in round {round_ + 1}, after the round limit of {limit}")
    ladder = [t.id for t in scenario.dispute_ladder]
    previous: tuple[int, int] | None = None  # (ladder position, round)
    for n, (tier, at) in enumerate(escalations):
        if tier not in ladder:
            problems.append(f"escalation to unknown tier {tier!r}; ladder: {' -> '.join(ladder) or 'none'}")
            break
        position = ladder.index(tier)
        if params.ladder_order:
            expected = {0, 1} if previous is None else {previous[0] + 1}
            if position not in expected:
                after = "the start" if previous is None else ladder[previous[0]]
                allowed = " or ".join(ladder[k] for k in sorted(expected) if k < len(ladder)) or "nothing"
                problems.append(f"escalation to {tier} after {after}: the next tier must be {allowed}")
        started_here = n == 1 and previous is not None and previous[0] == 0  # the start is no escalation
        if previous is not None and not started_here and at - previous[1] < params.cooling_off_rounds:
            problems.append(
                f"escalation to {tier} in round {at + 1}, {at - previous[1]} round(s) after the last; "
                f"cooling-off is {params.cooling_off_rounds}"
            )
        previous = (position, at)
    if problems:
        return Check(False, "; ".join(problems))
    return Check(True, f"round {round_ + 1} of {limit}; {len(escalations)} escalation(s) in order")


__all__ = [
    "Check",
    "Deal",
    "benefit_shares",
    "cost_shares",
    "fairness_bound",
    "individual_rationality",
    "ip_follows_core_business",
    "names_issue",
    "process",
    "proportionality",
    "risk_shares",
    "transparency",
]
