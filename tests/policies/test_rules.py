"""Each rule kind on hand-made inputs: a passing and a failing case, and the edge cases that matter."""

from __future__ import annotations

from functools import cache

import pytest

from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario
from policies import rules
from policies.model import (
    FairnessBoundParams,
    IpFollowsCoreBusinessParams,
    ProcessParams,
    ProportionalityParams,
    TransparencyParams,
)


@cache
def setup(name: str) -> tuple[Scenario, OutcomeSpace, dict[str, UtilityFunction]]:
    scenario, _ = load_scenario(name)
    space = OutcomeSpace(scenario.issues)
    return scenario, space, utility_functions(space, {p.id: p.private for p in scenario.parties})


def deal(
    scenario: Scenario, space: OutcomeSpace, utilities: dict[str, UtilityFunction], **terms: IssueValue
) -> rules.Deal:
    return rules.Deal(scenario, space, utilities, space.validate(terms), tuple(scenario.party_ids))


# -- individual rationality ----------------------------------------------------------------------


def test_individual_rationality_passes_a_deal_good_for_both(two_party: Scenario) -> None:
    space = OutcomeSpace(two_party.issues)
    utils = utility_functions(space, {p.id: p.private for p in two_party.parties})
    sheet = space.validate(
        {"foreground_ip": "joint", "royalty_rate": 4, "exclusivity_months": 12, "use_case_disclosed": True}
    )
    check = rules.individual_rationality(utils, sheet, ["alpha", "beta"])
    assert check.passed, check.reason


def test_individual_rationality_names_the_party_below_its_reservation_value_and_broken_constraints(
    two_party: Scenario,
) -> None:
    space = OutcomeSpace(two_party.issues)
    utils = utility_functions(space, {p.id: p.private for p in two_party.parties})
    sheet = space.validate(
        {"foreground_ip": "beta", "royalty_rate": 8, "exclusivity_months": 0, "use_case_disclosed": True}
    )
    check = rules.individual_rationality(utils, sheet, ["alpha", "beta"])
    assert not check.passed
    assert "alpha would get" in check.reason and "below its reservation value 0.300" in check.reason
    assert "royalty_rate <= 6" in check.reason
    assert "beta" not in check.reason.split(";")[0]
    # only the parties asked about are checked
    assert rules.individual_rationality(utils, sheet, ["beta"]).passed


# -- proportionality ----------------------------------------------------------------------------


def test_proportionality_passes_when_cost_and_risk_follow_the_declared_benefit() -> None:
    scenario, space, utils = setup("boost_converter")
    d = deal(
        scenario, space, utils,
        platform_design="configurable_outside_platform_field", rnd_cost_share_platform=40,
        risk_share="proportional_to_benefit", supply_chain="vendor_with_second_source",
        royalty_rate=2, exclusivity_months=12, foreground_ip="split_by_field",
    )  # fmt: skip
    check = rules.proportionality(ProportionalityParams(tolerance=0.25), d)
    assert check is not None and check.passed, check
    assert rules.benefit_shares(d) == pytest.approx({"platform": 0.4, "vendor": 0.6})
    assert rules.cost_shares(d) == pytest.approx({"platform": 0.4, "vendor": 0.6})


def test_proportionality_fails_when_the_vendor_pays_for_a_part_only_the_platform_benefits_from() -> None:
    scenario, space, utils = setup("boost_converter")
    d = deal(
        scenario, space, utils,
        platform_design="single_spec_part", rnd_cost_share_platform=0, risk_share="vendor_uncapped",
        supply_chain="vendor_with_second_source", royalty_rate=0, exclusivity_months=12, foreground_ip="split_by_field",
    )  # fmt: skip
    check = rules.proportionality(ProportionalityParams(tolerance=0.25), d)
    assert check is not None and not check.passed
    assert "vendor bears 100% of the cost but captures 20% of the benefits" in check.reason
    assert "of the risk" in check.reason
    # a wide enough tolerance lets it pass
    wide = rules.proportionality(ProportionalityParams(tolerance=0.8), d)
    assert wide is not None and wide.passed


