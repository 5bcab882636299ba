"""Append records to a transcript: one writer per file, idempotent keyed appends, group commit."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from evals.audit.errors import (
    AuditConflict,
    AuditCorrupt,
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
    canonical_object,
    canonical_string,
    json_data,
    short_json,
    utc_timestamp,
)
from evals.audit.verify import scan
from evals.identity import (
    Keyring,
    agreement_message,
    record_message,
    terms_sha256,
)
from pactlab.domain.records import RecordKind

FsyncPolicy = Literal["record", "step", "seal"]


class AuditWriter:
    """Appends records to a transcript, one fsync'ed line each, continuing an existing file's chain.

    Opening an existing transcript verifies it first (a resumed run appends to the same file) and
    refuses a damaged one. Appends carrying a `key` are idempotent, so a resumed run can replay
    the rounds since its last checkpoint: records written inside a replayable step should carry
    one. After `seal`, new records are refused. One writer per file: it keeps the chain's head in
    memory.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] | None = None,
        fsync: FsyncPolicy = "record",
        keyring: Keyring | None = None,
    ) -> None:
        """`fsync="seal"` writes every record before returning but fsyncs only the seal (and at close):
        a crash of the process loses nothing, a power loss may lose the unsealed tail. For bulk runs
        that are redone from scratch when broken (exploration sweeps); the default is per record.
        `fsync="step"` is group commit: records are written as they come and fsynced together by
        `commit()`, which the workflow calls once per superstep, before LangGraph writes the
        checkpoint, so the checkpoint never claims a record that is not on disk.

        `keyring` signs each record for its actor (`Keyring.signer_for`); without one, an ephemeral
        operator key signs every record."""
        self.path = Path(path)
        self.keyring = keyring if keyring is not None else Keyring.ephemeral_operator()
        self._fsync_each = fsync == "record"
        self._synced = 0  # records known to be on disk (fsynced)
        self._sync_lock = threading.Lock()  # one fsync at a time; close waits for a running one
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._keyed: dict[str, tuple[int, str]] = {}  # key -> (seq, line)
        self._kinds: set[str] = set()
        self._count = 0
        self._last_hash = ZERO_HASH
        self._seal_line: str | None = None
        self._broken: str | None = None
        self._fd: int | None = None
        self._dir_unsynced = False
        self.declared: dict[str, dict[str, Any]] = {}
        """The identities the transcript declares (run start, then ``identity`` records), in order."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existing = self.path.read_bytes() if self.path.exists() else None
        except OSError as exc:
            raise AuditWriteError(self.path, _reason(exc)) from exc
        if existing is not None:
            report, good = scan(existing, require_seal=False)
            if not report.ok:
                raise AuditCorrupt(f"refusing to append to {self.path}: {report.problem}", line=report.first_bad)
            other = sorted(
                n
                for n, pair in self.keyring.keys.items()
                if report.identities.get(n, pair.public_key) != pair.public_key
            )
            if other:
                raise AuditKeyMismatch(
                    f"refusing to append to {self.path}: it is signed by {', '.join(other)} with other keys than "
                    "this writer's; a resumed run signs with the keys it started with"
                )
            for record, line in good:
                self._kinds.add(record.kind)
                if record.key is not None:
                    self._keyed[record.key] = (record.seq, line)
                self._declare(record.seq, record.kind, record.data)
            self._count = report.records  # not counted as synced: the first commit fsyncs them too
            self._last_hash = report.last_hash or ZERO_HASH
            self._seal_line = good[-1][1] if report.sealed else None
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        if existing is None:
            flags |= os.O_CREAT | os.O_EXCL  # two writers racing to create it: one gets it, one is refused
        try:
            self._fd = os.open(self.path, flags, 0o644)
            # The new file's directory entry is made durable too: at once with an fsync per record,
            # else with the first commit (nothing claims the file before), off the run's path.
            self._dir_unsynced = existing is None and os.name == "posix"
            if self._dir_unsynced and self._fsync_each:
                self._sync_dir()
        except FileExistsError:
            self.close()
            taken = f"{self.path} was created by another writer meanwhile; one writer per transcript"
            raise TranscriptTaken(taken) from None
        except OSError as exc:
            self.close()
            raise AuditWriteError(self.path, _reason(exc)) from exc

    @property
    def records(self) -> int:
        """Records in the file."""
        return self._count

    @property
    def kinds_written(self) -> frozenset[str]:
        """The kinds of record the file holds (those found on opening it included)."""
        return frozenset(self._kinds)

    @property
    def last_hash(self) -> str:
        """Hash of the last record (64 zeros for an empty file)."""
        return self._last_hash

    @property
    def sealed(self) -> bool:
        return self._seal_line is not None

    def append(self, kind: RecordKind, actor: str, data: dict[str, Any], *, key: str | None = None) -> AuditRecord:
        """Write one record, durably, and return it.

        With a `key` already in the file, nothing is written: the existing record is returned if
        kind, actor and data are the same, and `AuditConflict` is raised if they differ.
        """
        if kind == SEAL_KIND or key == SEAL_KEY:
            raise ValueError("the seal is written by seal(), not append()")
        if not isinstance(data, dict):
            raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
        record = self._append(kind, actor, data, key)
        assert record is not None
        return record

    def write(self, kind: RecordKind, actor: str, data: dict[str, Any], *, key: str | None = None) -> None:
        """`append`, without building the record to return (the workflow's path: it needs none)."""
        if kind == SEAL_KIND or key == SEAL_KEY:
            raise ValueError("the seal is written by seal(), not append()")
        if not isinstance(data, dict):
            raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
        self._append(kind, actor, data, key, build=False)

    def seal(
        self, data: dict[str, Any] | None = None, *, actor: str = "protocol", agreement: dict[str, Any] | None = None
    ) -> AuditRecord:
        """Close the transcript with a seal counting the records before it and naming the last hash.

        For an agreement, `agreement` holds the agreed terms: every party of the keyring signs their
        hash, and the seal carries the co-signatures. Sealing again with the same data returns the
        existing seal (a replayed ending); with other data it raises `AuditSealed`.
        """
        payload = json_data(data or {})
        clash = [f for f in (*SEAL_FIELDS, "agreement") if f in payload]
        if clash:
            raise ValueError(f"seal data may not set {clash}: the seal fills them in")
        if agreement is not None:
            terms = json_data(agreement)
            digest = terms_sha256(canonical_json(terms))
            message = agreement_message(digest)
            signatures = {p: self.keyring.sign(p, message) for p in self.keyring.parties()}
            payload["agreement"] = {"terms": terms, "terms_sha256": digest, "signatures": signatures}
        with self._lock:
            if self._seal_line is not None:
                existing = AuditRecord.model_validate_json(self._seal_line)
                own = {k: v for k, v in existing.data.items() if k not in SEAL_FIELDS}
                if canonical_json(own) == canonical_json(payload) and existing.actor == actor:
                    return existing
                raise AuditSealed(f"{self.path} is already sealed (seq {existing.seq}) with other data")
            sealing = {**payload, "records": self._count, "last_hash": self._last_hash}
            record = self._append(SEAL_KIND, actor, sealing, SEAL_KEY)
            assert record is not None
            return record

    def recorded(self, key: str) -> AuditRecord | None:
        """The record already written under `key`, if any: a replayed step that must not compute it again."""
        with self._lock:
            found = self._keyed.get(key)
            return None if found is None else AuditRecord.model_validate_json(found[1])

    def commit(self, upto: int | None = None) -> None:
        """Make every record written so far durable (one fsync for all of them): the group commit of a superstep.

        With `upto`, only the first `upto` records need to be: nothing is done if they are already
        (a checkpoint written while the next superstep appends needs only its own superstep's).
        Safe from another thread than the one appending (the checkpointer's, `pactlab.workflow.runner`):
        the fsync runs outside the append lock, so records keep being written meanwhile; the ones
        written before the call are on disk when it returns."""
        with self._sync_lock:
            with self._lock:
                needed = self._count if upto is None else min(upto, self._count)
                if self._fd is None or self._synced >= needed:
                    return
                fd, upto = self._fd, self._count
            try:
                os.fsync(fd)
                self._sync_dir()
            except OSError as exc:
                with self._lock:
                    self._broken = _reason(exc)
                raise AuditWriteError(self.path, _reason(exc)) from exc
            with self._lock:
                self._synced = max(self._synced, upto)

    def _sync_dir(self) -> None:
        """fsync the transcript's folder once, so that the new file's name survives a power loss too."""
        if self._dir_unsynced:
            _fsync_dir(self.path.parent)
            self._dir_unsynced = False

    def close(self) -> None:
        with self._sync_lock, self._lock:
            if self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    if self._synced < self._count:
                        os.fsync(fd)
                        self._synced = self._count
                    self._sync_dir()
                finally:
                    os.close(fd)

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _append(
        self, kind: RecordKind, actor: str, data: dict[str, Any], key: str | None, build: bool = True
    ) -> AuditRecord | None:
        """Hash, sign and write one record (and return it, if `build`). The payload is serialised once
        (RFC 8785, `canonical_json`); the hashed body and the written line are built from that text."""
        if not kind or not actor:
            raise ValueError(f"a record needs a kind and an actor (kind {kind!r}, actor {actor!r})")
        try:
            data_text = canonical_json(data)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"audit data must be JSON-serialisable: {exc}") from exc
        with self._lock:
            if self._broken is not None:
                raise AuditWriteError(self.path, f"an earlier write failed ({self._broken}); the run must stop")
            if key is not None and key in self._keyed:
                return self._replayed(kind, actor, data_text, key)
            if self._seal_line is not None:
                raise AuditSealed(f"{self.path} is sealed: no record may be appended after the seal")
            if self._fd is None:
                raise AuditWriteError(self.path, "the writer is closed")
            seq, ts, prev = self._count, utc_timestamp(self._clock()), self._last_hash
            members = {
                "seq": str(seq),
                "ts": f'"{ts}"',
                "kind": canonical_string(kind),
                "actor": canonical_string(actor),
                "data": data_text,
                "key": "null" if key is None else canonical_string(key),
                "prev_hash": f'"{prev}"',
            }
            digest = hashlib.sha256(canonical_object(members).encode("utf-8")).hexdigest()
            signer = self.keyring.signer_for(actor)
            public, signature = self.keyring.public_key(signer), self.keyring.sign(signer, record_message(digest))
            # base64 needs no escaping: the signature's canonical form, members in key order
            sig_text = f'{{"by":{canonical_string(signer)},"ed25519":"{signature}","key":"{public}"}}'
            line = canonical_object({**members, "hash": f'"{digest}"', "sig": sig_text})
            self._write((line + "\n").encode("utf-8"), durable=self._fsync_each or kind == SEAL_KIND)
            self._count += 1
            self._last_hash = digest
            self._kinds.add(kind)
            if key is not None:
                self._keyed[key] = (seq, line)
            if seq == 0 or kind == IDENTITY_KIND:
                self._declare(seq, kind, json.loads(data_text))
            if kind == SEAL_KIND:
                self._seal_line = line
            if not build:
                return None
            # Built, not validated: every field was made just above, and `line` is exactly its canonical form.
            return AuditRecord.model_construct(
                seq=seq,
                ts=ts,
                kind=kind,
                actor=actor,
                data=json.loads(data_text),
                key=key,
                prev_hash=prev,
                hash=digest,
                sig=Signature.model_construct(by=signer, key=public, ed25519=signature),
            )

    def _declare(self, seq: int, kind: str, data: dict[str, Any]) -> None:
        if seq == 0 and isinstance(data.get("identities"), dict):
            self.declared.update(data["identities"])
        elif kind == IDENTITY_KIND and isinstance(data.get("identity"), dict):
            self.declared[str(data.get("name"))] = data["identity"]

    def _replayed(self, kind: str, actor: str, data_text: str, key: str) -> AuditRecord:
        seq, line = self._keyed[key]
        existing = AuditRecord.model_validate_json(line)
        if (existing.kind, existing.actor, canonical_json(existing.data)) == (kind, actor, data_text):
            return existing
        raise AuditConflict(
            f"replay diverges from the audit trail {self.path} at seq {seq} (key {key!r}): recorded "
            f"{existing.kind} by {existing.actor} {short_json(existing.data)}, "
            f"replayed {kind} by {actor} {short_json(json.loads(data_text))}",
            seq=seq,
            key=key,
        )

    def _write(self, payload: bytes, *, durable: bool) -> None:
        """Write all of `payload` (and fsync if `durable`); on failure cut the file back and refuse further writes."""
        assert self._fd is not None
        fd = self._fd
        try:
            size = os.fstat(fd).st_size
        except OSError as exc:
            self._broken = _reason(exc)
            raise AuditWriteError(self.path, self._broken) from exc
        try:
            view = memoryview(payload)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
                self._synced = self._count + 1  # this record and every one before it
                self._sync_dir()
        except OSError as exc:
            reason = _reason(exc)
            try:
                os.ftruncate(fd, size)  # drop the partial line: the file stays a valid transcript
            except OSError as cut:
                reason += f"; the partial record could not be removed either ({_reason(cut)})"
            self._broken = reason
            raise AuditWriteError(self.path, reason) from exc


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
