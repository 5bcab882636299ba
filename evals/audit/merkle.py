"""An RFC 9162 (Certificate Transparency v2) Merkle tree over a transcript's records.

A transcript is a log: record ``i`` is leaf ``i``, whose data are the record's canonical line
(the UTF-8 bytes of the line, without its newline). The hashes are RFC 9162 §2.1.1's, with
SHA-256 and the prefixes that keep a leaf from passing for a node::

    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()
    MTH(D[n])  = node hash of MTH(D[0:k]) and MTH(D[k:n]), k the largest power of 2 below n

`inclusion_path` is §2.1.3.1's PATH (the audit path of one leaf), `consistency_proof` §2.1.4.1's
PROOF/SUBPROOF (that a tree of size m is a prefix of one of size n); `verify_inclusion` and
`verify_consistency` are the verification algorithms of §2.1.3.2 and §2.1.4.2, preceded by the
checks the transparency-dev verifiers make, so that a broken proof fails with its reason
(`ProofInvalid.reason`): wrong size, index beyond the tree, truncated or extended path, a root
that does not match. Pure functions on bytes; hashes are 32 raw bytes (`bytes.hex()` to print).

`CompactRange` folds leaves in one at a time and gives the root of everything so far in
O(log n): how the workflow signs a tree head at each round without rereading the transcript.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from evals.audit.errors import AuditError
from pactlab.errors import RecordError

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of no bytes."""


class ProofInvalid(AuditError, RecordError):
    """A Merkle inclusion or consistency proof that does not verify; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH of the leaf hashes `leaves` (already hashed with `leaf_hash`)."""
    n = len(leaves)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaves[0]
    k = _split(n)
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]): the sibling hashes from leaf `index` up to the root of the tree of `leaves`."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of {n} leaves")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root_of(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root_of(leaves[:k])]


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(first, D[n]): the hashes that show the tree of the first `first` leaves is a prefix of all of them."""
    n = len(leaves)
    if not 0 <= first <= n:
        raise ValueError(f"a tree of {first} leaves cannot be a prefix of one of {n}")
    if first in (0, n):
        return []
    return _subproof(first, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if whole else [root_of(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), root_of(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_of(leaves[:k])]


def _inclusion_length(index: int, size: int) -> int:
    """How many hashes PATH(index, D[size]) holds: inner nodes below the split, plus the border."""
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner + border


def _consistency_length(first: int, second: int) -> int:
    shift = (first & -first).bit_length() - 1  # trailing zero bits of `first`
    inner = _inclusion_length(first - 1, second)
    return (0 if first == 1 << shift else 1) + inner - shift


def _check_hashes(what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ProofInvalid(f"{what} entry {i} is {len(h)} bytes, not a {HASH_SIZE}-byte SHA-256 hash")


def _lsb(x: int) -> bool:
    return bool(x & 1)


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2: that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves with `root`.

    Raises `ProofInvalid` naming what is wrong; returns None when the proof holds.
    """
    if size <= 0:
        raise ProofInvalid(f"a tree of {size} leaves holds no leaf to prove")
    if not 0 <= index < size:
        raise ProofInvalid(f"leaf index {index} is beyond a tree of {size} leaves (wrong index or wrong size)")
    _check_hashes("the leaf", [leaf])
    _check_hashes("the root", [root])
    _check_hashes("the inclusion path", path)
    want = _inclusion_length(index, size)
    if len(path) != want:
        how = "empty" if not path else "truncated" if len(path) < want else "extended"
        raise ProofInvalid(
            f"the inclusion path of leaf {index} in a tree of {size} leaves has {len(path)} hash(es), "
            f"not {want}: {how} (or the index or size is wrong)"
        )
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ProofInvalid("the inclusion path is longer than the tree is high: extended")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("the inclusion path ends below the root: truncated")
    if r != root:
        raise ProofInvalid(
            f"the inclusion path of leaf {index} leads to root {r.hex()[:16]}…, not {root.hex()[:16]}…: "
            "the leaf, a path entry, their order, the index or the root hash is wrong"
        )


def verify_consistency(first: int, second: int, path: Sequence[bytes], first_root: bytes, second_root: bytes) -> None:
    """RFC 9162 §2.1.4.2: that the tree of `first` leaves with `first_root` is a prefix of the one of `second`.

    Raises `ProofInvalid` naming what is wrong; returns None when the proof holds.
    """
    _check_hashes("the first root", [first_root])
    _check_hashes("the second root", [second_root])
    _check_hashes("the consistency proof", path)
    if first < 0 or second < 0:
        raise ProofInvalid(f"tree sizes cannot be negative ({first}, {second})")
    if second < first:
        raise ProofInvalid(f"the second tree ({second} leaves) is smaller than the first ({first}): history was cut")
    if first == second:
        if path:
            raise ProofInvalid(f"two trees of the same size ({first}) need an empty proof, not {len(path)} hash(es)")
        if first_root != second_root:
            raise ProofInvalid(
                f"two trees of {first} leaves have different roots ({first_root.hex()[:16]}… and "
                f"{second_root.hex()[:16]}…): one of them was rewritten"
            )
        return
    if first == 0:
        if path:
            raise ProofInvalid(
                f"the empty tree is a prefix of every tree: its proof is empty, not {len(path)} hash(es)"
            )
        return
    if not path:
        raise ProofInvalid(f"an empty consistency proof cannot show a tree of {first} leaves is a prefix of {second}")
    want = _consistency_length(first, second)
    if len(path) != want:
        how = "truncated" if len(path) < want else "extended"
        raise ProofInvalid(
            f"the consistency proof from {first} to {second} leaves has {len(path)} hash(es), not {want}: "
            f"{how} (or a size is wrong)"
        )
    proof = list(path)
    if first & (first - 1) == 0:  # an exact power of two: the first tree's root is a node of the second
        proof.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise ProofInvalid("the consistency proof is longer than the second tree is high: extended")
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofInvalid("the consistency proof ends below the second root: truncated")
    if fr != first_root:
        raise ProofInvalid(
            f"the consistency proof does not lead to the first root {first_root.hex()[:16]}… (it gives "
            f"{fr.hex()[:16]}…): the first {first} leaves are not what the first tree head signed, or the "
            "proof's entries or order are wrong"
        )
    if sr != second_root:
        raise ProofInvalid(
            f"the consistency proof does not lead to the second root {second_root.hex()[:16]}… (it gives "
            f"{sr.hex()[:16]}…): the second tree does not extend the first, or a proof entry is wrong"
        )


class CompactRange:
    """The perfect subtrees covering leaves 0..n-1 (at most log2 n hashes): appends and the root in O(log n)."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[bytes] = []  # roots of the perfect subtrees, largest (leftmost) first

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        node = leaf
        size = self.size
        while size & 1:  # merge with the equal-sized subtree on the left
            node = node_hash(self._peaks.pop(), node)
            size >>= 1
        self._peaks.append(node)
        self.size += 1

    def root(self) -> bytes:
        """MTH of the leaves so far: the peaks folded from the right."""
        if not self._peaks:
            return EMPTY_ROOT
        r = self._peaks[-1]
        for peak in reversed(self._peaks[:-1]):
            r = node_hash(peak, r)
        return r


__all__ = [
    "EMPTY_ROOT",
    "CompactRange",
    "ProofInvalid",
    "consistency_proof",
    "inclusion_path",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]
