"""Signed records: every rewrite a forger can make without the parties' keys fails `audit verify --trust`.

The forger can write the file and knows the scheme (RFC 8785 canonical JSON, SHA-256, Ed25519):
it recomputes the chain after an edit, cuts the tail and writes a new seal, writes a file holding
only a seal, or re-signs the whole transcript with keys of its own. Each fails, with the reason,
against the keys the parties pinned (`pactlab audit keys` after the run); `pactlab eval` refuses
them without a traceback.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.audit import AuditWriter, canonical_json, record_hash, verify
from evals.audit.merkle import leaf_hash, root_of
from evals.audit.tree_heads import tree_head_message
from evals.identity import KeyPair, Keyring, KeyStore, agreement_message, record_message, terms_sha256
from pactlab.app.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A real strategy run's transcript, and the trust file its parties pinned after it."""
    out = tmp_path_factory.mktemp("signed")
    result = runner.invoke(app, ["run", "platform_material", "--seed", "7", "-q", "--id", "r", "--out", str(out)])
    assert result.exit_code == 0, result.output
    transcript = out / "r" / "transcript.jsonl"
    trust = out / "trust.json"
    result = runner.invoke(app, ["audit", "keys", str(transcript), "--out", str(trust)])
    assert result.exit_code == 0, result.output
    return transcript, trust


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(canonical_json(r) + "\n" for r in records), encoding="utf-8")
    return path


def rechain(records: list[dict[str, Any]], keys: dict[str, KeyPair] | None = None) -> list[dict[str, Any]]:
    """Recompute seq, prev_hash and hash of every record (and the seal's count); re-sign with the `keys` held
    (with the operator's key, the tree heads too)."""
    prev = "0" * 64
    out: list[dict[str, Any]] = []
    for seq, record in enumerate(records):
        body = {k: v for k, v in record.items() if k not in ("hash", "sig")}
        body["seq"], body["prev_hash"] = seq, prev
        if body["kind"] == "seal":
            body["data"] = {**body["data"], "records": seq, "last_hash": prev}
        if body["kind"] == "tree_head" and keys is not None and "operator" in keys:
            root = root_of([leaf_hash(canonical_json(r).encode("utf-8")) for r in out]).hex()
            signature = keys["operator"].sign(tree_head_message(seq, root, body["data"]["timestamp"]))
            body["data"] = {**body["data"], "tree_size": seq, "root_hash": root, "signature": signature}
        digest = record_hash(body)
        sig = dict(record["sig"])
        if keys is not None and sig["by"] in keys:
            pair = keys[sig["by"]]
            sig = {"by": sig["by"], "key": pair.public_key, "ed25519": pair.sign(record_message(digest))}
        out.append({**body, "hash": digest, "sig": sig})
        prev = digest
    return out


def verify_cli(path: Path, trust: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["audit", "verify", str(path), "--trust", str(trust)])
    return result.exit_code, " ".join(result.output.split())


def test_the_run_verifies_against_its_pinned_keys_and_names_every_signer(run: tuple[Path, Path]) -> None:
    transcript, trust = run
    code, output = verify_cli(transcript, trust)
    assert code == 0, output
    assert "agreement co-signed by platform, supplier" in output
    report = verify(transcript, trust=json.loads(trust.read_text()))
    records = lines(transcript)
    assert report.signers == [r["sig"]["by"] for r in records]
    parties = {"platform", "supplier"}
    moves = [r for r in records if r["kind"] == "move"]
    assert {r["actor"] for r in moves} & parties
    assert all(r["sig"]["by"] == (r["actor"] if r["actor"] in parties else "operator") for r in moves)
    assert records[0]["sig"]["by"] == records[-1]["sig"]["by"] == "operator"
    assert set(records[0]["data"]["identities"]) == {"operator", "mediator", "platform", "supplier"}


