"""Render a sweep summary as one self-contained HTML page."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping, Sequence

import jinja2
from markupsafe import Markup

from evals.sweeps.aggregate import SweepSummary
from evals.sweeps.runs import SweepRun
from evals.sweeps.stats import Estimate
from evals.sweeps.template import TEMPLATE

MAX_FAILED = 50
"""Failed runs listed at most."""


def est(e: Estimate, digits: int = 3) -> Markup:
    """``0.812 [0.701, 0.923]`` (the interval in small print); ``–`` without values."""
    if e.n == 0 or math.isnan(e.mean):
        return Markup("–")
    if e.n == 1:
        return Markup(f"{e.mean:.{digits}f}")
    return Markup(f'{e.mean:.{digits}f} <span class="ci">[{e.low:.{digits}f}, {e.high:.{digits}f}]</span>')


def pct(e: Estimate) -> Markup:
    """``83% [71–91%]`` (the interval in small print)."""
    if e.n == 0 or math.isnan(e.mean):
        return Markup("–")
    return Markup(f'{100 * e.mean:.0f}% <span class="ci">[{100 * e.low:.0f}–{100 * e.high:.0f}%]</span>')


def num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def render(
    summary: SweepSummary, runs: Sequence[SweepRun], plots: Mapping[str, bytes], csv_name: str = "runs.csv"
) -> str:
    """The report page: figures, plots (embedded PNGs), robust term sheets, failed runs."""
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
        est=est,
        pct=pct,
        num=num,
    )
