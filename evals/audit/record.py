"""One transcript record: its canonical JSON form (RFC 8785), its hash, its signature."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

import rfc8785
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pactlab.domain.records import RecordKind

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
RECORD_FIELDS = frozenset({"seq", "ts", "kind", "actor", "data", "key", "prev_hash", "hash", "sig"})
IDENTITY_KIND: RecordKind = "identity"
"""A record by the operator that seats a new identity (a person who joined later) with its public key."""


def canonical_json(obj: Any) -> str:
    """The one serialisation that is hashed, signed and written: RFC 8785 (JSON Canonicalization Scheme).

    Keys sorted by UTF-16 code units, no spaces, raw UTF-8, ECMAScript number form (``1.0`` is
    ``1``); NaN, infinities and integers beyond ±(2**53 - 1) are refused (``ValueError``), as the
    standard requires, so any JCS implementation re-derives the same bytes and hashes.

    The `rfc8785` package defines the form. A value made only of what Python's C JSON encoder
    already writes exactly as RFC 8785 does (see `_jcs_as_json`) is written by that encoder: the
    same bytes, several times faster, which is what makes signing every record affordable.
    """
    if _jcs_as_json(obj):
        return _JSON(obj)
    try:
        return rfc8785.dumps(obj).decode("utf-8")
    except rfc8785.CanonicalizationError as exc:
        raise ValueError(f"not canonical JSON (RFC 8785): {exc}") from exc


_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_SAFE_INT = 2**53 - 1


def _jcs_as_json(obj: Any) -> bool:
    """Whether `_JSON` writes `obj` byte for byte as RFC 8785 does (else `rfc8785` itself writes it).

    True for exactly these (no subclasses): None, bool, str that UTF-8 can encode (the encoder
    escapes the same characters, in the same way: ``\\n``, ``\\u001f``), int within ±(2**53 - 1),
    float that is not whole and lies in [1e-4, 1e16) in magnitude (where Python's shortest
    round-trip ``repr`` and ECMAScript's Number-to-String give the same digits in the same fixed
    notation), list/tuple of those, and dict of those with ASCII keys (sorted alike by code point
    and by UTF-16 unit).
    """
    kind = type(obj)
    if kind is str:
        return obj.isascii() or _utf8(obj)
    if kind is dict:
        for key, value in obj.items():
            if type(key) is not str or not key.isascii():
                return False
            if type(value) is str:  # most leaves: checked here rather than by a call each
                if not (value.isascii() or _utf8(value)):
                    return False
            elif not _jcs_as_json(value):
                return False
        return True
    if kind is list or kind is tuple:
        for value in obj:
            if type(value) is str:
                if not (value.isascii() or _utf8(value)):
                    return False
            elif not _jcs_as_json(value):
                return False
        return True
    if kind is int:
        return bool(-_SAFE_INT <= obj <= _SAFE_INT)
    if kind is float:
        return bool(1e-4 <= abs(obj) < 1e16 and not obj.is_integer())
    return obj is None or kind is bool


def canonical_string(text: str) -> str:
    """`canonical_json` of a string, the short way (the C encoder's string escaper, the same escapes)."""
    if type(text) is str and (text.isascii() or _utf8(text)):
        return _STRING(text)
    return canonical_json(text)


_STRING = json.encoder.encode_basestring


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: rfc8785 refuses it
        return False
    return True


def canonical_object(members: dict[str, str]) -> str:
    """The RFC 8785 form of an object whose keys (plain ASCII names, not checked: the callers' own
    constants) map to their values' canonical forms already.

    Lets a writer canonicalise a record's large payload once and reuse that text in the hashed
    body and in the written line (an object's canonical form is its members' canonical forms,
    sorted by key), instead of serialising the payload three times."""
    return "{" + ",".join([f'"{key}":{members[key]}' for key in sorted(members)]) + "}"


def record_hash(record_without_hash: dict[str, Any]) -> str:
    """Hex SHA-256 of a record's canonical form; the record must contain neither `hash` nor `sig`."""
    if "hash" in record_without_hash or "sig" in record_without_hash:
        raise ValueError("record_hash takes the record without its 'hash' and 'sig' fields")
    return hashlib.sha256(canonical_json(record_without_hash).encode("utf-8")).hexdigest()


def utc_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with a trailing Z, to the microsecond."""
    if moment.tzinfo is None:
        raise ValueError("audit timestamps need a timezone-aware datetime")
    t = moment.astimezone(UTC)
    return f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}.{t.microsecond:06d}Z"


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


def json_data(data: dict[str, Any]) -> dict[str, Any]:
    """The payload as it will read back from disk (tuples become lists, ...); rejects what JSON cannot hold."""
    if not isinstance(data, dict):
        raise TypeError(f"audit data must be a dict, not {type(data).__name__}")
    try:
        normal = json.loads(canonical_json(data))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"audit data must be JSON-serialisable: {exc}") from exc
    return dict(normal)


def short_json(obj: Any, limit: int = 160) -> str:
    text = canonical_json(obj)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "record"
    return f"{where}: {err['msg']}"
