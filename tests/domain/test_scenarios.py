"""The shipped scenarios: they load, they are complete, and they hold real tension.

The tension checks are brute force over the whole outcome space with numpy (every shipped
space is at most 10^6 outcomes), using only the domain model:

- the zone of agreement (outcomes every party finds individually rational: at or above its
  reservation value and within its hard constraints) is non-empty but a small part of the space;
- no party's ideal outcome is acceptable to everybody: it fails the agreement rule;
- splitting the difference (every issue at its middle option or value) is beaten for every
  party by a rational deal, and clearly so by the Nash bargaining solution;
- the parties care most about different issues (integrative potential), conflict on some
  issues and nearly agree on others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from pactlab.domain.issues import CategoricalIssue, NumericIssue
from pactlab.domain.loader import load_model
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.preferences import value_vector
from pactlab.domain.scenario import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = ["platform_material", "boost_converter", "ecosystem"]
LADDER = ["working_level", "executive", "mediation", "arbitration"]
MAX_OUTCOMES = 1_000_000
ZONE_SHARE = (0.03, 0.30)  # share of outcomes individually rational for every party
NASH_MARGIN = 0.05  # how much better than the midpoint the Nash deal must be, for every party


@dataclass(frozen=True)
class Analysis:
    scenario: Scenario
    space: OutcomeSpace
    utility: dict[str, np.ndarray]  # party -> utility of every outcome
    rational: dict[str, np.ndarray]  # party -> individually rational (reservation value and constraints)
    allowed: dict[str, np.ndarray]  # party -> within the party's hard constraints

    @property
    def zone(self) -> np.ndarray:
        """Outcomes individually rational for every party."""
        return np.logical_and.reduce([self.rational[p] for p in self.scenario.party_ids])

    def passes_rule(self, outcomes: np.ndarray) -> np.ndarray:
        """Whether the agreement rule is met if exactly the parties for whom it is rational accept."""
        ids = self.scenario.party_ids
        rule = self.scenario.protocol.agreement
        return np.array(
            [rule.met({p for p in ids if self.rational[p][k]}, ids) for k in np.asarray(outcomes)], dtype=bool
        )

    def ideals(self, party: str) -> np.ndarray:
        """Every outcome that maximises the party's utility within its own constraints (ties included)."""
        u = np.where(self.allowed[party], self.utility[party], -np.inf)
        return np.flatnonzero(np.isclose(u, u.max(), rtol=0, atol=1e-9))

    def midpoint(self) -> int:
        """Split the difference: each issue at its middle option or value (the lower middle if even)."""
        return int(np.ravel_multi_index(tuple((n - 1) // 2 for n in self.space.shape), self.space.shape))

    def nash(self) -> int:
        """The Nash bargaining outcome: the rational outcome maximising the product of surpluses."""
        ids = self.scenario.party_ids
        surplus = [self.utility[p] - self.scenario.party(p).private.reservation_value for p in ids]
        product = np.prod(np.maximum(np.stack(surplus), 0.0), axis=0)
        return int(np.argmax(np.where(self.zone, product, -1.0)))


@cache
def analyse(name: str) -> Analysis:
    scenario = load_model(SCENARIOS / f"{name}.yaml", Scenario)
    space = OutcomeSpace(scenario.issues)
    utility, rational, allowed = {}, {}, {}
    for party in scenario.parties:
        fn = UtilityFunction(space, party.private)
        utility[party.id] = fn.over_space()
        allowed[party.id] = fn.constraint_mask()
        rational[party.id] = (utility[party.id] >= fn.reservation_value - 1e-12) & allowed[party.id]
    return Analysis(scenario, space, utility, rational, allowed)


# -- loading and structure ------------------------------------------------------------------


def test_the_three_scenarios_are_shipped() -> None:
    found = {p.stem for p in SCENARIOS.glob("*.yaml")}
    assert set(SHIPPED) <= found


@pytest.mark.parametrize("name", SHIPPED)
def test_scenario_loads_with_the_required_structure(name: str) -> None:
    scenario = analyse(name).scenario
    assert scenario.id == name
    assert scenario.title and len(scenario.context) > 400, "the context should be a rich paragraph or two"
    assert scenario.policy_set == "fair-and-open"
    assert 30 <= scenario.protocol.max_rounds <= 60
    assert scenario.protocol.opener in scenario.party_ids
    assert [t.id for t in scenario.dispute_ladder] == LADDER
    for tier in scenario.dispute_ladder:
        assert tier.name and tier.description and tier.max_rounds, tier.id


@pytest.mark.parametrize("name", SHIPPED)
def test_every_party_is_fully_described(name: str) -> None:
    scenario = analyse(name).scenario
    for party in scenario.parties:
        private = party.private
        assert party.name and party.core_business and party.facts, party.id
        assert len(private.interests) > 200, f"{party.id}: the interests brief should be a readable narrative"
        assert 0 < private.reservation_value < 1, party.id
        assert all(private.weights.get(i, 0) > 0 for i in private.values), f"{party.id}: value without weight"
        assert sum(1 for w in private.weights.values() if w > 0) >= 5, f"{party.id}: weights on too few issues"
    assert any(p.private.constraints for p in scenario.parties), "at least one hard constraint"


@pytest.mark.parametrize("name", SHIPPED)
def test_outcome_space_is_small_enough_for_brute_force(name: str) -> None:
    space = analyse(name).space
    assert 1_000 <= space.cardinality <= MAX_OUTCOMES
    for issue in analyse(name).scenario.issues:
        if isinstance(issue, NumericIssue):
            assert issue.size <= 11, f"{issue.id}: steps too fine"


def test_two_party_scenarios_have_two_parties_and_unanimity() -> None:
    for name in ("platform_material", "boost_converter"):
        scenario = analyse(name).scenario
        assert len(scenario.parties) == 2
        assert scenario.protocol.agreement.kind == "unanimity"


def test_platform_material_issues() -> None:
    ids = set(analyse("platform_material").scenario.issue_ids)
    assert {
        "use_case_disclosure",
        "foreground_ip",
        "licence_to_non_owner",
        "commercialisation_rights",
        "exclusivity_months",
        "royalty_rate",
        "rnd_cost_share_platform",
    } <= ids


def test_boost_converter_issues() -> None:
    scenario = analyse("boost_converter").scenario
    assert {
        "platform_design",
        "rnd_cost_share_platform",
        "risk_share",
        "supply_chain",
        "royalty_rate",
        "exclusivity_months",
        "foreground_ip",
    } <= set(scenario.issue_ids)
    design = next(i for i in scenario.issues if i.id == "platform_design")
    assert isinstance(design, CategoricalIssue)
    assert "single_spec_part" in design.options
    risk = next(i for i in scenario.issues if i.id == "risk_share")
    assert isinstance(risk, CategoricalIssue)
    assert "proportional_to_benefit" in risk.options


def test_ecosystem_is_a_four_party_quorum_with_a_veto() -> None:
    scenario = analyse("ecosystem").scenario
    assert len(scenario.parties) == 4
    assert len(scenario.issues) >= 8
    rule = scenario.protocol.agreement
    assert rule.kind == "quorum"
    assert rule.quorum == 3
    assert rule.veto == ["platform"]
    assert {"platform", "material_supplier", "component_maker", "university_lab"} == set(scenario.party_ids)


def test_ecosystem_encodes_the_university_lab_tension() -> None:
    scenario = analyse("ecosystem").scenario
    assert {"publication_embargo_months", "background_ip_licence"} <= set(scenario.issue_ids)
    lab = scenario.party("university_lab").private
    platform = scenario.party("platform").private
    assert any("publication_embargo_months" in c.issues for c in lab.constraints)
    top = max(lab.weights, key=lambda i: lab.weights[i])
    assert top == "publication_embargo_months"
    # the platform wants the opposite direction on publication
    assert lab.values["publication_embargo_months"] != platform.values["publication_embargo_months"]


# -- tension --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_zone_of_agreement_is_non_empty_but_small(name: str) -> None:
    a = analyse(name)
    zone = a.zone
    share = zone.mean()
    assert zone.any(), "no outcome is acceptable to every party"
    assert not zone.all()
    assert ZONE_SHARE[0] <= share <= ZONE_SHARE[1], f"zone of agreement is {share:.1%} of the space"
    for party in a.scenario.party_ids:
        assert 0.2 <= a.rational[party].mean() <= 0.8, f"{party} accepts too much or too little"


def test_ecosystem_quorum_zone_is_wider_than_unanimity_but_not_everything() -> None:
    a = analyse("ecosystem")
    ids = a.scenario.party_ids
    accepting = np.stack([a.rational[p] for p in ids]).sum(axis=0)
    rule_zone = a.rational["platform"] & (accepting >= 3)
    assert a.zone.sum() < rule_zone.sum() < 0.5 * a.space.cardinality
    # the vectorised rule agrees with AgreementRule.met on a sample
    sample = np.random.default_rng(0).choice(a.space.cardinality, 2_000, replace=False)
    assert np.array_equal(a.passes_rule(sample), rule_zone[sample])
    # some agreements leave a party out: a real risk for each non-veto party
    for party in ids:
        if party != "platform":
            assert (rule_zone & ~a.rational[party]).any(), party


@pytest.mark.parametrize("name", SHIPPED)
def test_no_party_s_ideal_is_acceptable_to_all(name: str) -> None:
    a = analyse(name)
    ids = a.scenario.party_ids
    for party in ids:
        ideals = a.ideals(party)
        assert a.rational[party][ideals].all(), f"{party}'s ideal should be rational for itself"
        others_rejecting = [q for q in ids if q != party and not a.rational[q][ideals].any()]
        assert others_rejecting, f"{party}'s ideal outcome is acceptable to everybody"
        assert not a.passes_rule(ideals).any(), f"{party}'s ideal would pass the agreement rule"


@pytest.mark.parametrize("name", SHIPPED)
def test_splitting_the_difference_is_beaten_for_everybody(name: str) -> None:
    a = analyse(name)
    ids = a.scenario.party_ids
    mid = a.midpoint()
    at_mid = {p: a.utility[p][mid] for p in ids}
    dominating = a.zone & np.logical_and.reduce([a.utility[p] > at_mid[p] + 1e-9 for p in ids])
    mid_rational = all(a.rational[p][mid] for p in ids)
    assert dominating.any() or not mid_rational, "no rational outcome Pareto-dominates the midpoint"
    assert dominating.any(), "every shipped scenario should have a rational deal that beats the midpoint"
    nash = a.nash()
    assert a.zone[nash]
    gains = {p: a.utility[p][nash] - at_mid[p] for p in ids}
    assert all(g >= NASH_MARGIN for g in gains.values()), f"Nash deal vs midpoint: {gains}"


@pytest.mark.parametrize("name", SHIPPED)
def test_parties_care_most_about_different_issues(name: str) -> None:
    scenario = analyse(name).scenario
    top = {}
    for party in scenario.parties:
        weights = party.private.weights
        top[party.id] = max(weights, key=lambda i: weights[i])
    assert len(set(top.values())) == len(top), f"top-weighted issues coincide: {top}"


@pytest.mark.parametrize("name", SHIPPED)
def test_preferences_conflict_on_some_issues_and_nearly_align_on_others(name: str) -> None:
    scenario = analyse(name).scenario
    conflicting, aligned = [], []
    for issue in scenario.issues:
        vectors = [
            value_vector(issue, p.private.values[issue.id])
            for p in scenario.parties
            if p.private.weights.get(issue.id, 0) > 0
        ]
        if len(vectors) < 2:
            continue
        if len({int(np.argmax(v)) for v in vectors}) > 1:
            conflicting.append(issue.id)
        if np.min(np.stack(vectors), axis=0).max() >= 0.7:  # an option every party rates highly
            aligned.append(issue.id)
    assert len(conflicting) >= 3, conflicting
    assert aligned, "no issue on which the parties could nearly agree"


@pytest.mark.parametrize("name", SHIPPED)
def test_logrolling_beats_splitting_the_difference_in_total(name: str) -> None:
    a = analyse(name)
    ids = a.scenario.party_ids
    total = sum(a.utility[p] for p in ids)
    mid = a.midpoint()
    best_in_zone = np.where(a.zone, total, -np.inf).max()
    assert best_in_zone >= total[mid] + 0.1 * len(ids)
