"""Rehearsal: a person takes a seat at the table (or approves agents' moves), in the terminal or the browser.

- `pactlab.app.rehearsal.service`: `Rehearsals`, the session service both front ends use (start,
  view, check a draft, move, approve, fork, debrief);
- `pactlab.app.rehearsal.view`: what the person sees (`View`, `DraftCheck`, the moves allowed now);
- `pactlab.app.rehearsal.inputs`: the person's input checked before anything changes (the start
  form, a move, an approval, a draft, a fork point);
- `pactlab.app.rehearsal.errors`: what a rehearsal refuses (`RehearsalError`, `UnknownRehearsal`);
- `pactlab.app.rehearsal.debrief`: the debrief and the side-by-side comparison of what-if branches;
- `pactlab.app.rehearsal.forks`: a branch's audit transcript (the source's prefix, re-chained).

The people themselves sit in `agents.human`; the workflow pauses for them with LangGraph's
`interrupt()` (`pactlab.workflow.pause`).
"""

from pactlab.app.rehearsal.debrief import Comparison, Debrief
from pactlab.app.rehearsal.errors import RehearsalError, UnknownRehearsal
from pactlab.app.rehearsal.service import Rehearsals
from pactlab.app.rehearsal.view import DraftCheck, View, kinds_allowed

__all__ = [
    "Comparison",
    "Debrief",
    "DraftCheck",
    "RehearsalError",
    "Rehearsals",
    "UnknownRehearsal",
    "View",
    "kinds_allowed",
]
