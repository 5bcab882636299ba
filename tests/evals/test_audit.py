"""The audit trail: a real transcript verifies; every kind of tampering is detected and located.

The tamper properties share one oracle: the verifier must flag the first line that is no longer
the original one (everything before it is an untouched, valid prefix). For a cut tail that is
the line after the last one left.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from evals.audit import (
    ZERO_HASH,
    AuditConflict,
    AuditCorrupt,
    AuditRecord,
    AuditSealed,
    AuditWriteError,
    AuditWriter,
    canonical_json,
    read_records,
    record_hash,
    verify,
    verify_bytes,
)
from evals.identity import OPERATOR, Keyring, record_message

START = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def ticking_clock() -> Callable[[], datetime]:
    """A deterministic clock: one second per record."""
    ticks = iter(range(10**6))
    return lambda: START + timedelta(seconds=next(ticks))


# Twenty events of a negotiation, in the shapes the workflow writes: varied kinds and actors,
# unicode, nested values, numbers of every JSON type.
EVENTS: list[tuple[str, str, dict[str, Any], str | None]] = [
    (
        "run_start",
        "operator",
        {
            "scenario": "ecosystem",
            "scenario_sha256": "ab" * 32,
            "policy_set": "fair-and-open@1.2",
            "code_version": "0.1.0",
            "seed": 7,
        },
        "run_start",
    ),
    ("profile", "operator", {"party": "alpha", "weights": {"royalty_rate": 0.25, "foreground_ip": 0.375}}, None),
    ("profile", "operator", {"party": "βeta GmbH", "reservation_value": 0.4, "constraints": ["excl ≤ 12 mo"]}, None),
]
for turn in range(14):
    party = "alpha" if turn % 2 == 0 else "βeta GmbH"
    if turn % 5 == 4:
        EVENTS.append(
            (
                "policy_verdict",
                "protocol",
                {"rule": "ip-follows-core", "version": 2, "decision": "warn", "reason": "licence « non-exclusive »"},
                f"verdict:{turn}",
            )
        )
    else:
        EVENTS.append(
            (
                "move",
                party,
                {
                    "turn": turn,
                    "kind": "propose",
                    "terms": {"royalty_rate": 8 - turn * 0.5, "exclusivity_months": 36 - 2 * turn, "joint": turn > 6},
                    "message": f"Runde {turn}: Vorschlag 🤝 — 知的財産は共同で",
                    "rationale": 'line\nbreak, tab\t, quote ", sep \u2028 and NUL \u0000',
                    "reason": None,
                },
                f"move:{turn}",
            )
        )
EVENTS += [
    (
        "escalation",
        "protocol",
        {"from": "working level", "to": "executives", "why": "no improving offer in 3 rounds"},
        None,
    ),
    ("state", "protocol", {"status": "agreement", "accepted_by": ["alpha", "βeta GmbH"], "round": 7}, "state:end"),
    ("evaluation", "evaluator", {"nash_gap": 0.0123, "pareto_optimal": True, "utilities": [0.71, 0.64]}, "evaluation"),
]
assert len(EVENTS) == 20


KEYRING = Keyring.ephemeral_operator()
"""The operator's key the fixture transcript is signed with; the forgers below hold it too, so
that what they break is the chain, not (only) the signature (see tests/evals/test_signatures.py)."""


def write_transcript(path: Path) -> list[AuditRecord]:
    with AuditWriter(path, clock=ticking_clock(), keyring=KEYRING) as writer:
        written = [writer.append(kind, actor, data, key=key) for kind, actor, data, key in EVENTS]
        written.append(writer.seal({"outcome": "agreement"}))
    return written


@pytest.fixture(scope="module")
def transcript(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "transcripts" / "run.jsonl"
    write_transcript(path)
    return path


@pytest.fixture(scope="module")
def lines(transcript: Path) -> list[bytes]:
    """The transcript's lines, each with its newline."""
    return split_lines(transcript.read_bytes())


def split_lines(raw: bytes) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+$", raw)


def first_difference(original: list[bytes], tampered: list[bytes]) -> int:
    """1-based number of the first line of `tampered` that is not the original's line there."""
    for index, (a, b) in enumerate(zip(original, tampered, strict=False)):
        if a != b:
            return index + 1
    return min(len(original), len(tampered)) + 1