def test_a_changed_reservation_value_with_the_chain_recomputed_fails(run: tuple[Path, Path], tmp_path: Path) -> None:
    transcript, trust = run
    records = lines(transcript)
    party = records[0]["data"]["scenario"]["parties"][0]
    party["private"]["reservation_value"] = 0.05
    forged = write(tmp_path / "t.jsonl", rechain(records))
    code, output = verify_cli(forged, trust)
    assert code == 5
    assert "line 1" in output and "signature by operator that does not verify" in output
    assert runner.invoke(app, ["eval", str(forged)]).exit_code == 5  # refused, no KeyError


def test_a_cut_tail_with_a_new_seal_fails(run: tuple[Path, Path], tmp_path: Path) -> None:
    transcript, trust = run
    records = lines(transcript)
    cut = [*records[:6], records[-1]]
    forged = write(tmp_path / "t.jsonl", rechain(cut))
    code, output = verify_cli(forged, trust)
    assert code == 5
    assert "line 7" in output and "does not verify" in output  # the new seal


def test_a_file_holding_only_a_seal_fails(run: tuple[Path, Path], tmp_path: Path) -> None:
    transcript, trust = run
    forged = write(tmp_path / "t.jsonl", rechain([lines(transcript)[-1]]))
    code, output = verify_cli(forged, trust)
    assert code == 5 and "line 1" in output and "does not verify" in output
    assert runner.invoke(app, ["eval", str(forged)]).exit_code == 5


def test_a_transcript_re_signed_with_new_keys_verifies_alone_but_fails_against_the_pinned_keys(
    run: tuple[Path, Path], tmp_path: Path
) -> None:
    transcript, trust = run
    records = lines(transcript)
    start = records[0]["data"]
    start["scenario"]["parties"][0]["private"]["reservation_value"] = 0.05
    keys = {name: KeyPair.generate(name) for name in start["identities"]}
    for name, identity in start["identities"].items():
        identity["public_key"] = keys[name].public_key
    seal = records[-1]["data"]["agreement"]
    seal["signatures"] = {
        p: keys[p].sign(agreement_message(terms_sha256(canonical_json(seal["terms"])))) for p in seal["signatures"]
    }
    forged = write(tmp_path / "t.jsonl", rechain(records, keys))
    assert verify(forged).ok  # consistent in itself: only pinned keys tell
    code, output = verify_cli(forged, trust)
    assert code == 5
    assert "line 1" in output and "the trust file pins operator" in output and "rewritten with other keys" in output


def test_a_party_move_re_signed_with_the_stolen_operator_key_fails(run: tuple[Path, Path], tmp_path: Path) -> None:
    """The operator's key alone cannot speak for a party: a party's record must carry the party's signature."""
    transcript, _ = run
    records = lines(transcript)
    move = next(n for n, r in enumerate(records) if r["kind"] == "move")
    records[move]["sig"]["by"] = "operator"
    operator = KeyPair("operator", KeyPair.generate("x").private)
    stolen = {"operator": operator}
    forged = rechain(records)
    body = {k: v for k, v in forged[move].items() if k not in ("hash", "sig")}
    forged[move]["sig"] = {
        "by": "operator",
        "key": records[0]["sig"]["key"],
        "ed25519": stolen["operator"].sign(record_message(record_hash(body))),
    }
    report = verify(write(tmp_path / "t.jsonl", forged))
    assert not report.ok and report.first_bad is not None and report.first_bad <= move + 1


def test_an_agreement_needs_every_partys_co_signature_even_from_the_operator(tmp_path: Path) -> None:
    """An operator holding only its own key cannot seal an agreement a party did not sign."""
    ring = Keyring()
    ring.add(KeyPair.generate("operator"), role="operator", ephemeral=True)
    for party in ("a", "b"):
        ring.add(KeyPair.generate(party), role="party", ephemeral=True)
    terms = {"x": 1}
    path = tmp_path / "t.jsonl"
    with AuditWriter(path, keyring=ring) as writer:
        writer.append("run_start", "operator", {"identities": ring.identities}, key="run_start")
        writer.append("move", "a", {"table": {"proposal": terms}}, key="move:0")
        writer.seal({"outcome": "agreement"}, agreement=terms)
    assert verify(path).cosigned_by == ["a", "b"]
    records = lines(path)
    del records[-1]["data"]["agreement"]["signatures"]["b"]
    forged = write(tmp_path / "f.jsonl", rechain(records, {"operator": ring.keys["operator"]}))
    report = verify(forged)
    assert not report.ok and report.first_bad == 3 and "b did not co-sign" in (report.problem or "")
    records = lines(path)
    records[-1]["data"]["agreement"]["terms"] = {"x": 2}  # other terms than the table's
    records[-1]["data"]["agreement"]["terms_sha256"] = terms_sha256(canonical_json({"x": 2}))
    report = verify(write(tmp_path / "g.jsonl", rechain(records, {"operator": ring.keys["operator"]})))
    assert not report.ok and "other than the table's last proposal" in (report.problem or "")


