"""The shipped policy sets, policy-file errors, the shares that clauses declare, and the calibration.

Calibration: the Nash bargaining point of every shipped scenario passes every fair-and-open
rule, and splitting the difference (every issue at its middle option) or a party's ideal
outcome breaks at least one.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from evals.bargaining import nash_solution
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.loader import FileError, load_model, parse_model
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario
from policies import PolicySet, blocking, check_deal, load_policy_set, shipped_policy_sets
from policies.deal import Deal
from policies.model import RuleKind
from policies.shares import benefit_shares, carried_shares, weighed_clauses

SCENARIOS = sorted(shipped_scenarios())
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@cache
def world(name: str) -> tuple[Scenario, OutcomeSpace, dict[str, UtilityFunction]]:
    scenario, _ = load_scenario(name)
    space = OutcomeSpace(scenario.issues)
    return scenario, space, utility_functions(space, {p.id: p.private for p in scenario.parties})


# -- the shipped sets ---------------------------------------------------------------------------------


def test_the_shipped_sets_load_by_name_and_by_path() -> None:
    assert set(shipped_policy_sets()) == {"fair-and-open", "minimal"}
    for name, path in shipped_policy_sets().items():
        by_name, found = load_policy_set(name)
        by_path, _ = load_policy_set(str(path))
        assert found == path and by_name == by_path and by_name.name == name
        assert by_name.version == {"fair-and-open": "2.0.0", "minimal": "1.0.0"}[name]
        assert len(by_name.description) > 80
        for rule in by_name.rules:
            assert len(rule.statement) > 60, rule.id


def test_fair_and_open_is_strict_and_minimal_is_rationality_only() -> None:
    fair, _ = load_policy_set("fair-and-open")
    assert {r.kind for r in fair.rules} == set(RuleKind.__args__)  # type: ignore[attr-defined]
    assert all(r.severity == "block" for r in fair.rules)
    minimal, _ = load_policy_set("minimal")
    assert [(r.kind, r.severity) for r in minimal.rules] == [("individual_rationality", "block")]


def test_an_unknown_name_lists_the_shipped_sets() -> None:
    with pytest.raises(FileError, match="not a shipped policy set \\(shipped: fair-and-open, minimal\\)"):
        load_policy_set("fair")


def test_the_hash_is_stable_and_tracks_every_change() -> None:
    fair, path = load_policy_set("fair-and-open")
    again = load_model(path, PolicySet)
    assert fair.sha256() == again.sha256() and len(fair.sha256()) == 64
    changed = fair.model_copy(update={"version": "1.0.1"})
    assert changed.sha256() != fair.sha256()


# -- bad policy files ---------------------------------------------------------------------------------

HEAD = "name: broken\nversion: '1.0.0'\ndescription: A broken set.\nrules:\n"
GOOD_RULE = (
    "  - id: ir\n    kind: individual_rationality\n    severity: block\n    statement: Nobody below walk-away.\n"
)


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(FileError) as err:
        load_model(path, PolicySet)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "  - id: x\n    kind: telepathy\n    severity: block\n    statement: S.\n",
            ["broken.yaml:9:5: rules[1]: ", "telepathy", "individual_rationality"],
        ),
        ("  - id: x\n    kind: transparency\n    severity: block\n", ["broken.yaml:9:5: rules[1].statement: missing"]),
        (
            "  - id: x\n    kind: transparency\n    severity: maybe\n    statement: S.\n",
            ["broken.yaml:11:15: rules[1].severity: ", "'block' or 'warn'", "maybe"],
        ),
        (
            "  - id: x\n    kind: process\n    severity: warn\n    statement: S.\n    parameters:\n"
            "      cooling_off: 2\n",
            ["broken.yaml:14:20: rules[1].parameters.cooling_off: unknown field"],
        ),
        (
            "  - id: x\n    kind: fairness_bound\n    severity: warn\n    statement: S.\n    parameters:\n"
            "      min_ratio: 1.5\n",
            ["broken.yaml:14:18: rules[1].parameters.min_ratio: ", "less than or equal to 1"],
        ),
        (
            "  - id: ir\n    kind: process\n    severity: warn\n    statement: S.\n",
            ["broken.yaml:9:9: rules[1].id: duplicate rule id 'ir'"],
        ),
    ],
)
def test_bad_policy_files_name_file_line_and_field(tmp_path: Path, rule: str, expected: list[str]) -> None:
    found = problems_of(tmp_path, HEAD + GOOD_RULE + rule)
    assert len(found) == 1, found
    for part in expected:
        assert part in found[0], found[0]


IP_RULE = "  - id: ip\n    kind: ip_follows_core_business\n    severity: block\n    statement: S.\n"
OPEN_RULE = "  - id: t\n    kind: transparency\n    severity: block\n    statement: S.\n"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            IP_RULE + "    parameters:\n      ip_issue: foreground_ip\n      acceptable_owners: [split_by_field]\n",
            [":13:5: rules[1].parameters: ip_issue, acceptable_owners: policy parameters name meanings", "scope"],
        ),
        (
            OPEN_RULE + "    parameters:\n      disclosure_issue: use_case_disclosure\n",
            [":13:5: rules[1].parameters: disclosure_issue: policy parameters name meanings", "disclosed_levels"],
        ),
        (OPEN_RULE + "    optional_issues: [royalty_rate]\n", [":9:5: rules[1]: optional_issues: ", "not applicable"]),
        (
            IP_RULE + "    parameters:\n      minimum_licence: split_by_field\n",
            [":14:24: rules[1].parameters.minimum_licence: ", "nonexclusive_royalty_free", "split_by_field"],
        ),
        (
            OPEN_RULE + "    parameters:\n      disclosed_levels: [full, shared]\n",
            ["rules[1].parameters.disclosed_levels[1]"],
        ),
    ],
)
def test_parameters_name_meanings_not_ids(tmp_path: Path, rule: str, expected: list[str]) -> None:
    """Parameters that name a scenario's ids (policy sets before 2.0) are refused at their line, with what is valid."""
    found = problems_of(tmp_path, HEAD + GOOD_RULE + rule)
    assert len(found) == 1, found
    for part in expected:
        assert part in found[0], found[0]


