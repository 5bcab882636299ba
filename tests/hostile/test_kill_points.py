"""A run killed at any instruction ends, after `resume` (or a rerun), exactly as an uninterrupted run.

Each case kills a short run (`kill_at.py`) at one point: before its first checkpoint, before
each record of its audit trail, and between its output files. Then the operator's remedy is
applied (a rerun with the same id when nothing durable existed, else `pactlab resume`), and the
result must equal the uninterrupted run's: the same records in the same order, a transcript
that verifies, the same scorecard and the same output files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pactlab.app.cli import exit_codes
from pactlab.domain.catalog import shipped_scenarios
from tests.hostile.kill_at import KILLED
from tests.hostile.writers import killed_at, outputs, pactlab, records

RUN_ID = "short"
AGENTS = ("--agent", "conceder", "--seed", "1", "-q")
RECORDS = 16  # the reference run's audit records (run_start … seal, a tree head per round); the fixture checks it


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-party scenario cut to three rounds: an agreement in sixteen records."""
    source = shipped_scenarios()["boost_converter"].read_text("utf-8")
    assert "  max_rounds: 40\n" in source
    path = tmp_path_factory.mktemp("scenario") / "short.yaml"
    path.write_text(source.replace("  max_rounds: 40\n", "  max_rounds: 3\n"), "utf-8")
    return path


@pytest.fixture(scope="module")
def reference(scenario: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("reference")
    done = pactlab("run", scenario, "--id", RUN_ID, "--out", out, *AGENTS)
    assert done.returncode == 0, done.stdout + done.stderr
    transcript = records(out / RUN_ID / "transcript.jsonl")
    assert len(transcript) == RECORDS, f"the reference run now has {len(transcript)} records: update RECORDS"
    return {"records": transcript, "outputs": outputs(out / RUN_ID)}


def _ends_as_the_reference(out: Path, reference: dict[str, Any]) -> None:
    run_dir = out / RUN_ID
    verified = pactlab("audit", "verify", run_dir / "transcript.jsonl")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert records(run_dir / "transcript.jsonl") == reference["records"]
    assert outputs(run_dir) == reference["outputs"]


def test_killed_before_the_first_checkpoint_reruns_cleanly(
    scenario: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    killed = killed_at("checkpoint", "run", scenario, "--id", RUN_ID, "--out", tmp_path, *AGENTS)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    rerun = pactlab("run", scenario, "--id", RUN_ID, "--out", tmp_path, *AGENTS)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    _ends_as_the_reference(tmp_path, reference)


@pytest.mark.parametrize("record", range(RECORDS))
def test_killed_before_an_audit_record_resumes_to_the_same_end(
    record: int, scenario: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    killed = killed_at(f"record:{record}", "run", scenario, "--id", RUN_ID, "--out", tmp_path, *AGENTS)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    cut = pactlab("audit", "verify", tmp_path / RUN_ID / "transcript.jsonl")
    assert cut.returncode == exit_codes.INCOMPLETE, cut.stdout + cut.stderr  # cut short, not tampered
    resumed = pactlab("resume", RUN_ID, "--out", tmp_path, "-q")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _ends_as_the_reference(tmp_path, reference)


@pytest.mark.parametrize("written", [0, 1, 5])
def test_killed_while_writing_outputs_resume_writes_the_rest(
    written: int, scenario: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    killed = killed_at(f"outputs:{written}", "run", scenario, "--id", RUN_ID, "--out", tmp_path, *AGENTS)
    assert killed.returncode == KILLED, killed.stdout + killed.stderr
    on_disk = sorted(p.name for p in (tmp_path / RUN_ID).iterdir() if not p.name.startswith("."))
    assert len(on_disk) == 1 + written  # the transcript and whole files only
    resumed = pactlab("resume", RUN_ID, "--out", tmp_path, "-q")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _ends_as_the_reference(tmp_path, reference)
    again = pactlab("resume", RUN_ID, "--out", tmp_path, "-q")
    assert again.returncode == 4 and "already ended" in again.stderr
