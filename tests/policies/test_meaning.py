"""Each clause rule judged on meaning, on a scenario whose ids say nothing (tests/policies/meaning_fixture.py).

Ownership by a single party, jointly, by field (declared or mapped) and by the inventor; licence
scopes below, at and above the minimum, to the non-owners or to a named party; disclosure before
dependent terms at the levels the rule counts; proportionality with a cost share weighed or not.
"""

from __future__ import annotations

from typing import Any

import pytest

from pactlab.domain.clauses import OwnerOption, misowned_fields, non_owners, scope_at_least
from pactlab.domain.issues import IssueValue
from policies import rules
from policies.model import IpFollowsCoreBusinessParams, ProportionalityParams, TransparencyParams
from tests.policies.meaning_fixture import TERMS, data, deal, drop_issue, issue, scenario

IP = IpFollowsCoreBusinessParams(minimum_licence="nonexclusive_royalty_free")
SCOPE_FREE = {"scope": "nonexclusive_royalty_free"}


def ip(
    terms: dict[str, IssueValue], params: IpFollowsCoreBusinessParams = IP, raw: dict[str, Any] | None = None
) -> rules.Check:
    check = rules.ip_follows_core_business(params, scenario(raw), {**TERMS, **terms})
    assert check is not None
    return check


# -- ownership -------------------------------------------------------------------------------------


def test_ip_split_by_declared_field_with_a_royalty_free_licence_passes() -> None:
    check = ip({"own": "split", "lic": "l2"})
    assert check.passed, check.reason
    assert check.reason == "own = split: each field's IP goes to the party whose core business it is; lic = l2"


@pytest.mark.parametrize(
    ("owner", "why"),
    [
        ("a_owns", "fb (b's core business) would be owned by a"),
        ("b_owns", "fa (a's core business) would be owned by b"),
        ("together", "fa (a's core business) would be owned jointly by a, b, c"),
        ("inventors", "fa (a's core business) would be owned by whichever party invents it"),
        ("swapped", "fa (a's core business) would be owned by b"),
    ],
)
def test_ip_not_along_core_business_fails_whoever_the_owner(owner: str, why: str) -> None:
    check = ip({"own": owner, "lic": "l3"})
    assert not check.passed and f"own = {owner}: {why}" in check.reason, check.reason


def test_a_single_owner_passes_when_it_alone_declares_fields() -> None:
    raw = data()
    raw["parties"][1]["fields"] = []
    assert ip({"own": "a_owns", "lic": "l2"}, raw=raw).passed
    assert not ip({"own": "b_owns", "lic": "l2"}, raw=raw).passed


def test_a_by_field_map_decides_the_owners() -> None:
    raw = data()
    issue(raw, "own")["clause"]["options"]["swapped"] = {"owner": "by_field", "fields": {"fa": "a", "fb": "b"}}
    assert ip({"own": "swapped", "lic": "l2"}, raw=raw).passed


def test_owners_and_non_owners_of_each_kind_of_owner() -> None:
    fields = {"a": ["fa"], "b": ["fb"], "c": []}
    assert misowned_fields(OwnerOption(owner="by_field"), fields) == {}
    assert misowned_fields(OwnerOption(owner="a"), fields) == {"fb": frozenset({"a"})}
    assert non_owners(OwnerOption(owner="by_field"), fields) == {"a": ["fb"], "b": ["fa"], "c": ["fa", "fb"]}
    assert non_owners(OwnerOption(owner="a"), fields) == {"b": ["fa", "fb"], "c": ["fa", "fb"]}
    assert non_owners(OwnerOption(owner="joint"), fields) == {}
    assert non_owners(OwnerOption(owner="inventor"), fields) == {p: ["fa", "fb"] for p in fields}


# -- licence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("licence", "minimum", "passed"),
    [
        ("l1", "nonexclusive_royalty_free", False),  # below
        ("l2", "nonexclusive_royalty_free", True),  # at
        ("l3", "nonexclusive_royalty_free", True),  # above: exclusive in the field counts as at least royalty-free
        ("l0", "nonexclusive_royalty_bearing", False),
        ("l1", "nonexclusive_royalty_bearing", True),
        ("l3", "exclusive_in_field", True),
        ("l2", "exclusive_in_field", False),
        ("l0", "none", True),  # no licence needed
    ],
)
def test_each_non_owner_needs_at_least_the_minimum_licence(licence: str, minimum: str, passed: bool) -> None:
    params = IpFollowsCoreBusinessParams.model_validate({"minimum_licence": minimum})
    check = ip({"own": "split", "lic": licence}, params)
    assert check.passed is passed, check.reason
    if not passed:
        for party, lacking in (("a", "fb"), ("b", "fa"), ("c", "fa, fb")):
            assert f"{party} does not own the IP of {lacking} and holds " in check.reason
        assert f"(lic = {licence}); it needs at least {minimum}" in check.reason


def test_scopes_compare_in_licence_order() -> None:
    assert scope_at_least("exclusive_in_field", "nonexclusive_royalty_free")
    assert not scope_at_least("nonexclusive_royalty_bearing", "nonexclusive_royalty_free")
    assert scope_at_least("none", "none")


def test_a_licence_to_a_named_party_leaves_the_other_non_owners_without_one() -> None:
    raw = data()
    issue(raw, "lic")["clause"]["to"] = "c"
    check = ip({"own": "split", "lic": "l3"}, raw=raw)
    assert not check.passed
    assert "a does not own the IP of fb and no licence clause grants it one" in check.reason
    assert "c does not own" not in check.reason


