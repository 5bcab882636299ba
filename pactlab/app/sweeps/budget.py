"""The budget stop: runs per invocation, and tokens and cost over the whole sweep.

Token and cost figures come from each run's scorecard when it has them (model-backed
negotiators add them); a scorecard without them counts 0. Looked for, first found wins: the
scorecard itself, its ``llm_usage.total`` and its ``usage``, each with ``tokens`` /
``total_tokens`` (else ``prompt_tokens + completion_tokens``) and ``cost`` / ``cost_usd`` /
``estimated_cost``; else the sum of the same per party (``parties[]``).
The budget is checked before each run starts: runs already under way finish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pactlab.app.sweeps.model import Budget

_TOKENS = ("tokens", "total_tokens")
_PARTS = ("prompt_tokens", "completion_tokens")
_COST = ("cost", "cost_usd", "estimated_cost")


@dataclass(frozen=True)
class Usage:
    tokens: int = 0
    cost: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.tokens + other.tokens, self.cost + other.cost)


def usage_of(scorecard: Mapping[str, Any] | None) -> Usage:
    """Tokens and cost a scorecard reports; missing figures count 0."""
    if not scorecard:
        return Usage()
    llm = scorecard.get("llm_usage")
    for source in (scorecard, llm.get("total") if isinstance(llm, Mapping) else None, scorecard.get("usage")):
        if isinstance(source, Mapping):
            tokens, cost = _tokens(source), _number(source, _COST)
            if tokens is not None or cost is not None:
                return Usage(int(tokens or 0), float(cost or 0.0))
    parties = scorecard.get("parties")
    total = Usage()
    if isinstance(parties, list):
        for party in parties:
            if isinstance(party, Mapping):
                total += Usage(int(_tokens(party) or 0), float(_number(party, _COST) or 0.0))
    return total


def _tokens(source: Mapping[str, Any]) -> float | None:
    total = _number(source, _TOKENS)
    if total is not None:
        return total
    parts = [_number(source, (key,)) for key in _PARTS]
    return None if all(p is None for p in parts) else sum(p or 0.0 for p in parts)


def _number(source: Mapping[str, Any], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = source.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


@dataclass
class BudgetState:
    """What was spent; `exhausted()` says why no further run may start, or None."""

    budget: Budget
    started: int = 0  # runs started by this invocation
    spent: Usage = Usage()  # over the whole sweep, earlier invocations included

    def exhausted(self) -> str | None:
        b = self.budget
        if b.max_runs is not None and self.started >= b.max_runs:
            return f"max runs ({b.max_runs}) reached"
        if b.max_tokens is not None and self.spent.tokens >= b.max_tokens:
            return f"max tokens ({b.max_tokens:,}) reached: {self.spent.tokens:,} spent"
        if b.max_cost is not None and self.spent.cost >= b.max_cost:
            return f"max cost ({b.max_cost:g}) reached: {self.spent.cost:.4f} spent"
        return None