def test_keys_new_list_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "keys"
    monkeypatch.setenv("PACTLAB_KEYS", str(directory))
    assert runner.invoke(app, ["keys", "new", "operator"]).exit_code == 0
    assert runner.invoke(app, ["keys", "new", "person:Ada"]).exit_code == 0
    assert runner.invoke(app, ["keys", "new", "operator"]).exit_code == 2  # never overwritten
    private = next(directory.glob("operator.key"))
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    listed = runner.invoke(app, ["keys", "list"])
    assert "operator" in listed.output and "person:Ada" in listed.output
    exported = runner.invoke(app, ["keys", "export", "operator"])
    assert json.loads(exported.output) == {"operator": KeyStore(directory).public_key("operator")}


def test_a_run_signs_with_the_configured_operator_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a key in the key directory, the run signs with it; pinning that exported key verifies the run."""
    monkeypatch.setenv("PACTLAB_KEYS", str(tmp_path / "keys"))
    assert runner.invoke(app, ["keys", "new", "operator"]).exit_code == 0
    trust = tmp_path / "trust.json"
    assert runner.invoke(app, ["keys", "export", "--out", str(trust)]).exit_code == 0
    args = ["run", "platform_material", "--seed", "3", "-q", "--id", "k", "--out", str(tmp_path / "runs")]
    assert runner.invoke(app, args).exit_code == 0
    transcript = tmp_path / "runs" / "k" / "transcript.jsonl"
    start = lines(transcript)[0]["data"]["identities"]
    assert start["operator"]["ephemeral"] is False and start["platform"]["ephemeral"] is True
    pinned = verify(transcript, trust=json.loads(trust.read_text()))
    assert not pinned.ok and "does not pin" in (pinned.problem or "")  # the parties' ephemeral keys are not pinned
    everything = {**json.loads(trust.read_text()), **{n: i["public_key"] for n, i in start.items()}}
    assert verify(transcript, trust=everything).ok


def test_the_record_schema_file_is_what_the_model_says_and_validates_records(run: tuple[Path, Path]) -> None:
    """evals/schemas/audit-record-v1.json is generated (`python -m evals.schemas`); every real record fits it."""
    import jsonschema

    from evals.schemas import AUDIT_RECORD_V1, render

    assert AUDIT_RECORD_V1.read_text(encoding="utf-8") == render(), "run: python -m evals.schemas"
    schema = json.loads(render())
    for record in lines(run[0]):
        jsonschema.validate(record, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**lines(run[0])[0], "sig": {"by": "operator"}}, schema)


@pytest.mark.parametrize("declared", [True, False], ids=["identities declared", "no identities declared"])
def test_a_signature_relabelled_with_another_signers_name_fails_on_that_line(
    run: tuple[Path, Path], tmp_path: Path, declared: bool
) -> None:
    """The signer's name is outside the signed hash: renaming it must still fail, on the renamed line.

    Found by the byte-flip fuzz of tests/evals/test_audit.py: a space in "operator" of a transcript
    that declares no identities verified.
    """
    if declared:
        records = lines(run[0])
    else:
        path = tmp_path / "plain.jsonl"
        with AuditWriter(path) as writer:
            writer.append("move", "a", {"n": 1}, key="m1")
            writer.seal({"outcome": "impasse"})
        records = lines(path)
    records[0]["sig"]["by"] = " " + records[0]["sig"]["by"][1:]
    report = verify(write(tmp_path / "t.jsonl", records))
    assert not report.ok and report.first_bad == 1, report.problem
