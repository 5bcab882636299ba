"""A what-if branch's audit transcript: the source's records up to the fork point, re-chained, then a fork record.

The branch gets a transcript of its own (the source's file is only read, never written):

- record 0, ``run_start``: the source's run start, with the branch's negotiation id and a
  ``forked_from`` entry (source id, turn, source transcript);
- records 1..k: copies of the source's records 1..k — the same kind, actor, data, key and
  timestamp — up to the last move before the fork point, chained anew (a tree head is signed
  again over the branch's records, with its round, key and timestamp: the run start differs);
- record k+1, ``fork``: which run and turn the branch came from, how many records were copied,
  and the hash of the source's record k, so that the copied prefix can be checked against the
  source transcript record by record.

Then the branch's own records follow as it plays on; its keys continue the source's, so the
replay of the fork turn adds each record once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.audit import AuditCorrupt, AuditRecord, AuditWriter, read_records, verify
from evals.audit.tree_heads import TREE_HEAD_KIND, TreeHeads
from pactlab.domain.records import record_kind
from pactlab.errors import RecordError
from pactlab.workflow.signing import keyring_for, seat_person
from pactlab.workflow.state import RunSpec


class ForkError(RecordError, ValueError):
    """The source transcript cannot be branched (damaged, or not a pactlab run)."""


_CLOSING_KINDS = frozenset({TREE_HEAD_KIND, "claim"})
"""Records the workflow writes right after a move, in its step: the claims its words made, the round's tree head."""


def fork_prefix(records: list[AuditRecord], before_turn: int) -> list[AuditRecord]:
    """The records that precede `before_turn`: up to and including the move of turn ``before_turn - 1``
    and the records its step wrote after it (claims, the tree head of the round it closed)."""
    if not records or records[0].kind != "run_start":
        raise ForkError("the source transcript does not start with a run_start record")
    if before_turn == 0:
        return records[:1]
    key = f"move:{before_turn - 1}"
    for n, record in enumerate(records):
        if record.key == key:
            end = n + 1
            while end < len(records) and records[end].kind in _CLOSING_KINDS:
                end += 1  # written in the same step as the move: the branch resumes after that step
            return records[:end]
    raise ForkError(f"the source transcript has no move for turn {before_turn}")


def fork_transcript(
    source: Path,
    dest: Path,
    *,
    source_id: str,
    negotiation_id: str,
    before_turn: int,
    spec: RunSpec | None = None,
) -> int:
    """Write the branch's transcript at `dest` (which must not exist); return the number of records written.

    The copies are chained anew, so signed anew: with the source run's keys, rebuilt from its
    `spec` (the people seated in the copied prefix seated again as their records are copied).
    """
    report = verify(source, require_seal=False)
    if not report.ok:
        where = f"line {report.first_bad}: {report.problem}"
        raise ForkError(f"the source transcript {source} fails verification at {where}")
    if dest.exists():
        raise ForkError(f"transcript {dest} already exists")
    try:
        records = read_records(source)
    except AuditCorrupt as exc:  # pragma: no cover - verified above
        raise ForkError(str(exc)) from None
    prefix = fork_prefix(records, before_turn)
    start = prefix[0]
    origin = {"negotiation_id": source_id, "turn": before_turn, "transcript": str(source)}
    stamps = _Stamps()
    keyring = keyring_for(spec) if spec is not None else None
    writer = AuditWriter(dest, clock=stamps, keyring=keyring)
    try:
        data: dict[str, Any] = {**start.data, "negotiation_id": negotiation_id, "forked_from": origin}
        writer.append("run_start", start.actor, data, key=start.key)
        heads = TreeHeads(writer)
        for record in prefix[1:]:
            stamps.use(record.ts)
            if record.kind == TREE_HEAD_KIND:  # signed again over the branch's own records (its run start differs)
                heads.issue(int(record.data["round"]), key=record.key, timestamp=str(record.data["timestamp"]))
                continue
            if record.kind == "identity" and keyring is not None:
                seat = record.data["identity"]
                seat_person(keyring, spec, str(seat["seat"]), str(seat["display_name"]))
            writer.append(record_kind(record.kind), record.actor, record.data, key=record.key)
        stamps.use(None)
        writer.append(
            "fork",
            "operator",
            {
                **origin,
                "copied_records": len(prefix) - 1,
                "source_last_copied_seq": prefix[-1].seq,
                "source_last_copied_hash": prefix[-1].hash,
            },
            key=f"fork:{negotiation_id}",
        )
        return writer.records
    finally:
        writer.close()


class _Stamps:
    """The writer's clock: a copied record keeps its original timestamp; every other record gets now."""

    def __init__(self) -> None:
        self._next: str | None = None

    def use(self, ts: str | None) -> None:
        self._next = ts

    def __call__(self) -> datetime:
        if self._next is None:
            return datetime.now().astimezone()
        return datetime.fromisoformat(self._next)


def copied_records(branch: Path) -> Iterator[AuditRecord]:
    """The records of a branch's transcript that were copied from its source (between run_start and its fork record)."""
    records = read_records(branch)
    own = f"fork:{records[0].data.get('negotiation_id')}"
    for record in records[1:]:
        if record.key == own:
            return
        yield record