def test_proportionality_with_surplus_benefit_shares_and_risk_tables() -> None:
    scenario, space, utils = setup("ecosystem")
    base: dict[str, IssueValue] = {
        "foreground_ip": "split_by_field", "background_ip_licence": "technology_specific",
        "publication_embargo_months": 12, "commercialisation_rights": "outside_platform_field",
        "exclusivity_months": 12, "royalty_rate": 6, "rnd_cost_share_platform": 100,
        "use_case_disclosure": "under_nda", "dispute_resolution": "full_ladder",
    }  # fmt: skip
    fair = deal(scenario, space, utils, **base, risk_share="proportional_to_benefit")
    surpluses = fair.surpluses()
    positive = sum(max(s, 0) for s in surpluses.values())
    assert rules.benefit_shares(fair) == pytest.approx({p: max(s, 0) / positive for p, s in surpluses.items()})
    check = rules.proportionality(ProportionalityParams(), fair)
    assert check is not None and check.passed and check.reason.startswith("risk shares")
    uncapped = rules.proportionality(
        ProportionalityParams(), deal(scenario, space, utils, **base, risk_share="suppliers_uncapped")
    )
    assert uncapped is not None and not uncapped.passed
    assert "university_lab bears 0% of the risk" in uncapped.reason


def test_proportionality_restricts_shares_to_the_signatories() -> None:
    scenario, space, utils = setup("ecosystem")
    d = deal(
        scenario, space, utils,
        foreground_ip="split_by_field", background_ip_licence="technology_specific", publication_embargo_months=12,
        commercialisation_rights="outside_platform_field", exclusivity_months=12, royalty_rate=6,
        rnd_cost_share_platform=100, use_case_disclosure="under_nda", risk_share="capped_at_fees",
        dispute_resolution="full_ladder",
    )  # fmt: skip
    three = rules.Deal(d.scenario, d.space, d.utilities, d.terms, ("platform", "material_supplier", "university_lab"))
    shares = rules.risk_shares(three, rules.benefit_shares(three))
    assert shares == pytest.approx({"platform": 0.75, "material_supplier": 0.25, "university_lab": 0.0})


def test_proportionality_does_not_weigh_a_cost_share_declared_weighed_false() -> None:
    scenario, space, utils = setup("platform_material")  # its only cost share is weighed: false
    d = rules.Deal(scenario, space, utils, space.term_sheet(0), tuple(scenario.party_ids))
    assert rules.proportionality(ProportionalityParams(), d) is None
    assert rules.cost_shares(d) is None


# -- fairness bound -------------------------------------------------------------------------------


def two_party_deal(two_party: Scenario, **terms: IssueValue) -> rules.Deal:
    space = OutcomeSpace(two_party.issues)
    utils = utility_functions(space, {p.id: p.private for p in two_party.parties})
    return deal(two_party, space, utils, **terms)


def test_fairness_bound_passes_a_balanced_deal(two_party: Scenario) -> None:
    d = two_party_deal(two_party, foreground_ip="alpha", royalty_rate=6, exclusivity_months=24, use_case_disclosed=True)
    check = rules.fairness_bound(FairnessBoundParams(min_ratio=0.25, nash_fraction=0.6, combine="all"), d)
    assert check.passed, check.reason
    assert "min/max surplus ratio 0.78" in check.reason


def test_fairness_bound_fails_a_lopsided_deal(two_party: Scenario) -> None:
    # alpha gains 0.454 over its reservation value, beta only 0.089
    d = two_party_deal(two_party, foreground_ip="alpha", royalty_rate=2, exclusivity_months=24, use_case_disclosed=True)
    ratio_only = rules.fairness_bound(FairnessBoundParams(min_ratio=0.25), d)
    assert not ratio_only.passed and "0.20 < 0.25" in ratio_only.reason
    nash_only = rules.fairness_bound(FairnessBoundParams(nash_fraction=0.6), d)
    assert not nash_only.passed and "45% of the Nash solution's" in nash_only.reason
    assert rules.fairness_bound(FairnessBoundParams(min_ratio=0.1, nash_fraction=0.6, combine="any"), d).passed
    assert not rules.fairness_bound(FairnessBoundParams(min_ratio=0.1, nash_fraction=0.6, combine="all"), d).passed


