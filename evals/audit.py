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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from evals.identity import (
    OPERATOR,
    Keyring,
    agreement_message,
    record_message,
    terms_sha256,
    verify_signature,
)
from pactlab.domain.records import RecordKind
from pactlab.errors import Conflict, ExternalError, Incomplete, PactlabError, RecordError

ZERO_HASH = "0" * 64
"""The `prev_hash` of the first record."""

SEAL_KIND: RecordKind = "seal"
SEAL_KEY = "seal"
SEAL_FIELDS = ("records", "last_hash")
"""Fields the seal adds to its data: the number of records before it and the last one's hash."""

_HEX64 = r"^[0-9a-f]{64}$"
_B64_KEY = r"^[A-Za-z0-9+/]{43}=$"
_B64_SIG = r"^[A-Za-z0-9+/]{86}==$"
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
_FIELDS = frozenset({"seq", "ts", "kind", "actor", "data", "key", "prev_hash", "hash", "sig"})
IDENTITY_KIND: RecordKind = "identity"
"""A record by the operator that seats a new identity (a person who joined later) with its public key."""


class AuditError(PactlabError):
    """Base class of the audit trail's errors."""


class AuditWriteError(AuditError, ExternalError):
    """A record could not be written: the run must stop (nothing is dropped silently)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write the audit trail {path}: {reason}")
        self.path = path
        self.reason = reason


class AuditIncomplete(AuditError, Incomplete):
    """A transcript without its seal whose every record verifies: a run cut short, not tampering."""


class TranscriptTaken(AuditError, Conflict):
    """Another writer created the transcript between this writer's check and its creation."""


class AuditConflict(AuditError, Conflict):
    """A replayed, keyed append differs from the record already written under that key."""

    def __init__(self, message: str, *, seq: int, key: str) -> None:
        super().__init__(message)
        self.seq = seq
        self.key = key


class AuditKeyMismatch(AuditError, Conflict):
    """Reopening a transcript with other keys than the ones that signed it: its records could not verify."""


class AuditSealed(AuditError, Conflict):
    """The transcript is sealed: nothing more may be appended."""


class AuditCorrupt(AuditError, RecordError):
    """A transcript is malformed or fails verification (reading it, or reopening it to append)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def canonical_json(obj: Any) -> str:
    """The one serialisation that is hashed, signed and written: RFC 8785 (JSON Canonicalization Scheme).

    Keys sorted by UTF-16 code units, no spaces, raw UTF-8, ECMAScript number form (``1.0`` is
    ``1``); NaN, infinities and integers beyond ±(2**53 - 1) are refused (``ValueError``), as the
    standard requires, so any JCS implementation re-derives the same bytes and hashes.
    """
    try:
        return rfc8785.dumps(obj).decode("utf-8")
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"not canonical JSON (RFC 8785): {exc}") from exc


def record_hash(record_without_hash: dict[str, Any]) -> str:
    """Hex SHA-256 of a record's canonical form; the record must contain neither `hash` nor `sig`."""
    if "hash" in record_without_hash or "sig" in record_without_hash:
        raise ValueError("record_hash takes the record without its 'hash' and 'sig' fields")
    return hashlib.sha256(canonical_json(record_without_hash).encode("utf-8")).hexdigest()


