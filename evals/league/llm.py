"""The LLM harness inside a league: per LLM negotiator type, where its decisions came from and what they cost.

Read from each run's audit trail (`llm_call`, `llm_fallback` and `screen` records), seat by seat
(`seat_facts`), then judged per type with the league's intervals (`evals.intervals`):

- **decision source** of each of the seat's decisions: ``own`` (the model's first reply was valid),
  ``repaired`` (valid after the client sent an invalid reply back), ``fallback`` (the model kept
  failing and the fallback strategy, or walk-away, acted). Per run, the share of each.
  A two-step turn (`agents.llm.turn`) leaves two records, a decision then, for a counter, the
  terms; the counter's decision record has no action, so the turn counts once, as ``repaired``
  when either step needed a repair.
- **deciding move**: a seat's last decision in the run (with an agreement: its accept of the final
  proposal, or the proposal the others accepted). An agreement is an **LLM agreement** only if
  the deciding move of every seat of the type was the model's (own or repaired): an agreement the
  fallback strategy closed is not one.
- tokens (prompt + completion) and seconds (model latency, retries included) per run, and per
  agreement: the type's totals over all its runs divided by its agreements (a ratio of sums, so it
  has no interval here; the per-run figures have theirs);
- screen hits: private figures the privacy screen removed from the seat's words, per run;
- claims: statements of fact in the seat's words (`claim` records of the claims audit), per run,
  and the false ones among them;
- own surplus and **others' surplus**: the mean surplus of the type's seats and of the other seats
  in the same runs (0 without agreement), which shows what a stance or an adversarial role does to
  the other parties.

`versus_baseline` compares each LLM type with a stance or role (``stance=...``, ``role=...`` in
its spec) with the league's first LLM type that has neither: agreement, own and others' surplus,
false claims and screen hits, as differences of the means.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from evals.intervals import Interval, t_interval, wilson
from evals.league.runs import LeagueRun, SeatLLM, Source

SOURCES: tuple[Source, ...] = ("own", "repaired", "fallback")


def seat_facts(records: Sequence[Any]) -> dict[str, SeatLLM]:
    """Per party, its model decisions' sources, tokens, seconds and screen hits (audit records in order;
    anything with ``kind`` and ``data``). The mediator's calls count under its own actor name."""
    rows: dict[str, dict[str, Any]] = {}
    last_call: dict[str, tuple[int, Source]] = {}  # party -> (turn, source) of its latest decision
    countered: dict[str, bool] = {}  # party -> its pending counter's decision step needed a repair

    def row(party: str) -> dict[str, Any]:
        return rows.setdefault(
            party,
            {
                "own": 0,
                "calls": 0,
                "repaired": 0,
                "fallback": 0,
                "tokens": 0,
                "seconds": 0.0,
                "hits": 0,
                "models": {},
                "true": 0,
                "false": 0,
                "unverifiable": 0,
            },
        )

    for record in records:
        data = record.data
        party = str(data.get("party", record.actor))
        if record.kind == "llm_call":
            call = data.get("call", {})
            entry = row(party)
            entry["calls"] += 1
            entry["tokens"] += int(call.get("prompt_tokens", 0)) + int(call.get("completion_tokens", 0))
            entry["seconds"] += float(call.get("latency_s", 0.0))
            model = call.get("model_answered") or call.get("model_requested")
            if model:
                entry["models"][str(model)] = None
            repaired = int(call.get("repairs", 0)) > 0 or countered.pop(party, False)
            if data.get("action") is not None:
                source: Source = "repaired" if repaired else "own"
                entry[source] += 1
                last_call[party] = (int(data.get("turn", -1)), source)
            elif data.get("decision") == "counter":  # the terms step follows, and counts the turn
                countered[party] = repaired
        elif record.kind == "llm_fallback":
            countered.pop(party, None)
            row(party)["fallback"] += 1
            last_call[party] = (int(data.get("turn", -1)), "fallback")
        elif record.kind == "screen":
            row(party)["hits"] += len(data.get("hits", []))
        elif record.kind == "claim" and data.get("verdict") in ("true", "false", "unverifiable"):
            row(party)[str(data["verdict"])] += 1
    return {
        party: SeatLLM(
            decisions=r["own"] + r["repaired"] + r["fallback"],
            own=r["own"],
            repaired=r["repaired"],
            fallback=r["fallback"],
            last=last_call[party][1] if party in last_call else None,
            calls=r["calls"],
            tokens=r["tokens"],
            seconds=round(r["seconds"], 6),
            screen_hits=r["hits"],
            models=tuple(r["models"]),
            claims_true=r["true"],
            claims_false=r["false"],
            claims_unverifiable=r["unverifiable"],
        )
        for party, r in rows.items()
    }


