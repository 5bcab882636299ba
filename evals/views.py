"""A party's view of a transcript, with the proofs that let it check any later copy of the transcript.

`export_view` takes what a party saw (`evals.transcript.party_view`: the public moves, its own
brief) together with the canonical lines of the records behind it (its moves and the operator's
signed tree heads, `evals.audit.tree_heads`) and an RFC 9162 inclusion proof of each record in
the last tree head it saw. The party keeps that file.

`check_view` confirms a later transcript contains that view unchanged: the transcript verifies;
its operator key is the one that signed the view's tree heads; each tree head the party saw is
consistent with the transcript's latest one (a consistency proof, so the history the party saw is
a prefix of the transcript's); every viewed record is included, byte for byte, at its position.
A rewrite of anything the party saw fails, however well the forger recomputed the chain, the
tree heads and the signatures, because the party's copy of the tree heads does not change.

`inclusion_proof` and `consistency_proof` give the proofs of one transcript as JSON-ready models
(`pactlab audit prove`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from evals.audit.errors import AuditCorrupt, AuditError
from evals.audit.merkle import (
    ProofInvalid,
    inclusion_path,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from evals.audit.merkle import consistency_proof as merkle_consistency
from evals.audit.record import AuditRecord, first_error
from evals.audit.tree_heads import TREE_HEAD_KIND, SignedTreeHead, check_tree_head, tree_head_of
from evals.audit.verify import scan
from evals.identity import OPERATOR
from evals.transcript import TranscriptError, TranscriptRun, party_view
from pactlab.errors import BadInput, RecordError

VIEW_FORMAT = "pactlab/party-view/v1"


class ViewError(BadInput, ValueError):
    """A view file that cannot be read as one, or a proof asked of a transcript that cannot give it."""


class ViewMismatch(AuditError, RecordError):
    """A later transcript does not contain a party's view unchanged (`check_view` named each difference)."""

    def __init__(self, check: ViewCheck) -> None:
        super().__init__(
            "the transcript does not contain the party's view unchanged:\n"
            + "\n".join(f"- {d}" for d in check.differences)
        )
        self.check = check


class InclusionProof(BaseModel):
    """RFC 9162 inclusion proof: the record at `seq` is leaf `seq` of the tree of the first `tree_size` records."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=0)
    tree_size: int = Field(ge=1)
    leaf_hash: str = Field(description="Hex SHA-256(0x00 || the record's canonical line).")
    root_hash: str = Field(description="Hex Merkle tree hash of the first tree_size records.")
    path: list[str] = Field(description="Hex sibling hashes from the leaf up (RFC 9162 §2.1.3.1 PATH).")
    tree_head_seq: int | None = Field(default=None, description="The signed tree head of that size, if any.")

    def verify(self, leaf: bytes | None = None) -> None:
        """RFC 9162 §2.1.3.2 (`ProofInvalid` if it fails); `leaf`: the leaf hash to prove, if not the proof's own."""
        path = [_unhex(p) for p in self.path]
        verify_inclusion(self.seq, self.tree_size, leaf or _unhex(self.leaf_hash), path, _unhex(self.root_hash))


class ConsistencyProof(BaseModel):
    """RFC 9162 consistency proof: the tree of the first `first` records is a prefix of the one of `second`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: int = Field(ge=0)
    second: int = Field(ge=0)
    first_root: str
    second_root: str
    path: list[str] = Field(description="Hex hashes (RFC 9162 §2.1.4.1 PROOF).")

    def verify(self) -> None:
        """RFC 9162 §2.1.4.2 (`ProofInvalid` if it fails)."""
        verify_consistency(
            self.first,
            self.second,
            [_unhex(p) for p in self.path],
            _unhex(self.first_root),
            _unhex(self.second_root),
        )


class PartyView(BaseModel):
    """What `party` saw, the records behind it (canonical lines), and their inclusion proofs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["pactlab/party-view/v1"] = "pactlab/party-view/v1"
    party: str
    operator_key: str = Field(description="The operator's Ed25519 public key that signed the tree heads.")
    view: dict[str, Any] = Field(description="What the party saw (evals.transcript.party_view).")
    records: list[str] = Field(description="Canonical lines of the records the party saw: moves and tree heads.")
    tree_heads: list[SignedTreeHead] = Field(description="The signed tree heads the party saw, in order.")
    proofs: list[InclusionProof] = Field(description="Each record's inclusion in the last tree head (when covered).")


