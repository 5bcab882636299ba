"""Every run of a sweep as one CSV row: its variant's settings, seed, status and flattened scorecard.

Nested scorecard fields become dotted columns (``parties.lab.utility``, ``nash_point.objective``);
the agreed term sheet becomes ``agreement.ISSUE`` columns; other lists are JSON. The policy
tally adds ``policy.violations`` ... and ``policy.rule.RULE_ID`` columns.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.sweeps.runs import SweepRun, level


def rows(runs: Sequence[SweepRun], factors: Sequence[str]) -> list[dict[str, Any]]:
    """One flat mapping per run."""
    out = []
    for run in runs:
        row: dict[str, Any] = {
            "run_id": run.run_id,
            "variant": run.variant,
            **{f"factor.{f}": level(run.params[f]) if f in run.params else "" for f in factors},
            "seed": run.seed,
            "repetition": run.repetition,
            "status": run.status,
            "elapsed_s": run.elapsed,
            "tokens": run.tokens,
            "cost": run.cost,
            "error": (run.error or "").splitlines()[0] if run.error else "",
        }
        if run.scorecard is not None:
            row.update(_flat(run.scorecard.model_dump(mode="json")))
        if run.violations is not None:
            tally = run.violations
            row.update({f"policy.{k}": getattr(tally, k) for k in ("violations", "blocked", "warnings", "fallbacks")})
            row.update({f"policy.rule.{rule}": n for rule, n in tally.by_rule.items()})
        out.append(row)
    return out


def write_csv(runs: Sequence[SweepRun], factors: Sequence[str], path: Path) -> Path:
    """Write the runs' rows to `path` (columns: the union over runs, in first-seen order)."""
    table = rows(runs, factors)
    columns = list(dict.fromkeys(key for row in table for key in row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(table)
    return path


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key == "parties" and isinstance(value, list):
            for party in value:
                out.update(_flat({k: v for k, v in party.items() if k != "party"}, f"{name}.{party['party']}."))
        elif isinstance(value, Mapping):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = json.dumps(value)
        else:
            out[name] = value
    return out
