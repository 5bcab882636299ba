"""Agreements of a sweep in utility space, coloured by one factor's level (PNG bytes).

Each point is one run's agreement: the parties' utilities of the agreed term sheet, each in
its own variant's utility function. Two parties give one chart; more give the pairwise
projections (at most six). Runs without agreement are counted in the title, not drawn.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from evals.sweeps.runs import SweepRun, level_of

MAX_PANELS = 6
_COLOURS = [*matplotlib.colormaps["tab10"].colors, *matplotlib.colormaps["Dark2"].colors]  # type: ignore[attr-defined]


def utility_scatter(runs: Sequence[SweepRun], factor: str, parties: Sequence[str], levels: Sequence[str]) -> bytes:
    """A PNG of the agreements in utility space, one colour per level of `factor` (in `levels` order)."""
    pairs = list(itertools.combinations(range(len(parties)), 2))[:MAX_PANELS]
    ncols = min(3, len(pairs))
    nrows = math.ceil(len(pairs) / ncols)
    size = (5.4, 5.0) if len(pairs) == 1 else (4.2 * ncols, 3.9 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, squeeze=False)
    points: dict[str, list[list[float]]] = {lv: [] for lv in levels}
    no_deal = 0
    for run in runs:
        card = run.scorecard
        if card is None:
            continue
        if card.agreement is None:
            no_deal += 1
            continue
        utility = {p.party: p.utility or 0.0 for p in card.parties}
        points.setdefault(level_of(run, factor), []).append([utility.get(p, 0.0) for p in parties])
    try:
        for n, (i, j) in enumerate(pairs):
            ax = axes[n // ncols][n % ncols]
            for k, (label, pts) in enumerate(points.items()):
                if pts:
                    xs, ys = [p[i] for p in pts], [p[j] for p in pts]
                    ax.scatter(xs, ys, s=26, alpha=0.75, color=_COLOURS[k % len(_COLOURS)], label=label, lw=0)
            ax.set_xlabel(f"utility of {parties[i]}")
            ax.set_ylabel(f"utility of {parties[j]}")
            ax.set_xlim(-0.03, 1.03)
            ax.set_ylim(-0.03, 1.03)
            ax.set_aspect("equal", adjustable="box")
            ax.grid(True, lw=0.4, alpha=0.4)
        for n in range(len(pairs), nrows * ncols):
            axes[n // ncols][n % ncols].set_visible(False)
        agreed = sum(len(p) for p in points.values())
        fig.suptitle(f"{agreed} agreements, {no_deal} runs without one; colour: {factor}", fontsize=9)
        handles, labels = axes[0][0].get_legend_handles_labels()
        if handles:
            corner = axes[0][ncols - 1]
            corner.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=8, frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()
