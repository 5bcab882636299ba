"""What a finished run leaves on disk beside its checkpoints: scorecard (JSON, Markdown), plot, term sheet.

Each file appears whole or not at all: it is written to a scratch folder inside the run's folder
and renamed into place (an atomic rename on one file system), so a kill while writing leaves
the files finished so far and no half-written one; `missing_outputs` says what a later
``pactlab resume`` must still write.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from evals.plots import plot_utility_space
from evals.report import scorecard_markdown
from evals.scorecard import OutcomeAnalysis, Scorecard
from evals.termsheet import FORMATS, draft_term_sheet, render
from evals.transcript import read_transcript
from pactlab.domain.run_folder import RunFolder
from pactlab.domain.scenario import Scenario
from pactlab.workflow.state import NegotiationState


def expected_outputs(run_dir: Path, state: NegotiationState) -> list[Path]:
    """The files a run that ended in `state` leaves in `run_dir`."""
    folder = RunFolder(run_dir)
    paths = [folder.scorecard_json, folder.scorecard_md, folder.plot]
    if state["table"]["status"] == "agreement" and state["run"]["transcript"]:
        paths += [folder.termsheet(fmt) for fmt in FORMATS]
    return paths


def missing_outputs(run_dir: Path, state: NegotiationState) -> list[Path]:
    """The outputs of a finished run that are not on disk (a run killed while writing them)."""
    return [p for p in expected_outputs(run_dir, state) if not p.exists()]


def write_outputs(
    run_dir: Path,
    scenario: Scenario,
    state: NegotiationState,
    card: Scorecard,
    analysis: OutcomeAnalysis | None = None,
    *,
    only_missing: bool = False,
) -> list[Path]:
    """Write the run's scorecard and utility-space plot under `run_dir`; return the paths written.

    A run that ended in agreement also gets its term sheet, drafted from the audit transcript,
    as termsheet.md, termsheet.html and termsheet.docx (its redline as Word tracked changes).
    `only_missing` writes only the files not yet on disk.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    wanted = missing_outputs(run_dir, state) if only_missing else expected_outputs(run_dir, state)
    if not wanted:
        return []
    folder = RunFolder(run_dir)
    table = state["table"]
    agreement = table["proposal"] if table["status"] == "agreement" else None
    scratch = Path(tempfile.mkdtemp(prefix=".writing-", dir=run_dir))
    try:
        staged = RunFolder(scratch)
        if folder.scorecard_json in wanted:
            staged.scorecard_json.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
        if folder.scorecard_md in wanted:
            staged.scorecard_md.write_text(scorecard_markdown(card), encoding="utf-8")
        if folder.plot in wanted:
            plot_utility_space(scenario, state["moves"], agreement, staged.plot, analysis=analysis)
        sheets = [fmt for fmt in FORMATS if folder.termsheet(fmt) in wanted]
        if sheets:
            document = draft_term_sheet(read_transcript(state["run"]["transcript"] or ""))
            for fmt in sheets:
                staged.termsheet(fmt).write_bytes(render(document, fmt))
        for path in wanted:
            with open(scratch / path.name, "rb") as staged_file:
                os.fsync(staged_file.fileno())
            os.replace(scratch / path.name, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return wanted


__all__ = ["expected_outputs", "missing_outputs", "write_outputs"]
