"""The audit trail: an append-only, hash-chained JSONL transcript of a negotiation.

One record per line. Each record carries its sequence number, a UTC timestamp, the actor, a
kind, a JSON payload, an optional idempotency key, the hash of the previous record and its own
hash: the SHA-256 of its canonical JSON form without the `hash` field. A run closes the file
with a "seal" record that counts the records before it and names the last one's hash, so that
a cut tail is detected too.

Why each piece:
- hash chain: editing, inserting, deleting, reordering or duplicating a record breaks the
  chain at that line, and `verify` names the line;
- canonical lines: a line must be byte-for-byte the canonical form of what it parses to, so
  two readers can never see different content in the same line (duplicate JSON keys,
  re-spacing, escapes);
- fsync per record: a record is on disk before the workflow moves on;
- keys: a run killed mid-superstep resumes from its checkpoint and replays the rounds since
  then; keyed appends make that replay idempotent, and a replay that diverges from what was
  recorded raises instead of writing a second, different history.

What it does not do: anyone who can rewrite the file can also recompute every hash after an
edit (or cut the tail and write a new seal). The chain proves a transcript is internally
consistent; to prove it is *the* transcript, keep its seal hash (`VerifyReport.last_hash`)
somewhere the editor cannot reach.

Modules: `record` (one record, its canonical form and hash), `verify` (reading and checking a
transcript), `writer` (appending to one), `errors`.
"""

from __future__ import annotations

from evals.audit.errors import (
    AuditConflict,
    AuditCorrupt,
    AuditError,
    AuditIncomplete,
    AuditKeyMismatch,
    AuditSealed,
    AuditWriteError,
    TranscriptTaken,
)
from evals.audit.record import (
    IDENTITY_KIND,
    SEAL_FIELDS,
    SEAL_KEY,
    SEAL_KIND,
    ZERO_HASH,
    AuditRecord,
    Signature,
    canonical_json,
    record_hash,
    utc_timestamp,
)
from evals.audit.verify import VerifyReport, read_records, verify, verify_bytes
from evals.audit.writer import AuditWriter, FsyncPolicy

__all__ = [
    "IDENTITY_KIND",
    "SEAL_FIELDS",
    "SEAL_KEY",
    "SEAL_KIND",
    "ZERO_HASH",
    "AuditConflict",
    "AuditCorrupt",
    "AuditError",
    "AuditIncomplete",
    "AuditKeyMismatch",
    "AuditRecord",
    "AuditSealed",
    "AuditWriteError",
    "AuditWriter",
    "FsyncPolicy",
    "Signature",
    "TranscriptTaken",
    "VerifyReport",
    "canonical_json",
    "read_records",
    "record_hash",
    "utc_timestamp",
    "verify",
    "verify_bytes",
]