@dataclass(frozen=True)
class LLMMetric:
    key: str
    label: str
    kind: Literal["proportion", "mean", "ratio"]
    digits: int
    description: str


LLM_METRICS: tuple[LLMMetric, ...] = (
    LLMMetric("agreement", "agreement", "proportion", 2, "share of runs ending in agreement (however reached)"),
    LLMMetric("llm_agreement", "LLM agreement", "proportion", 2, "agreements whose deciding moves were the model's"),
    LLMMetric("model_closed", "model closed", "proportion", 2, "of the agreements: deciding moves by the model"),
    LLMMetric("own", "own", "mean", 2, "share of decisions: the model's first reply valid"),
    LLMMetric("repaired", "repaired", "mean", 2, "share of decisions: valid after a repair"),
    LLMMetric("fallback", "fallback", "mean", 2, "share of decisions: made by the fallback"),
    LLMMetric("tokens", "tokens/run", "mean", 0, "prompt + completion tokens per run"),
    LLMMetric("seconds", "s/run", "mean", 1, "model latency per run, retries included"),
    LLMMetric("tokens_per_agreement", "tokens/agreement", "ratio", 0, "all its tokens over its agreements"),
    LLMMetric("seconds_per_agreement", "s/agreement", "ratio", 1, "all its model seconds over its agreements"),
    LLMMetric("screen_hits", "screen hits/run", "mean", 2, "private figures removed from its words per run"),
    LLMMetric("claims", "claims/run", "mean", 2, "statements of fact in its words the claims audit checked, per run"),
    LLMMetric("false_claims", "false claims/run", "mean", 2, "of those, the ones found false, per run"),
    LLMMetric("surplus", "own surplus", "mean", 3, "its seats' surplus (0 without agreement)"),
    LLMMetric("others_surplus", "others' surplus", "mean", 3, "the other seats' surplus in the same runs"),
)
SIGNED = ("surplus", "others_surplus")
"""Metrics that range over [-1, 1]; the other means are non-negative."""


@dataclass(frozen=True)
class LLMRow:
    """One LLM negotiator type's decision sources and costs over the league."""

    name: str
    spec: str
    runs: int
    decisions: int
    models: list[str]
    metrics: dict[str, Interval] = field(default_factory=dict)


def is_llm_type(spec: str) -> bool:
    return spec.strip().split("(", 1)[0].strip().lower() == "llm"


