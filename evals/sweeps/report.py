"""Write a sweep's report files: report.html (with plotly.min.js beside it), runs.csv and summary.json.

The report's charts are interactive (`evals.charts`, Plotly): plotly.min.js is copied from the
plotly package into the report folder, so the page works offline and from ``file://``. Each
chart's static PNG (matplotlib) is embedded under it as well.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from markupsafe import Markup

from evals.charts import chart_div, sweep_figure, write_plotly_js
from evals.sweeps.aggregate import SweepSummary, summarise, to_json
from evals.sweeps.export import write_csv
from evals.sweeps.frontiers import SweepFrontiers, sweep_frontiers
from evals.sweeps.html import render
from evals.sweeps.labels import factor_label
from evals.sweeps.plots import agreement_points, utility_scatter
from evals.sweeps.runs import SweepInfo, SweepRun
from pactlab.domain.scenario import Scenario

HTML = "report.html"
CSV = "runs.csv"
SUMMARY = "summary.json"


def write_report(
    info: SweepInfo,
    runs: Sequence[SweepRun],
    folder: Path,
    scenarios: Mapping[str, Scenario] | None = None,
    *,
    missing: str = "",
) -> tuple[SweepSummary, list[Path]]:
    """Summarise the runs and write the HTML report, the CSV of every run and the summary JSON.

    `scenarios` (variant hash -> the variant's scenario) lets the charts draw the Pareto frontier;
    without them the report says why none is drawn (`missing`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarise(info, runs)
    done = [r for r in runs if r.done]
    names = info.names

    def label(path: str) -> str:
        return factor_label(path, names)

    frontiers = sweep_frontiers(scenarios or {}, runs, label, missing)
    plots: dict[str, bytes] = {}
    charts: dict[str, Markup] = {}
    written: list[Path] = []
    if len(summary.parties) >= 2:
        for n, (factor, groups) in enumerate(summary.factors.items()):
            levels = [g.label for g in groups]
            plots[factor] = utility_scatter(
                done, factor, summary.parties, levels, names=names, frontiers=frontiers, factor_name=label(factor)
            )
            charts[factor] = _chart(n, factor, done, summary.parties, levels, names, frontiers, label(factor))
        written.append(write_plotly_js(folder))
    csv_path = write_csv(runs, info.factors, folder / CSV)
    html_path = folder / HTML
    html_path.write_text(
        render(summary, runs, plots, csv_name=CSV, charts=charts, frontier_note=frontiers.note), encoding="utf-8"
    )
    json_path = folder / SUMMARY
    json_path.write_text(json.dumps(to_json(summary), indent=2) + "\n", encoding="utf-8")
    return summary, [html_path, csv_path, json_path, *written]


def _chart(
    n: int,
    factor: str,
    done: Sequence[SweepRun],
    parties: Sequence[str],
    levels: Sequence[str],
    names: Mapping[str, str],
    frontiers: SweepFrontiers,
    factor_name: str,
) -> Markup:
    points, no_deal = agreement_points(done, factor, parties, levels)
    agreed = sum(len(p) for p in points.values())
    title = f"Agreements by {factor_name}"
    note = f"{agreed} agreements, {no_deal} runs without one; {frontiers.note}"
    figure = sweep_figure(names, parties, points, [(f.label, f.points) for f in frontiers.frontiers], title, note)
    return chart_div(figure, f"chart-{n}", f"agreements in utility space by {factor_name}")


__all__ = ["CSV", "HTML", "SUMMARY", "write_report"]