def assert_located(report_raw: bytes, original: list[bytes], tampered: list[bytes]) -> None:
    expected = first_difference(original, tampered)
    for require_seal in (True, False):
        report = verify_bytes(report_raw, require_seal=require_seal)
        if not require_seal and expected == len(tampered) + 1:
            continue  # a cut tail without a seal is what an unfinished run looks like
        assert not report.ok
        assert report.first_bad == expected, report.problem
        assert report.problem is not None
        assert report.records == expected - 1
        assert not report.sealed


def parse(line: bytes) -> dict[str, Any]:
    obj = json.loads(line)
    assert isinstance(obj, dict)
    return obj


def dump(obj: dict[str, Any]) -> bytes:
    return (canonical_json(obj) + "\n").encode("utf-8")


def rehash(obj: dict[str, Any]) -> dict[str, Any]:
    """What a forger who knows the scheme and stole the operator's key does: recompute the hash and re-sign it."""
    body = {k: v for k, v in obj.items() if k not in ("hash", "sig")}
    digest = record_hash(body)
    signature = KEYRING.sign(OPERATOR, record_message(digest))
    sig = {"by": OPERATOR, "key": KEYRING.public_key(OPERATOR), "ed25519": signature}
    return {**body, "hash": digest, "sig": sig}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(-(2.0**52), 2.0**52)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
FIELDS = ["seq", "ts", "kind", "actor", "data", "key", "prev_hash", "hash", "sig"]
N = len(EVENTS) + 1  # with the seal


# The untouched transcript


def test_a_real_transcript_verifies_and_reads_back(transcript: Path, lines: list[bytes]) -> None:
    report = verify(transcript)
    assert report.ok, report.problem
    assert (report.records, report.sealed, report.first_bad, report.problem) == (N, True, None, None)
    records = read_records(transcript)
    assert len(records) == len(lines) == N
    assert [r.seq for r in records] == list(range(N))
    assert [(r.kind, r.actor, r.data, r.key) for r in records[:-1]] == [
        (kind, actor, json.loads(json.dumps(data)), key) for kind, actor, data, key in EVENTS
    ]
    assert records[0].prev_hash == ZERO_HASH
    for before, after in itertools.pairwise(records):
        assert after.prev_hash == before.hash
    seal = records[-1]
    assert seal.kind == "seal"
    assert seal.data == {"outcome": "agreement", "records": N - 1, "last_hash": records[-2].hash}
    assert report.last_hash == seal.hash
    assert "知的財産" in transcript.read_text(encoding="utf-8")  # raw UTF-8, not \u escapes


def test_the_hash_is_the_sha256_of_the_canonical_form_without_the_hash(lines: list[bytes]) -> None:
    obj = parse(lines[5])
    body = {k: v for k, v in obj.items() if k not in ("hash", "sig")}
    text = rfc8785.dumps(body)  # the standard's canonical form (RFC 8785), by an independent implementation
    assert obj["hash"] == hashlib.sha256(text).hexdigest() == record_hash(body)
    assert lines[5] == dump(obj)  # the line itself is canonical
    with pytest.raises(ValueError, match="without its 'hash'"):
        record_hash(obj)


