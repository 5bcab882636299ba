"""Asking a person from inside the graph: the `AskPerson` that people's seats and approval gates get.

A question pauses the run with LangGraph's `interrupt()`: the run checkpoints, the question
becomes the run's pending question (`Negotiations.pending`, a `Paused` event), and the person's
answer comes back with ``Command(resume=answer)`` (`Negotiations.answer`). On resume LangGraph
plays the node again from its start and hands the recorded answers to the `interrupt()` calls
in order, which is `agents.ask.AskPerson`'s contract.

A replay (`pactlab.workflow.replay`) answers from the transcript instead, without pausing:
`answered_by` installs its answers for the calls made inside the block (a context variable, so
other runs in the process still pause).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langgraph.types import interrupt

from agents.ask import AskPerson

_ANSWERING: ContextVar[AskPerson | None] = ContextVar("pactlab_answering", default=None)


def ask_in_graph(question: dict[str, Any], /) -> object:
    """Pause the run with `question`; the person's answer, once the run is resumed with it."""
    scripted = _ANSWERING.get()
    if scripted is not None:
        return scripted(question)
    answer: object = interrupt(question)
    return answer


@contextmanager
def answered_by(ask: AskPerson) -> Iterator[None]:
    """Inside the block, people's questions are answered by `ask` at once instead of pausing the run."""
    token = _ANSWERING.set(ask)
    try:
        yield
    finally:
        _ANSWERING.reset(token)