def test_fairness_bound_needs_a_bound() -> None:
    with pytest.raises(ValueError, match="min_ratio"):
        FairnessBoundParams()


# -- IP follows core business (on the shipped scenarios; tests/policies/test_meaning.py has the rest) -------

IP = IpFollowsCoreBusinessParams(minimum_licence="nonexclusive_royalty_free")


def test_ip_split_by_field_with_a_royalty_free_licence_passes() -> None:
    scenario, _, _ = setup("platform_material")
    check = rules.ip_follows_core_business(
        IP, scenario, {"foreground_ip": "split_by_field", "licence_to_non_owner": "nonexclusive_royalty_free"}
    )
    assert check is not None and check.passed, check
    assert "each field's IP goes to the party whose core business it is" in check.reason


def test_ip_owned_by_one_party_without_licence_fails_on_both_counts() -> None:
    scenario, _, _ = setup("platform_material")
    check = rules.ip_follows_core_business(IP, scenario, {"foreground_ip": "supplier", "licence_to_non_owner": "none"})
    assert check is not None and not check.passed
    assert "foreground_ip = supplier: battery_enclosure_integration (platform's core business)" in check.reason
    assert "platform does not own the IP of battery_enclosure_integration" in check.reason
    assert "licence_to_non_owner = none" in check.reason and "at least nonexclusive_royalty_free" in check.reason


def test_ip_rule_skips_the_licence_where_the_scenario_has_none() -> None:
    scenario, _, _ = setup("boost_converter")
    ok = rules.ip_follows_core_business(IP, scenario, {"foreground_ip": "split_by_field"})
    assert ok is not None and ok.passed
    bad = rules.ip_follows_core_business(IP, scenario, {"foreground_ip": "joint"})
    assert bad is not None and not bad.passed and "licence" not in bad.reason
    assert "power_electronics (vendor's core business) would be owned jointly by platform, vendor" in bad.reason


def test_ip_rule_refuses_missing_or_unknown_ownership_terms() -> None:
    scenario, _, _ = setup("boost_converter")
    missing = rules.ip_follows_core_business(IP, scenario, {})
    assert missing is not None and not missing.passed and "foreground_ip missing" in missing.reason
    unknown = rules.ip_follows_core_business(IP, scenario, {"foreground_ip": "nobody"})
    assert unknown is not None and not unknown.passed and "not an option" in unknown.reason


# -- transparency -----------------------------------------------------------------------------------

DISCLOSURE = TransparencyParams(disclosed_levels=["under_nda", "full"])
PREVIOUS: dict[str, IssueValue] = {
    "use_case_disclosure": "under_nda", "foreground_ip": "split_by_field",
    "licence_to_non_owner": "nonexclusive_royalty_free", "commercialisation_rights": "outside_platform_field",
    "exclusivity_months": 24, "royalty_rate": 4, "rnd_cost_share_platform": 60, "dispute_resolution": "full_ladder",
}  # fmt: skip


def test_transparency_passes_a_rationale_naming_every_changed_issue() -> None:
    scenario, _, _ = setup("platform_material")
    terms = {**PREVIOUS, "royalty_rate": 5, "exclusivity_months": 18, "rnd_cost_share_platform": 70}
    why = "A 5% Royalty-Rate, a shorter exclusivity period and a higher R&D cost share borne by the platform."
    check = rules.transparency(DISCLOSURE, scenario, terms, why, PREVIOUS)
    assert check.passed, check.reason
    assert rules.transparency(
        DISCLOSURE, scenario, terms, "royalty_rate, exclusivity_months, rnd_cost_share_platform", PREVIOUS
    ).passed


def test_transparency_fails_a_rationale_that_hides_a_change() -> None:
    scenario, _, _ = setup("platform_material")
    terms = {**PREVIOUS, "royalty_rate": 5, "exclusivity_months": 18}
    check = rules.transparency(DISCLOSURE, scenario, terms, "We move on the royalty rate.", PREVIOUS)
    assert not check.passed
    assert "does not name changed issue(s): exclusivity_months" in check.reason