def test_timestamps_are_utc_iso_with_z(tmp_path: Path) -> None:
    with AuditWriter(tmp_path / "t.jsonl") as writer:
        record = writer.append("note", "operator", {})
    assert record.ts.endswith("Z")
    assert abs(datetime.fromisoformat(record.ts) - datetime.now(UTC)) < timedelta(minutes=1)
    plus_two = datetime(2025, 1, 1, 12, 0, tzinfo=UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    with AuditWriter(tmp_path / "u.jsonl", clock=lambda: plus_two) as writer:
        assert writer.append("note", "operator", {}).ts == "2025-01-01T12:00:00.000000Z"
    naive = datetime(2025, 1, 1)
    with AuditWriter(tmp_path / "v.jsonl", clock=lambda: naive) as writer, pytest.raises(ValueError, match="aware"):
        writer.append("note", "operator", {})


def test_records_are_frozen(transcript: Path) -> None:
    record = read_records(transcript)[0]
    with pytest.raises(ValidationError):
        record.kind = "forged"  # type: ignore[misc]


# Tampering, property-based: each is detected and located


@settings(max_examples=150)
@given(index=st.integers(0, N - 1), field=st.sampled_from(FIELDS), value=json_values)
def test_editing_any_field_of_any_record_is_detected_on_that_line(
    lines: list[bytes], index: int, field: str, value: Any
) -> None:
    obj = parse(lines[index])
    if canonical_json(obj[field]) == canonical_json(value):
        value = [value]  # make it a real edit
    tampered = list(lines)
    tampered[index] = dump({**obj, field: value})
    raw = b"".join(tampered)
    assert_located(raw, lines, tampered)
    report = verify_bytes(raw)
    assert report.first_bad == index + 1
    assert f"line {index + 1}" in (report.problem or "")


@settings(max_examples=100)
@given(
    index=st.integers(0, N - 1),
    name=st.sampled_from(["seq", "ts", "prev_hash", "hash", "kind", "actor"]),
    hex_or_digits=st.text("0123456789abcdef", min_size=1, max_size=64),
)
def test_plausible_value_edits_are_reported_as_edits(
    lines: list[bytes], index: int, name: str, hex_or_digits: str
) -> None:
    """Edits that keep the record well-formed (a digit, a hash, a name) fail on the hash check."""
    obj = parse(lines[index])
    if name == "seq":
        value: Any = int(hex_or_digits, 16) % 1000
    elif name in ("prev_hash", "hash"):
        value = hex_or_digits.rjust(64, "0")
    elif name == "ts":
        value = (START + timedelta(seconds=int(hex_or_digits[:6], 16))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    else:
        value = "x" + hex_or_digits
    if value == obj[name]:
        return
    tampered = list(lines)
    tampered[index] = dump({**obj, name: value})
    report = verify_bytes(b"".join(tampered))
    assert report.first_bad == index + 1
    assert report.problem == f"line {index + 1} was edited: its content does not match its hash"


@settings(max_examples=100)
@given(index=st.integers(0, N - 1), data=st.data())
def test_editing_inside_the_payload_is_detected(lines: list[bytes], index: int, data: st.DataObject) -> None:
    obj = parse(lines[index])
    payload = dict(obj["data"])
    delete: bool = data.draw(st.booleans(), label="delete a key") if payload else False
    if delete:
        del payload[data.draw(st.sampled_from(sorted(payload)), label="key")]
    else:
        name = data.draw(st.sampled_from(sorted(payload)) | st.text(max_size=4), label="key")
        value = data.draw(json_values, label="value")
        if name in payload and canonical_json(payload[name]) == canonical_json(value):
            value = [value]
        payload[name] = value
    tampered = list(lines)
    tampered[index] = dump({**obj, "data": payload})
    assert_located(b"".join(tampered), lines, tampered)


@settings(max_examples=150)
@given(index=st.integers(0, N - 1), data=st.data())
def test_changing_any_byte_of_a_line_is_detected_on_that_line(
    lines: list[bytes], index: int, data: st.DataObject
) -> None:
    line = lines[index]
    at = data.draw(st.integers(0, len(line) - 2), label="position")  # not the newline
    byte = data.draw(st.integers(0, 255).filter(lambda b: b not in (line[at], ord("\n"))), label="byte")
    tampered = list(lines)
    tampered[index] = line[:at] + bytes([byte]) + line[at + 1 :]
    assert_located(b"".join(tampered), lines, tampered)


@given(source=st.integers(0, N - 1), at=st.integers(0, N))
def test_inserting_a_copied_record_is_detected(lines: list[bytes], source: int, at: int) -> None:
    tampered = [*lines[:at], lines[source], *lines[at:]]
    assert_located(b"".join(tampered), lines, tampered)


@settings(max_examples=150)
@given(
    at=st.integers(0, N),
    kind=st.sampled_from(["move", "state", "policy_verdict", "evaluation"]),
    actor=st.sampled_from(["alpha", "βeta GmbH", "protocol", "mallory"]),
    payload=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    fits=st.booleans(),
    seq=st.integers(0, N + 2),
    prev=st.sampled_from(["chain", "zeros", "other"]),
)
def test_inserting_a_forged_record_is_detected(
    lines: list[bytes], at: int, kind: str, actor: str, payload: dict[str, Any], fits: bool, seq: int, prev: str
) -> None:
    """A forged record with a valid hash of its own; if it even fits the chain, the next line gives it away."""
    chain = parse(lines[at - 1])["hash"] if at else ZERO_HASH
    if fits:
        seq, prev_hash = at, chain
    else:
        prev_hash = {"chain": chain, "zeros": ZERO_HASH, "other": "f" * 64}[prev]
        if seq == at and prev_hash == chain:
            seq += 1
    forged = rehash(
        {
            "seq": seq,
            "ts": "2025-03-01T09:30:05.000000Z",
            "kind": kind,
            "actor": actor,
            "data": payload,
            "key": None,
            "prev_hash": prev_hash,
        }
    )
    tampered = [*lines[:at], dump(forged), *lines[at:]]
    report = verify_bytes(b"".join(tampered))
    assert not report.ok
    seamless = fits and at < N  # after the seal nothing fits
    assert report.first_bad == (at + 2 if seamless else at + 1), report.problem


@given(index=st.integers(0, N - 1))
def test_deleting_any_record_is_detected(lines: list[bytes], index: int) -> None:
    tampered = lines[:index] + lines[index + 1 :]
    assert_located(b"".join(tampered), lines, tampered)
    report = verify_bytes(b"".join(tampered))
    assert report.first_bad == index + 1
    if index < N - 1:
        assert "deleted" in (report.problem or "")


@given(pair=st.lists(st.integers(0, N - 1), min_size=2, max_size=2, unique=True))
def test_swapping_two_records_is_detected(lines: list[bytes], pair: list[int]) -> None:
    i, j = sorted(pair)
    tampered = list(lines)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    assert_located(b"".join(tampered), lines, tampered)
    assert verify_bytes(b"".join(tampered)).first_bad == i + 1


@given(index=st.integers(0, N - 1))
def test_duplicating_a_record_is_detected(lines: list[bytes], index: int) -> None:
    tampered = [*lines[: index + 1], lines[index], *lines[index + 1 :]]
    assert_located(b"".join(tampered), lines, tampered)
    assert verify_bytes(b"".join(tampered)).first_bad == index + 2


@given(k=st.integers(1, N))
def test_cutting_the_tail_is_detected_against_the_seal(lines: list[bytes], k: int) -> None:
    tampered = lines[: N - k]
    report = verify_bytes(b"".join(tampered))
    assert not report.ok
    assert report.first_bad == N - k + 1  # where the missing records would start
    assert "seal" in (report.problem or "")
    unsealed = verify_bytes(b"".join(tampered), require_seal=False)
    assert (unsealed.ok, unsealed.sealed, unsealed.records) == (True, False, N - k)


@settings(max_examples=150)
@given(index=st.integers(0, N - 1), data=st.data(), keep_rest=st.booleans())
def test_cutting_a_line_in_half_is_detected_on_that_line(
    lines: list[bytes], index: int, data: st.DataObject, keep_rest: bool
) -> None:
    line = lines[index]
    # keeping the rest, the half must lose at least one byte besides the newline
    half = line[: data.draw(st.integers(1, len(line) - (2 if keep_rest else 1)), label="cut at")]
    # either the line lost its end and the records after it survive, or the file ends mid-record
    tampered = (
        [*lines[:index], half.rstrip(b"\n") + b"\n", *lines[index + 1 :]] if keep_rest else [*lines[:index], half]
    )
    assert_located(b"".join(tampered), lines, tampered)
    assert verify_bytes(b"".join(tampered)).first_bad == index + 1


@given(cut=st.integers(0, 10**6))
def test_cutting_the_file_at_any_byte_is_detected(lines: list[bytes], cut: int) -> None:
    raw = b"".join(lines)
    cut %= len(raw)
    report = verify_bytes(raw[:cut])
    assert not report.ok
    assert report.first_bad == raw[:cut].count(b"\n") + 1


# Tampering, by example: the messages say what happened


def test_messages_name_the_line_and_the_kind_of_damage(lines: list[bytes]) -> None:
    def problem(tampered: list[bytes]) -> str:
        report = verify_bytes(b"".join(tampered))
        assert report.problem is not None
        return report.problem

    edited = parse(lines[3])
    edited["data"]["turn"] = 99
    assert problem([*lines[:3], dump(edited), *lines[4:]]) == "line 4 was edited: its content does not match its hash"
    assert "line 5 has seq 5 where 4 was expected" in problem(lines[:4] + lines[5:])
    assert "deleted" in problem(lines[:4] + lines[5:])
    assert "duplicated" in problem([*lines[:5], lines[4], *lines[5:]])
    assert "line 21 is incomplete" in problem([*lines[:20], lines[20][:-1]])
    assert "without a seal" in problem(lines[:20])
    assert problem([]) == "the file is empty: no records and no seal"
    assert "not valid UTF-8" in problem([*lines[:2], b"\xff\xfe" + lines[2][2:], *lines[3:]])
    assert "line 3 is empty" in problem([*lines[:2], b"\n", *lines[2:]])
    assert "not valid JSON" in problem([*lines[:2], lines[2][:40] + b"\n", *lines[3:]])


def test_a_line_must_be_in_canonical_form(lines: list[bytes]) -> None:
    obj = parse(lines[2])
    spaced = (json.dumps(obj, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    escaped = (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
    # A duplicate key: json.loads keeps the last value, so the hash still matches, but a reader
    # that keeps the first would see a different record.
    doubled = b'{"actor":"mallory",' + lines[2][1:]
    for line in (spaced, escaped, doubled):
        report = verify_bytes(b"".join([*lines[:2], line, *lines[3:]]))
        assert report.first_bad == 3
        assert "canonical" in (report.problem or "")


def test_a_forged_seal_that_miscounts_is_detected(lines: list[bytes]) -> None:
    seal = parse(lines[-1])
    for change in ({"records": N - 2}, {"last_hash": "0" * 64}, {"records": True}):
        forged = rehash({**seal, "data": {**seal["data"], **change}})
        report = verify_bytes(b"".join([*lines[:-1], dump(forged)]))
        assert report.first_bad == N
        assert "seal" in (report.problem or "")
    # Dropping the last record and re-chaining the seal to the one before: the count gives it away.
    rechained = rehash({**seal, "seq": N - 2, "prev_hash": parse(lines[-3])["hash"]})
    rechained = rehash({**rechained, "data": {**seal["data"], "last_hash": parse(lines[-3])["hash"]}})
    report = verify_bytes(b"".join([*lines[:-2], dump(rechained)]))
    assert report.first_bad == N - 1
    assert "seal for 20 records" in (report.problem or "")


def test_records_chained_after_the_seal_are_detected(lines: list[bytes]) -> None:
    seal = parse(lines[-1])
    extra = rehash(
        {
            "seq": N,
            "ts": seal["ts"],
            "kind": "move",
            "actor": "alpha",
            "data": {},
            "key": None,
            "prev_hash": seal["hash"],
        }
    )
    report = verify_bytes(b"".join([*lines, dump(extra)]))
    assert report.first_bad == N + 1
    assert "after the seal" in (report.problem or "")


def test_verify_reads_files_and_read_records_names_malformed_lines(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join([*lines[:6], b'{"seq": "six"}\n', *lines[7:]]))
    assert verify(path).first_bad == 7
    with pytest.raises(AuditCorrupt, match=r"line 7 is not a valid audit record") as caught:
        read_records(path)
    assert caught.value.line == 7


# The writer


def count_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def test_keyed_appends_are_idempotent_for_replays(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with AuditWriter(path, keyring=KEYRING) as writer:
        first = writer.append("move", "alpha", {"terms": (1, 2), "turn": 17}, key="move:17")
        writer.append("move", "beta", {"turn": 18}, key="move:18")
        again = writer.append("move", "alpha", {"turn": 17, "terms": [1, 2]}, key="move:17")
        assert again == first
        assert count_lines(path) == 2
        with pytest.raises(AuditConflict, match=r"seq 0 \(key 'move:17'\)") as caught:
            writer.append("move", "alpha", {"terms": [1, 3], "turn": 17}, key="move:17")
        assert (caught.value.seq, caught.value.key) == (0, "move:17")
        with pytest.raises(AuditConflict):
            writer.append("move", "beta", {"terms": [1, 2], "turn": 17}, key="move:17")  # other actor
        with pytest.raises(AuditConflict):
            writer.append("reject", "alpha", {"terms": [1, 2], "turn": 17}, key="move:17")  # other kind
        with pytest.raises(AuditConflict):
            writer.append("move", "beta", {"turn": 18.5}, key="move:18")
        # RFC 8785: 18.0 and 18 are the same JSON number, written "18": a replay, not a conflict
        assert writer.append("move", "beta", {"turn": 18.0}, key="move:18").data == {"turn": 18}
        assert count_lines(path) == 2
    assert verify(path, require_seal=False).ok


def test_a_resumed_run_continues_the_chain_and_replays_without_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"

    def moves(upto: int) -> Iterator[tuple[str, str, dict[str, Any], str]]:
        for turn in range(upto):
            yield "move", "alpha" if turn % 2 == 0 else "beta", {"turn": turn, "offer": turn * 0.5}, f"move:{turn}"

    with AuditWriter(path, keyring=KEYRING) as writer:
        writer.append("run_start", "operator", {"seed": 7}, key="run_start")
        for kind, actor, data, key in moves(7):  # killed after turn 6; the checkpoint was at turn 4
            writer.append(kind, actor, data, key=key)
    before = path.read_bytes()
    with AuditWriter(path, keyring=KEYRING) as writer:  # the resumed run replays turns 4..6, then goes on
        assert (writer.records, writer.sealed) == (8, False)
        assert writer.last_hash == read_records(path)[-1].hash
        assert path.read_bytes() == before
        writer.append("run_start", "operator", {"seed": 7}, key="run_start")
        for kind, actor, data, key in list(moves(12))[4:]:
            record = writer.append(kind, actor, data, key=key)
        assert record.seq == 12
        writer.append("note", "operator", {"resumed": True})  # unkeyed: always appended
        writer.seal()
    assert path.read_bytes().startswith(before)
    report = verify(path)
    assert (report.ok, report.records, report.sealed) == (True, 15, True)
    assert [r.key for r in read_records(path)][:13] == ["run_start", *(f"move:{t}" for t in range(12))]


def test_a_replay_that_diverges_after_reopening_raises(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with AuditWriter(path, keyring=KEYRING) as writer:
        writer.append("move", "alpha", {"offer": 1}, key="move:0")
        writer.append("move", "beta", {"offer": 2}, key="move:1")
    with AuditWriter(path, keyring=KEYRING) as writer, pytest.raises(AuditConflict, match="seq 1"):
        writer.append("move", "beta", {"offer": 3}, key="move:1")
    assert count_lines(path) == 2


def test_nothing_is_appended_after_the_seal(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with AuditWriter(path, keyring=KEYRING) as writer:
        move = writer.append("move", "alpha", {"offer": 1}, key="move:0")
        seal = writer.seal({"outcome": "impasse"})
        assert seal.data == {"outcome": "impasse", "records": 1, "last_hash": move.hash}
        assert writer.sealed
        with pytest.raises(AuditSealed):
            writer.append("note", "operator", {})
        with pytest.raises(AuditSealed):
            writer.append("move", "beta", {"offer": 2}, key="move:1")
        # a replayed ending is idempotent: same records, same seal
        assert writer.append("move", "alpha", {"offer": 1}, key="move:0") == move
        assert writer.seal({"outcome": "impasse"}) == seal
        with pytest.raises(AuditSealed):
            writer.seal({"outcome": "agreement"})
    sealed_bytes = path.read_bytes()
    with AuditWriter(path, keyring=KEYRING) as writer:
        assert writer.sealed
        with pytest.raises(AuditSealed):
            writer.append("note", "operator", {})
        assert writer.seal({"outcome": "impasse"}) == seal
    assert path.read_bytes() == sealed_bytes
    assert verify(path).ok


def test_the_seal_is_only_written_by_seal(tmp_path: Path) -> None:
    with AuditWriter(tmp_path / "t.jsonl") as writer:
        with pytest.raises(ValueError, match="seal"):
            writer.append("seal", "protocol", {})
        with pytest.raises(ValueError, match="seal"):
            writer.append("note", "protocol", {}, key="seal")
        with pytest.raises(ValueError, match="records"):
            writer.seal({"records": 3})
        assert writer.records == 0
        empty_seal = writer.seal()
    assert empty_seal.data == {"records": 0, "last_hash": ZERO_HASH}
    assert verify(tmp_path / "t.jsonl").ok


def test_data_that_json_cannot_hold_is_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    with AuditWriter(path, keyring=KEYRING) as writer:
        for bad in ({"x": float("nan")}, {"x": object()}, {"x": {1, 2}}):
            with pytest.raises(ValueError, match="JSON"):
                writer.append("note", "operator", bad)
        assert writer.append("note", "operator", {"ok": 1}).seq == 0
    assert count_lines(path) == 1


def test_reopening_a_damaged_transcript_is_refused(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"".join(lines[:3] + lines[4:10]))
    with pytest.raises(AuditCorrupt, match="refusing to append") as caught:
        AuditWriter(path)
    assert caught.value.line == 4
    assert path.read_bytes() == b"".join(lines[:3] + lines[4:10])


def test_every_record_is_flushed_and_fsynced_before_append_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.jsonl"
    synced: list[tuple[int, int]] = []  # (inode, size on disk when fsync was called)
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        stat = os.fstat(fd)
        synced.append((stat.st_ino, stat.st_size))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    with AuditWriter(path, keyring=KEYRING) as writer:
        inode = path.stat().st_ino
        for n in range(5):
            writer.append("move", "alpha", {"turn": n}, key=f"move:{n}")
            file_syncs = [size for ino, size in synced if ino == inode]
            assert len(file_syncs) == n + 1
            assert file_syncs[-1] == path.stat().st_size  # the whole line was written before the fsync
        writer.append("move", "alpha", {"turn": 0}, key="move:0")  # a replay writes nothing
        writer.seal()
    assert len([s for ino, s in synced if ino == inode]) == 6


def test_an_unwritable_directory_stops_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operating system refuses the file or its folder (as it would for a read-only directory;
    the refusal is injected, since root may write anywhere)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_open, real_mkdir = os.open, Path.mkdir

    def refused_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777, **kw: object) -> int:
        if Path(path).parent.is_relative_to(locked) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, mode)

    def refused_mkdir(self: Path, *args: object, **kwargs: object) -> None:
        if self.is_relative_to(locked) and self != locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refused_open)
    monkeypatch.setattr(Path, "mkdir", refused_mkdir)
    for path in (locked / "run.jsonl", locked / "sub" / "run.jsonl"):
        with pytest.raises(AuditWriteError, match="Permission denied") as caught:
            AuditWriter(path)
        assert caught.value.path == path
        assert str(path) in str(caught.value)
    assert not any(locked.iterdir())  # nothing half-created


def test_a_failed_write_raises_leaves_a_valid_file_and_stops_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.jsonl"
    writer = AuditWriter(path)
    writer.append("move", "alpha", {"turn": 0})
    good = path.read_bytes()
    real_write = os.write
    calls = 0

    def disk_fills_up(fd: int, data: bytes | memoryview) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            return real_write(fd, bytes(data)[: len(data) // 2])  # a short write...
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then the disk is full

    monkeypatch.setattr(os, "write", disk_fills_up)
    with pytest.raises(AuditWriteError, match="No space left on device") as caught:
        writer.append("move", "beta", {"turn": 1, "long": "x" * 500})
    assert caught.value.path == path
    assert str(path) in str(caught.value)
    monkeypatch.setattr(os, "write", real_write)
    assert path.read_bytes() == good  # the partial line was cut back
    with pytest.raises(AuditWriteError, match="earlier write failed"):
        writer.append("move", "beta", {"turn": 1})
    writer.close()
    assert verify(path, require_seal=False).ok


def test_a_failed_fsync_is_a_failed_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.jsonl"
    with AuditWriter(path, keyring=KEYRING) as writer:

        def failing_fsync(fd: int) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        monkeypatch.setattr(os, "fsync", failing_fsync)
        with pytest.raises(AuditWriteError, match="Input/output error"):
            writer.append("move", "alpha", {"turn": 0})
    assert path.read_bytes() == b""


def test_a_chained_record_that_repeats_a_key_is_detected(lines: list[bytes]) -> None:
    """Two records under one key would make replays ambiguous, even when the chain is intact."""
    last = parse(lines[9])
    again = rehash({**parse(lines[3]), "seq": 10, "prev_hash": last["hash"]})
    report = verify_bytes(b"".join([*lines[:10], dump(again)]), require_seal=False)
    assert report.first_bad == 11
    assert "repeats key 'move:0' of line 4" in (report.problem or "")


def test_a_writer_that_fsyncs_at_the_seal_writes_every_record_and_syncs_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evals.audit.writer as audit_module

    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(audit_module.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    path = tmp_path / "bulk.jsonl"
    writer = AuditWriter(path, fsync="seal")
    before = len(synced)  # nothing yet: the new file's directory entry is synced with the first commit
    for n in range(5):
        writer.append("move", "a", {"n": n}, key=f"m{n}")
        assert len(path.read_text().splitlines()) == n + 1, "each record is written before append returns"
    assert len(synced) == before, "no fsync per record"
    writer.seal({"outcome": "impasse"})
    assert len(synced) == before + 2, "the seal is fsynced, and the new file's folder with it"
    writer.close()
    assert verify(path).ok
    per_record = AuditWriter(tmp_path / "each.jsonl")
    start = len(synced)
    per_record.append("move", "a", {"n": 0})
    assert len(synced) == start + 1
    per_record.close()
