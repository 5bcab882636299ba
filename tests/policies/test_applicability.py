"""Any valid scenario runs under the shipped sets: rules whose meaning it lacks are reported not applicable.

The report: once per rule, in the run start audit record, the CLI header of ``pactlab run`` and
the scorecard (``policies_not_applicable``), never an error pointing into the policy file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evals.audit import read_records
from evals.transcript import read_transcript, rescore
from pactlab.app.cli import exit_codes
from pactlab.domain.catalog import load_scenario
from pactlab.domain.scenario import Scenario
from policies import NotApplicable, load_policy_set, not_applicable, not_applicable_note
from tests.policies.meaning_fixture import data, drop_issue, issue, scenario
from tests.renaming import renamed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAIR = load_policy_set("fair-and-open")[0]
MINIMAL = load_policy_set("minimal")[0]


def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300)


def reasons(found: list[NotApplicable]) -> dict[str, str]:
    return {n.rule: n.reason for n in found}


# -- which rules, and why ----------------------------------------------------------------------------


def test_a_scenario_declaring_every_meaning_leaves_nothing_out() -> None:
    assert not_applicable(FAIR, scenario()) == []
    assert not_applicable_note(FAIR, scenario()) == ""
    assert not_applicable_note(None, scenario()) == ""


def test_a_scenario_without_clauses_leaves_out_every_clause_rule_once(two_party: Scenario) -> None:
    found = reasons(not_applicable(FAIR, two_party))
    assert found == {
        "proportionality": "not applied: the scenario declares no cost_share or risk_allocation clause to weigh",
        "ip-follows-core-business": "not applied: the scenario declares no ip_ownership clause for foreground IP",
        "transparency": "disclosure-first part not applied: the scenario declares no disclosure clause",
    }
    assert not_applicable(MINIMAL, two_party) == []


def test_ownership_without_fields_licence_without_clause_and_no_ladder() -> None:
    raw = drop_issue(data(), "lic")
    raw["dispute_ladder"] = []
    found = reasons(not_applicable(FAIR, scenario(raw)))
    assert found == {
        "ip-follows-core-business": "licence part not applied: no licence clause for the foreground IP of own",
        "process": "ladder part not applied: the scenario has no dispute ladder",
    }
    no_fields = data()
    issue(no_fields, "own")["clause"]["options"] = {k: {"owner": "a"} for k in issue(no_fields, "own")["options"]}
    for party in no_fields["parties"]:
        party["fields"] = []
    assert (
        "no party declares its core business as fields"
        in reasons(not_applicable(FAIR, scenario(no_fields)))["ip-follows-core-business"]
    )


def test_disclosure_without_dependent_terms_and_an_unweighed_cost_share() -> None:
    raw = data()
    issue(raw, "disc")["clause"]["dependent_terms"] = []
    issue(raw, "cost")["clause"]["weighed"] = False
    found = reasons(not_applicable(FAIR, scenario(raw)))
    assert found == {
        "proportionality": "not applied: the scenario declares no cost_share or risk_allocation clause to weigh "
        "(cost is a cost share with weighed: false)",
        "transparency": "disclosure-first part not applied: no disclosure clause names dependent_terms",
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("platform_material", {"proportionality"}),
        ("boost_converter", {"ip-follows-core-business", "transparency"}),
        ("ecosystem", {"ip-follows-core-business"}),
    ],
)
def test_the_shipped_scenarios_report_what_the_old_optional_issues_skipped(name: str, expected: set[str]) -> None:
    scenario_, _ = load_scenario(name)
    assert set(reasons(not_applicable(FAIR, scenario_))) == expected
    note = not_applicable_note(FAIR, scenario_)
    assert note.count("\n") == len(expected) and all(f"  not applicable: {r}: " in note for r in expected)


# -- through the real CLI ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_scenario_with_no_clauses_runs_under_fair_and_open(tmp_path: Path, two_party: Scenario) -> None:
    result = pactlab(
        "run", str(FIXTURES / "two_party.yaml"), "--policies", "fair-and-open", "--seed", "1",
        "--id", "plain", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.stdout + result.stderr
    expected = [n.model_dump() for n in not_applicable(FAIR, two_party)]
    assert len(expected) == 3
    header = result.stdout.split("\n\n")[0] if "\n\n" in result.stdout else result.stdout
    for entry in expected:
        assert f"not applicable: {entry['rule']}:" in " ".join(header.split())
    card = json.loads((tmp_path / "plain" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["policies_not_applicable"] == expected
    transcript = tmp_path / "plain" / "transcript.jsonl"
    start = read_records(transcript)[0]
    assert start.kind == "run_start" and start.data["policy_set"]["not_applicable"] == expected
    rescored = rescore(read_transcript(transcript))
    assert [n.model_dump() for n in rescored.policies_not_applicable] == expected
    gated = {v["rule_id"] for r in read_records(transcript) if r.kind == "gate" for v in r.data["verdicts"]}
    assert not gated & {"proportionality", "ip-follows-core-business"}, "rules not applicable give no verdicts"


@pytest.mark.slow
def test_a_shipped_scenario_with_every_id_renamed_runs_under_fair_and_open(tmp_path: Path) -> None:
    """The reported bug: a new user's ids made `pactlab run` exit 2 with an error in the shipped policy file."""
    scenario_, _ = load_scenario("platform_material")
    renamed_scenario, _ = renamed(scenario_, prefix="spinout")
    path = tmp_path / "spinout.yaml"
    path.write_text(yaml.safe_dump(renamed_scenario.model_dump(mode="json"), sort_keys=False), encoding="utf-8")
    result = pactlab(
        "run", str(path), "--policies", "fair-and-open", "--seed", "7", "-q", "--id", "s", "--out", str(tmp_path)
    )
    assert result.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.stdout + result.stderr
    assert "policies/sets" not in result.stdout + result.stderr
    card = json.loads((tmp_path / "s" / "scorecard.json").read_text(encoding="utf-8"))
    assert [n["rule"] for n in card["policies_not_applicable"]] == ["proportionality"]
