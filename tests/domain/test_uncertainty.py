"""Declared uncertainty about another party (issue 16.6): loading, where errors point, and seeded draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pactlab.domain.catalog import load_scenario
from pactlab.domain.counterparts import draw_counterparts, uncertain_parties
from pactlab.domain.loader import FileError, load_model
from pactlab.domain.scenario import Scenario
from pactlab.domain.schema import scenario_schema
from tests.hostile.inputs import uncertain


def _scenario(tmp_path: Path, line: str) -> Scenario:
    path = tmp_path / "s.yaml"
    path.write_text(uncertain(line), encoding="utf-8")
    return load_model(path, Scenario)


def test_a_shipped_scenario_declares_uncertainty_and_others_dump_as_before() -> None:
    shipped = [load_scenario(name)[0] for name in ("boost_converter", "platform_material", "ecosystem")]
    declaring = [s for s in shipped if uncertain_parties(s)]
    assert declaring, "at least one shipped scenario shows users an uncertainty block"
    for scenario in shipped:
        dumped = scenario.model_dump(mode="json")
        for party in dumped["parties"]:
            if not uncertain_parties(scenario) or party["id"] not in uncertain_parties(scenario):
                assert "uncertainty" not in party  # the hash of a scenario without one is unchanged
        public = scenario.public_view()["parties"]
        assert isinstance(public, list) and all("uncertainty" not in p for p in public)


def test_the_schema_describes_uncertainty() -> None:
    schema = scenario_schema()
    assert {"Uncertainty", "WeightSpec", "StrategyAlternative"} <= set(schema["$defs"])
    assert "uncertainty" in schema["$defs"]["Party"]["properties"]


def test_an_error_names_the_file_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(FileError) as caught:
        _scenario(tmp_path, "values: {royalty_rate: {'3': [0, 1]}}")
    problem = caught.value.problems[0]
    text = (tmp_path / "s.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.line is not None and "royalty_rate" in text[problem.line - 1]
    assert problem.field == "parties[1].uncertainty.values.royalty_rate.3"
    assert "unknown option '3'" in problem.message and "valid: 0, 2, 4, 6, 8" in problem.message


def test_draws_are_seeded_within_their_ranges_and_play_as_scenarios(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path,
        "reservation_value: [0.4, 0.5]\n      weights: {ranges: {royalty_rate: [5, 9]}}\n"
        "      values: {foreground_ip: {joint: [0.1, 0.2]}, royalty_rate: {'2': [0.9, 1]}}\n"
        "      strategy: [{spec: boulware, probability: 0.5}, {spec: 'pareto(e=0.5)', probability: 0.5}]",
    )
    assert uncertain_parties(scenario) == ["beta"] and uncertain_parties(scenario, "beta") == []
    seen = set()
    for index in range(40):
        concrete, (draw,) = draw_counterparts(scenario, 11, seat="alpha", index=index)
        again, (same,) = draw_counterparts(scenario, 11, seat="alpha", index=index)
        assert draw == same and concrete.sha256() == again.sha256()
        assert 0.4 <= draw.reservation_value <= 0.5
        assert abs(sum(draw.weights.values()) - 1) < 1e-12
        raw = draw.weights["royalty_rate"] / draw.weights["foreground_ip"] * 2  # foreground_ip's weight is 2
        assert 5 - 1e-9 <= raw <= 9 + 1e-9
        assert 0.1 <= draw.values["foreground_ip"]["joint"] <= 0.2
        seen.add(draw.strategy)
        profile = concrete.party("beta").private
        assert profile.reservation_value == draw.reservation_value
        table = profile.values["royalty_rate"]
        assert table.table["0"] == 0.0 and table.table["8"] == 1.0  # type: ignore[union-attr]  # linear up, kept
        assert all(p.uncertainty is None for p in concrete.parties)
        assert concrete.party("alpha") == scenario.party("alpha")
        Scenario.model_validate(concrete.model_dump(mode="json"))  # a scenario a run can play
    assert seen == {"boulware", "pareto(e=0.5)"}
    assert draw_counterparts(scenario, 12, seat="alpha")[1] != draw_counterparts(scenario, 11, seat="alpha")[1]


def test_alternatives_and_dirichlet(tmp_path: Path) -> None:
    alternatives = _scenario(
        tmp_path,
        "weights: {alternatives: [{probability: 0.25, label: cash first, weights: {royalty_rate: 1}}, "
        "{probability: 0.75, weights: {foreground_ip: 1, exclusivity_months: 1}}]}",
    )
    labels = [draw_counterparts(alternatives, 3, index=n)[1][0].alternative for n in range(200)]
    assert set(labels) == {"cash first", "alternative 2"}
    assert 0.15 < labels.count("cash first") / 200 < 0.35
    (first,) = draw_counterparts(alternatives, 3, index=labels.index("cash first"))[1]
    assert first.weights["royalty_rate"] == 1.0 and first.weights["foreground_ip"] == 0.0

    around = _scenario(tmp_path, "weights: {concentration: 1000}")
    weights = np.array([list(draw_counterparts(around, 1, index=n)[1][0].weights.values()) for n in range(50)])
    nominal = np.array([2, 3, 2, 2]) / 9
    assert np.allclose(weights.mean(axis=0), nominal, atol=0.02)  # a high concentration stays close
