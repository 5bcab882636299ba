"""Who bears what share of the cost and of the risk, and who captures the benefits: read from clauses.

The proportionality rule weighs these. Definitions (written down so that people and agents can
reproduce a verdict):

- The *deal's parties* are those bound by it: the signatories, or, for a proposal, the parties at
  the table. Every share below is restricted to them and rescaled to sum to 1 (if none of them
  has a share, they share equally).
- *Benefit share*: under the deal's option of the scenario's benefit clause, the shares it
  declares; without a benefit clause, a party's surplus (utility minus reservation value)
  divided by the sum of the positive surpluses (a party at or below its reservation value has 0).
- *Cost share*, *risk share*: from the cost_share and risk_allocation clauses. A numeric issue's
  value is the percentage its ``bearer`` carries, the rest going to ``rest_borne_by`` or, if
  that is not given, to the other parties of the scenario in equal parts; a categorical issue's
  option declares the shares, or ``benefit`` (shares follow the benefit shares). A cost_share
  clause with ``weighed: false`` (a cost one party carries by design) is not weighed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pactlab.domain.clauses import Benefit, CostShare, RiskAllocation
from pactlab.domain.issues import Issue, NumericIssue
from pactlab.domain.scenario import Scenario
from policies.deal import Deal
from policies.meaning import agreed

Weighed = tuple[Issue, CostShare | RiskAllocation]
"""An issue that carries a share the proportionality rule weighs, with its clause."""


def weighed_clauses(scenario: Scenario) -> dict[str, Weighed]:
    """{'cost' | 'risk': the issue and clause that carry it}, for the shares the rule weighs."""
    found: dict[str, Weighed] = {}
    for issue, clause in scenario.clauses():
        if isinstance(clause, CostShare) and clause.weighed:
            found["cost"] = (issue, clause)
        elif isinstance(clause, RiskAllocation):
            found["risk"] = (issue, clause)
    return found


def _restrict(shares: Mapping[str, float], parties: Sequence[str]) -> dict[str, float]:
    kept = {p: max(float(shares.get(p, 0.0)), 0.0) for p in parties}
    total = sum(kept.values())
    if total <= 0:
        return {p: 1.0 / len(parties) for p in parties}
    return {p: v / total for p, v in kept.items()}


def benefit_shares(deal: Deal) -> dict[str, float]:
    """Each deal party's share of the benefits (see the module docstring)."""
    for issue, clause in deal.scenario.clauses("benefit"):
        assert isinstance(clause, Benefit)
        meaning = agreed(clause.options, issue, deal.terms.terms)
        if meaning is not None and isinstance(meaning.shares, dict):  # 'benefit' is refused in a benefit clause
            return _restrict(meaning.shares, deal.parties)
    gains = {p: max(s, 0.0) for p, s in deal.surpluses().items()}
    return _restrict(gains, deal.parties)


def carried_shares(deal: Deal, weighed: Weighed, benefits: Mapping[str, float]) -> dict[str, float] | None:
    """Each deal party's share of what the clause carries (cost or risk) under the deal's terms.

    None if the deal's option of a categorical issue has no declared meaning (it cannot happen for
    a validated scenario and a complete term sheet).
    """
    issue, clause = weighed
    everyone = deal.scenario.party_ids
    if isinstance(issue, NumericIssue):
        assert clause.bearer is not None  # a numeric share names its bearer (the scenario's validation)
        value = deal.terms[issue.id]
        assert isinstance(value, (int, float))
        own = min(max(float(value) / 100.0, 0.0), 1.0)
        out = dict.fromkeys(everyone, 0.0)
        out[clause.bearer] = own
        if clause.rest_borne_by is not None:
            out[clause.rest_borne_by] += 1.0 - own
        else:
            others = [p for p in everyone if p != clause.bearer]
            for p in others:
                out[p] += (1.0 - own) / len(others)
        return _restrict(out, deal.parties)
    meaning = agreed(clause.options, issue, deal.terms.terms)
    if meaning is None:
        return None
    if not isinstance(meaning.shares, dict):  # 'benefit': in proportion to the benefits
        return dict(benefits)
    return _restrict({p: meaning.shares.get(p, 0.0) for p in everyone}, deal.parties)


def cost_shares(deal: Deal) -> dict[str, float] | None:
    """Each deal party's share of the cost; None when no weighed cost_share clause is declared."""
    weighed = weighed_clauses(deal.scenario).get("cost")
    return None if weighed is None else carried_shares(deal, weighed, benefit_shares(deal))


def risk_shares(deal: Deal, benefits: Mapping[str, float]) -> dict[str, float] | None:
    """Each deal party's share of the risk; None when no risk_allocation clause is declared."""
    weighed = weighed_clauses(deal.scenario).get("risk")
    return None if weighed is None else carried_shares(deal, weighed, benefits)