def utc_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with a trailing Z, to the microsecond."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps need a timezone-aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Signature(BaseModel):
    """Who signed a record: an identity's name, its Ed25519 public key and the signature of the record's hash."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    by: str = Field(
        min_length=1, description="The signing identity: a party id, 'operator', 'mediator', 'person:NAME'."
    )
    key: str = Field(pattern=_B64_KEY, description="The signer's Ed25519 public key, raw 32 bytes in base64.")
    ed25519: str = Field(
        pattern=_B64_SIG,
        description="Base64 Ed25519 signature of the bytes 'pactlab/audit-record/v1\\n' then the record's hex hash.",
    )


class AuditRecord(BaseModel):
    """One line of the transcript. Strict: what is on disk is exactly what was hashed and signed."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    seq: int = Field(ge=0, description="0-based position in the file.")
    ts: str = Field(description="UTC ISO-8601 timestamp ending in Z.")
    kind: str = Field(min_length=1, description='What happened: "run_start", "move", "state", "seal", ...')
    actor: str = Field(min_length=1, description='Who acted: a party id, "protocol", "evaluator", "operator".')
    data: dict[str, Any] = Field(description="The event's JSON payload.")
    key: str | None = Field(default=None, description="Idempotency key for replays, e.g. 'move:17'.")
    prev_hash: str = Field(pattern=_HEX64, description="The previous record's hash; 64 zeros for seq 0.")
    hash: str = Field(
        pattern=_HEX64, description="SHA-256 of the RFC 8785 canonical form of the record without `hash` and `sig`."
    )
    sig: Signature = Field(description="The actor's signature of `hash`.")

    @field_validator("ts")
    @classmethod
    def _utc_iso(cls, value: str) -> str:
        if not _TS.match(value):
            raise ValueError(f"timestamp {value!r} is not UTC ISO-8601 ending in Z")
        datetime.fromisoformat(value)  # rejects impossible dates such as month 13
        return value

    def body(self) -> dict[str, Any]:
        """The hashed part: every field but `hash` and `sig`."""
        return self.model_dump(exclude={"hash", "sig"})

    def line(self) -> str:
        """The record as written: its canonical JSON, without the newline."""
        return canonical_json(self.model_dump())


class VerifyReport(BaseModel):
    """The outcome of `verify`: whether the transcript is intact, and if not, where it breaks first."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    records: int = Field(description="Records that verified, from the start up to the first problem.")
    sealed: bool = Field(description="Whether the verified records end with a valid seal.")
    first_bad: int | None = Field(
        default=None,
        description="1-based line of the first bad record; for a cut tail, the line after the last one left.",
    )
    problem: str | None = None
    last_hash: str | None = Field(default=None, description="Hash of the last verified record (the seal's, if sealed).")
    incomplete: bool = Field(
        default=False,
        description="Not sealed, but every record it holds verifies: cut short by a crash (or still being "
        "written), not tampered with as far as it goes.",
    )
    signers: list[str] = Field(default_factory=list, description="The identity that signed each verified record.")
    identities: dict[str, str] = Field(
        default_factory=dict, description="Every identity that signed or was declared: name -> Ed25519 public key."
    )
    cosigned_by: list[str] = Field(default_factory=list, description="The parties that co-signed an agreement.")
    unpinned: list[str] = Field(
        default_factory=list, description="Signers a trust file was given for but does not name (a failure)."
    )


def _json_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from disk (tuples become lists, ...); rejects what JSON cannot hold."""
    if not isinstance(data, dict):
        raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
    try:
        normal = json.loads(canonical_json(data))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit data must be JSON-serialisable: {exc}") from exc
    return dict(normal)


def _short(obj: Any, limit: int = 160) -> str:
    text = canonical_json(obj)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "record"
    return f"{where}: {err['msg']}"