def test_transparency_needs_a_rationale_even_for_an_opening_offer() -> None:
    scenario, _, _ = setup("platform_material")
    assert not rules.transparency(DISCLOSURE, scenario, PREVIOUS, "  ", None).passed
    assert rules.transparency(DISCLOSURE, scenario, PREVIOUS, "Our opening position.", None).passed


def test_transparency_reports_terms_outside_the_declared_issues() -> None:
    scenario, _, _ = setup("platform_material")
    check = rules.transparency(DISCLOSURE, scenario, {**PREVIOUS, "signing_bonus": 3}, "No change.", PREVIOUS)
    assert not check.passed and "outside the declared issues: signing_bonus" in check.reason


def test_transparency_disclosure_must_come_before_dependent_terms_move() -> None:
    scenario, _, _ = setup("platform_material")
    undisclosed = {**PREVIOUS, "use_case_disclosure": "none"}
    # moving a dependent issue while the proposal answered has no disclosure: refused
    moved = {**undisclosed, "royalty_rate": 6}
    check = rules.transparency(DISCLOSURE, scenario, moved, "Royalty rate up to 6.", undisclosed)
    assert not check.passed and "royalty_rate changed before the disclosure was made" in check.reason
    assert "platform discloses the intended use case" in check.reason
    assert "use_case_disclosure must already be under_nda or full" in check.reason
    # disclosing and moving in the same proposal is still too early
    both = {**moved, "use_case_disclosure": "full"}
    assert not rules.transparency(
        DISCLOSURE, scenario, both, "Use case disclosure and royalty rate.", undisclosed
    ).passed
    # disclosing first is fine; then the dependent terms may move
    disclose = {**undisclosed, "use_case_disclosure": "under_nda"}
    assert rules.transparency(
        DISCLOSURE, scenario, disclose, "Use-case disclosure under NDA, so you can tune the material.", undisclosed
    ).passed
    after = {**disclose, "royalty_rate": 6}
    assert rules.transparency(DISCLOSURE, scenario, after, "Royalty rate up to 6.", disclose).passed
    # non-dependent issues may always move
    other = {**undisclosed, "dispute_resolution": "executive_then_arbitration"}
    assert rules.transparency(DISCLOSURE, scenario, other, "Dispute resolution.", undisclosed).passed


# -- process ------------------------------------------------------------------------------------------


def test_process_passes_within_the_round_limit_and_in_ladder_order() -> None:
    scenario, _, _ = setup("boost_converter")
    params = ProcessParams(cooling_off_rounds=2)
    assert rules.process(params, scenario, 0, []).passed
    assert rules.process(params, scenario, 39, [("executive", 5), ("mediation", 7)]).passed
    # the history may start with the first tier (where every negotiation starts): no cooling-off for it
    assert rules.process(params, scenario, 2, [("working_level", 0), ("executive", 1), ("mediation", 3)]).passed


def test_process_fails_after_the_round_limit() -> None:
    scenario, _, _ = setup("boost_converter")
    check = rules.process(ProcessParams(), scenario, 40, [])
    assert not check.passed and "after the round limit of 40" in check.reason
    assert rules.process(ProcessParams(round_limit=False), scenario, 40, []).passed


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([("mediation", 3)], "the next tier must be working_level or executive"),
        ([("executive", 3), ("arbitration", 9)], "the next tier must be mediation"),
        ([("executive", 3), ("working_level", 9)], "the next tier must be mediation"),
        ([("executive", 3), ("mediation", 4)], "cooling-off is 2"),
        ([("board", 3)], "unknown tier 'board'"),
    ],
)
def test_process_fails_skipped_tiers_and_hasty_escalations(history: list[tuple[str, int]], message: str) -> None:
    scenario, _, _ = setup("boost_converter")
    check = rules.process(ProcessParams(cooling_off_rounds=2), scenario, 10, history)
    assert not check.passed and message in check.reason, check.reason