class ViewCheck(BaseModel):
    """The outcome of `check_view`: whether the transcript holds the view unchanged, and what differs if not."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    differences: list[str] = Field(default_factory=list)
    records_checked: int = 0
    tree_heads_checked: int = 0
    view_size: int = Field(default=0, description="Records covered by the view's last tree head.")
    transcript_size: int = Field(default=0, description="Records covered by the transcript's last tree head.")


class Transcript:
    """A verified transcript's records and lines, with their Merkle tree (the proofs of one file)."""

    def __init__(self, raw: bytes, *, require_seal: bool = False) -> None:
        report, good = scan(raw, require_seal=require_seal)
        if not report.ok:
            raise AuditCorrupt(f"line {report.first_bad}: {report.problem}", line=report.first_bad)
        self.report = report
        self.records: list[AuditRecord] = [r for r, _ in good]
        self.lines: list[bytes] = [line.encode("utf-8") for _, line in good]
        self.leaves: list[bytes] = [leaf_hash(line) for line in self.lines]
        self.heads: list[tuple[int, SignedTreeHead]] = [
            (r.seq, tree_head_of(r)) for r in self.records if r.kind == TREE_HEAD_KIND
        ]

    @property
    def operator_key(self) -> str | None:
        return self.report.identities.get(OPERATOR)

    def head_of_size(self, size: int) -> int | None:
        return next((seq for seq, head in self.heads if head.tree_size == size), None)

    def inclusion(self, seq: int, size: int | None = None) -> InclusionProof:
        """The inclusion proof of record `seq` in the tree of the first `size` records (default: the last tree
        head that covers it, else the whole transcript)."""
        n = len(self.records)
        if not 0 <= seq < n:
            raise ViewError(f"there is no record {seq}: the transcript holds records 0 to {n - 1}")
        if size is None:
            covering = [h.tree_size for _, h in self.heads if h.tree_size > seq]
            size = covering[-1] if covering else n
        if not seq < size <= n:
            raise ViewError(f"--size {size} must be above the record's seq {seq} and at most the transcript's {n}")
        leaves = self.leaves[:size]
        return InclusionProof(
            seq=seq,
            tree_size=size,
            leaf_hash=self.leaves[seq].hex(),
            root_hash=root_of(leaves).hex(),
            path=[p.hex() for p in inclusion_path(seq, leaves)],
            tree_head_seq=self.head_of_size(size),
        )

    def consistency(self, first: int, second: int) -> ConsistencyProof:
        """The consistency proof between the trees of the first `first` and `second` records."""
        n = len(self.records)
        if not 0 <= first <= second <= n:
            raise ViewError(f"--from {first} --to {second}: need 0 <= from <= to <= {n} (the transcript's records)")
        leaves = self.leaves[:second]
        return ConsistencyProof(
            first=first,
            second=second,
            first_root=root_of(self.leaves[:first]).hex(),
            second_root=root_of(leaves).hex(),
            path=[p.hex() for p in merkle_consistency(first, leaves)],
        )


def export_view(run: TranscriptRun, raw: bytes, party: str) -> PartyView:
    """`party`'s view of the transcript `raw` (read as `run`), with the records and proofs it can check later."""
    transcript = Transcript(raw)
    view = party_view(run, party)
    if not transcript.heads:
        raise TranscriptError(
            "this transcript holds no signed tree heads (written before pactlab signed one at each round's end): "
            "there is nothing a party's view can be proven against"
        )
    if transcript.operator_key is None:  # pragma: no cover - every verified transcript has an operator signer
        raise TranscriptError("this transcript names no operator key")
    seen = [r for r in transcript.records if r.kind in ("move", TREE_HEAD_KIND)]
    _, last = transcript.heads[-1]
    proofs = [transcript.inclusion(r.seq, last.tree_size) for r in seen if r.seq < last.tree_size]
    return PartyView(
        party=party,
        operator_key=transcript.operator_key,
        view=view,
        records=[transcript.lines[r.seq].decode("utf-8") for r in seen],
        tree_heads=[head for _, head in transcript.heads],
        proofs=proofs,
    )


def read_view(data: Mapping[str, Any] | str | bytes) -> PartyView:
    """A view file's content, validated; `ViewError` naming the first problem."""
    try:
        if isinstance(data, str | bytes):
            return PartyView.model_validate_json(data)
        return PartyView.model_validate(data)
    except ValidationError as exc:
        raise ViewError(f"not a pactlab party view ({VIEW_FORMAT}): {first_error(exc)}") from None


