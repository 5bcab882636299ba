"""Proofs a party can check: the operator signs a Merkle tree head at each round's end; a party exports its
view with the tree heads it saw; `audit check-view` confirms the final transcript holds it unchanged, and
fails on a rewritten history even when the forger holds every key and recomputes chain and tree heads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.audit import AuditWriter, canonical_json, read_records, record_hash, verify
from evals.audit.merkle import CompactRange, leaf_hash
from evals.audit.tree_heads import TREE_HEAD_KIND, TreeHeads, tree_head_message, tree_head_of
from evals.identity import KEYS_ENV, KeyPair, Keyring, KeyStore, agreement_message, record_message, terms_sha256
from evals.transcript import read_transcript
from evals.views import (
    ConsistencyProof,
    InclusionProof,
    check_view,
    export_view,
    read_view,
)
from pactlab.app.cli import app, exit_codes

runner = CliRunner()
IDENTITIES = ("operator", "mediator", "platform", "supplier")


def real_run(out: Path) -> Path:
    result = runner.invoke(app, ["run", "platform_material", "--seed", "7", "-q", "--id", "r", "--out", str(out)])
    assert result.exit_code == exit_codes.AGREEMENT, result.output
    return out / "r" / "transcript.jsonl"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real strategy run with the default (ephemeral, per-run) keys."""
    return real_run(tmp_path_factory.mktemp("views"))


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, KeyStore]:
    """A real run whose every identity signs with a key from a key directory: keys a forger can steal."""
    keys = KeyStore(tmp_path_factory.mktemp("keys"))
    for name in IDENTITIES:
        keys.new(name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEYS_ENV, str(keys.directory))
        transcript = real_run(tmp_path_factory.mktemp("keyed"))
    return transcript, keys


def export(transcript: Path, party: str, out: Path) -> Path:
    result = runner.invoke(app, ["audit", "view", str(transcript), "--as", party, "--export", str(out)])
    assert result.exit_code == 0, result.output
    return out


def check(view: Path, transcript: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "check-view", str(view), str(transcript)])
    return result.exit_code, " ".join(result.output.split())


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(canonical_json(r) + "\n" for r in records), encoding="utf-8")
    return path


def reforge(
    records: list[dict[str, Any]], keys: dict[str, KeyPair], *, tree_heads: bool = True
) -> list[dict[str, Any]]:
    """What a forger holding `keys` writes: every record re-chained and re-signed, every tree head recomputed."""
    prev, tree, out = "0" * 64, CompactRange(), []
    for seq, record in enumerate(records):
        body = {k: v for k, v in record.items() if k not in ("hash", "sig")}
        body["seq"], body["prev_hash"] = seq, prev
        if body["kind"] == "seal":
            body["data"] = {**body["data"], "records": seq, "last_hash": prev}
        if body["kind"] == TREE_HEAD_KIND and tree_heads:
            root = tree.root().hex()
            message = tree_head_message(seq, root, body["data"]["timestamp"])
            body["data"] = {**body["data"], "tree_size": seq, "root_hash": root,
                            "signature": keys["operator"].sign(message)}  # fmt: skip
        digest = record_hash(body)
        pair = keys[record["sig"]["by"]]
        signed = {**body, "hash": digest, "sig": {"by": pair.name, "key": pair.public_key,
                                                  "ed25519": pair.sign(record_message(digest))}}  # fmt: skip
        tree.append(leaf_hash(canonical_json(signed).encode("utf-8")))
        out.append(signed)
        prev = digest
    return out


def first_move_of(records: list[dict[str, Any]], party: str, after: int = 0) -> int:
    return next(n for n, r in enumerate(records) if r["kind"] == "move" and r["actor"] == party and n > after)


def test_every_round_ends_with_a_tree_head_that_verify_checks(run: Path) -> None:
    records = read_records(run)
    heads = [r for r in records if r.kind == TREE_HEAD_KIND]
    rounds = {r.data["move"]["round"] for r in records if r.kind == "move"}
    assert [tree_head_of(h).round for h in heads] == sorted(rounds)
    assert all(tree_head_of(h).tree_size == h.seq and h.sig.by == "operator" for h in heads)
    assert verify(run).ok


