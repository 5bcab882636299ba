"""Interactive charts for web pages and HTML reports: Plotly figures drawn from `evals.utility_view`.

Why Plotly (plotly.py, MIT, maintained by Plotly Inc.; 7.x here)
    Its wheel ships plotly.js itself (``plotly/package_data/plotly.min.js``), so a page loads
    the library from this machine, with no CDN and no download: the web app serves that file
    (`PLOTLY_JS`) and a report folder gets a copy beside its HTML (`write_plotly_js`). Hover
    read-outs, zoom and legend toggling come with it, and the Python side builds a figure from
    validated graph objects. It is also what NegMAS already depends on. Vega-Lite via Altair was
    the other candidate: the altair wheel does not ship the vega, vega-lite and vega-embed
    scripts (its HTML loads them from a CDN unless vl-convert-python, a bundled JavaScript
    engine, inlines them), so it needs more to work offline. Static files (PNG, SVG) stay with
    matplotlib (`evals.plots`): Plotly's image export needs kaleido and a Chrome it downloads.

How a page shows a figure
    `figure_json(fig)` goes into the ``data-figure`` attribute of a ``<div class="pactlab-chart">``
    (`chart_div`); the page loads plotly.min.js and `RENDER_JS`, which draws every such div. No
    inline script runs in the web app, whose Content-Security-Policy forbids it; a report file
    inlines `RENDER_JS` itself.

What the charts show
    Two parties: utility space (party A's value across, party B's up), the outcomes (a sample
    in large spaces), the Pareto frontier, each party's offers and reservation value, the
    Nash, Kalai–Smorodinsky and utilitarian points and the deal. More parties: one column per
    party (by display name) with the frontier's range as a bar, the party's best, its
    reservation value, the bargaining points and the deal, each joined across parties
    (parallel coordinates). Values are on `scale` (1: utilities 0–1; 100: the web pages'
    "value (0–100)").
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup, escape

from evals.utility_view import UtilityView

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
"""plotly.js as shipped inside the plotly wheel: served locally, never from a CDN."""

PLOTLY_JS_NAME = "plotly.min.js"

PARTY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
LEVEL_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)

RENDER_JS = """(function () {
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("div.pactlab-chart[data-figure]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var fig = JSON.parse(el.dataset.figure);
      el.dataset.drawn = "1";
      window.Plotly.newPlot(el, fig.data, fig.layout, {responsive: true, displaylogo: false});
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
"""
"""Draws every ``div.pactlab-chart`` from its ``data-figure`` JSON (Plotly.newPlot)."""

_POINTS = {
    "nash": ("Nash bargaining solution", "diamond-open", "#000000", 14),
    "kalai_smorodinsky": ("Kalai–Smorodinsky solution", "triangle-up-open", "#8c564b", 12),
    "utilitarian": ("utilitarian solution (max welfare)", "square-open", "#e377c2", 10),
}


def utility_figure(view: UtilityView, scale: float = 1.0) -> go.Figure:
    """The run's (or scenario's) utility chart: utility space for two parties, a view per party for more."""
    if len(view.parties) == 2:
        return _two_parties(view, scale)
    return _per_party(view, scale)


def _axis_title(scale: float) -> str:
    return "value (0–100)" if scale == 100 else "utility (0–1)"


def _fmt(scale: float) -> str:
    return ".0f" if scale == 100 else ".3f"


def _layout(title: str, note: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": f"{title}<br><sup>{note}</sup>", "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "template": "plotly_white",
        "legend": {"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 11}},
        "margin": {"l": 60, "r": 20, "t": 80, "b": 40},
        "height": 560,
        **extra,
    }


def _two_parties(view: UtilityView, scale: float) -> go.Figure:
    a, b = view.parties
    fmt = _fmt(scale)
    hover = f"{a.name}: %{{x:{fmt}}}<br>{b.name}: %{{y:{fmt}}}<extra>%{{fullData.name}}</extra>"
    fig = go.Figure()
    if view.outcomes:
        xs, ys = zip(*view.outcomes, strict=True)
        shown = f"{len(view.outcomes):,} of {view.outcome_space_size:,}"
        fig.add_trace(
            go.Scatter(
                x=[v * scale for v in xs],
                y=[v * scale for v in ys],
                mode="markers",
                marker={"size": 4, "color": "#b8c4d6"},
                name=f"possible outcome ({shown})",
                hoverinfo="skip",
            )
        )
    if view.frontier:
        xs, ys = zip(*view.frontier, strict=True)
        fig.add_trace(
            go.Scatter(
                x=[v * scale for v in xs],
                y=[v * scale for v in ys],
                mode="lines+markers",
                line={"color": "#444444", "width": 1.5},
                marker={"size": 5, "color": "#444444"},
                name="Pareto frontier" + ("" if view.frontier_exact else " (sampled)"),
                hovertemplate=hover,
            )
        )
    for n, (pid, path) in enumerate(view.offers.items()):
        name = view.names().get(pid, pid)
        colour = PARTY_COLOURS[view.party_ids.index(pid) % len(PARTY_COLOURS)] if pid in view.party_ids else "#555555"
        fig.add_trace(
            go.Scatter(
                x=[p[0] * scale for p in path],
                y=[p[1] * scale for p in path],
                mode="lines+markers",
                line={"color": colour, "width": 1.5},
                marker={"size": 7, "color": colour},
                name=f"offers by {name} ({len(path)})",
                text=[f"offer {k + 1}" for k in range(len(path))],
                hovertemplate=f"%{{text}} by {name}<br>" + hover,
                legendrank=300 + n,
            )
        )
    for key, (label, symbol, colour, size) in _POINTS.items():
        x, y = getattr(a, key), getattr(b, key)
        if x is not None and y is not None:
            fig.add_trace(
                go.Scatter(
                    x=[x * scale],
                    y=[y * scale],
                    mode="markers",
                    marker={"symbol": symbol, "size": size + 4, "color": colour, "line": {"width": 2}},
                    name=label,
                    hovertemplate=hover,
                )
            )
    if a.deal is not None and b.deal is not None:
        fig.add_trace(
            go.Scatter(
                x=[a.deal * scale],
                y=[b.deal * scale],
                mode="markers",
                marker={"symbol": "star", "size": 20, "color": "#ffd700", "line": {"color": "black", "width": 1}},
                name="the deal",
                hovertemplate=hover,
            )
        )
    top = 1.03 * scale
    shapes = [
        {"type": "line", "x0": a.reservation * scale, "x1": a.reservation * scale, "y0": 0, "y1": top},
        {"type": "line", "x0": 0, "x1": top, "y0": b.reservation * scale, "y1": b.reservation * scale},
    ]
    for shape, party in zip(shapes, (a, b), strict=True):
        colour = PARTY_COLOURS[view.party_ids.index(party.party)]
        shape["line"] = {"color": colour, "dash": "dash", "width": 1.2}
    annotations = [
        {
            "x": a.reservation * scale,
            "y": top,
            "text": f"walk-away of {a.name}",
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "top",
            "font": {"size": 10},
        },
        {
            "x": top,
            "y": b.reservation * scale,
            "text": f"walk-away of {b.name}",
            "showarrow": False,
            "xanchor": "right",
            "yanchor": "bottom",
            "font": {"size": 10},
        },
    ]
    fig.update_layout(
        _layout(
            f"{view.title}: {'agreement' if view.agreement else 'no agreement'}",
            view.frontier_note,
            shapes=shapes,
            annotations=annotations,
            xaxis={"title": {"text": f"{_axis_title(scale)} to {a.name}"}, "range": [-0.03 * scale, top]},
            yaxis={"title": {"text": f"{_axis_title(scale)} to {b.name}"}, "range": [-0.03 * scale, top]},
        )
    )
    return fig


def _per_party(view: UtilityView, scale: float) -> go.Figure:
    names = [p.name for p in view.parties]
    fmt = _fmt(scale)
    fig = go.Figure()
    if all(p.frontier_low is not None and p.frontier_high is not None for p in view.parties):
        low = [(p.frontier_low or 0.0) * scale for p in view.parties]
        high = [(p.frontier_high or 0.0) * scale for p in view.parties]
        sampled = "" if view.frontier_exact else " (sampled)"
        fig.add_trace(
            go.Bar(
                x=names,
                y=[h - lo for lo, h in zip(low, high, strict=True)],
                base=low,
                width=0.5,
                marker={"color": "#d7dde8"},
                name="range on the Pareto frontier" + sampled,
                customdata=list(zip(low, high, strict=True)),
                hovertemplate=f"%{{x}}: %{{customdata[0]:{fmt}}} to %{{customdata[1]:{fmt}}}"
                "<extra>frontier range</extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=names,
                y=high,
                mode="markers",
                marker={"symbol": "triangle-down", "size": 11, "color": "#5a6b85"},
                name="each party's best",
                hovertemplate=f"%{{x}}: best %{{y:{fmt}}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=names,
            y=[p.reservation * scale for p in view.parties],
            mode="markers",
            marker={"symbol": "line-ew-open", "size": 34, "color": "#c0392b", "line": {"width": 2.5}},
            name="reservation value (walk-away)",
            hovertemplate=f"%{{x}}: walk-away %{{y:{fmt}}}<extra></extra>",
        )
    )
    for key, (label, symbol, colour, size) in _POINTS.items():
        values = [getattr(p, key) for p in view.parties]
        if all(v is not None for v in values):
            fig.add_trace(
                go.Scatter(
                    x=names,
                    y=[v * scale for v in values],
                    mode="lines+markers",
                    line={"color": colour, "width": 1, "dash": "dot"},
                    marker={"symbol": symbol, "size": size + 2, "color": colour, "line": {"width": 2}},
                    name=label,
                    hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{label}</extra>",
                    visible=True if key == "nash" else "legendonly",
                )
            )
    if view.agreement:
        fig.add_trace(
            go.Scatter(
                x=names,
                y=[(p.deal or 0.0) * scale for p in view.parties],
                mode="lines+markers",
                line={"color": "#b8860b", "width": 2},
                marker={"symbol": "star", "size": 18, "color": "#ffd700", "line": {"color": "black", "width": 1}},
                name="the deal",
                hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>the deal</extra>",
            )
        )
    fig.update_layout(
        _layout(
            f"{view.title}: {'agreement' if view.agreement else 'no agreement'}",
            view.frontier_note,
            yaxis={"title": {"text": _axis_title(scale)}, "range": [-0.03 * scale, 1.03 * scale]},
            xaxis={"title": {"text": "party"}},
        )
    )
    return fig


def sweep_figure(
    names: Mapping[str, str],
    parties: Sequence[str],
    agreements: Mapping[str, Sequence[Sequence[float]]],
    frontiers: Sequence[tuple[str, Sequence[Sequence[float]]]],
    title: str,
    note: str,
) -> go.Figure:
    """A sweep's agreements (utility vectors in `parties` order, by factor level) over the Pareto frontier(s).

    `frontiers` holds (label, points) per distinct frontier of the sweep's variants. Two parties:
    utility space with each frontier as a line. More: one column per party with the frontiers'
    combined range as a bar and the agreements as points, one colour per level.
    """
    labels = [names.get(p, p) for p in parties]
    fig = go.Figure()
    if len(parties) == 2:
        for n, (label, points) in enumerate(frontiers):
            if points:
                xs, ys = zip(*sorted((p[0], p[1]) for p in points), strict=True)
                fig.add_trace(
                    go.Scatter(
                        x=list(xs),
                        y=list(ys),
                        mode="lines",
                        line={"color": "#444444" if n == 0 else "#8a94a6", "width": 1.5, "dash": _dash(n)},
                        name=label,
                        hovertemplate=f"{labels[0]}: %{{x:.3f}}<br>{labels[1]}: %{{y:.3f}}<extra>{label}</extra>",
                    )
                )
        for k, (level, points) in enumerate(agreements.items()):
            if points:
                fig.add_trace(
                    go.Scatter(
                        x=[p[0] for p in points],
                        y=[p[1] for p in points],
                        mode="markers",
                        marker={"size": 9, "opacity": 0.8, "color": LEVEL_COLOURS[k % len(LEVEL_COLOURS)]},
                        name=f"{level} ({len(points)})",
                        hovertemplate=f"{labels[0]}: %{{x:.3f}}<br>{labels[1]}: %{{y:.3f}}<extra>{level}</extra>",
                    )
                )
        fig.update_layout(
            _layout(
                title,
                note,
                xaxis={"title": {"text": f"utility of {labels[0]}"}, "range": [-0.03, 1.03]},
                yaxis={"title": {"text": f"utility of {labels[1]}"}, "range": [-0.03, 1.03]},
            )
        )
        return fig
    ranged = [pts for _, pts in frontiers if pts]
    if ranged:
        low = [min(min(p[j] for p in pts) for pts in ranged) for j in range(len(parties))]
        high = [max(max(p[j] for p in pts) for pts in ranged) for j in range(len(parties))]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[h - lo for lo, h in zip(low, high, strict=True)],
                base=low,
                width=0.6,
                marker={"color": "#d7dde8"},
                name="range on the Pareto frontier",
                customdata=list(zip(low, high, strict=True)),
                hovertemplate="%{x}: %{customdata[0]:.3f} to %{customdata[1]:.3f}<extra>frontier range</extra>",
            )
        )
    for k, (level, points) in enumerate(agreements.items()):
        if points:
            fig.add_trace(
                go.Scatter(
                    x=[labels[j] for _ in points for j in range(len(parties))],
                    y=[p[j] for p in points for j in range(len(parties))],
                    mode="markers",
                    marker={"size": 8, "opacity": 0.75, "color": LEVEL_COLOURS[k % len(LEVEL_COLOURS)]},
                    name=f"{level} ({len(points)})",
                    hovertemplate=f"%{{x}}: %{{y:.3f}}<extra>{level}</extra>",
                )
            )
    fig.update_layout(
        _layout(title, note, scattermode="group", yaxis={"title": {"text": "utility (0–1)"}, "range": [-0.03, 1.03]})
    )
    return fig


def _dash(n: int) -> str:
    return ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")[n % 6]


def figure_json(fig: go.Figure) -> str:
    """The figure as Plotly JSON (what ``Plotly.newPlot`` takes: data and layout)."""
    return str(pio.to_json(fig, validate=False, pretty=False))


def figure_data(fig: go.Figure) -> dict[str, Any]:
    """The figure as plain data (``{"data": [...], "layout": {...}}``), e.g. for tests."""
    data: dict[str, Any] = json.loads(figure_json(fig))
    return data


def chart_div(fig: go.Figure, element_id: str, label: str) -> Markup:
    """A ``<div class="pactlab-chart">`` carrying the figure; `RENDER_JS` draws it."""
    return Markup(
        f'<div class="pactlab-chart" id="{escape(element_id)}" role="img" aria-label="{escape(label)}" '
        f'data-figure="{escape(figure_json(fig))}"></div>'
    )


def write_plotly_js(folder: Path) -> Path:
    """Copy plotly.min.js into `folder` (beside a report that loads it) unless the same file is there."""
    target = folder / PLOTLY_JS_NAME
    source = PLOTLY_JS.read_bytes()
    if not target.is_file() or target.stat().st_size != len(source):
        target.write_bytes(source)
    return target


__all__ = [
    "PLOTLY_JS",
    "PLOTLY_JS_NAME",
    "RENDER_JS",
    "chart_div",
    "figure_data",
    "figure_json",
    "sweep_figure",
    "utility_figure",
    "write_plotly_js",
]
