"""Signed tree heads: at the end of each round the operator signs the Merkle root of the transcript so far.

A ``tree_head`` record (actor ``operator``) holds the tree size (how many records precede it:
the record's own ``seq``), the RFC 9162 root of those records (`evals.audit.merkle`, one leaf per
canonical line), a UTC timestamp, the round it closes, and the operator's Ed25519 signature of
``pactlab/tree-head/v1\\n`` followed by the canonical JSON ``{"root_hash", "timestamp", "tree_size"}``.

A party that kept a tree head can later ask for a consistency proof from it to any later tree
head, and an inclusion proof for each record it saw: no one can rewrite what it saw without the
proofs failing (`evals.views`). `verify` checks every tree head in a transcript
(`TreeHeadCheck`): its size and root are those of the records before it, and the operator signed it.

The head is written with a key (``tree_head:ROUND``): a round replayed after a crash finds its
head already written and leaves it as it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.audit.errors import AuditCorrupt
from evals.audit.merkle import CompactRange, leaf_hash
from evals.audit.record import AuditRecord, canonical_json, first_error, utc_timestamp
from evals.identity import OPERATOR, Keyring, verify_signature
from pactlab.domain.records import RecordKind

TREE_HEAD_KIND: RecordKind = "tree_head"
TREE_HEAD_CONTEXT = b"pactlab/tree-head/v1\n"
"""Prefix of the message the operator signs for a tree head (domain separation from records and agreements)."""

_HEX64 = r"^[0-9a-f]{64}$"
_B64_SIG = r"^[A-Za-z0-9+/]{86}==$"


class SignedTreeHead(BaseModel):
    """A tree head as recorded: the size and root of the transcript's first `tree_size` records, signed."""

    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")

    round: int = Field(ge=0, description="The round whose end this head marks.")
    tree_size: int = Field(ge=0, description="Records covered: the first tree_size lines of the transcript.")
    root_hash: str = Field(pattern=_HEX64, description="Hex RFC 9162 Merkle tree hash of those records' lines.")
    timestamp: str = Field(description="When the operator signed it (UTC ISO-8601, Z).")
    signature: str = Field(pattern=_B64_SIG, description="Base64 Ed25519 signature by the operator (see module).")


def tree_head_message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    """The bytes the operator signs for a tree head."""
    body = {"root_hash": root_hash, "timestamp": timestamp, "tree_size": tree_size}
    return TREE_HEAD_CONTEXT + canonical_json(body).encode("utf-8")


def tree_head_of(record: AuditRecord) -> SignedTreeHead:
    """The signed tree head a ``tree_head`` record holds; ValueError if it is not one."""
    if record.kind != TREE_HEAD_KIND:
        raise ValueError(f"record {record.seq} is a {record.kind}, not a tree_head")
    try:
        return SignedTreeHead.model_validate(record.data)
    except ValidationError as exc:
        raise ValueError(f"record {record.seq} is not a valid tree head ({first_error(exc)})") from None


def check_tree_head(head: SignedTreeHead, operator_key: str) -> str | None:
    """None if `head` is signed by the holder of `operator_key`; else what is wrong."""
    message = tree_head_message(head.tree_size, head.root_hash, head.timestamp)
    if not verify_signature(operator_key, message, head.signature):
        return f"the tree head of round {head.round} is not signed by the operator's key {operator_key[:12]}…"
    return None


class Appender(Protocol):
    """What `TreeHeads` needs of an `AuditWriter` (a protocol: the writer imports `verify`, which imports this)."""

    path: Path
    keyring: Keyring

    @property
    def records(self) -> int: ...

    def recorded(self, key: str) -> AuditRecord | None: ...

    def append(self, kind: RecordKind, actor: str, data: dict[str, Any], *, key: str | None = None) -> AuditRecord: ...


class TreeHeads:
    """Issues a transcript's tree heads, reading each record's line once (appended lines only, each round)."""

    def __init__(self, writer: Appender) -> None:
        self.writer = writer
        self._tree = CompactRange()
        self._offset = 0
        self._pending = b""

    def issue(self, round_: int, *, key: str | None = None, timestamp: str | None = None) -> AuditRecord:
        """Sign and append the tree head of every record so far, closing `round_`; a replay returns the written one."""
        key = key or f"tree_head:{round_}"
        written = self.writer.recorded(key)
        if written is not None:
            return written
        self._catch_up()
        size, root = self._tree.size, self._tree.root().hex()
        stamp = timestamp or utc_timestamp(datetime.now(UTC))
        signature = self.writer.keyring.sign(OPERATOR, tree_head_message(size, root, stamp))
        head = SignedTreeHead(round=round_, tree_size=size, root_hash=root, timestamp=stamp, signature=signature)
        return self.writer.append(TREE_HEAD_KIND, OPERATOR, head.model_dump(), key=key)

    def _catch_up(self) -> None:
        """Fold in the lines appended since the last call (the writer's file is the one source of truth)."""
        path = Path(self.writer.path)
        with path.open("rb") as handle:
            handle.seek(self._offset)
            chunk = handle.read()
        self._offset += len(chunk)
        lines = (self._pending + chunk).split(b"\n")
        self._pending = lines.pop()
        for line in lines:
            self._tree.append(leaf_hash(line))
        if self._tree.size != self.writer.records or self._pending:  # pragma: no cover - one writer per file
            raise AuditCorrupt(f"{path} holds {self._tree.size} whole records, its writer {self.writer.records}")


class TreeHeadCheck:
    """`verify`'s check of tree heads, fed every verified record in order (see `check`)."""

    def __init__(self) -> None:
        self._tree = CompactRange()
        self.heads: list[tuple[int, SignedTreeHead]] = []

    def check(self, record: AuditRecord, line: str) -> str | None:
        """None if `record` (already chain- and signature-checked) is not a tree head or a valid one; else why not."""
        problem = self._check(record) if record.kind == TREE_HEAD_KIND else None
        self._tree.append(leaf_hash(line.encode("utf-8")))
        return problem

    def _check(self, record: AuditRecord) -> str | None:
        try:
            head = tree_head_of(record)
        except ValueError as exc:
            return f"holds a malformed tree head: {exc}"
        if record.actor != OPERATOR or record.sig.by != OPERATOR:
            return f"is a tree head by {record.actor} signed by {record.sig.by}: only the operator signs tree heads"
        if head.tree_size != record.seq:
            return (
                f"is a tree head for {head.tree_size} records, but {record.seq} records precede it: "
                "records were deleted or inserted before it"
            )
        root = self._tree.root().hex()
        if head.root_hash != root:
            return (
                f"is a tree head with root {head.root_hash[:12]}…, but the records before it hash to {root[:12]}…: "
                "a record before it was changed after the operator signed the tree head"
            )
        problem = check_tree_head(head, record.sig.key)
        if problem is not None:
            return f"has a forged tree head signature: {problem}"
        self.heads.append((record.seq, head))
        return None


def tree_head_data(record: AuditRecord) -> dict[str, Any]:
    """The tree head's fields as JSON (for views and proofs)."""
    return tree_head_of(record).model_dump()
