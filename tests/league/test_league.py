"""Leagues: seat assignments, the size check, a small league run end to end, the shipped league's plan."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import pytest

from evals.league.report import write_report
from pactlab.app.league.plan import MAX_RUNS, assignment_count, load_league, planned_runs, seat_assignments
from pactlab.app.league.reading import read_league
from pactlab.app.sweeps.pool import LocalBackend
from pactlab.app.sweeps.sweeper import run_sweep
from pactlab.domain.loader import FileError

ROOT = Path(__file__).resolve().parents[2]
SMALL_ARENA = ROOT / "scenarios" / "examples" / "riverside_arena.yaml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "league.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("parties", "types", "self_play"), list(itertools.product([2, 3, 4, 5], [2, 3, 4], [False, True]))
)
def test_every_type_sits_in_every_seat_against_every_other_type(parties: int, types: int, self_play: bool) -> None:
    names = [f"t{k}" for k in range(types)]
    found = seat_assignments(parties, names, self_play)
    assert len(found) == len(set(found)) == assignment_count(parties, types, self_play)
    for seat in range(parties):
        for focal, opponent in itertools.permutations(names, 2):
            assert any(a[seat] == focal and set(a[:seat] + a[seat + 1 :]) == {opponent} for a in found)
    for assignment in found:
        assert len(set(assignment)) <= 2
        if len(set(assignment)) == 2 and parties > 2:  # one focal seat, the opponent type everywhere else
            assert min(assignment.count(t) for t in set(assignment)) == 1
    assert sum(len(set(a)) == 1 for a in found) == (types if self_play else 0)


SMALL = f"""\
name: small-league
description: <b>escaped</b>
negotiators:
  - boulware
  - conceder
  - {{name: "<i>pareto</i>", spec: pareto}}
scenarios:
  - {SMALL_ARENA}
  - {{scenario: platform_material, fixed: {{protocol.max_rounds: 6}}}}
seeds: [0, 1]
fixed:
  policies: none
"""


def test_a_small_league_runs_to_a_report_with_bounded_intervals(tmp_path: Path) -> None:
    loaded = load_league(_write(tmp_path, SMALL))
    assert len(loaded.sweep.runs) == planned_runs(loaded.league, [4, 2]) == (3 * 2 * 4 + 3 * 2) * 2
    out = tmp_path / "out"
    outcome = run_sweep(loaded.sweep, out, LocalBackend(1))
    assert outcome.done == outcome.total == len(loaded.sweep.runs)
    assert run_sweep(loaded.sweep, out, LocalBackend(1)).ran == 0  # resumed: nothing left to run

    info, runs = read_league(out)
    summary, paths = write_report(info, runs, out)
    assert summary.covered
    for scenario, seats in summary.coverage.items():
        assert set(seats) == {p.id for s in loaded.scenarios if s.label == scenario for p in s.scenario.parties}
        for types in seats.values():  # every type sat in every seat
            assert set(types) == set(info.types)
    keys = {m.key for m in summary.metrics}
    assert {"agreement", "utility", "surplus", "nash_ratio", "pareto_distance", "rounds"} <= keys
    for row in summary.rows:
        assert row.runs > 0
        for key, interval in row.metrics.items():
            if interval.empty:  # only a type with an opponent model has that metric
                assert key == "opponent_model", (row.name, key)
                continue
            low, high = summary.ranges[key]
            assert low <= interval.low <= interval.estimate <= interval.high <= high, (row.name, key, interval)
    assert summary.ranges["rounds"] == (0.0, 30.0)  # the arena's limit; platform_material's is 6 here
    assert [r.rank for r in summary.rows] == [1, 2, 3]
    estimates = [r.metrics["utility"].estimate for r in summary.rows]
    assert estimates == sorted(estimates, reverse=True)
    assert len(summary.comparisons) == 3
    assert all(0.0 <= c.p_value <= c.p_adjusted <= 1.0 for c in summary.comparisons)

    html = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;i&gt;pareto&lt;/i&gt;" in html and "<i>pareto</i>" not in html
    assert "&lt;b&gt;escaped&lt;/b&gt;" in html
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert data["covered"] is True and len(data["rows"]) == 3
    assert "| 1 |" in (out / "report.md").read_text(encoding="utf-8")
    assert {p.name for p in paths} == {"report.html", "report.md", "summary.json"}


def test_the_shipped_league_plans_every_type_in_every_seat() -> None:
    loaded = load_league(ROOT / "leagues" / "standard.yaml")
    league = loaded.league
    assert len(league.negotiators) >= 4 and len(loaded.scenarios) == 3 and len(league.seed_list) == 5
    parties = [len(s.scenario.parties) for s in loaded.scenarios]
    assert len(loaded.sweep.runs) == planned_runs(league, parties)
    types = len(league.negotiators)
    expected = sum(types * (types - 1) * (1 if n == 2 else n) for n in parties) * 5
    assert len(loaded.sweep.runs) == expected == 360
    for entry in loaded.scenarios:
        variants = [v for v in loaded.sweep.variants if v.params["scenario"] == entry.label]
        for seat, party in enumerate(entry.scenario.party_ids):
            assert {v.params["seats"][seat][1] for v in variants} == set(league.type_names), party
    assert len({run.run_id for run in loaded.sweep.runs}) == len(loaded.sweep.runs)


def test_league_file_errors_name_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: bad
        negotiators:
          - boulware
          - oracle(e=2)
        scenarios: [platform_material]
        fixed:
          negotiators.platform: pareto
          protocol.max_roundz: 5
        """,
    )
    with pytest.raises(FileError) as caught:
        load_league(path)
    text = str(caught.value)
    assert "league.yaml:4:" in text and "unknown strategy 'oracle'" in text
    assert "league.yaml:7:" in text and "the league seats the negotiators" in text
    assert "league.yaml:8:" in text and "max_roundz" in text


def test_a_league_too_large_is_refused_before_expanding(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """\
        name: huge
        negotiators: [boulware, conceder, linear, pareto, tit_for_tat]
        scenarios: [ecosystem, platform_material]
        seeds: {count: 100000}
        """,
    )
    with pytest.raises(FileError, match=f"more than {MAX_RUNS:,}"):
        load_league(path)


def test_a_repeated_type_or_scenario_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: twice\nnegotiators: [boulware, boulware]\nscenarios: [platform_material]\n")
    with pytest.raises(FileError, match="listed twice"):
        load_league(path)
    path = _write(tmp_path, "name: twice\nnegotiators: [boulware, pareto]\nscenarios: [ecosystem, ecosystem]\n")
    with pytest.raises(FileError, match="listed twice"):
        load_league(path)


def test_the_league_command_runs_a_league_to_its_report(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pactlab.app.cli import app

    path = _write(tmp_path, f"name: tiny\nnegotiators: [boulware, pareto]\nscenarios: ['{SMALL_ARENA}']\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["league", str(path), "--out", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert "8 runs" in result.output and "| 1 |" in result.output
    assert (out / "report.html").is_file() and (out / "summary.json").is_file()
    dry = CliRunner().invoke(app, ["league", "standard", "--dry-run"])
    assert dry.exit_code == 0 and "360 runs" in dry.output
