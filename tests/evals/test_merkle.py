"""The RFC 9162 Merkle tree: the published test vectors, every proof between any sizes verifies, and the
broken proofs the transparency-dev verifiers probe (wrong index, wrong size, wrong leaf or root, truncated,
extended, reordered, a flipped bit, an empty proof where one is needed) each fail with their reason."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evals.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ProofInvalid,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# RFC 6962 / RFC 9162 reference data (the Certificate Transparency test vectors).
DATA = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                   "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
LEAVES = [leaf_hash(d) for d in DATA]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # (index, size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [  # (first, second, proof)
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip


def tree(n: int) -> list[bytes]:
    return [leaf_hash(f"record {i}".encode()) for i in range(n)]


def test_the_reference_roots() -> None:
    assert root_of([]) == EMPTY_ROOT
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    compact = CompactRange()
    for n in range(1, 9):
        compact.append(LEAVES[n - 1])
        assert root_of(LEAVES[:n]).hex() == ROOTS[n - 1]
        assert compact.root().hex() == ROOTS[n - 1] and compact.size == n


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_the_reference_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    assert [p.hex() for p in inclusion_path(index, LEAVES[:size])] == path
    verify_inclusion(index, size, LEAVES[index], [bytes.fromhex(p) for p in path], bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_the_reference_consistency_proofs(first: int, second: int, proof: list[str]) -> None:
    assert [p.hex() for p in consistency_proof(first, LEAVES[:second])] == proof
    roots = [bytes.fromhex(r) for r in ROOTS]
    verify_consistency(first, second, [bytes.fromhex(p) for p in proof], roots[first - 1], roots[second - 1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=70), st.data())
def test_every_inclusion_proof_verifies(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    size = draw.draw(st.integers(1, len(leaves)), label="size")
    index = draw.draw(st.integers(0, size - 1), label="index")
    verify_inclusion(index, size, leaves[index], inclusion_path(index, leaves[:size]), root_of(leaves[:size]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=0, max_size=70), st.data())
def test_every_consistency_proof_verifies(data: list[bytes], draw: st.DataObject) -> None:
    leaves = [leaf_hash(d) for d in data]
    second = draw.draw(st.integers(0, len(leaves)), label="second")
    first = draw.draw(st.integers(0, second), label="first")
    proof = consistency_proof(first, leaves[:second])
    verify_consistency(first, second, proof, root_of(leaves[:first]), root_of(leaves[:second]))


def test_every_proof_of_every_size_up_to_40_verifies_and_the_compact_range_agrees() -> None:
    leaves = tree(40)
    compact = CompactRange()
    for n in range(1, 41):
        compact.append(leaves[n - 1])
        root = root_of(leaves[:n])
        assert compact.root() == root
        for i in range(n):
            verify_inclusion(i, n, leaves[i], inclusion_path(i, leaves[:n]), root)
        for m in range(n + 1):
            verify_consistency(m, n, consistency_proof(m, leaves[:n]), root_of(leaves[:m]), root)


SOME_HASH = leaf_hash(b"some other record")


def broken_inclusions(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> list[tuple[str, tuple]]:  # type: ignore[type-arg]
    """The probes of transparency-dev's inclusion verifier tests, plus reordering and an empty path."""
    probes: list[tuple[str, tuple]] = [  # type: ignore[type-arg]
        ("index - 1", (index - 1, size, leaf, path, root)),
        ("index + 1", (index + 1, size, leaf, path, root)),
        ("index ^ 2", (index ^ 2, size, leaf, path, root)),
        ("size * 2", (index, size * 2, leaf, path, root)),
        ("size / 2", (index, size // 2, leaf, path, root)),
        ("wrong leaf", (index, size, SOME_HASH, path, root)),
        ("empty root", (index, size, leaf, path, EMPTY_ROOT)),
        ("random root", (index, size, leaf, path, SOME_HASH)),
        ("trailing root", (index, size, leaf, [*path, root], root)),
        ("preceding root", (index, size, leaf, [root, *path], root)),
        ("trailing garbage", (index, size, leaf, [*path, b""], root)),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"bit flipped in path[{i}]", (index, size, leaf, flipped, root)))
    if path:
        probes.append(("truncated path", (index, size, leaf, path[:-1], root)))
        probes.append(("empty path", (index, size, leaf, [], root)))
    if len(path) > 1:
        probes.append(("inserted component", (index, size, leaf, [path[0], SOME_HASH, *path[1:]], root)))
        for i in range(len(path) - 1):
            swapped = list(path)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            if swapped != path:
                probes.append((f"path[{i}] and path[{i + 1}] swapped", (index, size, leaf, swapped, root)))
    return probes


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13, 16, 33])
def test_broken_inclusion_proofs_fail_with_their_reason(size: int) -> None:
    leaves = tree(size)
    root = root_of(leaves)
    for index in range(size):
        path = inclusion_path(index, leaves)
        verify_inclusion(index, size, leaves[index], path, root)
        for what, args in broken_inclusions(index, size, leaves[index], path, root):
            with pytest.raises(ProofInvalid) as failed:
                verify_inclusion(*args)
            assert failed.value.reason, what


