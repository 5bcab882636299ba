"""The LLM harness in a league: decision sources, LLM agreements, tokens, seconds and screen hits per LLM type,
read from the runs' audit trails. Each model behaviour comes from a scripted OpenAI-compatible server
(`tests.llm.endpoint`), so every figure below is known in advance, not hoped for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.league.llm import seat_facts
from pactlab.app.league.reading import read_league
from pactlab.domain.catalog import load_scenario
from tests.league.scripted import run_scripted_league

LEAGUE = """\
name: llm-harness-test
description: scripted models in every seat
negotiators:
  - {name: good, spec: "llm(advisor=choose, model=good)"}
  - {name: flaky, spec: "llm(advisor=choose, model=flaky)"}
  - {name: broken, spec: "llm(advisor=choose, model=broken, fallback=pareto)"}
  - {name: leaky, spec: "llm(advisor=choose, model=leaky)"}
scenarios: [boost_converter]
seeds: [3]
"""


@pytest.fixture(scope="module")
def league_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, output = run_scripted_league(tmp_path_factory, "llm-league", LEAGUE)
    assert "| type | runs | decisions |" in output  # the LLM table is printed with the ranking
    return folder


def _rows(folder: Path) -> dict[str, dict[str, object]]:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return {row["name"]: row for row in summary["llm"]}


def _estimate(row: dict[str, object], key: str) -> float | None:
    metrics = row["metrics"]
    assert isinstance(metrics, dict)
    value = metrics[key]["estimate"]
    return None if value is None else float(value)


def test_decision_sources_are_read_per_type_from_the_audit_trail(league_folder: Path) -> None:
    rows = _rows(league_folder)
    assert set(rows) == {"good", "flaky", "broken", "leaky"}
    assert all(row["runs"] == 6 for row in rows.values())  # 4 types, two-party: each type meets 3 others twice
    for name in ("good", "leaky"):
        assert (_estimate(rows[name], "own"), _estimate(rows[name], "repaired")) == (1.0, 0.0)
        assert _estimate(rows[name], "fallback") == 0.0
    assert (_estimate(rows["flaky"], "own"), _estimate(rows["flaky"], "repaired")) == (0.0, 1.0)
    assert (_estimate(rows["broken"], "own"), _estimate(rows["broken"], "fallback")) == (0.0, 1.0)
    assert rows["good"]["models"] == ["good"] and rows["broken"]["models"] == ["broken"]


def test_an_agreement_the_fallback_closed_is_not_an_llm_agreement(league_folder: Path) -> None:
    rows = _rows(league_folder)
    assert _estimate(rows["broken"], "llm_agreement") == 0.0
    closed = _estimate(rows["broken"], "model_closed")
    assert closed in (None, 0.0)  # None: it made no agreement at all
    for name in ("good", "flaky", "leaky"):  # every decision was the model's: each agreement is an LLM agreement
        assert _estimate(rows[name], "llm_agreement") == _estimate(rows[name], "agreement")
    assert (_estimate(rows["good"], "agreement") or 0.0) > 0  # the scripted model accepts on the advisor's word
    assert _estimate(rows["good"], "model_closed") == 1.0


def test_tokens_seconds_and_screen_hits(league_folder: Path) -> None:
    rows = _rows(league_folder)
    _, runs = read_league(league_folder)
    for run in runs:
        assert run.llm is not None
        for party, kind in run.seats:
            seat = run.llm[party]
            per_request = 120  # the scripted server reports 100 prompt + 20 completion tokens per request
            requests = {"flaky": 2, "broken": 3}.get(kind, 1)  # flaky: one repair; broken: max_repairs (2) too
            # a two-step turn makes two calls for a counter (decision, then terms), one for an accept
            assert seat.tokens == per_request * requests * seat.calls
            assert seat.decisions <= seat.calls <= 2 * seat.decisions
            assert seat.seconds >= 0
            if kind in ("good", "flaky"):  # the model's own words quote no private figure
                assert seat.screen_hits == 0
            elif kind == "leaky":  # it quotes its walk-away point in every message: the screen removes it
                assert seat.screen_hits > 0
    good = rows["good"]
    tokens_per_agreement = _estimate(good, "tokens_per_agreement")
    agreements = round((_estimate(good, "agreement") or 0) * 6)
    total = sum(run.llm[p].tokens for run in runs if run.llm for p, k in run.seats if k == "good")
    assert tokens_per_agreement == pytest.approx(total / agreements)
    assert (_estimate(rows["leaky"], "screen_hits") or 0) > 0 and _estimate(good, "screen_hits") == 0.0


def test_the_report_names_the_endpoint_and_shows_the_llm_table(league_folder: Path) -> None:
    markdown = (league_folder / "report.md").read_text(encoding="utf-8")
    assert "## LLM seats" in markdown and "Endpoint: env: model good at 127.0.0.1:" in markdown
    assert "LLM agreement" in markdown and "model closed" in markdown
    html = (league_folder / "report.html").read_text(encoding="utf-8")
    assert "<h2>LLM seats</h2>" in html and "tokens/agreement" in html


def test_seat_facts_take_the_last_decision_as_the_deciding_move() -> None:
    class Record:
        def __init__(self, kind: str, data: dict[str, object]) -> None:
            self.kind, self.actor, self.data = kind, str(data["party"]), data

    call = {"repairs": 0, "prompt_tokens": 10, "completion_tokens": 5, "latency_s": 0.5, "model_requested": "m"}
    records = [
        Record("llm_call", {"party": "a", "turn": 0, "action": {"kind": "propose"}, "call": call}),
        Record("llm_call", {"party": "a", "turn": 2, "action": None, "call": {**call, "repairs": 2}}),
        Record("llm_fallback", {"party": "a", "turn": 2, "why": "x"}),
        Record("llm_call", {"party": "b", "turn": 1, "action": {"kind": "accept"}, "call": {**call, "repairs": 1}}),
        Record("screen", {"party": "b", "turn": 1, "hits": [{"field": "message"}, {"field": "reason"}]}),
    ]
    facts = seat_facts(records)
    assert (facts["a"].own, facts["a"].repaired, facts["a"].fallback, facts["a"].last) == (1, 0, 1, "fallback")
    assert (facts["b"].repaired, facts["b"].last, facts["b"].screen_hits) == (1, "repaired", 2)
    assert facts["a"].tokens == 30 and facts["a"].seconds == 1.0 and facts["a"].models == ("m",)


def test_shipped_llm_league_plans_llm_types_on_two_party_scenarios() -> None:
    from pactlab.app.league.plan import load_league

    loaded = load_league(Path(__file__).resolve().parents[2] / "leagues" / "llm.yaml")
    specs = [t.spec for t in loaded.league.negotiators]
    assert any(s.startswith("llm(") for s in specs) and any(not s.startswith("llm") for s in specs)
    assert all(len(load_scenario(s.scenario.id)[0].parties) == 2 for s in loaded.scenarios)