def _scan(
    raw: bytes, *, require_seal: bool, trust: Mapping[str, str] | None = None
) -> tuple[VerifyReport, list[tuple[AuditRecord, str]]]:
    """Verify a transcript's bytes; also return the records (and their lines) that verified."""
    good: list[tuple[AuditRecord, str]] = []
    keys: dict[str, int] = {}
    prev_hash = ZERO_HASH
    sealed = False
    signatures = _Signatures(trust)

    def bad(line_no: int, problem: str) -> tuple[VerifyReport, list[tuple[AuditRecord, str]]]:
        report = VerifyReport(
            ok=False,
            records=len(good),
            sealed=False,
            first_bad=line_no,
            problem=problem,
            last_hash=good[-1][0].hash if good else None,
            signers=[r.sig.by for r, _ in good],
            identities=dict(signatures.bound),
        )
        return report, good

    chunks = raw.split(b"\n")
    tail = chunks.pop()  # b"" when the file ends with a newline, as the writer leaves it
    lines = [*chunks, tail] if tail else chunks
    for index, chunk in enumerate(lines):
        n = index + 1
        if index == len(chunks):
            return bad(n, f"line {n} is incomplete (no newline at the end): the file was cut mid-record (truncated)")
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            return bad(n, f"line {n} is not valid UTF-8 (byte {exc.start}): the file was damaged or edited")
        if not text:
            return bad(n, f"line {n} is empty: a blank line was inserted or a record removed")
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            return bad(n, f"line {n} is not valid JSON ({exc.msg} at column {exc.colno}): malformed or cut")
        except RecursionError:
            return bad(n, f"line {n} is nested too deeply to be a record: malformed")
        if not isinstance(obj, dict):
            return bad(n, f"line {n} is not a JSON object")
        if set(obj) != _FIELDS:
            missing, extra = sorted(_FIELDS - set(obj)), sorted(set(obj) - _FIELDS)
            what = "; ".join(
                p for p in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "") if p
            )
            return bad(n, f"line {n} does not have the record's fields ({what}): edited")
        try:
            record = AuditRecord.model_validate(obj)
            canonical = canonical_json(obj)
        except ValidationError as exc:
            return bad(n, f"line {n} is not a valid audit record ({_first_error(exc)}): edited")
        except ValueError as exc:  # NaN or Infinity in the line
            return bad(n, f"line {n} holds a value JSON does not allow ({exc}): edited")
        if canonical != text:
            return bad(n, f"line {n} is not in canonical form (spacing, key order or escapes changed): edited")
        if record_hash(record.body()) != record.hash:
            return bad(n, f"line {n} was edited: its content does not match its hash")
        if sealed:
            return bad(n, f"line {n} comes after the seal on line {index}: records were added after the run was sealed")
        if record.seq != index:
            if record.seq < index:
                why = "a record was duplicated, inserted or moved here"
            else:
                why = f"{record.seq - index} record(s) before it were deleted, or records were reordered"
            return bad(n, f"line {n} has seq {record.seq} where {index} was expected: {why}")
        if record.prev_hash != prev_hash:
            before = f"line {index}" if index else "the start of the file"
            return bad(
                n,
                f"line {n} does not chain to {before} (prev_hash mismatch): "
                "a record was inserted, deleted or reordered",
            )
        signed = signatures.check(record)
        if signed is not None:
            return bad(n, f"line {n} {signed}")
        if record.key is not None:
            if record.key in keys:
                return bad(n, f"line {n} repeats key {record.key!r} of line {keys[record.key]}: duplicated record")
            keys[record.key] = n
        if record.kind == SEAL_KIND:
            count, last = record.data.get("records"), record.data.get("last_hash")
            if count != index or isinstance(count, bool) or last != prev_hash:
                return bad(
                    n,
                    f"line {n} is a seal for {count!r} records ending in {str(last)[:12]}…, but {index} records "
                    f"ending in {prev_hash[:12]}… precede it: records were deleted or the seal was forged",
                )
            sealed = True
        good.append((record, text))
        prev_hash = record.hash
    last_hash = good[-1][0].hash if good else None
    if require_seal and not sealed:
        n = len(good) + 1
        problem = (
            "the file is empty: no records and no seal"
            if not good
            else f"the file ends after line {len(good)} without a seal: its tail was cut (or the run never finished)"
        )
        report = VerifyReport(
            ok=False,
            records=len(good),
            sealed=False,
            first_bad=n,
            problem=problem,
            last_hash=last_hash,
            incomplete=True,
            signers=[r.sig.by for r, _ in good],
            identities=dict(signatures.bound),
        )
        return report, good
    report = VerifyReport(
        ok=True,
        records=len(good),
        sealed=sealed,
        last_hash=last_hash,
        signers=[r.sig.by for r, _ in good],
        identities=dict(signatures.bound),
        cosigned_by=signatures.cosigned,
    )
    return report, good


