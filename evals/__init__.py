"""Judging and recording: outcome-space math, fairness, the scorecard and its reports.

Plots live in `evals.plots` (imported on demand: it loads matplotlib).
"""

from evals.bargaining import (
    Solution,
    coalition,
    feasible_mask,
    kalai_smorodinsky,
    nash_product,
    nash_solution,
    utilitarian,
)
from evals.fairness import gini, min_max_ratio, surplus
from evals.frontier import EXACT_LIMIT, Frontier, agreement_mask, distance_to_frontier, pareto_frontier, pareto_mask
from evals.report import scorecard_markdown
from evals.scorecard import BargainingPoint, OutcomeAnalysis, PartyScore, Scorecard, analyse, score, score_table

__all__ = [
    "EXACT_LIMIT",
    "BargainingPoint",
    "Frontier",
    "OutcomeAnalysis",
    "PartyScore",
    "Scorecard",
    "Solution",
    "agreement_mask",
    "analyse",
    "coalition",
    "distance_to_frontier",
    "feasible_mask",
    "gini",
    "kalai_smorodinsky",
    "min_max_ratio",
    "nash_product",
    "nash_solution",
    "pareto_frontier",
    "pareto_mask",
    "score",
    "score_table",
    "scorecard_markdown",
    "surplus",
    "utilitarian",
]
