"""Agreements of a sweep over the Pareto frontier(s), coloured by one factor's level: the data for
the interactive chart (`agreement_points`, drawn by `evals.charts.sweep_figure`) and a static PNG.

Each point is one run's agreement: the parties' utilities of the agreed term sheet, each in its
own variant's utility function. Two parties give utility space with each distinct frontier of
the variants as a line (`evals.sweeps.frontiers`); more give one column per party with the
frontiers' combined range as a bar and the agreements as points. Runs without agreement are
counted in the title, not drawn. Parties are named by their display names.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np

from evals.sweeps.frontiers import SweepFrontiers
from evals.sweeps.runs import SweepRun, level_of

_COLOURS = [*matplotlib.colormaps["tab10"].colors, *matplotlib.colormaps["Dark2"].colors]  # type: ignore[attr-defined]
_DASHES = ("-", "--", ":", "-.")


def agreement_points(
    runs: Sequence[SweepRun], factor: str, parties: Sequence[str], levels: Sequence[str]
) -> tuple[dict[str, list[list[float]]], int]:
    """The agreements' utility vectors (in `parties` order) by level of `factor`, and the runs without one."""
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
    return points, no_deal


def utility_scatter(
    runs: Sequence[SweepRun],
    factor: str,
    parties: Sequence[str],
    levels: Sequence[str],
    *,
    names: Mapping[str, str] | None = None,
    frontiers: SweepFrontiers | None = None,
    factor_name: str | None = None,
) -> bytes:
    """A PNG of the agreements over the frontier(s), one colour per level of `factor` (in `levels` order)."""
    names = names or {}
    labels = [names.get(p, p) for p in parties]
    points, no_deal = agreement_points(runs, factor, parties, levels)
    shapes = frontiers.frontiers if frontiers is not None else []
    two = len(parties) == 2
    fig, ax = plt.subplots(figsize=(6.4, 5.6) if two else (max(6.4, 1.9 * len(parties) + 2), 5.2))
    try:
        if two:
            for n, shape in enumerate(shapes):
                if shape.points:
                    line = np.array(sorted(map(tuple, shape.points)))
                    ax.plot(line[:, 0], line[:, 1], _DASHES[n % 4], color="#444444", lw=1.1, label=shape.label)
            for k, (label, pts) in enumerate(points.items()):
                if pts:
                    ax.scatter(
                        [p[0] for p in pts],
                        [p[1] for p in pts],
                        s=26,
                        alpha=0.75,
                        color=_COLOURS[k % len(_COLOURS)],
                        label=label,
                        lw=0,
                    )
            ax.set_xlabel(f"utility of {labels[0]}")
            ax.set_ylabel(f"utility of {labels[1]}")
            ax.set_xlim(-0.03, 1.03)
            ax.set_aspect("equal", adjustable="box")
        else:
            x = np.arange(len(parties))
            ranged = [np.array(s.points) for s in shapes if s.points]
            if ranged:
                low = np.min([r.min(axis=0) for r in ranged], axis=0)
                high = np.max([r.max(axis=0) for r in ranged], axis=0)
                ax.bar(x, high - low, bottom=low, width=0.6, color="#d7dde8", label="range on the Pareto frontier")
            shown = [lv for lv, pts in points.items() if pts]
            for k, (label, pts) in enumerate(points.items()):
                if pts:
                    offset = (shown.index(label) - (len(shown) - 1) / 2) * 0.5 / max(len(shown), 1)
                    values = np.asarray(pts, dtype=float)
                    across = np.broadcast_to(x + offset, values.shape).ravel()
                    colour = _COLOURS[k % len(_COLOURS)]
                    ax.scatter(across, values.ravel(), s=20, alpha=0.7, color=colour, lw=0, label=label)
            ax.set_xticks(x, [_wrap(n) for n in labels], fontsize=8)
            ax.set_ylabel("utility")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(True, lw=0.4, alpha=0.4)
        agreed = sum(len(p) for p in points.values())
        colour = factor_name or factor
        ax.set_title(f"{agreed} agreements, {no_deal} runs without one\ncolour: {_wrap(colour, 60)}", fontsize=9)
        handles, legend = ax.get_legend_handles_labels()
        if handles:
            ax.legend(handles, legend, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()


def _wrap(text: str, width: int = 16) -> str:
    return textwrap.fill(text, width)


__all__ = ["agreement_points", "utility_scatter"]
