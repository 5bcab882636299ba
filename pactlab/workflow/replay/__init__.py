"""Replay a negotiation from its transcript: every decision re-derived and compared, record for record.

`replay` re-executes the run (`play`); `explain` says, for each agreed term, the move that set it
and the inputs that decided it. Modules: `play` (the replay and its report), `compare` (what is
compared, what is per-run), `people` and `llm` (the recorded inputs fed back), `explain`, `errors`.
"""

from __future__ import annotations

from pactlab.workflow.replay.errors import CodeVersionDiffers, ReplayInputError, ReplayStop
from pactlab.workflow.replay.explain import TermExplanation, explain
from pactlab.workflow.replay.play import Divergence, ReplayReport, read_lines, replay

__all__ = [
    "CodeVersionDiffers",
    "Divergence",
    "ReplayInputError",
    "ReplayReport",
    "ReplayStop",
    "TermExplanation",
    "explain",
    "read_lines",
    "replay",
]
