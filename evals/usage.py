"""What the model calls of a run used: tokens, repairs, fallbacks and estimated cost, per party.

Read from the audit trail (`llm_call` and `llm_fallback` records), so that the figures in a
scorecard and in a transcript's rescoring are the same. Costs come from each call record's
estimate (a price table in configuration, see `agents/llm/prices.yaml`); a call to a model
without a price makes the cost unknown (None) rather than wrong.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from evals.audit import AuditRecord


class PartyUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    calls: int = 0
    requests: int = Field(default=0, description="HTTP requests, retries and repairs included.")
    repairs: int = 0
    fallbacks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float | None = Field(default=0.0, description="Estimated; None when a model has no price.")


class LLMUsage(BaseModel):
    """Per party (the mediator included), and in total; `cost_per_agreement_usd` is None without agreement."""

    model_config = ConfigDict(frozen=True)

    parties: dict[str, PartyUsage]
    total: PartyUsage
    cost_per_agreement_usd: float | None


def usage_from_records(records: Sequence[AuditRecord], agreement: bool) -> LLMUsage | None:
    """The run's model usage, or None if no model was called."""
    per: dict[str, dict[str, float | int | None]] = {}

    def entry(party: str) -> dict[str, float | int | None]:
        return per.setdefault(party, dict(PartyUsage().model_dump()))

    for record in records:
        if record.kind == "llm_call":
            call, row = record.data["call"], entry(record.data["party"])
            row["calls"] = int(row["calls"] or 0) + 1
            for key, source in (
                ("requests", "attempts"),
                ("repairs", "repairs"),
                ("prompt_tokens", "prompt_tokens"),
                ("completion_tokens", "completion_tokens"),
                ("cached_tokens", "cached_tokens"),
            ):
                row[key] = int(row[key] or 0) + int(call[source])
            price = record.data.get("cost_usd")
            row["cost_usd"] = None if price is None or row["cost_usd"] is None else float(row["cost_usd"]) + price
        elif record.kind == "llm_fallback":
            row = entry(record.data["party"])
            row["fallbacks"] = int(row["fallbacks"] or 0) + 1
    if not per:
        return None
    parties = {p: PartyUsage.model_validate(row) for p, row in per.items()}
    costs = [u.cost_usd for u in parties.values()]
    total_cost = None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 8)
    total = PartyUsage(
        calls=sum(u.calls for u in parties.values()),
        requests=sum(u.requests for u in parties.values()),
        repairs=sum(u.repairs for u in parties.values()),
        fallbacks=sum(u.fallbacks for u in parties.values()),
        prompt_tokens=sum(u.prompt_tokens for u in parties.values()),
        completion_tokens=sum(u.completion_tokens for u in parties.values()),
        cached_tokens=sum(u.cached_tokens for u in parties.values()),
        cost_usd=total_cost,
    )
    return LLMUsage(parties=parties, total=total, cost_per_agreement_usd=total_cost if agreement else None)
