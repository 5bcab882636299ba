"""Any identifier, any value scale: a published game's names and points can be written as they are.

Ids take letters of either case, digits and underscores (not a leading digit); the constraint
language still reads them. Option values, floors and reservation values may be on any declared
scale, or points that add up (``utility: sum``); either way the profile is normalised to [0, 1]
when it is validated, so nothing downstream changes.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from pactlab.domain.loader import FileError, parse_model
from pactlab.domain.outcome_space import OutcomeSpace, utility_functions
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue, PrivateProfile
from pactlab.domain.scenario import Scenario


def scenario(issues: list[dict[str, Any]], parties: list[dict[str, Any]], **extra: Any) -> Scenario:
    return Scenario.model_validate({"id": "Game_1", "title": "t", "issues": issues, "parties": parties, **extra})


def problems(yaml_text: str) -> list[str]:
    with pytest.raises(FileError) as info:
        parse_model(textwrap.dedent(yaml_text), Scenario, source="game.yaml")
    return [str(p) for p in info.value.problems]


ISSUES = [
    {"id": "Site", "kind": "categorical", "options": ["Riverside", "ring-road", "old port"]},
    {"id": "Budget_M", "kind": "numeric", "minimum": 0, "maximum": 30, "step": 10},
]


def party(pid: str, **private: Any) -> dict[str, Any]:
    return {"id": pid, "name": f"{pid} Ltd", "core_business": "x", "private": private}


# -- ids ---------------------------------------------------------------------------------------


def test_published_names_as_ids_and_in_constraints() -> None:
    loaded = scenario(
        ISSUES,
        [
            party(
                "SportCo",
                weights={"Site": 2, "Budget_M": 1},
                values={"Site": {"Riverside": 1, "ring-road": 0.5, "old port": 0}, "Budget_M": {"linear": "up"}},
                reservation_value=0.3,
                constraints=["Site != 'old port'", "if Site == Riverside then Budget_M >= 10"],
            ),
            party("_CityHall2", weights={"Budget_M": 1}, values={"Budget_M": {"linear": "down"}}, reservation_value=0),
        ],
        dispute_ladder=[{"id": "Working_Level", "name": "Working level"}],
        protocol={"opener": "_CityHall2", "agreement": {"kind": "quorum", "quorum": 2, "veto": ["SportCo"]}},
    )
    assert loaded.party_ids == ["SportCo", "_CityHall2"] and loaded.id == "Game_1"
    space = OutcomeSpace(loaded.issues)
    sport = utility_functions(space, {"SportCo": loaded.party("SportCo").private})["SportCo"]
    assert not sport.satisfies_constraints(space.validate({"Site": "old port", "Budget_M": 30}))
    assert not sport.satisfies_constraints(space.validate({"Site": "Riverside", "Budget_M": 0}))
    assert sport.satisfies_constraints(space.validate({"Site": "Riverside", "Budget_M": 10}))


@pytest.mark.parametrize("bad", ["2fast", "has space", "dash-id", "dotted.id", ""])
def test_ids_that_are_not_identifiers_are_refused(bad: str) -> None:
    found = problems(
        f"""\
        id: ok
        title: t
        issues:
          - {{id: "{bad}", kind: boolean}}
        parties: []
        """
    )
    assert any("issues[0].id" in p and "should match pattern" in p for p in found), found


@pytest.mark.parametrize("word", ["if", "then", "and", "or", "in", "not", "true", "false"])
def test_an_issue_id_may_not_be_a_word_of_the_constraint_language(word: str) -> None:
    found = problems(
        f"""\
        id: ok
        title: t
        issues:
          - {{id: "{word}", kind: boolean}}
        parties: []
        """
    )
    assert any("issues[0].id" in p and "word of the constraint language" in p for p in found), found


def test_keywords_in_another_case_are_ids() -> None:
    loaded = scenario(
        [{"id": "If", "kind": "boolean"}, {"id": "Or", "kind": "boolean"}],
        [party(p, weights={"If": 1}, values={"If": {"true": 1, "false": 0}}, reservation_value=0) for p in "AB"],
    )
    assert loaded.issue_ids == ["If", "Or"]
    scenario(
        [{"id": "If", "kind": "boolean"}, {"id": "Or", "kind": "boolean"}],
        [
            party(
                "A",
                weights={"If": 1},
                values={"If": {"true": 1, "false": 0}},
                reservation_value=0,
                constraints=["if If == true then Or == false"],
            ),
            party("B", weights={"If": 1}, values={"If": {"true": 1, "false": 0}}, reservation_value=0),
        ],
    )


# -- value scales ------------------------------------------------------------------------------


def test_a_scale_normalises_every_figure() -> None:
    profile = PrivateProfile.model_validate(
        {
            "scale": {"min": 0, "max": 100},
            "weights": {"Site": 3, "Budget_M": 1},
            "values": {
                "Site": {"Riverside": 100, "ring-road": 67, "old port": 0},
                "Budget_M": {"peak": 10, "floor": 20},
            },
            "reservation_value": 55,
        }
    )
    assert profile.scale is None  # normalised away: what is stored is the canonical form
    assert profile.values["Site"] == OptionValues(table={"Riverside": 1.0, "ring-road": 0.67, "old port": 0.0})
    assert profile.values["Budget_M"] == PeakedValue(peak=10, floor=0.2)
    assert profile.reservation_value == 0.55
    assert "scale" not in profile.model_dump()
    assert PrivateProfile.model_validate(profile.model_dump()) == profile  # the dump is canonical


def test_a_scale_that_does_not_start_at_zero() -> None:
    profile = PrivateProfile.model_validate(
        {
            "scale": {"min": -5, "max": 5},
            "weights": {"a": 1},
            "values": {"a": {"x": -5, "y": 0, "z": 5}},
            "reservation_value": 1,
        }
    )
    assert profile.values["a"] == OptionValues(table={"x": 0.0, "y": 0.5, "z": 1.0})
    assert profile.reservation_value == pytest.approx(0.6)


def test_points_that_add_up() -> None:
    profile = PrivateProfile.model_validate(
        {
            "utility": "sum",
            "values": {"Site": {"Riverside": 30, "ring-road": 20, "old port": 0}, "Perks": {"true": 70, "false": 10}},
            "reservation_value": 55,
        }
    )
    assert profile.weights == {"Site": 30.0, "Perks": 60.0}  # each issue's range of points
    assert profile.values["Perks"] == OptionValues(table={"true": 1.0, "false": 0.0})
    assert profile.reservation_value == pytest.approx((55 - 10) / 90)  # totals run from 10 to 100
    issues = [
        {"id": "Site", "kind": "categorical", "options": ["Riverside", "ring-road", "old port"]},
        {"id": "Perks", "kind": "boolean"},
    ]
    loaded = scenario(
        issues, [{"id": p, "name": p, "core_business": "x", "private": profile.model_dump()} for p in "AB"]
    )
    space = OutcomeSpace(loaded.issues)
    u = utility_functions(space, {"A": loaded.party("A").private})["A"]
    for site, site_points in (("Riverside", 30), ("ring-road", 20), ("old port", 0)):
        for perks, perk_points in ((True, 70), (False, 10)):
            total = site_points + perk_points
            assert u(space.validate({"Site": site, "Perks": perks})) == pytest.approx((total - 10) / 90)


@pytest.mark.parametrize(
    ("private", "field", "phrase"),
    [
        (
            "weights: {a: 1}\n  values: {a: {x: 67, y: 0}}\n  reservation_value: 0.5",
            "values.a.x",
            "declare e.g. 'scale",
        ),
        (
            "weights: {a: 1}\n  values: {a: {x: 1, y: 0}}\n  reservation_value: 55",
            "reservation_value",
            "less than or equal to 1",
        ),
        (
            "scale: {min: 0, max: 100}\n  weights: {a: 1}\n  values: {a: {x: 120, y: 0}}\n  reservation_value: 5",
            "values.a.x",
            "on the profile's scale 0..100",
        ),
        (
            "scale: {min: 0, max: 10}\n  weights: {a: 1}\n  values: {a: {x: 1, y: 0}}\n  reservation_value: -1",
            "reservation_value",
            "greater than or equal to 0",
        ),
        (
            "scale: {min: 5, max: 5}\n  weights: {a: 1}\n  values: {a: {x: 5, y: 5}}\n  reservation_value: 5",
            "scale",
            "must be greater than min",
        ),
        (
            "utility: sum\n  weights: {a: 1}\n  values: {a: {x: 1, y: 0}}\n  reservation_value: 0",
            "weights",
            "the points are the weights",
        ),
        (
            "utility: sum\n  values: {a: {x: 1, y: 0}, n: {linear: up}}\n  reservation_value: 0",
            "values.n",
            "give every issue a table of points",
        ),
        (
            "utility: sum\n  scale: {min: 0, max: 100}\n  values: {a: {x: 30, y: 0}}\n  reservation_value: 0",
            "scale",
            "the range of totals, 0..30",
        ),
        (
            "utility: sum\n  values: {a: {x: 30, y: 0}}\n  reservation_value: 55",
            "reservation_value",
            "within the range of totals 0..30",
        ),
        (
            "utility: product\n  weights: {a: 1}\n  values: {a: {x: 1, y: 0}}\n  reservation_value: 0",
            "utility",
            "'weighted_average' or 'sum'",
        ),
    ],
)
def test_figures_off_the_scale_are_located(private: str, field: str, phrase: str) -> None:
    profile = textwrap.indent(private.replace("\n  ", "\n"), " " * 6)
    text = (
        "id: g\ntitle: t\nissues:\n  - {id: a, kind: categorical, options: [x, y]}\n"
        "  - {id: n, kind: numeric, minimum: 0, maximum: 2, step: 1}\nparties:\n"
        f"  - id: A\n    name: A\n    core_business: x\n    private:\n{profile}\n"
        "  - id: B\n    name: B\n    core_business: x\n"
        "    private: {weights: {a: 1}, values: {a: {x: 0, y: 1}}, reservation_value: 0}\n"
    )
    found = problems(text)
    target = f"parties[0].private.{field}"
    hits = [p for p in found if f" {target}:" in p]
    assert hits, found
    assert phrase in hits[0], hits[0]
    line = int(hits[0].split(":")[1])
    assert field.split(".")[-1].split("[")[0] in text.splitlines()[line - 1], (line, hits[0])


def test_short_tables_and_the_long_form_are_the_same() -> None:
    short = PrivateProfile.model_validate(
        {"weights": {"a": 1}, "values": {"a": {"x": 1, "y": 0}}, "reservation_value": 0}
    )
    long = PrivateProfile.model_validate(
        {"weights": {"a": 1}, "values": {"a": {"kind": "table", "table": {"x": 1, "y": 0}}}, "reservation_value": 0}
    )
    assert short == long
    assert PrivateProfile.model_validate(
        {"weights": {"n": 1}, "values": {"n": {"linear": "up"}}, "reservation_value": 0}
    ).values["n"] == LinearValue(linear="up")