def check_view(view: PartyView, raw: bytes) -> ViewCheck:
    """Whether the transcript `raw` contains `view` unchanged (see the module); every difference is named."""
    diffs: list[str] = []
    try:
        transcript = Transcript(raw)
    except AuditCorrupt as exc:
        return ViewCheck(ok=False, differences=[f"the transcript fails verification: {exc}"])
    own = _view_records(view, diffs)
    if transcript.operator_key != view.operator_key:
        diffs.append(
            f"the transcript's tree heads are signed by operator key {str(transcript.operator_key)[:12]}…, not "
            f"{view.operator_key[:12]}… that signed the tree heads the party saw: the transcript was rewritten "
            "and re-signed"
        )
    for head in view.tree_heads:
        problem = check_tree_head(head, view.operator_key)
        if problem is not None:
            diffs.append(f"the view file itself is altered: {problem}")
    if not view.tree_heads:
        diffs.append("the view holds no signed tree head: nothing to check the transcript against")
        return ViewCheck(ok=False, differences=diffs)
    last = view.tree_heads[-1]
    for proof in view.proofs:  # the view is consistent in itself: each proof leads to its last tree head
        line = own.get(proof.seq)
        try:
            if line is None:
                raise ProofInvalid(f"no record {proof.seq} in the view")
            if proof.tree_size != last.tree_size or proof.root_hash != last.root_hash:
                raise ProofInvalid("the proof is not against the view's last tree head")
            proof.verify(leaf_hash(line))
        except ProofInvalid as exc:
            diffs.append(f"the view file itself is altered: the inclusion proof of record {proof.seq} fails: {exc}")
    if not transcript.heads:
        diffs.append("the transcript holds no signed tree head: its tree heads were removed")
        return ViewCheck(ok=False, differences=diffs, view_size=last.tree_size)
    _, latest = transcript.heads[-1]
    root = bytes.fromhex(latest.root_hash)
    for head in view.tree_heads:
        if head.tree_size > latest.tree_size:
            diffs.append(
                f"the party saw a tree head of {head.tree_size} records (round {head.round + 1}), but the "
                f"transcript's last tree head covers only {latest.tree_size}: its history was cut"
            )
            continue
        consistency = transcript.consistency(head.tree_size, latest.tree_size)
        path = [_unhex(p) for p in consistency.path]
        try:
            verify_consistency(head.tree_size, latest.tree_size, path, _unhex(head.root_hash), root)
        except ProofInvalid:
            diffs.append(
                f"the tree head the party saw at the end of round {head.round + 1} ({head.tree_size} records, root "
                f"{head.root_hash[:12]}…) is not a prefix of the transcript's ({latest.tree_size} records): "
                "history the party saw was rewritten"
            )
    checked, rechained = 0, []
    for seq, line in sorted(own.items()):
        if seq >= latest.tree_size:
            continue
        checked += 1
        inclusion = transcript.inclusion(seq, latest.tree_size)
        try:
            verify_inclusion(seq, latest.tree_size, leaf_hash(line), [_unhex(p) for p in inclusion.path], root)
        except ProofInvalid:
            what = _difference(line, transcript.lines[seq])
            if what is None:
                rechained.append(str(seq))
            else:
                diffs.append(f"record {seq} ({_describe(line)}) is not in the transcript as the party saw it: {what}")
    if rechained:
        diffs.append(
            f"records {', '.join(rechained)} have the content the party saw, but chain to an earlier record "
            "that was changed"
        )
    return ViewCheck(
        ok=not diffs,
        differences=diffs,
        records_checked=checked,
        tree_heads_checked=len(view.tree_heads),
        view_size=last.tree_size,
        transcript_size=latest.tree_size,
    )


def _view_records(view: PartyView, diffs: list[str]) -> dict[int, bytes]:
    """The view's records by seq; the moves the view lists must be those records."""
    own: dict[int, bytes] = {}
    for n, line in enumerate(view.records):
        try:
            record = AuditRecord.model_validate_json(line)
        except ValidationError as exc:
            diffs.append(f"the view file itself is altered: its record {n} is not a record ({first_error(exc)})")
            continue
        own[record.seq] = line.encode("utf-8")
        try:
            listed = record.kind != TREE_HEAD_KIND or tree_head_of(record) in view.tree_heads
        except ValueError:
            listed = False
        if not listed:
            diffs.append(f"the view file itself is altered: record {record.seq} is a tree head it does not list")
    for move in view.view.get("moves", []):
        seq = move.get("seq") if isinstance(move, dict) else None
        found = own.get(seq) if isinstance(seq, int) else None
        saw = None if found is None else AuditRecord.model_validate_json(found)
        if saw is None or saw.hash != move.get("hash") or saw.data.get("move") != move.get("move"):
            diffs.append(f"the view file itself is altered: its move at record {move.get('seq')} is not its record")
    return own


def _describe(line: bytes) -> str:
    record = AuditRecord.model_validate_json(line)
    if record.kind == "move":
        move = record.data.get("move", {})
        return f"move of turn {move.get('turn')} by {record.actor}"
    if record.kind == TREE_HEAD_KIND:
        return f"tree head of round {int(record.data.get('round', 0)) + 1}"
    return f"{record.kind} by {record.actor}"


def _difference(seen: bytes, now: bytes) -> str | None:
    """What changed between the record the party saw and the transcript's record at that position
    (None: only its link to the records before it)."""
    a, b = AuditRecord.model_validate_json(seen), AuditRecord.model_validate_json(now)
    if a.kind != b.kind:
        return f"the transcript has a {b.kind} by {b.actor} there"
    fields = [k for k in ("ts", "actor", "key") if getattr(a, k) != getattr(b, k)]
    fields += [f"data.{k}" for k in sorted(set(a.data) | set(b.data)) if a.data.get(k) != b.data.get(k)]
    if fields:
        return "changed " + ", ".join(fields)
    if a.prev_hash != b.prev_hash:
        return None
    return "same content, signed by another key"


def _unhex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ProofInvalid(f"{text[:20]!r} is not a hex hash") from None


__all__ = [
    "VIEW_FORMAT",
    "ConsistencyProof",
    "InclusionProof",
    "PartyView",
    "Transcript",
    "ViewCheck",
    "ViewError",
    "ViewMismatch",
    "check_view",
    "export_view",
    "read_view",
]
