"""Write a sweep's report files: report.html, runs.csv and summary.json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from evals.sweeps.aggregate import SweepSummary, summarise, to_json
from evals.sweeps.export import write_csv
from evals.sweeps.html import render
from evals.sweeps.plots import utility_scatter
from evals.sweeps.runs import SweepInfo, SweepRun

HTML = "report.html"
CSV = "runs.csv"
SUMMARY = "summary.json"


def write_report(info: SweepInfo, runs: Sequence[SweepRun], folder: Path) -> tuple[SweepSummary, list[Path]]:
    """Summarise the runs and write the HTML report, the CSV of every run and the summary JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarise(info, runs)
    done = [r for r in runs if r.done]
    plots = {}
    if len(summary.parties) >= 2:
        for factor, groups in summary.factors.items():
            plots[factor] = utility_scatter(done, factor, summary.parties, [g.label for g in groups])
    csv_path = write_csv(runs, info.factors, folder / CSV)
    html_path = folder / HTML
    html_path.write_text(render(summary, runs, plots, csv_name=CSV), encoding="utf-8")
    json_path = folder / SUMMARY
    json_path.write_text(json.dumps(to_json(summary), indent=2) + "\n", encoding="utf-8")
    return summary, [html_path, csv_path, json_path]
