"""The scenarios beyond "platform company and suppliers": a university spin-out licence and a
pharma–biotech co-development.

Each party is a playbook in its own file (scenarios/playbooks/), every issue declares the clause
it is, and each scenario holds the same real tension as the first three: the tension checks of
tests/domain/test_scenarios.py run on these too. Under fair-and-open every rule has something to
judge, the default strategy agents agree at seed 7, the transcript verifies, and the term sheet
names the parties.
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pactlab.app.cli import app
from pactlab.domain.catalog import shipped_scenarios
from pactlab.domain.clauses import Disclosure, IpOwnership, Licence, RiskAllocation
from pactlab.domain.loader import load_model
from pactlab.domain.playbook import Playbook
from pactlab.domain.scenario import Scenario
from policies import load_policy_set, not_applicable
from tests.domain import test_scenarios as tension

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
PLAYBOOKS = SCENARIOS / "playbooks"
NEW = ["spinout_licence", "biotech_codevelopment"]
FIRST_THREE = ["platform_material", "boost_converter", "ecosystem"]
LADDER_KINDS = ["negotiation", "executive", "mediation", "arbitration"]

runner = CliRunner()


def scenario(name: str) -> Scenario:
    return tension.analyse(name).scenario


def raw(name: str) -> dict[str, object]:
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def clause_kinds(name: str) -> list[str]:
    return [issue.clause.kind for issue in scenario(name).issues if issue.clause is not None]


# -- shipped, and only the scenarios ----------------------------------------------------------------


def test_the_new_scenarios_are_shipped_and_their_playbooks_are_not_listed_as_scenarios() -> None:
    shipped = shipped_scenarios()
    assert set(NEW) <= set(shipped)
    assert {path.parent for path in shipped.values()} == {SCENARIOS}
    playbooks = sorted(PLAYBOOKS.glob("*.yaml"))
    assert len(playbooks) == 4
    assert not {p.stem for p in playbooks} & set(shipped)


def test_the_wheel_carries_every_playbook_a_shipped_scenario_uses() -> None:
    """The package-data globs of the shipped scenarios match each playbook file (the wheel test installs them)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    folder = ROOT / setuptools["package-dir"]["pactlab.shipped.scenarios"]
    patterns = setuptools["package-data"]["pactlab.shipped.scenarios"]
    used = [
        str(party["playbook"])
        for path in shipped_scenarios().values()
        for party in yaml.safe_load(path.read_text(encoding="utf-8"))["parties"]
        if isinstance(party.get("playbook"), str)
    ]
    assert len(used) == 4
    for relative in used:
        assert (folder / relative).is_file(), relative
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), f"{relative} not in {patterns}"


# -- structure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NEW)
def test_scenario_loads_with_the_required_structure(name: str) -> None:
    s = scenario(name)
    assert s.id == name
    assert s.title and len(s.context) > 800, "the context should be a rich paragraph or two"
    assert s.policy_set == "fair-and-open"
    assert 30 <= s.protocol.max_rounds <= 60
    assert s.protocol.opener in s.party_ids
    assert len(s.parties) == 2 and s.protocol.agreement.kind == "unanimity"
    assert [t.kind for t in s.dispute_ladder] == LADDER_KINDS
    for tier in s.dispute_ladder:
        assert tier.name and tier.description and tier.max_rounds, tier.id


@pytest.mark.parametrize("name", NEW)
def test_ids_are_unlike_the_first_three(name: str) -> None:
    s = scenario(name)
    ids = set(s.issue_ids) | set(s.party_ids) | {t.id for t in s.dispute_ladder}
    for old in FIRST_THREE:
        o = scenario(old)
        assert not ids & (set(o.issue_ids) | set(o.party_ids) | {t.id for t in o.dispute_ladder}), old
    assert any(i != i.lower() for i in ids), "ids as the parties would write them, mixed case where natural"


@pytest.mark.parametrize("name", NEW)
def test_every_party_is_a_playbook_in_its_own_file(name: str) -> None:
    parties = raw(name)["parties"]
    assert isinstance(parties, list)
    for party in parties:
        assert "private" not in party and isinstance(party["playbook"], str), party["id"]
        path = SCENARIOS / party["playbook"]
        assert path.parent == PLAYBOOKS
        book = load_model(path, Playbook)
        assert book.party == party["id"]
        assert book.scenario is not None and (path.parent / book.scenario).resolve() == SCENARIOS / f"{name}.yaml"
        assert len(book.interests) > 400
        assert set(book.clauses) == set(scenario(name).issue_ids), "a position on every clause"
        assert party["fields"], f"{party['id']} declares its core business as fields"


@pytest.mark.parametrize("name", NEW)
def test_every_issue_declares_its_clause(name: str) -> None:
    s = scenario(name)
    assert all(issue.clause is not None for issue in s.issues)
    owning = [c for _, c in s.clauses("ip_ownership") if isinstance(c, IpOwnership)]
    assert len(owning) == 1 and owning[0].subject == "foreground"
    assert "by_field" in {o.owner for o in owning[0].options.values()}
    assert any(isinstance(c, Licence) and c.subject == "foreground" for _, c in s.clauses("licence"))
    assert {"payment", "royalty", "cost_share", "disclosure", "dispute_resolution", "other"} <= set(clause_kinds(name))
    disclosures = [c for _, c in s.clauses("disclosure") if isinstance(c, Disclosure)]
    assert disclosures and all(c.dependent_terms for c in disclosures)


