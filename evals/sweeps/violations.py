"""Policy violations of one run, counted from its audit trail's gate and fallback records.

A violation is a failed rule verdict: a blocking rule that sent an action back, or a warning
that let it pass. `blocked` counts refused attempts (protocol refusals included), `fallbacks`
the turns where the documented fallback acted in a party's name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from evals.audit import AuditRecord


class PolicyTally(BaseModel):
    """Failed verdicts by rule, refused attempts, warnings and fallbacks of one run."""

    model_config = ConfigDict(frozen=True)

    violations: int = Field(description="Failed rule verdicts (blocking or warning).")
    blocked: int = Field(description="Actions the gate sent back (a blocking rule or the protocol).")
    warnings: int = Field(description="Failed verdicts of warning rules (they never block).")
    fallbacks: int = Field(description="Turns where the fallback acted for a party.")
    by_rule: dict[str, int] = Field(description="Failed verdicts per rule id.")


def tally(records: Iterable[AuditRecord]) -> PolicyTally:
    """Count the policy gate's failed verdicts, refusals and fallbacks in a run's records."""
    by_rule: Counter[str] = Counter()
    blocked = warnings = fallbacks = 0
    for record in records:
        if record.kind == "gate":
            blocked += record.data.get("blocked") is not None
            for verdict in record.data.get("verdicts", []):
                if not verdict.get("passed", True):
                    by_rule[str(verdict.get("rule_id"))] += 1
                    warnings += verdict.get("severity") == "warn"
        elif record.kind == "fallback":
            fallbacks += 1
    return PolicyTally(
        violations=sum(by_rule.values()),
        blocked=blocked,
        warnings=warnings,
        fallbacks=fallbacks,
        by_rule=dict(sorted(by_rule.items())),
    )
