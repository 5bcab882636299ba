"""A debrief that keeps the other parties' private values to itself while a related rehearsal is still open.

A what-if branch can end while the rehearsal it was forked from (or another branch of the same
family) still waits for the person. The full debrief shows every party's reservation value and
utility, the Nash solution and the Pareto frontier: things the open seat may not see. So while
any relative is open the debrief is cut to what the person's own seat knows: its own result,
its reservation value and its concessions, the agreed terms, the rules that fired, the
transcript. The rest comes when every relative has ended.
"""

from __future__ import annotations

from collections.abc import Sequence

from pactlab.app.rehearsal.debrief import BranchRow, Debrief


def withhold(report: Debrief) -> Debrief:
    """`report` without what only the other parties know (their values, the bargaining solutions, the frontier)."""
    viewer = report.viewer
    card = report.scorecard.model_copy(
        update={
            "parties": [p for p in report.scorecard.parties if p.party == viewer],
            "nash_point": None,
            "kalai_smorodinsky_point": None,
            "utilitarian_point": None,
            "opponent_models": [],
        }
    )
    return report.model_copy(
        update={
            "scorecard": card,
            "deal_utilities": None
            if report.deal_utilities is None
            else {p: u for p, u in report.deal_utilities.items() if p == viewer},
            "reservations": {p: r for p, r in report.reservations.items() if p == viewer},
            "nash": None,
            "viewer_at_nash": None,
            "better_deals": [],
            "better_count": 0,
            "plot": None,
        }
    )


def withhold_rows(rows: Sequence[BranchRow], viewer: str | None) -> list[BranchRow]:
    """Branch rows with only the viewer's utility and no Nash ratio (it is computed from every party's values)."""
    return [
        row.model_copy(
            update={
                "utilities": {p: u for p, u in row.utilities.items() if p == viewer},
                "nash_ratio": None,
                "pareto_optimal": None,
            }
        )
        for row in rows
    ]


__all__ = ["withhold", "withhold_rows"]
