"""The negotiation in utility space, as a static picture (PNG, or SVG when the path ends in .svg).

Two parties give one chart, u_A against u_B: every outcome (a deterministic sample of
`MAX_POINTS` in large spaces), the Pareto frontier, each party's offers, the bargaining points
and the deal. More parties give a view per party instead, since pairwise projections of an
N-party frontier are unreadable clouds and cost a panel per pair: on the left, for each party
(by display name), the range its utility takes on the Pareto frontier with its best at the top,
its reservation value, what the deal, the Nash, Kalai-Smorodinsky and utilitarian points give it
(joined across parties, as parallel coordinates); on the right, each party's concession curve
(its own utility of each of its offers). The figures come from `evals.utility_view`, which the
interactive charts (`evals.charts`) share. That view draws no outcome cloud, so its cost does not
grow with the outcome space. Rendering uses matplotlib's Agg backend and never opens a window.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from evals.scorecard import OutcomeAnalysis, analyse
from evals.utility_view import UtilityView, utility_view
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord

MAX_POINTS = 50_000
"""Outcomes drawn at most; larger spaces are subsampled (deterministically, seed 0)."""

_PARTY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
# Hollow markers of decreasing size, so that solutions that coincide stay visible.
_POINTS: dict[str, dict[str, Any]] = {
    "nash": {"marker": "D", "color": "#000000", "s": 150, "label": "Nash bargaining solution"},
    "kalai_smorodinsky": {"marker": "^", "color": "#8c564b", "s": 95, "label": "Kalai-Smorodinsky solution"},
    "utilitarian": {"marker": "s", "color": "#e377c2", "s": 50, "label": "utilitarian solution (max welfare)"},
}


def plot_utility_space(
    scenario: Scenario,
    moves: Sequence[MoveRecord],
    agreement: Mapping[str, Any] | None,
    path: Path,
    analysis: OutcomeAnalysis | None = None,
) -> Path:
    """Draw the negotiation in utility space and save it as a PNG at `path`; return `path`."""
    if analysis is None:
        analysis = analyse(scenario)
    elif not analysis.matches(scenario):
        raise ValueError("the outcome analysis belongs to a different scenario; build it with analyse(scenario)")
    parties = scenario.party_ids
    offers = _offer_paths(moves, analysis)
    deal = analysis.utilities_of(analysis.space.validate(agreement)) if agreement is not None else None
    if len(parties) > 2:
        return _plot_parties(scenario, analysis, offers, deal, agreement, Path(path))
    cloud, feasible = _outcome_cloud(analysis)
    pairs = list(itertools.combinations(range(len(parties)), 2))
    ncols = min(3, len(pairs))
    nrows = math.ceil(len(pairs) / ncols)
    size = (7.5, 6.2) if len(pairs) == 1 else (4.6 * ncols, 4.3 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False, layout="constrained")
    try:
        for n, (i, j) in enumerate(pairs):
            _draw_pair(axes[n // ncols][n % ncols], scenario, analysis, i, j, cloud, feasible, offers, deal)
        for n in range(len(pairs), nrows * ncols):
            axes[n // ncols][n % ncols].set_visible(False)
        _finish(fig, scenario, deal, analysis, shown=cloud.shape[0], offers=bool(offers), axes=axes[0][0])
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def _plot_parties(
    scenario: Scenario,
    analysis: OutcomeAnalysis,
    offers: Mapping[str, np.ndarray],
    deal: Mapping[str, float] | None,
    agreement: Mapping[str, Any] | None,
    path: Path,
) -> Path:
    """The view per party for three or more parties (see the module docstring)."""
    parties = scenario.party_ids
    width = max(11.0, 4.0 + 0.9 * len(parties) * 2)
    fig, (left, right) = plt.subplots(1, 2, figsize=(width, 5.6), layout="constrained")
    try:
        _draw_outcomes_by_party(left, scenario, utility_view(scenario, (), agreement, analysis))
        _draw_concessions(right, scenario, analysis, offers, deal)
        _finish(fig, scenario, deal, analysis, shown=0, offers=False, axes=left)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def _draw_outcomes_by_party(ax: Axes, scenario: Scenario, view: UtilityView) -> None:
    """Per party: the frontier's range (bar), reservation value (dashed), best (triangle), the
    bargaining points and the deal (joined across parties, as parallel coordinates)."""
    parties = view.parties
    x = np.arange(len(parties))
    ranged = [p for p in parties if p.frontier_low is not None and p.frontier_high is not None]
    if len(ranged) == len(parties):
        low = np.array([p.frontier_low or 0.0 for p in parties])
        high = np.array([p.frontier_high or 0.0 for p in parties])
        what = "range on the Pareto frontier" + ("" if view.frontier_exact else " (sampled)")
        ax.bar(x, high - low, bottom=low, width=0.5, color="#d7dde8", zorder=1, label=what)
        ax.scatter(x, high, s=70, marker="v", c="#5a6b85", zorder=3, label="each party's best")
    for n, p in enumerate(parties):
        ax.hlines(
            p.reservation,
            n - 0.3,
            n + 0.3,
            colors=_colour(scenario, p.party),
            linestyles="--",
            lw=1.6,
            zorder=2,
            label="reservation value" if n == 0 else "_nolegend_",
        )
    for key in ("nash", "kalai_smorodinsky", "utilitarian"):
        values = [getattr(p, key) for p in parties]
        if all(v is not None for v in values):
            style = _POINTS[key]
            ax.plot(x, values, "-", color=style["color"], lw=0.7, alpha=0.5, zorder=3)
            ax.scatter(
                x,
                values,
                s=style["s"] * 0.6,
                marker=style["marker"],
                facecolors="none",
                edgecolors=style["color"],
                linewidths=1.4,
                zorder=4,
                label=style["label"],
            )
    if view.agreement:
        values = [p.deal for p in parties]
        ax.plot(x, values, "-", color="#b8860b", lw=1.2, zorder=5)
        ax.scatter(
            x, values, s=260, marker="*", c="#ffd700", edgecolors="black", linewidths=1.0, zorder=6, label="agreement"
        )
    names = [textwrap.fill(p.name, 16) for p in parties]
    ax.set_xticks(x, names, fontsize=8)
    ax.set_ylabel("utility (0 = worst outcome, 1 = best)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("What each party gets", fontsize=10)
    ax.grid(True, axis="y", lw=0.4, alpha=0.4)


def _draw_concessions(
    ax: Axes,
    scenario: Scenario,
    analysis: OutcomeAnalysis,
    offers: Mapping[str, np.ndarray],
    deal: Mapping[str, float] | None,
) -> None:
    parties = scenario.party_ids
    for party, path in offers.items():
        colour = _colour(scenario, party)
        own = path[:, parties.index(party)] if party in parties else path.min(axis=1)
        label = (
            f"offers by {scenario.party(party).name} ({len(path)})"
            if party in parties
            else f"texts by {party}: lowest utility"
        )
        ax.plot(np.arange(1, len(own) + 1), own, "-o", color=colour, ms=3, lw=1.1, alpha=0.9, label=label)
    if not offers:
        ax.text(0.5, 0.5, "no offers", transform=ax.transAxes, ha="center", va="center", color="#777777")
    ax.set_xlabel("offer number (each party's own)")
    ax.set_ylabel("utility of the offer to the party that made it")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title("Concessions", fontsize=10)
    ax.grid(True, lw=0.4, alpha=0.4)


def _outcome_cloud(analysis: OutcomeAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """Utilities (n, parties) of every outcome, or of a deterministic sample of MAX_POINTS, and feasibility."""
    size = analysis.space.cardinality
    if size > MAX_POINTS:
        rng = np.random.default_rng(0)
        outcomes = np.unique(rng.integers(0, size, size=MAX_POINTS, dtype=np.int64))
    else:
        outcomes = np.arange(size, dtype=np.int64)
    cloud = np.stack([u.of_outcomes(outcomes) for u in analysis.utilities.values()], axis=1)
    feasible = np.ones(outcomes.size, dtype=bool)
    for u in analysis.utilities.values():
        feasible &= u.constraint_mask(outcomes)
    return cloud, feasible


def _offer_paths(moves: Sequence[MoveRecord], analysis: OutcomeAnalysis) -> dict[str, np.ndarray]:
    """For each party that made offers, the utility vectors (offers, parties) of its offers in order."""
    paths: dict[str, list[list[float]]] = {}
    for m in moves:
        if m["kind"] == "propose" and m["terms"] is not None:
            utils = analysis.utilities_of(analysis.space.validate(m["terms"]))
            paths.setdefault(m["party"], []).append(list(utils.values()))
    return {p: np.array(v, dtype=float) for p, v in paths.items()}


def _colour(scenario: Scenario, party: str) -> str:
    if party not in scenario.party_ids:  # the mediator's texts
        return "#555555"
    return _PARTY_COLOURS[scenario.party_ids.index(party) % len(_PARTY_COLOURS)]


def _draw_pair(
    ax: Axes,
    scenario: Scenario,
    analysis: OutcomeAnalysis,
    i: int,
    j: int,
    cloud: np.ndarray,
    feasible: np.ndarray,
    offers: Mapping[str, np.ndarray],
    deal: Mapping[str, float] | None,
) -> None:
    parties = scenario.party_ids
    small = cloud.shape[0] <= 2_000
    dot = 14 if small else 3
    if (~feasible).any():
        ax.scatter(
            cloud[~feasible, i],
            cloud[~feasible, j],
            s=dot,
            c="#e4e4e4",
            marker="x",
            linewidths=0.6,
            label="outcome breaking a hard constraint",
            zorder=1,
            rasterized=True,
        )
    ax.scatter(
        cloud[feasible, i],
        cloud[feasible, j],
        s=dot,
        c="#b8c4d6",
        edgecolors="none",
        label="possible outcome",
        zorder=2,
        rasterized=True,
    )

    frontier = analysis.frontier
    if len(frontier.outcomes):
        columns = [frontier.parties.index(parties[i]), frontier.parties.index(parties[j])]
        pts = np.asarray(frontier.utilities, dtype=float)[:, columns]
        if len(parties) == 2:
            order = np.lexsort((pts[:, 1], pts[:, 0]))
            ax.plot(pts[order, 0], pts[order, 1], "-", color="#444444", lw=1.2, zorder=3)
            ax.scatter(pts[:, 0], pts[:, 1], s=22, c="#444444", zorder=3, label="Pareto frontier")
        else:
            ax.scatter(
                pts[:, 0], pts[:, 1], s=6, c="#444444", alpha=0.5, lw=0, zorder=3, label="Pareto frontier (projected)"
            )

    res = analysis.reservations
    ax.fill_between(
        [res[parties[i]], 1.03],
        res[parties[j]],
        1.03,
        color="#2ca02c",
        alpha=0.06,
        lw=0,
        zorder=0,
        label="above both reservation values",
    )
    ax.axvline(
        res[parties[i]],
        color=_colour(scenario, parties[i]),
        ls="--",
        lw=1,
        alpha=0.7,
        zorder=2,
        label=f"reservation value of {parties[i]}",
    )
    ax.axhline(
        res[parties[j]],
        color=_colour(scenario, parties[j]),
        ls="--",
        lw=1,
        alpha=0.7,
        zorder=2,
        label=f"reservation value of {parties[j]}",
    )

    for party, path in offers.items():
        colour = _colour(scenario, party)
        ax.plot(
            path[:, i],
            path[:, j],
            "-o",
            color=colour,
            ms=5 if len(parties) == 2 else 3,
            lw=1.4 if len(parties) == 2 else 0.9,
            alpha=0.9,
            zorder=5,
            label=f"offers by {party} ({len(path)})",
        )
        ax.scatter(path[:1, i], path[:1, j], s=110, facecolors="none", edgecolors=colour, linewidths=1.8, zorder=6)

    for key, solution in (
        ("nash", analysis.nash),
        ("kalai_smorodinsky", analysis.kalai_smorodinsky),
        ("utilitarian", analysis.utilitarian),
    ):
        if solution is not None:
            style = _POINTS[key]
            ax.scatter(
                [solution.utilities[parties[i]]],
                [solution.utilities[parties[j]]],
                s=style["s"],
                zorder=7,
                marker=style["marker"],
                facecolors="none",
                edgecolors=style["color"],
                linewidths=1.6,
                label=style["label"],
            )
    if deal is not None:
        ax.scatter(
            [deal[parties[i]]],
            [deal[parties[j]]],
            s=340,
            marker="*",
            c="#ffd700",
            edgecolors="black",
            linewidths=1.0,
            zorder=6.5,
            label="agreement",
        )

    if len(parties) == 2:
        ax.set_xlabel(f"utility of {scenario.party(parties[i]).name} ({parties[i]})")
        ax.set_ylabel(f"utility of {scenario.party(parties[j]).name} ({parties[j]})")
    else:  # names are in the title; a grid has no room for them
        ax.set_xlabel(f"utility of {parties[i]}")
        ax.set_ylabel(f"utility of {parties[j]}")
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.grid(True, lw=0.4, alpha=0.4)
    ax.set_aspect("equal", adjustable="box")


_LEGEND_ORDER = (
    "outcome",
    "possible",
    "Pareto",
    "range",
    "above",
    "reservation",
    "offers",
    "texts",
    "Nash",
    "Kalai",
    "utilitarian",
)


def _legend_rank(label: str) -> int:
    for rank, prefix in enumerate(_LEGEND_ORDER):
        if label.startswith(prefix):
            return rank
    return len(_LEGEND_ORDER)


def _finish(
    fig: Figure,
    scenario: Scenario,
    deal: Mapping[str, float] | None,
    analysis: OutcomeAnalysis,
    *,
    shown: int,
    offers: bool,
    axes: Axes,
) -> None:
    single = len(scenario.parties) == 2
    outcome = "agreement" if deal is not None else "no agreement"
    title = f"{scenario.title}: {outcome}"
    note = f"{analysis.space.cardinality:,} outcomes"
    if 0 < shown < analysis.space.cardinality:
        note += f" ({shown:,} drawn at random)"
    note += f"; frontier {len(analysis.frontier.outcomes)} points, {analysis.frontier.method}"
    if not analysis.frontier.exact:
        note += " (approximate)"
    if offers:
        note += "; hollow circle = first offer"
    lines = [title, note]
    if not single:
        lines.append(", ".join(f"{p.id} = {p.name}" for p in scenario.parties))
    fig.suptitle("\n".join(lines), fontsize=11)
    seen: dict[str, Any] = {}
    for ax in fig.axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, h)
    labels = sorted(seen, key=_legend_rank)  # stable: party order is kept within each group
    handles = [seen[label] for label in labels]
    if single:
        axes.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)), fontsize=8, frameon=False)