def test_the_spin_out_licence_has_the_terms_of_a_university_licence() -> None:
    s = scenario("spinout_licence")
    kinds = clause_kinds("spinout_licence")
    assert kinds.count("payment") == 2, "an upfront fee and milestone payments"
    assert {"publication", "royalty", "cost_share"} <= set(kinds)
    licences = [c for _, c in s.clauses("licence") if isinstance(c, Licence)]
    patents = [c for c in licences if c.subject == "background"]
    assert len(patents) == 1 and patents[0].to == "Lumenfold"
    assert {o.scope for o in patents[0].options.values()} >= {"exclusive_in_field", "nonexclusive_royalty_bearing"}
    publisher = next(c for _, c in s.clauses("publication"))
    assert getattr(publisher, "publisher", None) == "Aldbrook"
    university, spinout = s.party("Aldbrook").private, s.party("Lumenfold").private
    assert max(university.weights, key=lambda i: university.weights[i]) == "PublicationDelay"
    assert max(spinout.weights, key=lambda i: spinout.weights[i]) == "FieldOfUse"
    assert any("PublicationDelay" in c.issues for c in university.constraints)


def test_the_co_development_has_the_terms_of_an_option_deal() -> None:
    s = scenario("biotech_codevelopment")
    kinds = clause_kinds("biotech_codevelopment")
    assert {"commercialisation", "risk_allocation", "royalty", "payment", "other"} <= set(kinds)
    risk = next(c for _, c in s.clauses("risk_allocation") if isinstance(c, RiskAllocation))
    assert risk.options is not None and any(o.cap for o in risk.options.values())
    assert any(o.shares == "benefit" for o in risk.options.values())
    tiers = next(i for i, _ in s.clauses("royalty"))
    assert tiers.kind == "categorical", "royalty tiers, each option a ladder of rates"
    pharma, biotech = s.party("Marlowe").private, s.party("Kestrel").private
    assert max(pharma.weights, key=lambda i: pharma.weights[i]) == "OptInRight"
    assert max(biotech.weights, key=lambda i: biotech.weights[i]) == "TerritorySplit"


# -- the tension checks of the first three, on these --------------------------------------------------

TENSION: list[Callable[[str], None]] = [
    tension.test_every_party_is_fully_described,
    tension.test_outcome_space_is_small_enough_for_brute_force,
    tension.test_zone_of_agreement_is_non_empty_but_small,
    tension.test_no_party_s_ideal_is_acceptable_to_all,
    tension.test_splitting_the_difference_is_beaten_for_everybody,
    tension.test_parties_care_most_about_different_issues,
    tension.test_preferences_conflict_on_some_issues_and_nearly_align_on_others,
    tension.test_logrolling_beats_splitting_the_difference_in_total,
]


@pytest.mark.parametrize("check", TENSION, ids=lambda check: check.__name__.removeprefix("test_"))
@pytest.mark.parametrize("name", NEW)
def test_real_tension(name: str, check: Callable[[str], None]) -> None:
    check(name)


# -- fair-and-open: every rule applies, and a deal at seed 7 -------------------------------------------


@pytest.mark.parametrize("name", NEW)
def test_fair_and_open_has_something_to_judge_for_every_rule(name: str) -> None:
    fair, _ = load_policy_set("fair-and-open")
    assert not_applicable(fair, scenario(name)) == []


PARTY_NAMES = {
    "spinout_licence": ("University of Aldbrook", "Lumenfold Photonics Ltd"),
    "biotech_codevelopment": ("Marlowe Pharmaceuticals", "Kestrel Biologics"),
}


@pytest.mark.parametrize("name", NEW)
def test_agreement_at_seed_7_under_fair_and_open(name: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", name, "--seed", "7", "-q", "--id", "s7", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    run = tmp_path / "s7"
    card = json.loads((run / "scorecard.json").read_text(encoding="utf-8"))
    assert card["outcome"] == "agreement"
    assert card["policies_not_applicable"] == []

    transcripts = sorted(tmp_path.rglob("transcript.jsonl"))
    assert transcripts
    for path in transcripts:
        verified = runner.invoke(app, ["audit", "verify", str(path)])
        assert verified.exit_code == 0 and "chain intact" in verified.output, verified.output

    sheet = (run / "termsheet.md").read_text(encoding="utf-8")
    assert (run / "termsheet.docx").stat().st_size > 0
    s = scenario(name)
    assert all(f"### {n}. {issue.label}" in sheet for n, issue in enumerate(s.issues, start=1))
    for party in PARTY_NAMES[name]:
        assert party in sheet
    terms = sheet.split("## Terms", 1)[1].split("## Schedule A", 1)[0]
    assert "The parties agree on" not in terms, "every term worded from its clause"
    assert "{{" not in terms and "{%" not in terms


@pytest.mark.parametrize("name", NEW)
def test_playbook_explain_on_the_scenario_and_on_each_playbook(name: str) -> None:
    s = scenario(name)
    for party in s.parties:
        by_scenario = runner.invoke(app, ["playbook", "explain", str(SCENARIOS / f"{name}.yaml"), "--party", party.id])
        assert by_scenario.exit_code == 0, by_scenario.output
        assert f"Playbook of {party.id} ({party.name})" in by_scenario.stdout
        reservation = party.private.reservation_value
        assert f"reservation value {reservation:.4f}: walk away below fallback 1" in by_scenario.stdout
        book = PLAYBOOKS / f"{name}_{party.id}.yaml"
        by_file = runner.invoke(app, ["playbook", "explain", str(book)])
        assert by_file.exit_code == 0, by_file.output
        assert by_file.stdout == by_scenario.stdout
