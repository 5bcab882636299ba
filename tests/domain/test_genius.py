"""GENIUS/ANAC domains: read as scenarios with GENIUS's utilities, written back, refused when hostile or wrong."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from benchmarks.genius_import import same_utilities
from pactlab.domain.catalog import load_scenario
from pactlab.domain.genius import GeniusError, genius_files, genius_id, read_genius
from pactlab.domain.issues import value_key
from pactlab.domain.loader import parse_model
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.tolerance import UTILITY_TOLERANCE

GENIUS = Path(__file__).parent.parent / "fixtures" / "genius"
PARTY = (GENIUS / "party" / "party_domain.xml", [GENIUS / "party" / f"party{n}_utility.xml" for n in (1, 2, 3)])
SUPPLY = (GENIUS / "supply" / "supply-domain.xml", [GENIUS / "supply" / "buyer.xml", GENIUS / "supply" / "seller.xml"])


def genius_utility(profile: Path, outcome: dict[str, str | float]) -> float:
    """GENIUS's utility of `outcome` (issue name -> value), computed straight from the profile's XML.

    An independent reading of GENIUS's additive utility space (`AdditiveUtilitySpace`,
    `EvaluatorDiscrete|Integer|Real`), to check the import against.
    """
    objective = ET.parse(profile).getroot().find("objective")
    assert objective is not None
    weights = {w.get("index"): float(w.get("value", "0")) for w in objective.findall("weight")}
    total = 0.0
    for issue in objective.findall("issue"):
        value = outcome[issue.get("name", "")]
        kind = issue.get("type")
        if kind == "discrete":
            evals = {i.get("value"): float(i.get("evaluation", "0")) for i in issue.findall("item")}
            e = evals[str(value)] / max(evals.values())
        else:
            ev = issue.find("evaluator")
            assert ev is not None
            x = float(value)
            if kind == "integer":
                slope = float(ev.get("slope", ev.get("parameter1", "0")))
                offset = float(ev.get("offset", ev.get("parameter0", "0")))
                bounds = issue.find("range") if "lowerbound" not in issue.attrib else issue
                assert bounds is not None
                e = min(1.0, max(0.0, offset + slope * (x - float(bounds.get("lowerbound", "")))))
            elif ev.get("ftype") == "linear":
                e = min(1.0, max(0.0, float(ev.get("parameter1", "0")) * x + float(ev.get("parameter0", "0"))))
            else:  # triangular: start, end, top
                lo, hi, top = (float(ev.get(f"parameter{k}", "0")) for k in range(3))
                e = 0.0 if x < lo or x >= hi else (x - lo) / (top - lo) if x < top else 1 - (x - top) / (hi - top)
        total += weights[issue.get("index")] * e
    return min(total, 1.0)


def utilities(scenario: Scenario) -> dict[str, np.ndarray]:
    space = OutcomeSpace(scenario.issues)
    return {p.id: UtilityFunction(space, p.private).over_space() for p in scenario.parties}


def test_party_domain_reads_as_a_three_party_scenario_with_names_kept() -> None:
    result = read_genius(*PARTY)
    scenario = result.scenario
    assert scenario.party_ids == ["party1_utility", "party2_utility", "party3_utility"]
    assert scenario.issue_ids == ["Food", "Drinks", "Location", "Music", "Clean_up"]
    clean_up = scenario.issues[4]
    assert clean_up.name == "Clean-up"
    location = scenario.issues[2]
    assert location.values() == ["Garden Tent", "Café Room", "Someone's Flat"]
    assert [p.private.reservation_value for p in scenario.parties] == [0.0, 0.25, 0.2]
    assert result.notes == [
        "party2_utility.xml: discount factor 0.9 ignored; pactlab does not discount utilities over time"
    ]
    # what the CLI writes is what the loader reads
    assert parse_model(result.yaml(), Scenario).model_dump() == scenario.model_dump()


@pytest.mark.parametrize("files", [PARTY, SUPPLY], ids=["party", "supply"])
def test_every_outcome_has_geniuss_utility(files: tuple[Path, list[Path]]) -> None:
    domain, profiles = files
    scenario = read_genius(domain, profiles, real_steps=5).scenario
    space = OutcomeSpace(scenario.issues)
    names = {i.id: i.name for i in scenario.issues}
    by_party = utilities(scenario)
    for index in range(space.cardinality):
        sheet = space.term_sheet(index)
        outcome = {names[k]: v if isinstance(v, str) else float(v) for k, v in sheet.terms.items()}
        for party, profile in zip(scenario.parties, profiles, strict=True):
            assert by_party[party.id][index] == pytest.approx(genius_utility(profile, outcome), abs=1e-12)


def test_hand_computed_utilities() -> None:
    scenario = read_genius(*SUPPLY, real_steps=5).scenario
    space = OutcomeSpace(scenario.issues)
    buyer, seller = (UtilityFunction(space, p.private) for p in scenario.parties)
    sheet = space.validate(
        {"Unit_price": 10, "Delivery_days": 1, "Warranty": "2 years", "Share_of_recycled_material": 0.5}
    )
    # buyer: 0.4 * 1 + 0.2 * min(1, 1.1) + 0.25 * 4/4 + 0.15 * (0.2 + 1.6 * 0.5)
    assert buyer(sheet) == pytest.approx(1.0)
    # seller: 0.5 * 0.3 + 0.1 * 0 + 0.3 * 1/5 + 0.1 * 0 (the triangle ends at 0.5)
    assert seller(sheet) == pytest.approx(0.21)
    sheet = space.validate(
        {"Unit_price": 19, "Delivery_days": 4, "Warranty": "none", "Share_of_recycled_material": 0.2}
    )
    # seller: price clamps at 1 (0.3 + 0.08 * 9 = 1.02); days 3/6; warranty 5/5; triangle top
    assert seller(sheet) == pytest.approx(0.5 + 0.1 * 0.5 + 0.3 + 0.1)


@pytest.mark.parametrize("files", [PARTY, SUPPLY], ids=["party", "supply"])
def test_round_trip_gives_identical_utilities(files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    first = read_genius(*files).scenario
    exported = genius_files(first)
    exported.write(tmp_path)
    second = read_genius(tmp_path / exported.domain_file, [tmp_path / n for n in exported.profiles]).scenario
    assert second.party_ids == first.party_ids
    assert [i.name for i in second.issues] == [i.name for i in first.issues]
    a, b = OutcomeSpace(first.issues), OutcomeSpace(second.issues)
    assert a.cardinality == b.cardinality
    for index in range(0, a.cardinality, max(1, a.cardinality // 50)):
        left, right = a.term_sheet(index).terms.values(), b.term_sheet(index).terms.values()
        assert [value_key(v) for v in left] == [value_key(v) for v in right]
    for party, u in utilities(first).items():
        np.testing.assert_allclose(utilities(second)[party], u, rtol=0, atol=UTILITY_TOLERANCE)
    assert same_utilities(first, second)
    # and a second round changes nothing more: the files are a fixed point
    again = genius_files(second)
    assert again.files() == exported.files()


def test_a_pactlab_scenario_exports_with_identical_utilities(tmp_path: Path) -> None:
    scenario, _ = load_scenario("platform_material")
    exported = genius_files(scenario)
    assert any("hard constraint" in note for note in exported.notes)
    exported.write(tmp_path)
    back = read_genius(tmp_path / exported.domain_file, [tmp_path / n for n in exported.profiles]).scenario
    assert back.party_ids == scenario.party_ids
    for party, u in utilities(scenario).items():
        np.testing.assert_allclose(utilities(back)[party], u, rtol=0, atol=UTILITY_TOLERANCE)


def test_integer_issues_stay_integer_with_geniuss_evaluators(tmp_path: Path) -> None:
    exported = genius_files(read_genius(*SUPPLY).scenario)
    domain = ET.fromstring(exported.domain)
    kinds = [i.get("type") for i in domain.iter("issue")]
    assert kinds == ["integer", "integer", "discrete", "discrete"]
    seller = ET.fromstring(exported.profiles["seller.xml"])
    evaluator = seller.find("objective/issue/evaluator")
    assert evaluator is not None
    assert (float(evaluator.get("slope", "")), float(evaluator.get("offset", ""))) == pytest.approx((0.08, 0.3))


def _profile(tmp_path: Path, name: str, weights: tuple[float, float], reservation: float = 0.2) -> Path:
    path = tmp_path / name
    path.write_text(
        f"""<utility_space><objective index="0" name="root">