def test_inclusion_failures_name_the_fault() -> None:
    leaves = tree(10)
    root, path = root_of(leaves), inclusion_path(3, leaves)

    def reason(*args: object) -> str:
        with pytest.raises(ProofInvalid) as failed:
            verify_inclusion(*args)  # type: ignore[arg-type]
        return failed.value.reason

    assert "beyond a tree of 10" in reason(10, 10, leaves[3], path, root)
    assert "truncated" in reason(3, 10, leaves[3], path[:-1], root)
    assert "extended" in reason(3, 10, leaves[3], [*path, root], root)
    assert "empty" in reason(3, 10, leaves[3], [], root)
    assert "leads to root" in reason(3, 10, leaves[3], [path[1], path[0], *path[2:]], root)
    assert "leads to root" in reason(3, 10, leaves[3], path, SOME_HASH)
    assert "not a 32-byte" in reason(3, 10, leaves[3], [*path[:-1], b"x"], root)


def broken_consistencies(first: int, second: int, proof: list[bytes], r1: bytes, r2: bytes) -> list[tuple[str, tuple]]:  # type: ignore[type-arg]
    """The probes of transparency-dev's consistency verifier tests, plus reordering."""
    probes: list[tuple[str, tuple]] = [  # type: ignore[type-arg]
        ("first - 1", (first - 1, second, proof, r1, r2)),
        ("first + 1", (first + 1, second, proof, r1, r2)),
        ("first ^ 2", (first ^ 2, second, proof, r1, r2)),
        ("second * 2", (first, second * 2, proof, r1, r2)),
        ("second / 2", (first, second // 2, proof, r1, r2)),
        ("wrong first root", (first, second, proof, SOME_HASH, r2)),
        ("wrong second root", (first, second, proof, r1, SOME_HASH)),
        ("empty second root", (first, second, proof, r1, EMPTY_ROOT)),
        ("roots swapped", (first, second, proof, r2, r1)),
        ("trailing root", (first, second, [*proof, r2], r1, r2)),
        ("preceding root", (first, second, [r1, *proof], r1, r2)),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"bit flipped in proof[{i}]", (first, second, flipped, r1, r2)))
    if proof:
        probes.append(("truncated proof", (first, second, proof[:-1], r1, r2)))
        probes.append(("empty proof", (first, second, [], r1, r2)))
    if len(proof) > 1:
        probes.append(("inserted component", (first, second, [proof[0], SOME_HASH, *proof[1:]], r1, r2)))
        for i in range(len(proof) - 1):
            swapped = list(proof)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            if swapped != proof:
                probes.append((f"proof[{i}] and proof[{i + 1}] swapped", (first, second, swapped, r1, r2)))
    return probes


@pytest.mark.parametrize("second", [2, 3, 5, 7, 8, 12, 16, 21])
def test_broken_consistency_proofs_fail_with_their_reason(second: int) -> None:
    leaves = tree(2 * second + 2)  # a bigger tree exists, so "second * 2" names real but different roots
    roots = [root_of(leaves[:n]) for n in range(len(leaves) + 1)]
    for first in range(1, second):
        proof = consistency_proof(first, leaves[:second])
        verify_consistency(first, second, proof, roots[first], roots[second])
        for what, args in broken_consistencies(first, second, proof, roots[first], roots[second]):
            with pytest.raises(ProofInvalid) as failed:
                verify_consistency(*args)
            assert failed.value.reason, what


def test_consistency_failures_name_the_fault() -> None:
    leaves = tree(12)
    r5, r12 = root_of(leaves[:5]), root_of(leaves)
    proof = consistency_proof(5, leaves)

    def reason(*args: object) -> str:
        with pytest.raises(ProofInvalid) as failed:
            verify_consistency(*args)  # type: ignore[arg-type]
        return failed.value.reason

    assert "smaller than the first" in reason(12, 5, proof, r12, r5)
    assert "empty consistency proof" in reason(5, 12, [], r5, r12)
    assert "truncated" in reason(5, 12, proof[:-1], r5, r12)
    assert "extended" in reason(5, 12, [*proof, r12], r5, r12)
    assert "first root" in reason(5, 12, proof, SOME_HASH, r12)
    assert "second root" in reason(5, 12, proof, r5, SOME_HASH)
    assert "same size" in reason(5, 5, proof, r5, r5)
    assert "different roots" in reason(5, 5, [], r5, SOME_HASH)
    verify_consistency(0, 12, [], EMPTY_ROOT, r12)  # the empty tree is a prefix of every tree
