"""What a finished run leaves on disk beside its checkpoints: scorecard (JSON, Markdown), plot, term sheet."""

from __future__ import annotations

from pathlib import Path

from evals.plots import plot_utility_space
from evals.report import scorecard_markdown
from evals.scorecard import OutcomeAnalysis, Scorecard
from evals.termsheet import FORMATS, draft_term_sheet, write_term_sheet
from evals.transcript import read_transcript
from pactlab.domain.run_folder import RunFolder
from pactlab.domain.scenario import Scenario
from pactlab.workflow.state import NegotiationState


def write_outputs(
    run_dir: Path, scenario: Scenario, state: NegotiationState, card: Scorecard, analysis: OutcomeAnalysis | None = None
) -> list[Path]:
    """Write the run's scorecard and utility-space plot under `run_dir`; return the paths.

    A run that ended in agreement also gets its term sheet, drafted from the audit transcript,
    as termsheet.md, termsheet.html and termsheet.docx (its redline as Word tracked changes).
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    folder = RunFolder(run_dir)
    json_path = folder.scorecard_json
    json_path.write_text(card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    md_path = folder.scorecard_md
    md_path.write_text(scorecard_markdown(card), encoding="utf-8")
    table = state["table"]
    agreement = table["proposal"] if table["status"] == "agreement" else None
    plot = plot_utility_space(scenario, state["moves"], agreement, folder.plot, analysis=analysis)
    paths = [json_path, md_path, plot]
    transcript = state["run"]["transcript"]
    if agreement is not None and transcript:
        document = draft_term_sheet(read_transcript(transcript))
        paths += write_term_sheet(document, run_dir, FORMATS)
    return paths