# -- shares declared by clauses -----------------------------------------------------------------------


def test_the_scenarios_declare_their_cost_risk_and_benefit_clauses() -> None:
    boost = world("boost_converter")[0]
    assert set(weighed_clauses(boost)) == {"cost", "risk"} and boost.clauses("benefit")
    assert set(weighed_clauses(world("ecosystem")[0])) == {"risk"}  # its cost share is weighed: false
    assert weighed_clauses(world("platform_material")[0]) == {}


def with_clauses(cost: str, beta: str) -> str:
    """The two-party fixture with a risk allocation on its IP issue and a cost share on its royalty."""
    text = (FIXTURES / "two_party.yaml").read_text()
    text = text.replace(
        "    options: [alpha, beta, joint]\n",
        "    options: [alpha, beta, joint]\n"
        "    clause:\n"
        "      kind: risk_allocation\n"
        "      options:\n"
        "        alpha: {shares: {alpha: 1.0}}\n"
        f"        beta: {{shares: {beta}}}\n"
        "        joint: {shares: benefit}\n",
        1,
    )
    return text.replace('    unit: "%"\n', f'    unit: "%"\n    clause: {cost}\n', 1)


OK_COST = "{kind: cost_share, bearer: alpha, rest_borne_by: beta}"
OK_BETA = "{beta: 0.7, alpha: 0.3}"
GAMMA = "s.yaml:12:43: issues[0].clause.options.beta.shares.gamma: unknown party 'gamma'"
SUM = "s.yaml:12:24: issues[0].clause.options.beta.shares: shares sum to 0.5"
SAME_PARTY = "s.yaml:20:62: issues[1].clause.rest_borne_by: must name another party than 'bearer'"
ZETA = "s.yaml:20:62: issues[1].clause.rest_borne_by: unknown party 'zeta'"
NO_BEARER = "s.yaml:20:13: issues[1].clause: a numeric cost or risk share needs 'bearer'"


