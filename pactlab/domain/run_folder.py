"""Where a negotiation's record lives on disk: one layout for every part that writes or reads it.

Under an output folder (``--out``, default ``transcripts/``) the checkpoints of every run share
one SQLite file, and each run has a folder named by its negotiation id holding its audit
transcript, its scorecard, its plot and, when it agreed, its term sheet. The CLI, rehearsals,
the web app, sweeps and the workflow's outputs all take their paths from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHECKPOINTS = "checkpoints.sqlite"
TRANSCRIPT = "transcript.jsonl"
SCORECARD_JSON = "scorecard.json"
SCORECARD_MD = "scorecard.md"
PLOT = "utility_space.png"


def checkpoints(out: Path) -> Path:
    """The SQLite checkpoints of every run under `out`."""
    return out / CHECKPOINTS


def termsheet_name(fmt: str) -> str:
    """The file name of a run's term sheet in a format (md, html, docx)."""
    return f"termsheet.{fmt}"


@dataclass(frozen=True)
class RunFolder:
    """One run's folder: ``OUT/NEGOTIATION_ID/``."""

    path: Path

    @classmethod
    def of(cls, out: Path, negotiation_id: str) -> RunFolder:
        return cls(out / negotiation_id)

    @property
    def transcript(self) -> Path:
        return self.path / TRANSCRIPT

    @property
    def scorecard_json(self) -> Path:
        return self.path / SCORECARD_JSON

    @property
    def scorecard_md(self) -> Path:
        return self.path / SCORECARD_MD

    @property
    def plot(self) -> Path:
        return self.path / PLOT

    def termsheet(self, fmt: str) -> Path:
        return self.path / termsheet_name(fmt)


__all__ = [
    "CHECKPOINTS",
    "PLOT",
    "SCORECARD_JSON",
    "SCORECARD_MD",
    "TRANSCRIPT",
    "RunFolder",
    "checkpoints",
    "termsheet_name",
]
