"""A small strategy sweep runs to completion; store, report and transcripts agree."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.audit import read_records, verify
from evals.sweeps.aggregate import summarise, to_json
from evals.sweeps.runs import SweepRun
from evals.sweeps.violations import tally
from evals.transcript import read_transcript, rescore
from pactlab.app.cli import app, exit_codes
from pactlab.app.sweeps import RUNS, Store, load_sweep, run_sweep
from pactlab.app.sweeps.model import Budget
from pactlab.app.sweeps.pool import LocalBackend
from pactlab.app.sweeps.reading import read_sweep
from tests.sweeps.conftest import SMALL_SWEEP, WriteSweep


@pytest.fixture
def swept(tmp_path: Path) -> tuple[Path, Path]:
    """The small sweep run through the CLI, with its report: (sweep file, output folder)."""
    folder = tmp_path
    sweep = folder / "small_sweep.yaml"
    sweep.write_text(SMALL_SWEEP, encoding="utf-8")
    out = folder / "out"
    result = CliRunner().invoke(app, ["explore", str(sweep), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "12/12 done, 0 failed" in result.output
    report = CliRunner().invoke(app, ["report", str(out)])
    assert report.exit_code == 0, report.output
    return sweep, out


def test_small_sweep_runs_to_completion(swept: tuple[Path, Path]) -> None:
    """One test, so that the sweep runs once however the tests are spread over workers."""
    every_run_has_its_transcript_and_scorecard(*swept)
    report_and_csv_hold_every_run(*swept)
    figures_match_those_recomputed_from_the_transcripts(*swept)
    intervals_lie_in_range_and_small_samples_are_flagged(*swept)


def intervals_lie_in_range_and_small_samples_are_flagged(sweep: Path, out: Path) -> None:
    """Every interval of the report lies inside its measure's range; a 3-seed sweep's are flagged small."""
    info, runs = read_sweep(out)
    summary = summarise(info, runs)
    groups = [summary.overall, *(g for gs in summary.factors.values() for g in gs), *summary.variants]
    cards = [r.scorecard for r in runs if r.scorecard is not None]
    reach = max(len(c.parties) for c in cards) ** 0.5
    for g in groups:
        ranges = [(g.agreement, 0.0, 1.0), (g.nash_ratio, 0.0, 1.0), (g.pareto_distance, 0.0, reach)]
        ranges.append((g.violations, 0.0, float("inf")))
        for party, interval in g.surplus.items():
            res = [p.reservation_value for c in cards for p in c.parties if p.party == party]
            ranges.append((interval, -max(res), 1.0 - min(res)))
        for interval, low, high in ranges:
            assert low - 1e-12 <= interval.low <= interval.estimate <= interval.high <= high + 1e-12, (
                g.label,
                interval,
            )
            assert interval.method
    # 3 seeds per variant: every variant's interval is flagged as resting on a small sample ...
    assert all(v.agreement.small and v.nash_ratio.small for v in summary.variants)
    assert not summary.overall.agreement.small  # ... the 12 runs overall are not
    html = (out / "report.html").read_text()
    assert "Wilson score (statsmodels)" in html and "Student t (scipy)" in html
    assert "rest on fewer than 10 runs" in html
    assert "By policy set" in html  # factors by display name, the raw path in small print


def every_run_has_its_transcript_and_scorecard(sweep: Path, out: Path) -> None:
    with Store(out / "sweep.sqlite") as store:
        runs = list(store.runs())
    assert len(runs) == 12 and {r.status for r in runs} == {"done"} and {r.attempts for r in runs} == {1}
    assert [r.run_id for r in runs] == [r.run_id for r in load_sweep(sweep).runs]
    for run in runs:
        folder = out / RUNS / run.run_id
        assert verify(folder / "transcript.jsonl").ok
        assert json.loads((folder / "scorecard.json").read_text()) == run.scorecard
        assert run.scorecard is not None and run.scorecard["negotiation_id"] == run.run_id


def report_and_csv_hold_every_run(sweep: Path, out: Path) -> None:
    html = (out / "report.html").read_text()
    assert 'data-runs="12" data-done="12"' in html
    assert html.count("data:image/png;base64,") == 2  # one utility-space plot per factor
    assert "Most robust term sheets" in html and "Wilson score interval" in html
    with (out / "runs.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert {"factor.policies", "factor.negotiators.platform", "nash_ratio", "parties.platform.surplus"} <= set(rows[0])
    summary = json.loads((out / "summary.json").read_text())
    assert summary["overall"]["runs"] == 12 and len(summary["variants"]) == 4
    assert [g["label"] for g in summary["factors"]["policies"]] == ["minimal", "fair-and-open"]


def figures_match_those_recomputed_from_the_transcripts(sweep: Path, out: Path) -> None:
    info, stored = read_sweep(out)
    planned = {r.run_id: r for r in load_sweep(sweep).runs}
    recomputed = []
    for run_id, plan in planned.items():
        transcript = out / RUNS / run_id / "transcript.jsonl"
        recomputed.append(
            SweepRun(
                run_id=run_id,
                variant=plan.variant.sha256,
                params=plan.variant.params,
                seed=plan.seed,
                status="done",
                scorecard=rescore(read_transcript(transcript)),
                violations=tally(read_records(transcript)),
            )
        )
    from_store, from_transcripts = to_json(summarise(info, stored)), to_json(summarise(info, recomputed))
    assert from_store == from_transcripts
    assert from_store["overall"]["runs"] == 12
    # ... and the report shows the store's figures.
    html = (out / "report.html").read_text()
    agreement = from_store["overall"]["agreement"]["estimate"]
    assert f"{100 * agreement:.0f}%<br><span" in html


def test_budget_stops_and_a_restart_finishes_without_rerunning(write_sweep: WriteSweep, tmp_path: Path) -> None:
    loaded = load_sweep(write_sweep(SMALL_SWEEP))
    out = tmp_path / "budget"
    first = run_sweep(loaded, out, LocalBackend(2), budget=Budget(max_runs=5))
    assert (first.ran, first.done, first.stopped) == (5, 5, "max runs (5) reached")
    with Store(out / "sweep.sqlite") as store:
        finished = {r.run_id: r.finished_at for r in store.runs() if r.status == "done"}
    second = run_sweep(loaded, out, LocalBackend(1))
    assert (second.ran, second.done, second.stopped) == (7, 12, None)
    with Store(out / "sweep.sqlite") as store:
        after = {r.run_id: r for r in store.runs()}
    assert all(after[i].finished_at == at and after[i].attempts == 1 for i, at in finished.items())


def test_report_of_a_folder_without_a_sweep(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == exit_codes.NOT_FOUND and "no sweep store" in result.output