<issue index="1" name="Colour" type="discrete">
<item value="red" evaluation="2"/><item value="blue" evaluation="1"/></issue>
<issue index="2" name="Size" type="discrete"><item value="S" evaluation="1"/><item value="L" evaluation="3"/></issue>
<weight index="1" value="{weights[0]}"/><weight index="2" value="{weights[1]}"/>
</objective><reservation value="{reservation}"/></utility_space>"""
    )
    return path


def _domain(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.xml"
    path.write_text(
        """<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="Colour" type="discrete"><item value="red"/><item value="blue"/></issue>
<issue index="2" name="Size" type="discrete"><item value="S"/><item value="L"/></issue>
</objective></utility_space></negotiation_template>"""
    )
    return path


def test_weights_below_one_are_folded_exactly_and_above_one_normalised(tmp_path: Path) -> None:
    low = _profile(tmp_path, "low.xml", (0.3, 0.5))
    high = _profile(tmp_path, "high.xml", (0.75, 0.5), reservation=0.5)
    result = read_genius(_domain(tmp_path), [low, high])
    space = OutcomeSpace(result.scenario.issues)
    u_low, u_high = (UtilityFunction(space, p.private) for p in result.scenario.parties)
    red_large = space.validate({"Colour": "red", "Size": "L"})
    blue_small = space.validate({"Colour": "blue", "Size": "S"})
    assert u_low(red_large) == pytest.approx(0.8)  # GENIUS: 0.3 * 1 + 0.5 * 1
    assert u_low(blue_small) == pytest.approx(0.3 * 0.5 + 0.5 / 3)
    assert u_high(red_large) == pytest.approx(1.0)  # GENIUS caps 1.25 at 1
    assert u_high.reservation_value == pytest.approx(0.5 / 1.25)
    assert any("sum to 0.8 < 1" in n for n in result.notes)
    assert any("sum to 1.25 > 1" in n for n in result.notes)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("External Monitor", "External_Monitor"),
        ("2nd venue", "_2nd_venue"),
        ("if", "if_"),
        ("Café", "Cafe"),
        ("???", "issue"),
        ("Laptop-C-prof1", "Laptop_C_prof1"),
    ],
)
def test_genius_names_map_to_ids(name: str, expected: str) -> None:
    assert genius_id(name, fallback="issue") == expected


def test_ids_stay_unique_and_party_ids_avoid_reserved_actors() -> None:
    taken: set[str] = set()
    assert [genius_id(n, taken) for n in ("a b", "a-b", "a_b")] == ["a_b", "a_b_2", "a_b_3"]
    assert genius_id("mediator", reserved={"mediator", "ladder"}) == "mediator_"


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<negotiation_template><utility_space><objective name="&lol3;"/></utility_space></negotiation_template>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<negotiation_template><utility_space><objective name="&xxe;"/></utility_space></negotiation_template>"""
MALFORMED = """<negotiation_template><utility_space><objective name="x">
<issue index="1" name="a"></objective></utility_space></negotiation_template>"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BOMB, "refused: the file declares a DTD or entities"),
        (EXTERNAL, "refused: the file declares a DTD or entities"),
        (MALFORMED, "not well-formed XML (mismatched tag"),
        ("", "not well-formed XML (no element found"),
    ],
    ids=["entity-expansion", "external-entity", "malformed", "empty"],
)
def test_hostile_or_broken_xml_is_refused_with_the_file_and_line(text: str, message: str, tmp_path: Path) -> None:
    domain = tmp_path / "domain.xml"
    domain.write_text(text)
    with pytest.raises(GeniusError) as caught:
        read_genius(domain, [domain, domain])
    assert str(caught.value).startswith(f"{domain}:")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('evaluation="2"', 'evaluation="two"'), 'evaluation="two" is not a number'),
        (('<item value="blue" evaluation="1"/>', ""), "no evaluation for item(s) 'blue'"),
        (('<weight index="2" value="0.5"/>', ""), "no <weight index=\"2\"> ('Size')"),
        (('name="Size"', 'name="Shape"'), "the domain's issue 2 is 'Size'"),
        (('value="red" evaluation', 'value="green" evaluation'), "'green' is not an item of 'Colour'"),
        (('<reservation value="0.2"/>', '<reservation value="1.5"/>'), "reservation value 1.5 is above 1"),
    ],
)
def test_profile_mistakes_name_the_line_element_and_fix(edit: tuple[str, str], message: str, tmp_path: Path) -> None:
    good = _profile(tmp_path, "good.xml", (0.5, 0.5))
    bad = tmp_path / "bad.xml"
    assert edit[0] in good.read_text()
    bad.write_text(good.read_text().replace(edit[0], edit[1], 1))
    with pytest.raises(GeniusError) as caught:
        read_genius(_domain(tmp_path), [good, bad])
    assert str(caught.value).startswith(f"{bad}:")
    assert message in str(caught.value)


def test_profile_and_domain_swapped_or_too_few_profiles(tmp_path: Path) -> None:
    profile = _profile(tmp_path, "p.xml", (0.5, 0.5))
    with pytest.raises(GeniusError, match="this is a profile"):
        read_genius(profile, [profile, profile])
    with pytest.raises(GeniusError, match="give at least two"):
        read_genius(_domain(tmp_path), [profile])


def test_files_over_the_size_bound_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pactlab.domain.genius.MAX_FILE_BYTES", 100)
    profile = _profile(tmp_path, "p.xml", (0.5, 0.5))
    with pytest.raises(GeniusError, match="more than a GENIUS file may have"):
        read_genius(_domain(tmp_path), [profile, profile])


def test_real_issues_take_the_grid_asked_for() -> None:
    result = read_genius(*SUPPLY, real_steps=4)
    share = result.scenario.issues[3]
    assert share.values() == [0.0, 0.125, 0.25, 0.375, 0.5]
    assert any("grid of 4 steps" in n for n in result.notes)