def test_a_partys_view_checks_against_the_final_transcript(run: Path, tmp_path: Path) -> None:
    view = export(run, "supplier", tmp_path / "supplier.json")
    code, output = check(view, run)
    assert code == 0, output
    assert "contains supplier's view unchanged" in output
    exported = read_view(view.read_text(encoding="utf-8"))
    run_moves = read_transcript(run).moves
    assert [m["move"] for m in exported.view["moves"]] == run_moves
    assert "private" not in json.dumps(exported.view["scenario"]) and "evaluation" not in view.read_text()
    for proof in exported.proofs:  # each proof verifies on its own, as the party would check it
        proof.verify()


def test_a_view_taken_mid_run_checks_against_the_longer_final_transcript(run: Path, tmp_path: Path) -> None:
    raw = run.read_bytes().splitlines(keepends=True)
    second_head = [n for n, line in enumerate(raw) if json.loads(line)["kind"] == TREE_HEAD_KIND][1]
    early = tmp_path / "early.jsonl"
    early.write_bytes(b"".join(raw[: second_head + 1]))  # the file as it stood after round 2
    view = export_view(read_transcript(early), early.read_bytes(), "platform")
    result = check_view(view, run.read_bytes())
    assert result.ok, result.differences
    assert result.view_size == second_head < result.transcript_size


def test_a_rewritten_history_with_stolen_keys_passes_verify_but_fails_check_view(
    keyed: tuple[Path, KeyStore], tmp_path: Path
) -> None:
    transcript, store = keyed
    view = export(transcript, "supplier", tmp_path / "supplier.json")
    keys = {name: store.load(name) for name in IDENTITIES}
    records = lines(transcript)
    at = first_move_of(records, "platform", after=8)
    records[at]["data"]["move"]["message"] = "We never offered this."
    forged = write(tmp_path / "forged.jsonl", reforge(records, keys))
    trust = {name: keys[name].public_key for name in IDENTITIES}
    assert verify(forged, trust=trust).ok  # chain, signatures, tree heads: all recomputed with the stolen keys

    code, output = check(view, forged)
    assert code == exit_codes.TAMPERED, output
    turn = records[at]["data"]["move"]["turn"]
    assert f"record {at} (move of turn {turn} by platform) is not in the transcript as the party saw it" in output
    assert "changed data.move" in output
    assert "history the party saw was rewritten" in output
    assert check(view, transcript)[0] == 0  # the genuine transcript still checks


def test_a_history_rewritten_with_new_keys_fails_check_view_on_the_operator_key(run: Path, tmp_path: Path) -> None:
    view = export(run, "platform", tmp_path / "platform.json")
    records = lines(run)
    start = records[0]["data"]
    keys = {name: KeyPair.generate(name) for name in start["identities"]}
    for name, identity in start["identities"].items():
        identity["public_key"] = keys[name].public_key
    at = first_move_of(records, "supplier")
    records[at]["data"]["move"]["message"] = "Different words."
    seal = records[-1]["data"]["agreement"]
    digest = terms_sha256(canonical_json(seal["terms"]))
    seal["signatures"] = {p: keys[p].sign(agreement_message(digest)) for p in seal["signatures"]}
    forged = write(tmp_path / "forged.jsonl", reforge(records, keys))
    assert verify(forged).ok

    code, output = check(view, forged)
    assert code == exit_codes.TAMPERED
    assert "signed by operator key" in output and "rewritten and re-signed" in output
    assert f"record {at} (move of turn" in output