def test_of_several_licences_the_broadest_counts() -> None:
    raw = data()
    extra: dict[str, Any] = {"id": "lic_c", "kind": "categorical", "options": ["narrow", "broad"]}
    extra["clause"] = {"kind": "licence", "to": "c", "options": {"narrow": {"scope": "none"}, "broad": SCOPE_FREE}}
    raw["issues"].append(extra)
    for party in raw["parties"]:
        party["private"]["weights"]["lic_c"] = 1
        party["private"]["values"]["lic_c"] = {"narrow": 0.5, "broad": 0.5}
    assert ip({"own": "split", "lic": "l2", "lic_c": "narrow"}, raw=raw).passed
    low = ip({"own": "split", "lic": "l1", "lic_c": "broad"}, raw=raw)
    assert not low.passed and "c does not own" not in low.reason and "a does not own" in low.reason


def test_joint_owners_need_no_licence_but_joint_ownership_fails_anyway() -> None:
    check = ip({"own": "together", "lic": "l0"})
    assert not check.passed and "does not own" not in check.reason


def test_without_a_licence_clause_the_licence_part_is_skipped_not_failed() -> None:
    raw = drop_issue(data(), "lic")
    check = ip({"own": "split"}, raw=raw)
    assert check.passed and "lic" not in check.reason


def test_without_an_ownership_clause_or_fields_the_rule_gives_no_verdict() -> None:
    raw = data()
    del issue(raw, "own")["clause"]
    issue(raw, "lic")["clause"]["subject"] = "background"  # a foreground licence needs an ownership clause
    assert rules.ip_follows_core_business(IP, scenario(raw), TERMS) is None
    no_fields = data()
    issue(no_fields, "own")["clause"]["options"] = {
        "a_owns": {"owner": "a"}, "b_owns": {"owner": "b"}, "together": {"owner": "joint"},
        "split": {"owner": "joint"}, "inventors": {"owner": "inventor"}, "swapped": {"owner": "a"},
    }  # fmt: skip
    for party in no_fields["parties"]:
        party["fields"] = []
    assert rules.ip_follows_core_business(IP, scenario(no_fields), TERMS) is None


# -- transparency: disclosure first ----------------------------------------------------------------

FIRST = TransparencyParams(disclosed_levels=["under_nda", "full"])


def disclose(params: TransparencyParams, previous: dict[str, IssueValue], **moved: IssueValue) -> rules.Check:
    return rules.transparency(params, scenario(), {**previous, **moved}, "rate, disc, cost", previous)


def test_dependent_terms_move_only_after_the_disclosure() -> None:
    hidden = {**TERMS, "disc": "d0"}
    early = disclose(FIRST, hidden, rate=6)
    assert not early.passed
    assert early.reason == (
        "rate changed before the disclosure was made (a discloses the intended use case: disc must already be "
        "d1 or d2 in the proposal answered)"
    )
    assert not disclose(FIRST, hidden, rate=6, disc="d2").passed, "disclosing and moving at once is too early"
    assert disclose(FIRST, hidden, disc="d1").passed, "disclosing first is fine"
    assert disclose(FIRST, {**TERMS, "disc": "d1"}, rate=6).passed, "then the dependent terms may move"
    assert disclose(FIRST, hidden, cost=100).passed, "terms that do not depend on it may always move"


def test_the_levels_that_count_as_disclosed_are_the_rule_s() -> None:
    full_only = TransparencyParams(disclosed_levels=["full"])
    assert not disclose(full_only, {**TERMS, "disc": "d1"}, rate=6).passed
    assert disclose(full_only, {**TERMS, "disc": "d2"}, rate=6).passed
    off = TransparencyParams()  # no disclosed levels: no disclosure-first check
    assert disclose(off, {**TERMS, "disc": "d0"}, rate=6).passed


# -- proportionality -------------------------------------------------------------------------------


def test_a_weighed_cost_share_is_weighed_against_the_benefits() -> None:
    d = deal(scenario(), cost=100)
    check = rules.proportionality(ProportionalityParams(tolerance=0.25), d)
    assert check is not None and not check.passed and "a bears 100% of the cost" in check.reason
    assert rules.cost_shares(d) == {"a": 1.0, "b": 0.0, "c": 0.0}


def test_a_cost_share_weighed_false_is_not_weighed() -> None:
    raw = data()
    issue(raw, "cost")["clause"]["weighed"] = False
    d = deal(scenario(raw), cost=100)
    assert rules.proportionality(ProportionalityParams(tolerance=0.25), d) is None
    assert rules.cost_shares(d) is None


def test_risk_in_proportion_to_benefit_always_passes_and_declared_benefits_are_used() -> None:
    raw = data()
    issue(raw, "cost")["clause"]["weighed"] = False
    raw["issues"].append(
        {
            "id": "risk",
            "kind": "categorical",
            "options": ["on_a", "pro_rata"],
            "clause": {
                "kind": "risk_allocation",
                "options": {"on_a": {"shares": {"a": 1.0}}, "pro_rata": {"shares": "benefit"}},
            },
        }
    )
    issue(raw, "disc")["clause"] = {
        "kind": "benefit",
        "options": {k: {"shares": {"a": 0.2, "b": 0.4, "c": 0.4}} for k in ("d0", "d1", "d2")},
    }
    for party in raw["parties"]:
        party["private"]["weights"]["risk"] = 1
        party["private"]["values"]["risk"] = {"on_a": 0.5, "pro_rata": 0.5}
    s = scenario(raw)
    fair = rules.proportionality(ProportionalityParams(), deal(s, risk="pro_rata"))
    assert fair is not None and fair.passed and fair.reason.startswith("risk shares within 25%")
    lopsided = rules.proportionality(ProportionalityParams(), deal(s, risk="on_a"))
    assert lopsided is not None and not lopsided.passed
    assert "a bears 100% of the risk but captures 20% of the benefits" in lopsided.reason
