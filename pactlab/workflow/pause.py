"""Asking a person from inside the graph: the `AskPerson` that people's seats and approval gates get.

A question pauses the run with LangGraph's `interrupt()`: the run checkpoints, the question
becomes the run's pending question (`Negotiations.pending`, a `Paused` event), and the person's
answer comes back with ``Command(resume=answer)`` (`Negotiations.answer`). On resume LangGraph
plays the node again from its start and hands the recorded answers to the `interrupt()` calls
in order, which is `agents.ask.AskPerson`'s contract.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import interrupt


def ask_in_graph(question: dict[str, Any], /) -> object:
    """Pause the run with `question`; the person's answer, once the run is resumed with it."""
    answer: object = interrupt(question)
    return answer
