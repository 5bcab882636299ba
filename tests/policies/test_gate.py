"""The gate on hand-made tables and actions: which rules apply to which move, and what they say."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import pytest

from evals.bargaining import nash_solution
from pactlab.domain.actions import Accept, Action, Propose, Reject, WalkAway
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, Table, move_record, opening_table
from policies import (
    MoveContext,
    PolicySet,
    Verdict,
    blocking,
    check_deal,
    check_escalation,
    check_move,
    feedback,
    load_policy_set,
    previous_proposal,
    warnings,
)

GOOD: dict[str, IssueValue] = {
    "use_case_disclosure": "under_nda", "foreground_ip": "split_by_field",
    "licence_to_non_owner": "nonexclusive_royalty_free", "commercialisation_rights": "outside_platform_field",
    "exclusivity_months": 24, "royalty_rate": 5, "rnd_cost_share_platform": 70, "dispute_resolution": "full_ladder",
}  # fmt: skip


@cache
def world(name: str = "platform_material") -> tuple[Scenario, OutcomeSpace, dict[str, UtilityFunction]]:
    scenario, _ = load_scenario(name)
    space = OutcomeSpace(scenario.issues)
    return scenario, space, utility_functions(space, {p.id: p.private for p in scenario.parties})


@cache
def fair() -> PolicySet:
    return load_policy_set("fair-and-open")[0]


def ctx(
    action: Action,
    party: str,
    table: Table | None = None,
    moves: tuple[MoveRecord, ...] = (),
    name: str = "platform_material",
    escalations: tuple[tuple[str, int], ...] = (),
) -> MoveContext:
    scenario, space, utils = world(name)
    table = table or replace(opening_table(scenario), speaker=party)
    return MoveContext(scenario, space, utils, table, party, action, moves, escalations)


def on_table(terms: dict[str, IssueValue], proposer: str, speaker: str, round_: int = 3) -> Table:
    scenario, _, _ = world()
    return replace(
        opening_table(scenario),
        round=round_, turn=2 * round_ + 1, speaker=speaker, proposal=dict(terms), proposer=proposer,
        accepted_by=frozenset({proposer}),
    )  # fmt: skip


def by_rule(verdicts: list[Verdict]) -> dict[str, bool]:
    return {v.rule_id: v.passed for v in verdicts}


def test_an_open_opening_proposal_passes_the_rules_that_apply_to_proposals() -> None:
    verdicts = check_move(fair(), ctx(Propose(terms=GOOD, rationale="Our opening position."), "platform"))
    assert by_rule(verdicts) == {"ip-follows-core-business": True, "transparency": True, "process": True}
    assert not blocking(verdicts) and not warnings(verdicts) and feedback(verdicts) == ""
    v = verdicts[0]
    assert (v.policy_set, v.policy_version, v.severity, v.kind) == ("fair-and-open", "2.0.0", "block", v.kind)
    assert v.statement.startswith("Foreground IP belongs")


def test_a_counter_offer_hiding_a_change_and_grabbing_the_ip_is_blocked_with_reasons() -> None:
    terms = {**GOOD, "foreground_ip": "supplier", "royalty_rate": 7}
    action = Propose(terms=terms, rationale="A royalty rate of 7 % reflects our risk.")
    verdicts = check_move(fair(), ctx(action, "supplier", on_table(GOOD, "platform", "supplier")))
    assert by_rule(verdicts) == {"ip-follows-core-business": False, "transparency": False, "process": True}
    assert {v.rule_id for v in blocking(verdicts)} == {"ip-follows-core-business", "transparency"}
    message = feedback(verdicts)
    assert message.startswith("Your move was refused under policy set fair-and-open 2.0.0")
    assert "Foreground IP belongs to the party whose core business it serves" in message
    assert "foreground_ip = supplier" in message
    assert "does not name changed issue(s): foreground_ip" in message


def test_a_proposal_with_an_empty_table_answers_the_proposer_s_own_last_proposal() -> None:
    scenario, _, _ = world()
    first = Propose(terms=GOOD, rationale="Opening.")
    moves = (
        move_record(0, 0, "platform", first),
        move_record(1, 0, "supplier", Reject(reason="Too little royalty.")),
    )
    table = replace(opening_table(scenario), round=1, turn=2, speaker="platform")
    action = Propose(terms={**GOOD, "royalty_rate": 6}, rationale="We raise the royalty rate to 6 %.")
    c = ctx(action, "platform", table, moves)
    assert previous_proposal(c) == GOOD
    assert all(v.passed for v in check_move(fair(), c))
    hidden = Propose(terms={**GOOD, "royalty_rate": 6}, rationale="Take it.")
    assert not by_rule(check_move(fair(), ctx(hidden, "platform", table, moves)))["transparency"]


def test_accepting_a_proposal_below_one_s_own_reservation_value_is_blocked() -> None:
    _, space, utils = world()
    bad_for_supplier = {
        **GOOD, "royalty_rate": 0, "rnd_cost_share_platform": 0,
        "commercialisation_rights": "platform_field_only", "exclusivity_months": 12,
    }  # fmt: skip
    assert utils["supplier"](space.validate(bad_for_supplier)) < utils["supplier"].reservation_value
    verdicts = check_move(fair(), ctx(Accept(), "supplier", on_table(bad_for_supplier, "platform", "supplier")))
    failed = {v.rule_id for v in blocking(verdicts)}
    assert "individual-rationality" in failed
    assert "supplier would get" in feedback(verdicts)


def test_an_accept_that_concludes_the_deal_is_checked_as_the_deal() -> None:
    _, space, utils = world()
    nash = nash_solution(space, utils)
    assert nash is not None
    verdicts = check_move(fair(), ctx(Accept(), "supplier", on_table(nash.terms.terms, "platform", "supplier")))
    # no weighed cost or risk clause in this scenario: proportionality does not apply
    assert by_rule(verdicts) == {
        "individual-rationality": True,
        "fairness-bound": True,
        "ip-follows-core-business": True,
        "process": True,
    }  # fmt: skip


def test_an_accept_that_does_not_conclude_gets_no_deal_level_verdicts() -> None:
    scenario, space, utils = world("ecosystem")
    nash = nash_solution(space, utils)
    assert nash is not None
    table = replace(
        opening_table(scenario), round=2, turn=9, speaker="material_supplier", proposal=dict(nash.terms.terms),
        proposer="platform", accepted_by=frozenset({"platform"}),
    )  # fmt: skip
    first = check_move(fair(), ctx(Accept(), "material_supplier", table, name="ecosystem"))
    assert set(by_rule(first)) == {"individual-rationality", "ip-follows-core-business", "process"}
    # the third signature meets the quorum: now the deal is checked, among its three signatories
    table = replace(table, speaker="component_maker", accepted_by=frozenset({"platform", "material_supplier"}))
    third = check_move(fair(), ctx(Accept(), "component_maker", table, name="ecosystem"))
    assert by_rule(third) == {
        "individual-rationality": True, "proportionality": True, "fairness-bound": True,
        "ip-follows-core-business": True, "process": True,
    }  # fmt: skip


def test_reject_and_walk_away_meet_only_the_process_rule() -> None:
    table = on_table(GOOD, "platform", "supplier")
    for action in (Reject(reason="No."), WalkAway(reason="Our alternative is better.")):
        assert by_rule(check_move(fair(), ctx(action, "supplier", table))) == {"process": True}


def test_a_move_after_the_round_limit_or_out_of_ladder_order_is_blocked() -> None:
    late = on_table(GOOD, "platform", "supplier", round_=40)
    assert not by_rule(check_move(fair(), ctx(Reject(reason="No."), "supplier", late)))["process"]
    skipped = ctx(
        Reject(reason="No."), "supplier", on_table(GOOD, "platform", "supplier"), escalations=(("mediation", 2),)
    )
    assert "the next tier must be" in blocking(check_move(fair(), skipped))[0].reason
    scenario, _, _ = world()
    assert check_escalation(fair(), scenario, 5, [("executive", 2), ("mediation", 5)])[0].passed
    assert not check_escalation(fair(), scenario, 3, [("executive", 2), ("mediation", 3)])[0].passed


def test_warnings_pass_and_are_reported_separately() -> None:
    soft = PolicySet.model_validate(
        {
            "name": "soft",
            "version": "0.1.0",
            "description": "Transparency as a warning.",
            "rules": [{"id": "open", "kind": "transparency", "severity": "warn", "statement": "Say why."}],
        }
    )
    verdicts = check_move(soft, ctx(Propose(terms=GOOD, rationale=""), "platform"))
    assert not blocking(verdicts)
    assert [v.rule_id for v in warnings(verdicts)] == ["open"]
    assert feedback(verdicts).startswith("Your move passed with warnings")
    assert "[warning] open" in feedback(verdicts)


def test_a_proposal_with_invalid_terms_gets_only_the_checks_that_need_no_valid_sheet() -> None:
    terms = {**GOOD, "royalty_rate": 99, "signing_bonus": 1}
    verdicts = check_move(fair(), ctx(Propose(terms=terms, rationale="Opening."), "platform"))
    assert by_rule(verdicts) == {"ip-follows-core-business": True, "transparency": False, "process": True}
    assert "signing_bonus" in blocking(verdicts)[0].reason


def test_check_deal_on_good_and_bad_deals() -> None:
    scenario, space, utils = world()
    verdicts = check_deal(fair(), scenario, space, utils, GOOD, {"platform", "supplier"})
    assert [v.rule_id for v in verdicts] == ["individual-rationality", "fairness-bound", "ip-follows-core-business"]
    grab = {**GOOD, "foreground_ip": "platform", "licence_to_non_owner": "none"}
    failed = blocking(check_deal(fair(), scenario, space, utils, grab, ["platform", "supplier"]))
    assert {v.rule_id for v in failed} >= {"ip-follows-core-business"}
    minimal, _ = load_policy_set("minimal")
    assert [v.rule_id for v in check_deal(minimal, scenario, space, utils, grab, ["platform", "supplier"])] == [
        "individual-rationality"
    ]
    with pytest.raises(InvalidOffer):
        check_deal(fair(), scenario, space, utils, {**GOOD, "royalty_rate": 99}, ["platform", "supplier"])
