"""One schema, one truth: the exported JSON Schema accepts what the loader accepts.

Every shipped scenario, example file, fixture, starter scenario and playbook validates against
both; random small scenarios (short and long forms, scales, points, playbooks) validate against
both; broken ones are refused by both. The loader also checks what no JSON Schema can (unknown
ids, options, constraint syntax, figures against a scale); those cases are not compared here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pactlab.app.cli import app
from pactlab.app.cli.starter import starter_scenario
from pactlab.domain.catalog import shipped_scenarios
from pactlab.domain.loader import FileError, load_model, parse_model
from pactlab.domain.playbook import Playbook
from pactlab.domain.scenario import Scenario
from pactlab.domain.schema import playbook_schema, scenario_schema

jsonschema = pytest.importorskip(
    "jsonschema", reason="the jsonschema package is not installed: pip install jsonschema to check the export"
)

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = jsonschema.Draft202012Validator(scenario_schema())
PLAYBOOK = jsonschema.Draft202012Validator(playbook_schema())
Data = dict[str, Any]


def as_json(data: Any) -> Any:
    """What an editor sees of a YAML file: keys are strings (YAML's true becomes "true")."""
    return json.loads(json.dumps(data))


def schema_errors(validator: Any, data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(as_json(data))]


def is_scenario(data: Any) -> bool:
    return isinstance(data, dict) and "issues" in data and "parties" in data


def every_file() -> list[Path]:
    files = list(shipped_scenarios().values())
    files += sorted((ROOT / "scenarios" / "examples").glob("*.yaml"))
    files += sorted((ROOT / "tests" / "fixtures").glob("*.yaml"))
    return files


@pytest.mark.parametrize("path", every_file(), ids=lambda p: p.name)
def test_every_file_validates_against_the_schema_and_the_loader(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if is_scenario(data):
        assert schema_errors(SCENARIO, data) == []
        load_model(path, Scenario)
    else:
        assert schema_errors(PLAYBOOK, data) == []
        load_model(path, Playbook)


@pytest.mark.parametrize("parties", [2, 3, 6])
def test_the_starter_validates_against_the_schema_and_the_loader(parties: int) -> None:
    text = starter_scenario(parties)
    assert schema_errors(SCENARIO, yaml.safe_load(text)) == []
    assert len(parse_model(text, Scenario, "starter.yaml").parties) == parties


def test_the_cli_exports_this_schema(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["scenario", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == scenario_schema()
    target = tmp_path / "playbook.schema.json"
    assert runner.invoke(app, ["playbook", "schema", "--out", str(target)]).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == playbook_schema()


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(scenario_schema())
    jsonschema.Draft202012Validator.check_schema(playbook_schema())
    assert scenario_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


# -- random scenarios ----------------------------------------------------------------------------

ISSUE_IDS = ["Site", "royalty_rate", "_fund", "Issue2", "PUBLIC_funding", "x"]
PARTY_IDS = ["SportCo", "city_hall", "_lab", "P2", "Residents"]
OPTIONS = ["a", "Big one", "x-1", "012", "none", "Z"]
LEVELS = ["preferred", "fallback_1", "fallback_2", "last_fallback"]


@st.composite
def issues(draw: st.DrawFn) -> list[Data]:
    ids = draw(st.lists(st.sampled_from(ISSUE_IDS), min_size=1, max_size=3, unique=True))
    out: list[Data] = []
    for issue_id in ids:
        kind = draw(st.sampled_from(["categorical", "numeric", "boolean"]))
        if kind == "categorical":
            options = draw(st.lists(st.sampled_from(OPTIONS), min_size=2, max_size=4, unique=True))
            out.append({"id": issue_id, "kind": kind, "options": options, "ordered": draw(st.booleans())})
        elif kind == "numeric":
            out.append({"id": issue_id, "kind": kind, "minimum": 0, "maximum": draw(st.integers(1, 4)), "step": 1})
        else:
            out.append({"id": issue_id, "kind": kind, "name": f"{issue_id}?"})
    return out


def keys(issue: Data) -> list[Any]:
    return issue["options"] if issue["kind"] == "categorical" else [True, False]


@st.composite
def private(draw: st.DrawFn, issues: list[Data]) -> Data:
    tabled = [i for i in issues if i["kind"] != "numeric"]
    if tabled and len(tabled) == len(issues) and draw(st.booleans()):  # points that add up
        values = {i["id"]: {k: draw(st.integers(0, 40)) for k in keys(i)} for i in issues}
        values[issues[0]["id"]][keys(issues[0])[0]] = 41  # totals are never all the same
        low = sum(min(t.values()) for t in values.values())
        return {"utility": "sum", "values": values, "reservation_value": low}
    top = draw(st.sampled_from([1, 10, 100]))
    profile: Data = {"weights": {i["id"]: draw(st.integers(1, 5)) for i in issues}, "values": {}}
    if top != 1:
        profile["scale"] = {"min": 0, "max": top}
    for issue in issues:
        if issue["kind"] == "numeric":
            profile["values"][issue["id"]] = draw(
                st.sampled_from([{"linear": "up"}, {"linear": "down"}, {"peak": 1, "floor": top / 2}])
            )
        else:
            table = {k: draw(st.integers(0, top)) for k in keys(issue)}
            profile["values"][issue["id"]] = table if draw(st.booleans()) else {"kind": "table", "table": table}
    profile["reservation_value"] = draw(st.integers(0, top)) / 2
    if draw(st.booleans()):
        profile["interests"] = "why"
    return profile


@st.composite
def playbook(draw: st.DrawFn, issues: list[Data], party_id: str) -> Data:
    clauses: Data = {}
    for issue in draw(st.lists(st.sampled_from(issues), min_size=1, unique_by=lambda i: i["id"])):
        priority = draw(st.sampled_from(["high", "medium", "low", 2, 0.5]))
        if issue["kind"] == "numeric":
            clause: Data = {"priority": priority, "preferred": issue["maximum"]}
            if draw(st.booleans()):
                clause["acceptable"] = {"min": 1}
        else:
            ranked = draw(st.permutations(keys(issue)))
            cut = draw(st.integers(1, len(ranked)))
            clause = {"priority": priority, "preferred": ranked[0], "fallbacks": list(ranked[1:cut])}
            if cut < len(ranked):
                clause["unacceptable"] = draw(st.sampled_from(["others", list(ranked[cut:])]))
        clauses[issue["id"]] = clause
    if all(c["priority"] == 0 for c in clauses.values()):
        next(iter(clauses.values()))["priority"] = "high"
    book: Data = {"clauses": clauses, "walk_away": {"below": draw(st.sampled_from(LEVELS))}}
    if draw(st.booleans()):
        book["party"] = party_id
    return book


@st.composite
def scenarios(draw: st.DrawFn) -> Data:
    chosen = draw(issues())
    party_ids = draw(st.lists(st.sampled_from(PARTY_IDS), min_size=2, max_size=3, unique=True))
    parties = []
    for pid in party_ids:
        party: Data = {"id": pid, "name": pid.title(), "core_business": "things"}
        if draw(st.booleans()):
            party["playbook"] = draw(playbook(chosen, pid))
        else:
            party["private"] = draw(private(chosen))
        parties.append(party)
    data: Data = {"id": draw(st.sampled_from(["Game", "g_2", "_t"])), "title": "A game", "issues": chosen}
    data["parties"] = parties
    if draw(st.booleans()):
        data["protocol"] = {"max_rounds": draw(st.integers(1, 50)), "opener": party_ids[-1]}
    if draw(st.booleans()):
        data["dispute_ladder"] = [
            {"id": "working_level", "name": "Working level", "max_rounds": 3},
            {"id": "Mediation", "name": "M", "kind": "mediation"},
        ]
    return data


def load(data: Data) -> Scenario:
    return parse_model(yaml.safe_dump(data, sort_keys=False), Scenario, "random.yaml")


PROPS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scenarios())
def test_random_valid_scenarios_pass_both(data: Data) -> None:
    assert schema_errors(SCENARIO, data) == []
    load(data)


def _party(data: Data, has: str) -> Data:
    for party in data["parties"]:
        if has in party:
            return party  # type: ignore[no-any-return]
    party = data["parties"][0]
    return party  # type: ignore[no-any-return]


BREAKS: dict[str, Callable[[Data], None]] = {
    "unknown top-level field": lambda d: d.update(tittle="x"),
    "issue id with a dash": lambda d: d["issues"][0].update(id="bad-id"),
    "unknown issue kind": lambda d: d["issues"][0].update(kind="ranked"),
    "party without a name": lambda d: d["parties"][1].pop("name"),
    "no rounds": lambda d: d.update(protocol={"max_rounds": 0}),
    "unknown agreement rule": lambda d: d.update(protocol={"agreement": {"kind": "majority"}}),
    "one party only": lambda d: d.update(parties=d["parties"][:1]),
    "both private and playbook": lambda d: d["parties"][0].update(
        private={"weights": {}, "values": {}, "reservation_value": 0},
        playbook={"clauses": {}, "walk_away": {"below": "preferred"}},
    ),
    "neither private nor playbook": lambda d: [d["parties"][0].pop(k, None) for k in ("private", "playbook")],
    "a null playbook": lambda d: [d["parties"][0].pop("private", None), d["parties"][0].update(playbook=None)],
    "a value that is a word": lambda d: (
        _party(d, "private").setdefault("private", {}).update(values={"x": {"a": "high", "b": 0}})
    ),
    "a sideways linear value": lambda d: (
        _party(d, "private").setdefault("private", {}).update(values={"x": {"linear": "sideways"}})
    ),
    "a negative weight": lambda d: _party(d, "private").setdefault("private", {}).update(weights={"x": -1}),
    "an unknown utility rule": lambda d: _party(d, "private").setdefault("private", {}).update(utility="product"),
    "a playbook priority that is no priority": lambda d: [
        d["parties"][0].pop("private", None),
        d["parties"][0].update(
            playbook={"clauses": {"x": {"priority": "urgent", "preferred": 1}}, "walk_away": {"below": "preferred"}}
        ),
    ],
    "a walk-away level that is no level": lambda d: [
        d["parties"][0].pop("private", None),
        d["parties"][0].update(
            playbook={"clauses": {"x": {"priority": "high", "preferred": 1}}, "walk_away": {"below": "fallback_0"}}
        ),
    ],
}


@PROPS
@given(scenarios(), st.sampled_from(sorted(BREAKS)))
def test_broken_scenarios_fail_both(data: Data, how: str) -> None:
    BREAKS[how](data)
    assert schema_errors(SCENARIO, data), f"the schema accepts a scenario with {how}"
    with pytest.raises(FileError):
        load(data)
