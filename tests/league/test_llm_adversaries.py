"""Stances and adversarial roles in the LLM harness: the report compares them with the baseline LLM type
(agreement, own and others' surplus, false claims, screen hits) and counts each seat's claims, read from
the runs' audit trails. The models are scripted (`tests.llm.endpoint`), so the figures are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pactlab.app.league.reading import read_league
from tests.league.scripted import run_scripted_league

LEAGUE = """\
name: llm-adversaries-test
description: a baseline LLM type, a greedy one that lies about its walk-away point, and a strategy
negotiators:
  - {name: baseline, spec: "llm(advisor=choose, model=good)"}
  - {name: greedy, spec: "llm(advisor=choose, model=liar, role=greedy)"}
  - pareto
scenarios: [boost_converter]
seeds: [3]
"""


@pytest.fixture(scope="module")
def league_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, output = run_scripted_league(tmp_path_factory, "llm-adversaries", LEAGUE)
    assert "| type | stance / role | baseline |" in output
    return folder


def test_claims_are_counted_per_seat_from_the_audit_trail(league_folder: Path) -> None:
    _, runs = read_league(league_folder)
    for run in runs:
        assert run.llm is not None
        for party, kind in run.seats:
            seat = run.llm.get(party)
            if kind == "greedy":  # it states a false walk-away point in every message
                assert seat is not None and seat.claims_false == seat.decisions > 0
            elif seat is not None:
                assert seat.claims_false == 0


def test_the_report_compares_each_role_with_the_baseline(league_folder: Path) -> None:
    summary = json.loads((league_folder / "summary.json").read_text(encoding="utf-8"))
    rows = {row["name"]: row for row in summary["llm"]}
    assert set(rows) == {"baseline", "greedy"}
    for key in ("claims", "false_claims", "surplus", "others_surplus"):
        assert key in rows["greedy"]["metrics"]
    versus = summary["versus"]
    assert [(v["name"], v["behaviour"], v["baseline"]) for v in versus] == [("greedy", "role=greedy", "baseline")]
    greedy, baseline = rows["greedy"]["metrics"], rows["baseline"]["metrics"]
    for key in ("agreement", "surplus", "others_surplus", "false_claims"):
        expected = greedy[key]["estimate"] - baseline[key]["estimate"]
        assert versus[0]["deltas"][key] == pytest.approx(expected)
    assert versus[0]["values"]["false_claims"] > 0 == baseline["false_claims"]["estimate"]
    markdown = (league_folder / "report.md").read_text(encoding="utf-8")
    assert "## Stances and roles against the baseline" in markdown and "others' surplus" in markdown
    html = (league_folder / "report.html").read_text(encoding="utf-8")
    assert "<h2>Stances and roles against the baseline</h2>" in html
