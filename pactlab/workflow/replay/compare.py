"""Comparing a replayed record stream with the recorded one: kind, actor and data, minus what is per-run.

What differs between two honest executions of the same negotiation, and is therefore not compared:
timestamps, hashes and signatures (the keys are drawn anew for each run), public keys and whether
they were ephemeral, model latencies and retry waits (wall-clock), the code version (checked on its
own, before the replay), the fork origin of a what-if branch, and the seal's record count (a
branch's transcript holds its `fork` record too). Everything else is compared as it is, for every
kind of record, including kinds added later: a new kind written by the same code replays as is,
as long as its per-run fields follow the names below (hashes end in ``_hash``, times in ``_s``
are latencies only if listed here).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evals.audit import canonical_json

PER_RUN_FIELDS = frozenset(
    {
        "ts",
        "timestamp",
        "hash",
        "sig",
        "signature",
        "signatures",
        "public_key",
        "ephemeral",
        "identities",
        "latency_s",
        "retry_wait_s",
    }
)
"""Data fields, at any depth, that differ between two honest runs of the same negotiation."""

PER_RUN_BY_KIND: dict[str, frozenset[str]] = {
    "run_start": frozenset({"code", "forked_from"}),
    "seal": frozenset({"records"}),
    "tree_head": frozenset({"tree_size"}),  # a branch's tree also holds its fork record; verify checks each head
}
"""Top-level data fields that are per-run for one kind of record only."""

NOT_REPLAYED = frozenset({"fork"})
"""Record kinds the negotiation does not produce (a what-if branch's transcript notes its origin)."""


def per_run(name: str) -> bool:
    return name in PER_RUN_FIELDS or name.endswith("_hash")


def comparable(kind: str, data: Mapping[str, Any]) -> Any:
    """The record's data without its per-run fields."""
    skip = PER_RUN_BY_KIND.get(kind, frozenset())
    return {k: _strip(v) for k, v in data.items() if k not in skip and not per_run(k)}


def _strip(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip(v) for k, v in value.items() if not per_run(str(k))}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def differences(recorded: Any, replayed: Any, path: str = "data") -> list[tuple[str, Any, Any]]:
    """Where two JSON values differ: (path, recorded, replayed), leaves first found first."""
    if isinstance(recorded, Mapping) and isinstance(replayed, Mapping):
        found: list[tuple[str, Any, Any]] = []
        for key in [*recorded, *(k for k in replayed if k not in recorded)]:
            here = f"{path}.{key}"
            if key not in replayed:
                found.append((here, recorded[key], "(absent)"))
            elif key not in recorded:
                found.append((here, "(absent)", replayed[key]))
            else:
                found.extend(differences(recorded[key], replayed[key], here))
        return found
    if isinstance(recorded, list) and isinstance(replayed, list) and len(recorded) == len(replayed):
        out: list[tuple[str, Any, Any]] = []
        for n, (a, b) in enumerate(zip(recorded, replayed, strict=True)):
            out.extend(differences(a, b, f"{path}[{n}]"))
        return out
    if canonical_json(recorded) == canonical_json(replayed):
        return []
    return [(path, recorded, replayed)]


def short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else canonical_json(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
