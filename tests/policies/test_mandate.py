"""Mandate constraints derived from meaning: the terms-only blocking rules, on whatever the issues are called."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pactlab.domain.catalog import load_scenario
from pactlab.domain.outcome_space import OutcomeSpace, utility_functions
from policies import PolicySet, check_deal, load_policy_set, mandate_constraints
from tests.policies.meaning_fixture import data, issue, scenario

FAIR = load_policy_set("fair-and-open")[0]


def strict(**parameters: Any) -> PolicySet:
    """fair-and-open with the IP rule's parameters replaced."""
    rules = [
        r.model_copy(update={"parameters": r.parameters.model_copy(update=parameters)})
        if r.kind == "ip_follows_core_business"
        else r
        for r in FAIR.rules
    ]
    return FAIR.model_copy(update={"rules": rules})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "platform_material",
            [
                "foreground_ip in [split_by_field]",
                "licence_to_non_owner in [nonexclusive_royalty_free, exclusive_in_field]",
                "use_case_disclosure in [under_nda, full]",
            ],
        ),
        ("boost_converter", ["foreground_ip in [split_by_field]"]),
        ("ecosystem", ["foreground_ip in [split_by_field]", "use_case_disclosure in [under_nda, full]"]),
    ],
)
def test_the_shipped_scenarios_get_the_constraints_the_id_based_rules_gave(name: str, expected: list[str]) -> None:
    scenario_, _ = load_scenario(name)
    assert mandate_constraints(FAIR, scenario_) == expected
    assert mandate_constraints(load_policy_set("minimal")[0], scenario_) == []


def test_constraints_follow_meaning_on_ids_that_say_nothing() -> None:
    assert mandate_constraints(FAIR, scenario()) == ["own in [split]", "lic in [l2, l3]", "disc in [d1, d2]"]
    assert mandate_constraints(strict(minimum_licence="none"), scenario()) == ["own in [split]", "disc in [d1, d2]"]
    raw = data()
    raw["parties"][1]["fields"] = []  # only a declares a field: a alone may own it all
    assert mandate_constraints(FAIR, scenario(raw))[:2] == ["own in [a_owns, split]", "lic in [l2, l3]"]


def test_a_licence_needed_under_some_ownership_options_only_is_conditional() -> None:
    raw = data()
    raw["parties"][1]["fields"] = []
    issue(raw, "own")["clause"]["options"]["swapped"] = {"owner": "by_field", "fields": {"fa": "a", "fx": "b"}}
    extra: dict[str, Any] = {"id": "lic_a", "kind": "categorical", "options": ["no", "yes"]}
    extra["clause"] = {
        "kind": "licence",
        "to": "a",
        "options": {"no": {"scope": "none"}, "yes": {"scope": "nonexclusive_royalty_free"}},
    }
    raw["issues"].append(extra)
    for party in raw["parties"]:
        party["private"]["weights"]["lic_a"] = 1
        party["private"]["values"]["lic_a"] = {"no": 0.5, "yes": 0.5}
    found = mandate_constraints(FAIR, scenario(raw))
    # under 'swapped' a does not own fx: it needs a licence too, through either clause that covers it
    assert found[:3] == [
        "own in [a_owns, split, swapped]",
        "lic in [l2, l3]",
        "if own in [swapped] then lic in [l2, l3] or lic_a in [yes]",
    ]


def test_a_rule_that_cannot_be_met_adds_no_constraint() -> None:
    raw = data()
    issue(raw, "lic")["clause"]["to"] = "c"  # a and b can never be licensed: no ownership option passes
    assert mandate_constraints(FAIR, scenario(raw)) == ["disc in [d1, d2]"]


def test_yes_no_and_unusual_option_keys_become_valid_constraints() -> None:
    raw = data()
    own = issue(raw, "own")
    own.update(options=["sole a", "split"])
    own["clause"]["options"] = {"sole a": {"owner": "a"}, "split": {"owner": "by_field"}}
    disc = issue(raw, "disc")
    del disc["options"]
    disc.update(kind="boolean")
    disc["clause"]["options"] = {"false": {"level": "none"}, "true": {"level": "full"}}
    for party in raw["parties"]:
        party["private"]["values"]["own"] = {"sole a": 0.5, "split": 0.5}
        party["private"]["values"]["disc"] = {True: 0.5, False: 0.5}
    s = scenario(raw)
    found = mandate_constraints(FAIR, s)
    assert found == ["own in [split]", "lic in [l2, l3]", "disc in [true]"]
    space = OutcomeSpace(s.issues)
    for constraint in found:
        constraint.check_against(space.by_id)


@pytest.mark.parametrize("name", ["platform_material", "boost_converter", "ecosystem"])
def test_the_ip_rule_passes_exactly_the_outcomes_within_its_mandate(name: str) -> None:
    scenario_, _ = load_scenario(name)
    space = OutcomeSpace(scenario_.issues)
    utils = utility_functions(space, {p.id: p.private for p in scenario_.parties})
    ip_only = FAIR.model_copy(update={"rules": [r for r in FAIR.rules if r.kind == "ip_follows_core_business"]})
    mask = np.ones(space.cardinality, dtype=bool)
    for constraint in mandate_constraints(ip_only, scenario_):
        mask &= constraint.mask(lambda issue_id: space.issue_column(issue_id, None), space.by_id)
    rng = np.random.default_rng(3)
    for inside, indices in ((True, np.flatnonzero(mask)), (False, np.flatnonzero(~mask))):
        for index in rng.choice(indices, 15):
            sheet = space.term_sheet(int(index))
            verdicts = check_deal(ip_only, scenario_, space, utils, sheet, scenario_.party_ids)
            assert [v.passed for v in verdicts] == [inside], (sheet.terms, verdicts)
