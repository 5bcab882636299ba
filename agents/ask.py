"""How a seat reaches a person: `AskPerson`, a JSON question in and the person's JSON answer out.

The human seat and the approval gate (`agents.human`) only ask; how the question travels is the
caller's business. The workflow passes one that pauses the LangGraph run until the answer comes
back (`pactlab.workflow.pause`); a test can pass a list of answers. That keeps this layer free of
LangGraph, and it is why the contract below is stricter than "a function call".
"""

from __future__ import annotations

from typing import Any, Protocol


class AskPerson(Protocol):
    """Ask a person `question` (plain JSON) and return their answer (plain JSON, unvalidated).

    A call may pause the run instead of returning. When the run resumes, the code that asked runs
    again from its start and the earlier calls return the recorded answers in order; so the code
    around a call may depend only on its inputs and the answers, must write its records after the
    answer arrives, and must not swallow what the call raises to pause.
    """

    def __call__(self, question: dict[str, Any], /) -> object: ...