def test_a_cut_transcript_and_an_edited_view_fail(run: Path, tmp_path: Path) -> None:
    view_file = export(run, "platform", tmp_path / "platform.json")
    raw = run.read_bytes().splitlines(keepends=True)
    heads = [n for n, line in enumerate(raw) if json.loads(line)["kind"] == TREE_HEAD_KIND]
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(raw[: heads[1] + 1]))
    result = check_view(read_view(view_file.read_bytes()), cut.read_bytes())
    assert not result.ok and any("its history was cut" in d for d in result.differences)

    view = json.loads(view_file.read_text(encoding="utf-8"))
    view["view"]["moves"][0]["move"]["message"] = "Edited in the view."
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(view), encoding="utf-8")
    code, output = check(edited, run)
    assert code == exit_codes.TAMPERED and "the view file itself is altered" in output

    view = json.loads(view_file.read_text(encoding="utf-8"))
    view["tree_heads"][0]["root_hash"] = "0" * 64
    edited.write_text(json.dumps(view), encoding="utf-8")
    code, output = check(edited, run)
    assert code == exit_codes.TAMPERED and "not signed by the operator's key" in output


def test_verify_names_a_tree_head_whose_records_were_changed_after_it_was_signed(
    keyed: tuple[Path, KeyStore], tmp_path: Path
) -> None:
    transcript, store = keyed
    keys = {name: store.load(name) for name in IDENTITIES}
    records = lines(transcript)
    at = first_move_of(records, "platform")
    records[at]["data"]["move"]["message"] = "Rewritten."
    forged = write(tmp_path / "forged.jsonl", reforge(records, keys, tree_heads=False))
    report = verify(forged)
    head = next(n for n, r in enumerate(records) if r["kind"] == TREE_HEAD_KIND and n > at)
    assert not report.ok and report.first_bad == head + 1
    assert "a record before it was changed after the operator signed the tree head" in str(report.problem)


def test_prove_prints_proofs_that_verify_and_refuses_mixed_options(run: Path) -> None:
    size = len(read_records(run))
    result = runner.invoke(app, ["audit", "prove", str(run), "--seq", "3"])
    assert result.exit_code == 0, result.output
    inclusion = InclusionProof.model_validate_json(result.stdout)
    inclusion.verify()
    assert inclusion.tree_head_seq is not None  # proven against a signed tree head
    result = runner.invoke(app, ["audit", "prove", str(run), "--from", "5", "--to", str(size)])
    assert result.exit_code == 0, result.output
    ConsistencyProof.model_validate_json(result.stdout).verify()
    assert runner.invoke(app, ["audit", "prove", str(run), "--seq", "3", "--from", "2"]).exit_code == 2
    outside = runner.invoke(app, ["audit", "prove", str(run), "--seq", str(size)])
    assert outside.exit_code == 2 and "there is no record" in outside.output


def test_a_tree_head_is_written_once_when_a_round_is_replayed(tmp_path: Path) -> None:
    ring = Keyring.ephemeral_operator()
    path = tmp_path / "t.jsonl"
    with AuditWriter(path, keyring=ring) as writer:
        writer.append("run_start", "operator", {}, key="run_start")
        writer.append("move", "operator", {"n": 1}, key="move:0")
        first = TreeHeads(writer).issue(0)
    with AuditWriter(path, keyring=ring) as writer:  # a resumed run replays the round
        writer.append("move", "operator", {"n": 1}, key="move:0")
        again = TreeHeads(writer).issue(0)
        assert again == first and writer.records == 3
        writer.append("move", "operator", {"n": 2}, key="move:1")
        later = TreeHeads(writer).issue(1)
    assert tree_head_of(later).tree_size == 4
    assert verify(path, require_seal=False).ok


def test_audit_view_prints_a_timeline_in_words(run: Path) -> None:
    result = runner.invoke(app, ["audit", "view", str(run), "--as", "platform"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "as seen by Nordvik Mobility (platform)" in text
    assert "round  1  You (Nordvik Mobility) open and propose" in text
    assert "Carbonis Advanced Materials" in text and "The operator signs the record so far" in text
    assert not text.lstrip().startswith("{")
    as_json = runner.invoke(app, ["audit", "view", str(run), "--as", "platform", "--json"])
    assert json.loads(as_json.stdout)["as_party"] == "platform"