class _Signatures:
    """The signature checks of `_scan`, record by record.

    Every record's signature must verify under the key it names. A signer keeps one key for the
    whole transcript: the key the run start declares for it (``data.identities``), or an
    ``identity`` record seats later, or (in a transcript that declares none) the key of its first
    record. When identities are declared, an actor's records are signed by the actor's identity
    (a party's by the party or the person seated for it), any other actor's by the operator; an
    agreement's seal carries every declared party's signature of the agreed terms. With a trust
    file, every signer must be pinned there with the same key.
    """

    def __init__(self, trust: Mapping[str, str] | None) -> None:
        self.trust = trust
        self.bound: dict[str, str] = {}
        self.declared: dict[str, dict[str, Any]] = {}
        self.last_proposal: Any = None
        self.cosigned: list[str] = []

    def check(self, record: AuditRecord) -> str | None:
        """None if the record's signature holds; else what is wrong (after "line N")."""
        sig = record.sig
        if not verify_signature(sig.key, record_message(record.hash), sig.ed25519):
            return (
                f"has a signature by {sig.by} that does not verify: the record was altered and rehashed "
                "without the signer's private key"
            )
        if self.trust is not None:
            pinned = self.trust.get(sig.by)
            if pinned is None:
                return f"is signed by {sig.by}, whom the trust file does not pin: signed by an unknown identity"
            if pinned != sig.key:
                return (
                    f"is signed by {sig.by} with key {sig.key[:12]}…, but the trust file pins {sig.by} to "
                    f"{pinned[:12]}…: the transcript was rewritten with other keys"
                )
        if record.seq == 0 and isinstance(record.data.get("identities"), dict):
            problem = self._declare(record.data["identities"])
            if problem is not None:
                return problem
        known = self.bound.get(sig.by)
        if known is None:
            if self.declared:
                return f"is signed by {sig.by}, an identity the run start does not declare"
            self.bound[sig.by] = sig.key
        elif known != sig.key:
            return (
                f"is signed by {sig.by} with key {sig.key[:12]}…, not the key {known[:12]}… declared for "
                f"{sig.by}: signed by someone else"
            )
        if self.declared:
            expected = self._signers_of(record.actor)
            if sig.by not in expected:
                return (
                    f"is {record.actor}'s record signed by {sig.by}: it must be signed by "
                    f"{' or '.join(sorted(expected))}"
                )
        if record.kind == IDENTITY_KIND and record.seq > 0:
            if sig.by != OPERATOR:
                return f"seats an identity but is signed by {sig.by}, not the operator"
            problem = self._declare({str(record.data.get("name")): record.data.get("identity")})
            if problem is not None:
                return problem
        if record.kind == "move":
            table = record.data.get("table")
            self.last_proposal = table.get("proposal") if isinstance(table, dict) else None
        if record.kind == SEAL_KIND:
            return self._seal(record)
        return None

    def _declare(self, identities: dict[str, Any]) -> str | None:
        for name, identity in identities.items():
            key = identity.get("public_key") if isinstance(identity, dict) else None
            if not isinstance(key, str):
                return f"declares identity {name!r} without a public key"
            if name in self.bound and self.bound[name] != key:
                return f"declares {name} again with another key: an identity's key may not change"
            if self.trust is not None and self.trust.get(name, key) != key:
                return (
                    f"declares {name} with key {key[:12]}…, but the trust file pins {name} to "
                    f"{self.trust[name][:12]}…: the transcript was rewritten with other keys"
                )
            self.bound[name] = key
            self.declared[name] = identity
        return None

    def _signers_of(self, actor: str) -> set[str]:
        if actor not in self.declared:
            return {OPERATOR}
        people = {n for n, i in self.declared.items() if i.get("role") == "person" and i.get("seat") == actor}
        return {actor, *people}

    def _seal(self, record: AuditRecord) -> str | None:
        parties = [n for n, i in self.declared.items() if i.get("role") == "party"]
        if record.data.get("outcome") != "agreement" or not parties:
            return None
        agreement = record.data.get("agreement")
        if not isinstance(agreement, dict) or not isinstance(agreement.get("signatures"), dict):
            return "seals an agreement without the parties' co-signatures"
        terms = agreement.get("terms")
        digest = terms_sha256(canonical_json(terms))
        if agreement.get("terms_sha256") != digest:
            return "seals an agreement whose terms_sha256 is not the hash of its terms"
        if self.last_proposal is not None and canonical_json(terms) != canonical_json(self.last_proposal):
            return "seals an agreement on terms other than the table's last proposal"
        for party in parties:
            signature = agreement["signatures"].get(party)
            if not isinstance(signature, str) or not verify_signature(
                self.bound[party], agreement_message(digest), signature
            ):
                return f"seals an agreement that {party} did not co-sign (no valid signature of the terms by {party})"
        self.cosigned = parties
        return None


