"""Render a sweep summary as one self-contained HTML page."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import jinja2
from markupsafe import Markup

from evals.charts import PLOTLY_JS_NAME, RENDER_JS
from evals.intervals import Interval, methods_note
from evals.scorecard import approximate_summary
from evals.sweeps.aggregate import SweepSummary, intervals
from evals.sweeps.labels import factor_label
from evals.sweeps.runs import SweepRun
from evals.sweeps.template import TEMPLATE

MAX_FAILED = 50
"""Failed runs listed at most."""


def _flag(e: Interval) -> str:
    """``*`` after an interval that rests on a small sample (the note below the figures says what it means)."""
    return '<abbr class="small" title="fewer runs than make a reliable interval">*</abbr>' if e.small else ""


def est(e: Interval, digits: int = 3) -> Markup:
    """``0.812`` over ``[0.701, 0.923]`` (the interval in small print, on its own line); ``–`` without values."""
    if e.empty:
        return Markup("–")
    if e.n == 1:
        return Markup(f"{e.estimate:.{digits}f}{_flag(e)}")
    return Markup(
        f'{e.estimate:.{digits}f}<br><span class="ci" title="{e.method}">'
        f"[{e.low:.{digits}f}, {e.high:.{digits}f}]{_flag(e)}</span>"
    )


def pct(e: Interval) -> Markup:
    """``83%`` over ``[71–91%]`` (the interval in small print, on its own line)."""
    if e.empty:
        return Markup("–")
    return Markup(
        f'{100 * e.estimate:.0f}%<br><span class="ci" title="{e.method}">'
        f"[{100 * e.low:.0f}–{100 * e.high:.0f}%]{_flag(e)}</span>"
    )


def num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def render(
    summary: SweepSummary,
    runs: Sequence[SweepRun],
    plots: Mapping[str, bytes],
    csv_name: str = "runs.csv",
    *,
    charts: Mapping[str, Markup] | None = None,
    frontier_note: str = "",
) -> str:
    """The report page: figures, interactive charts (`charts`, by factor) over their static PNGs, robust
    term sheets, failed runs. The charts need plotly.min.js beside the page (`evals.charts.write_plotly_js`)."""
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(TEMPLATE)
    failed = [r for r in runs if r.status == "failed"][:MAX_FAILED]
    seeds = summary.info.seeds
    shown = ", ".join(map(str, seeds)) if len(seeds) <= 8 else f"{seeds[0]}…{seeds[-1]} ({len(seeds)})"
    return template.render(
        s=summary,
        total=len(runs),
        seeds=shown,
        csv_name=csv_name,
        plots={factor: base64.b64encode(png).decode("ascii") for factor, png in plots.items()},
        failed=failed,
        charts=charts or {},
        frontier_note=frontier_note,
        render_js=Markup(RENDER_JS),
        plotly_js=PLOTLY_JS_NAME,
        approximate=approximate_summary(summary.approximate, summary.overall.runs),
        est=est,
        pct=pct,
        num=num,
        label=lambda path: factor_label(path, summary.info.names),
        name=lambda pid: summary.info.names.get(pid, pid),
        methods=methods_note(intervals(summary)),
    )
