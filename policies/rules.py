"""The rule kinds: small pure checks over typed inputs.

Each function returns a `Check` (passed, and why) or None when the rule has nothing to say about
the input (e.g. a scenario that declares no allocation). `policies.gate` decides which checks
apply to which move and turns checks into `Verdict`s.

Definitions used (written down so that people and agents can reproduce a verdict):

- *Surplus* of a party: its utility minus its reservation value.
- *Benefit share* (proportionality): if the scenario's allocation declares a `benefit` table, the
  party's share under the deal's option of that issue; otherwise its surplus divided by the sum
  of the positive surpluses of the deal's parties (a party at or below its reservation value
  has share 0; if nobody gains, shares are equal).
- The *deal's parties* are those bound by it: the parties accepting it (the signatories), or,
  for a proposal, the parties at the table. Declared shares are restricted to them and rescaled
  to sum to 1.
- *Transparency, disclosure first*: a disclosure is made when the proposal on the table puts the
  disclosure issue at a disclosed option. A proposal may change a dependent issue from its value
  in the proposal it answers only if the disclosure was already made in that proposal: the
  counterparty must see the disclosure before it sees dependent terms move. (Disclosing and
  moving dependent terms in the same proposal is therefore refused; disclose first, move next.)
  The opening proposal answers nothing and moves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evals.bargaining import RESERVATION_TOLERANCE, nash_product, nash_solution
from evals.fairness import min_max_ratio
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.scenario import Scenario
from policies.model import (
    FairnessBoundParams,
    IpFollowsCoreBusinessParams,
    ProcessParams,
    ProportionalityParams,
    TransparencyParams,
)


@dataclass(frozen=True)
class Check:
    """The result of one rule on one input."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class Deal:
    """A complete term sheet and the parties it would bind."""

    scenario: Scenario
    space: OutcomeSpace
    utilities: Mapping[str, UtilityFunction]
    terms: TermSheet
    parties: tuple[str, ...]

    def surpluses(self) -> dict[str, float]:
        return {p: self.utilities[p](self.terms) - self.utilities[p].reservation_value for p in self.parties}


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


def _restrict(shares: Mapping[str, float], parties: Sequence[str]) -> dict[str, float]:
    kept = {p: max(float(shares.get(p, 0.0)), 0.0) for p in parties}
    total = sum(kept.values())
    if total <= 0:
        return {p: 1.0 / len(parties) for p in parties}
    return {p: v / total for p, v in kept.items()}


def benefit_shares(deal: Deal) -> dict[str, float]:
    """Each deal party's share of the benefits (see the module docstring)."""
    allocation = deal.scenario.allocation
    if allocation is not None and allocation.benefit is not None:
        table = allocation.benefit.shares_for(value_key(deal.terms[allocation.benefit.issue]), deal.parties)
        assert table is not None  # 'benefit' in a benefit table is refused by the scenario's validation
        return _restrict(table, deal.parties)
    gains = {p: max(s, 0.0) for p, s in deal.surpluses().items()}
    return _restrict(gains, deal.parties)


def cost_shares(deal: Deal) -> dict[str, float] | None:
    allocation = deal.scenario.allocation
    if allocation is None or allocation.cost is None:
        return None
    value = deal.terms[allocation.cost.issue]
    assert isinstance(value, (int, float))
    return _restrict(allocation.cost.shares(float(value), deal.scenario.party_ids), deal.parties)


def risk_shares(deal: Deal, benefits: Mapping[str, float]) -> dict[str, float] | None:
    allocation = deal.scenario.allocation
    if allocation is None or allocation.risk is None:
        return None
    table = allocation.risk.shares_for(value_key(deal.terms[allocation.risk.issue]), deal.scenario.party_ids)
    return dict(benefits) if table is None else _restrict(table, deal.parties)


def proportionality(params: ProportionalityParams, deal: Deal) -> Check | None:
    """Each party's share of cost and of risk within `tolerance` of its share of the benefits.

    None when the scenario declares no allocation.
    """
    if deal.scenario.allocation is None:
        return None
    benefits = benefit_shares(deal)
    problems: list[str] = []
    declared: list[str] = []
    for what, shares in (("cost", cost_shares(deal)), ("risk", risk_shares(deal, benefits))):
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
        best = nash_solution(deal.space, utils)
        product = nash_product(
            {p: utils[p](deal.terms) for p in deal.parties}, {p: utils[p].reservation_value for p in deal.parties}
        )
        if best is None or best.objective <= 0:
            results.append((True, "no individually rational deal with positive gains to compare with"))
        else:
            fraction = product / best.objective
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
    """Foreground IP owned as `acceptable_owners` say, and (if declared) a sufficient licence to the non-owner.

    None when the scenario lacks the IP issue (allowed only if it is an optional issue).
    """
    declared = set(scenario.issue_ids)
    if params.ip_issue not in declared:
        return None
    problems: list[str] = []
    owner = value_key(terms.get(params.ip_issue, ""))
    if owner not in params.acceptable_owners:
        problems.append(
            f"{params.ip_issue} = {owner}: ownership must follow core business "
            f"({' or '.join(params.acceptable_owners)})"
        )
    if params.licence_issue is not None and params.licence_issue in declared:
        licence = value_key(terms.get(params.licence_issue, ""))
        if licence not in params.sufficient_licences:
            problems.append(
                f"{params.licence_issue} = {licence}: the non-owner needs at least "
                f"{' or '.join(params.sufficient_licences)}"
            )
    if problems:
        return Check(False, "; ".join(problems))
    return Check(
        True,
        f"{params.ip_issue} = {owner}"
        + (
            f", {params.licence_issue} = {value_key(terms[params.licence_issue])}"
            if params.licence_issue in declared and params.licence_issue in terms
            else ""
        ),
    )


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
    issue = params.disclosure_issue
    if issue is not None and issue in declared and previous is not None:
        disclosed = value_key(previous.get(issue, "")) in params.disclosed_options
        moved = [d for d in params.dependent_issues if d in declared and d in changed]
        if moved and not disclosed:
            problems.append(
                f"{', '.join(moved)} changed before the disclosure was made ({issue} must already be "
                f"{' or '.join(params.disclosed_options)} in the proposal answered)"
            )
    if problems:
        return Check(False, "; ".join(problems))
    what = f"names the changed issues ({', '.join(changed)})" if previous is not None and changed else "states reasons"
    return Check(True, f"the proposal {what}; terms within the declared issues")


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