def verify_bytes(raw: bytes, *, require_seal: bool = True, trust: Mapping[str, str] | None = None) -> VerifyReport:
    """Verify a transcript held in memory (see `verify`)."""
    return _scan(raw, require_seal=require_seal, trust=trust)[0]


def verify(path: Path | str, *, require_seal: bool = True, trust: Mapping[str, str] | None = None) -> VerifyReport:
    """Check a transcript's integrity and name the first bad line.

    Detects edited, inserted, deleted, reordered and duplicated records, malformed or non-UTF-8
    lines, a line cut short, records after the seal, and a cut tail (no seal, or a seal whose
    count or last hash disagree). With `require_seal=False` an unsealed transcript (a run still
    going, or killed) verifies as far as it goes, with `sealed=False`.

    Every record's signature is checked too (see `_Signatures`); `trust` pins the expected public
    key of each signer (``{identity: base64 key}``), so that a transcript rewritten and re-signed
    with new keys fails.
    """
    return verify_bytes(Path(path).read_bytes(), require_seal=require_seal, trust=trust)


def read_records(path: Path | str) -> list[AuditRecord]:
    """Every record of a transcript, each validated against the schema.

    Raises `AuditCorrupt` naming the line of the first malformed one. This checks form, not
    integrity: run `verify` to know the records were not altered.
    """
    records: list[AuditRecord] = []
    chunks = Path(path).read_bytes().split(b"\n")
    if chunks[-1] == b"":
        chunks.pop()
    for index, chunk in enumerate(chunks):
        n = index + 1
        try:
            records.append(AuditRecord.model_validate_json(chunk))
        except ValidationError as exc:
            raise AuditCorrupt(f"{path} line {n} is not a valid audit record: {_first_error(exc)}", line=n) from exc
    return records


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
        self._unsynced = False
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._keyed: dict[str, tuple[int, str]] = {}  # key -> (seq, line)
        self._count = 0
        self._last_hash = ZERO_HASH
        self._seal_line: str | None = None
        self._broken: str | None = None
        self._fd: int | None = None
        self.declared: dict[str, dict[str, Any]] = {}
        """The identities the transcript declares (run start, then ``identity`` records), in order."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            existing = self.path.read_bytes() if self.path.exists() else None
        except OSError as exc:
            raise AuditWriteError(self.path, _reason(exc)) from exc
        if existing is not None:
            report, good = _scan(existing, require_seal=False)
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
                if record.key is not None:
                    self._keyed[record.key] = (record.seq, line)
                self._declare(record)
            self._count = report.records
            self._last_hash = report.last_hash or ZERO_HASH
            self._seal_line = good[-1][1] if report.sealed else None
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        if existing is None:
            flags |= os.O_CREAT | os.O_EXCL  # two writers racing to create it: one gets it, one is refused
        try:
            self._fd = os.open(self.path, flags, 0o644)
            if existing is None and os.name == "posix":
                _fsync_dir(self.path.parent)  # the new file's directory entry is durable too
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
        return self._append(kind, actor, _json_data(data), key)

    def seal(
        self, data: dict[str, Any] | None = None, *, actor: str = "protocol", agreement: dict[str, Any] | None = None
    ) -> AuditRecord:
        """Close the transcript with a seal counting the records before it and naming the last hash.

        For an agreement, `agreement` holds the agreed terms: every party of the keyring signs their
        hash, and the seal carries the co-signatures. Sealing again with the same data returns the
        existing seal (a replayed ending); with other data it raises `AuditSealed`.
        """
        payload = _json_data(data or {})
        clash = [f for f in (*SEAL_FIELDS, "agreement") if f in payload]
        if clash:
            raise ValueError(f"seal data may not set {clash}: the seal fills them in")
        if agreement is not None:
            terms = _json_data(agreement)
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
            return self._append(SEAL_KIND, actor, sealing, SEAL_KEY)

    def commit(self) -> None:
        """Make every record written so far durable (one fsync for all of them): the group commit of a superstep."""
        with self._lock:
            if self._fd is None or not self._unsynced:
                return
            try:
                os.fsync(self._fd)
            except OSError as exc:
                self._broken = _reason(exc)
                raise AuditWriteError(self.path, self._broken) from exc
            self._unsynced = False

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                if self._unsynced:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _append(self, kind: RecordKind, actor: str, data: dict[str, Any], key: str | None) -> AuditRecord:
        with self._lock:
            if self._broken is not None:
                raise AuditWriteError(self.path, f"an earlier write failed ({self._broken}); the run must stop")
            if key is not None and key in self._keyed:
                return self._replayed(kind, actor, data, key)
            if self._seal_line is not None:
                raise AuditSealed(f"{self.path} is sealed: no record may be appended after the seal")
            if self._fd is None:
                raise AuditWriteError(self.path, "the writer is closed")
            body: dict[str, Any] = {
                "seq": self._count,
                "ts": utc_timestamp(self._clock()),
                "kind": kind,
                "actor": actor,
                "data": data,
                "key": key,
                "prev_hash": self._last_hash,
            }
            digest = record_hash(body)
            signer = self.keyring.signer_for(actor)
            sig = {
                "by": signer,
                "key": self.keyring.public_key(signer),
                "ed25519": self.keyring.sign(signer, record_message(digest)),
            }
            record = AuditRecord.model_validate({**body, "hash": digest, "sig": sig})
            line = record.line()
            self._write((line + "\n").encode("utf-8"), durable=self._fsync_each or kind == SEAL_KIND)
            self._count += 1
            self._last_hash = record.hash
            if key is not None:
                self._keyed[key] = (record.seq, line)
            self._declare(record)
            if kind == SEAL_KIND:
                self._seal_line = line
            return record

    def _declare(self, record: AuditRecord) -> None:
        if record.seq == 0 and isinstance(record.data.get("identities"), dict):
            self.declared.update(record.data["identities"])
        elif record.kind == IDENTITY_KIND and isinstance(record.data.get("identity"), dict):
            self.declared[str(record.data.get("name"))] = record.data["identity"]

    def _replayed(self, kind: str, actor: str, data: dict[str, Any], key: str) -> AuditRecord:
        seq, line = self._keyed[key]
        existing = AuditRecord.model_validate_json(line)
        if (existing.kind, existing.actor, canonical_json(existing.data)) == (kind, actor, canonical_json(data)):
            return existing
        raise AuditConflict(
            f"replay diverges from the audit trail {self.path} at seq {seq} (key {key!r}): recorded "
            f"{existing.kind} by {existing.actor} {_short(existing.data)}, replayed {kind} by {actor} {_short(data)}",
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
            self._unsynced = not durable
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