@pytest.mark.parametrize(
    ("cost", "beta", "expected"),
    [
        (OK_COST, "{beta: 0.5, gamma: 0.5}", [GAMMA]),
        (OK_COST, "{beta: 0.5}", [SUM]),
        (OK_COST, "benefit", []),
        ("{kind: cost_share, bearer: alpha, rest_borne_by: alpha}", OK_BETA, [SAME_PARTY]),
        ("{kind: cost_share, bearer: alpha, rest_borne_by: zeta}", OK_BETA, [ZETA]),
        ("{kind: cost_share}", OK_BETA, [NO_BEARER]),
    ],
)
def test_a_bad_share_clause_is_reported_at_its_line(cost: str, beta: str, expected: list[str]) -> None:
    text = with_clauses(cost, beta)
    if not expected:
        assert set(weighed_clauses(parse_model(text, Scenario))) == {"cost", "risk"}
        return
    with pytest.raises(FileError) as err:
        parse_model(text, Scenario, source="s.yaml")
    found = [str(p) for p in err.value.problems]
    assert len(found) == len(expected), found
    for line, want in zip(found, expected, strict=True):
        assert want in line, line


def test_share_clauses_give_the_shares() -> None:
    scenario = parse_model(with_clauses(OK_COST, OK_BETA), Scenario)
    space = OutcomeSpace(scenario.issues)
    utils = utility_functions(space, {p.id: p.private for p in scenario.parties})
    terms = {"foreground_ip": "beta", "royalty_rate": 2, "exclusivity_months": 12, "use_case_disclosed": True}
    deal = Deal(scenario, space, utils, space.validate(terms), ("alpha", "beta"))
    weighed = weighed_clauses(scenario)
    benefits = benefit_shares(deal)
    assert carried_shares(deal, weighed["cost"], benefits) == pytest.approx({"alpha": 0.02, "beta": 0.98})
    assert carried_shares(deal, weighed["risk"], benefits) == pytest.approx({"alpha": 0.3, "beta": 0.7})
    joint = Deal(scenario, space, utils, space.validate({**terms, "foreground_ip": "joint"}), ("alpha", "beta"))
    assert carried_shares(joint, weighed["risk"], benefit_shares(joint)) == benefit_shares(joint)


# -- calibration on the shipped scenarios -------------------------------------------------------------


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_nash_point_passes_every_fair_and_open_rule(name: str) -> None:
    scenario, space, utils = world(name)
    nash = nash_solution(space, utils)
    assert nash is not None
    fair, _ = load_policy_set("fair-and-open")
    verdicts = check_deal(fair, scenario, space, utils, nash.terms, scenario.party_ids)
    assert all(v.passed for v in verdicts), [v.reason for v in verdicts if not v.passed]
    expected = {"individual-rationality", "fairness-bound", "ip-follows-core-business"}
    if weighed_clauses(scenario):
        expected.add("proportionality")
    assert {v.rule_id for v in verdicts} == expected


@pytest.mark.parametrize("name", SCENARIOS)
def test_splitting_the_difference_fails_fair_and_open(name: str) -> None:
    scenario, space, utils = world(name)
    middle = int(np.ravel_multi_index(tuple((n - 1) // 2 for n in space.shape), space.shape))
    fair, _ = load_policy_set("fair-and-open")
    failed = blocking(check_deal(fair, scenario, space, utils, space.term_sheet(middle), scenario.party_ids))
    assert {v.rule_id for v in failed} >= {"fairness-bound", "ip-follows-core-business"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_party_s_ideal_deal_fails_fair_and_open(name: str) -> None:
    scenario, space, utils = world(name)
    fair, _ = load_policy_set("fair-and-open")
    for party in scenario.party_ids:
        u = np.where(utils[party].constraint_mask(), utils[party].over_space(), -np.inf)
        ideal = space.term_sheet(int(np.argmax(u)))
        assert blocking(check_deal(fair, scenario, space, utils, ideal, scenario.party_ids)), party
