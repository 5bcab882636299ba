"""Verify a transcript: the hash chain, canonical lines, keys, signatures and seal, naming the first bad line."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.audit.errors import AuditCorrupt
from evals.audit.record import (
    IDENTITY_KIND,
    RECORD_FIELDS,
    SEAL_KIND,
    ZERO_HASH,
    AuditRecord,
    canonical_json,
    first_error,
    record_hash,
)
from evals.identity import (
    OPERATOR,
    agreement_message,
    record_message,
    terms_sha256,
    verify_signature,
)


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


def scan(
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
        if set(obj) != RECORD_FIELDS:
            missing, extra = sorted(RECORD_FIELDS - set(obj)), sorted(set(obj) - RECORD_FIELDS)
            what = "; ".join(
                p for p in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "") if p
            )
            return bad(n, f"line {n} does not have the record's fields ({what}): edited")
        try:
            record = AuditRecord.model_validate(obj)
            canonical = canonical_json(obj)
        except ValidationError as exc:
            return bad(n, f"line {n} is not a valid audit record ({first_error(exc)}): edited")
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
    """The signature checks of `scan`, record by record.

    Every record's signature must verify under the key it names. A signer keeps one key for the
    whole transcript: the key the run start declares for it (``data.identities``), or an
    ``identity`` record seats later, or (in a transcript that declares none, which only the operator
    signs) the key of its first record. When identities are declared, an actor's records are signed
    by the actor's identity (a party's by the party or the person seated for it), any other actor's by the operator; an
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
            if sig.by != OPERATOR:
                return (
                    f"is signed by {sig.by}, but a transcript whose run start declares no identities is signed "
                    "by the operator alone"
                )
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
    return scan(raw, require_seal=require_seal, trust=trust)[0]


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
            raise AuditCorrupt(f"{path} line {n} is not a valid audit record: {first_error(exc)}", line=n) from exc
    return records
