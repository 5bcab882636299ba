"""Every run keeps a hash-chained audit transcript that verifies, reads back and rescores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from evals.audit import read_records, verify
from evals.transcript import read_transcript, rescore
from pactlab.app.cli import exit_codes


def pactlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=300)


def test_a_run_leaves_a_sealed_transcript_that_rescores(tmp_path: Path) -> None:
    result = pactlab("run", "boost_converter", "--seed", "2", "--id", "t", "--out", str(tmp_path), "-q")
    assert result.returncode in (exit_codes.AGREEMENT, exit_codes.NO_AGREEMENT), result.stderr
    path = tmp_path / "t" / "transcript.jsonl"
    report = verify(path)
    assert report.ok and report.sealed, report.problem

    records = read_records(path)
    kinds = [r.kind for r in records]
    assert kinds[0] == "run_start" and kinds[-2:] == ["evaluation", "seal"]
    start = records[0].data
    assert start["scenario_sha256"] and len(start["code"]["sha256"]) == 64 and start["seed"] == 2
    moves = [r for r in records if r.kind == "move"]
    card = json.loads((tmp_path / "t" / "scorecard.json").read_text())
    assert len(moves) == card["turns"]
    assert all(r.actor == r.data["move"]["party"] for r in moves)
    assert [r.data["move"]["turn"] for r in moves] == list(range(len(moves)))
    assert moves[-1].data["table"]["status"] == card["outcome"]

    run = read_transcript(path)
    assert rescore(run).model_dump(mode="json") == card == run.scorecard

    evaluated = pactlab("eval", str(path), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout) == card

    assert card["outcome"] == "agreement", "seed 2 of boost_converter reaches a deal; pick another if it changes"
    written = (tmp_path / "t" / "termsheet.md").read_text(encoding="utf-8")
    printed = pactlab("termsheet", str(path))
    assert printed.returncode == 0 and printed.stdout.strip() == written.strip()
    assert all(f"### {n}." in written for n in range(1, len(card["agreement"]) + 1))

    shown = pactlab("audit", "show", str(path))
    assert shown.returncode == 0
    assert "proposes" in shown.stdout and "why:" in shown.stdout


def test_audit_verify_names_the_edited_line(tmp_path: Path) -> None:
    assert pactlab("run", "platform_material", "--id", "v", "--out", str(tmp_path), "-q").returncode in (0, 3)
    path = tmp_path / "v" / "transcript.jsonl"
    ok = pactlab("audit", "verify", str(path))
    assert ok.returncode == 0 and "chain intact" in ok.stdout

    original = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = list(original)
    at = next(n for n, line in enumerate(lines) if json.loads(line)["kind"] == "move")
    edited = json.loads(lines[at])
    edited["data"]["move"]["message"] = "We never said this."
    lines[at] = json.dumps(edited, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    forged = tmp_path / "forged.jsonl"
    forged.write_text("".join(lines), encoding="utf-8")
    bad = pactlab("audit", "verify", str(forged))
    assert bad.returncode == exit_codes.TAMPERED
    assert f"line {at + 1}" in bad.stderr and "Traceback" not in bad.stderr
    assert pactlab("eval", str(forged)).returncode == exit_codes.TAMPERED

    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(original[:-3]), encoding="utf-8")
    truncated = pactlab("audit", "verify", str(cut))  # what a crash leaves, as far as the file can tell
    assert truncated.returncode == exit_codes.INCOMPLETE and "INCOMPLETE, not tampered" in truncated.stderr
    cut.write_text("".join([*original[:-3], lines[at]]), encoding="utf-8")
    cut_and_edited = pactlab("audit", "verify", str(cut))
    assert cut_and_edited.returncode == exit_codes.TAMPERED


def test_an_unwritable_transcript_stops_the_run_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the run's folder should be")
    result = pactlab("run", "platform_material", "--id", "blocked", "--out", str(tmp_path), "-q")
    assert result.returncode == exit_codes.FAILURE
    assert "audit trail" in result.stderr and "blocked" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_view_as_a_party_hides_the_others_private_profiles(tmp_path: Path) -> None:
    assert pactlab("run", "ecosystem", "--id", "e", "--out", str(tmp_path), "-q").returncode in (0, 3)
    path = tmp_path / "e" / "transcript.jsonl"
    result = pactlab("audit", "view", str(path), "--as", "university_lab", "--json")
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    run = read_transcript(path)
    assert view["own_brief"] == run.scenario.party("university_lab").private.model_dump(mode="json")
    assert all("private" not in p for p in view["scenario"]["parties"])
    assert [m["move"] for m in view["moves"]] == run.moves
    text = result.stdout
    for party in run.scenario.parties:
        if party.id != "university_lab":
            assert party.private.interests not in text
    assert "scorecard" not in text and "agents" not in view
    unknown = pactlab("audit", "view", str(path), "--as", "nobody")
    assert unknown.returncode == exit_codes.BAD_INPUT and "unknown party 'nobody'" in unknown.stderr


def test_termsheet_of_a_run_without_agreement_says_so(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "scenarios" / "boost_converter.yaml").read_text(encoding="utf-8")
    assert "  max_rounds: 40\n" in text
    short = tmp_path / "one_round.yaml"
    short.write_text(text.replace("  max_rounds: 40\n", "  max_rounds: 1\n", 1), encoding="utf-8")
    result = pactlab("run", str(short), "--id", "n", "--out", str(tmp_path), "-q")
    assert result.returncode == exit_codes.NO_AGREEMENT, result.stdout + result.stderr
    assert not (tmp_path / "n" / "termsheet.md").exists()
    sheet = pactlab("termsheet", str(tmp_path / "n" / "transcript.jsonl"))
    assert sheet.returncode == exit_codes.NO_AGREEMENT and "not in an agreement" in sheet.stderr