def llm_rows(types: Mapping[str, str], runs: Sequence[LeagueRun]) -> list[LLMRow]:
    """A row per LLM type (in the league's order) that has done runs read with their audit facts."""
    out = []
    for name, spec in types.items():
        if not is_llm_type(spec):
            continue
        values: dict[str, list[float]] = {k: [] for k in ("agreement", "llm_agreement", "model_closed")}
        values.update({k: [] for k in ("own", "repaired", "fallback", "tokens", "seconds", "screen_hits")})
        values.update({k: [] for k in ("claims", "false_claims", "surplus", "others_surplus")})
        decisions, models = 0, dict[str, None]()
        for run in runs:
            if not run.done or run.llm is None or run.scorecard is None:
                continue
            seats = [run.llm.get(p, SeatLLM()) for p, t in run.seats if t == name]
            if not seats:
                continue
            agreed = run.scorecard.get("outcome") == "agreement"
            by_model = all(s.last in ("own", "repaired") for s in seats)
            values["agreement"].append(float(agreed))
            values["llm_agreement"].append(float(agreed and by_model))
            if agreed:
                values["model_closed"].append(float(by_model))
            made = sum(s.decisions for s in seats)
            decisions += made
            if made:
                for source in SOURCES:
                    values[source].append(sum(getattr(s, source) for s in seats) / made)
            values["tokens"].append(float(sum(s.tokens for s in seats)))
            values["seconds"].append(sum(s.seconds for s in seats))
            values["screen_hits"].append(float(sum(s.screen_hits for s in seats)))
            values["claims"].append(float(sum(s.claims_true + s.claims_false + s.claims_unverifiable for s in seats)))
            values["false_claims"].append(float(sum(s.claims_false for s in seats)))
            surplus = {str(p.get("party")): float(p.get("surplus", 0.0)) for p in run.scorecard.get("parties", [])}
            mine = [surplus[p] for p, t in run.seats if t == name and p in surplus]
            others = [surplus[p] for p, t in run.seats if t != name and p in surplus]
            if mine:
                values["surplus"].append(math.fsum(mine) / len(mine))
            if others:
                values["others_surplus"].append(math.fsum(others) / len(others))
            for seat in seats:
                models.update(dict.fromkeys(seat.models))
        if not values["agreement"]:
            continue
        metrics: dict[str, Interval] = {}
        agreements = sum(values["agreement"])
        for metric in LLM_METRICS:
            if metric.kind == "proportion":
                found = values[metric.key]
                metrics[metric.key] = wilson(round(sum(found)), len(found))
            elif metric.kind == "mean":
                upper = 1.0 if metric.key in SOURCES or metric.key in SIGNED else math.inf
                metrics[metric.key] = t_interval(values[metric.key], -1.0 if metric.key in SIGNED else 0.0, upper)
            else:
                total = sum(values[metric.key.removesuffix("_per_agreement")])
                ratio = total / agreements if agreements else math.nan
                metrics[metric.key] = Interval(ratio, ratio, ratio, 1 if agreements else 0, "ratio of sums")
        out.append(LLMRow(name, spec, len(values["agreement"]), decisions, sorted(models), metrics))
    return out


_BEHAVIOUR = re.compile(r"\b(stance|role)\s*=\s*['\"]?([A-Za-z_]+)")

COMPARED = ("agreement", "surplus", "others_surplus", "false_claims", "screen_hits")
"""What `versus_baseline` compares."""


def behaviour_of(spec: str) -> str:
    """The stance and role an LLM spec sets, e.g. ``role=greedy`` ('' for neither)."""
    return ", ".join(f"{k}={v}" for k, v in _BEHAVIOUR.findall(spec))


@dataclass(frozen=True)
class VersusBaseline:
    """An LLM type with a stance or role against the baseline LLM type: its means and the differences."""

    name: str
    behaviour: str
    baseline: str
    values: dict[str, float]  # COMPARED key -> the type's mean
    deltas: dict[str, float]  # COMPARED key -> the type's mean minus the baseline's


def versus_baseline(rows: Sequence[LLMRow]) -> list[VersusBaseline]:
    """Each LLM type with a stance or role against the first LLM type with neither (none without one)."""
    baseline = next((r for r in rows if not behaviour_of(r.spec)), None)
    if baseline is None:
        return []
    out = []
    for row in rows:
        if not behaviour_of(row.spec):
            continue
        values = {k: row.metrics[k].estimate for k in COMPARED}
        deltas = {k: values[k] - baseline.metrics[k].estimate for k in COMPARED}
        out.append(VersusBaseline(row.name, behaviour_of(row.spec), baseline.name, values, deltas))
    return out


__all__ = [
    "COMPARED",
    "LLM_METRICS",
    "SOURCES",
    "LLMMetric",
    "LLMRow",
    "SeatLLM",
    "VersusBaseline",
    "behaviour_of",
    "is_llm_type",
    "llm_rows",
    "seat_facts",
    "versus_baseline",
]
