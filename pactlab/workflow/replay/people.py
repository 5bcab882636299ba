"""A replay's people: each question a person was asked is answered with what the transcript records.

`RecordedPeople` answers a person's question (a move, an approval) with the answer recorded for it
(`human_move`, `approval`), at once, without pausing the run; a question the transcript holds no
answer to stops the replay (`ReplayStop`).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pactlab.workflow.replay.errors import ReplayStop


@dataclass(frozen=True)
class Answer:
    """A recorded input and the transcript line it comes from."""

    line: int
    data: dict[str, Any]


class RecordedPeople:
    """Answers people's questions from the transcript's `human_move` and `approval` records."""

    def __init__(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        self._moves: dict[tuple[str, int, int], Answer] = {}
        self._approvals: dict[tuple[str, int, int], deque[Answer]] = defaultdict(deque)
        for line, record in records:
            data = record["data"]
            if record["kind"] == "human_move":
                self._moves[(str(data.get("party")), int(data.get("turn", -1)), int(data.get("attempt", 0)))] = Answer(
                    line, data
                )
            elif record["kind"] == "approval":
                key = (str(data.get("party")), int(data.get("turn", -1)), int(data.get("review", 0)))
                self._approvals[key].append(Answer(line, data))
        self.used: list[int] = []

    def __call__(self, question: dict[str, Any], /) -> object:
        party, turn = str(question.get("party")), int(question.get("turn", -1))
        if question.get("error"):
            raise ReplayStop(f"the recorded answer for {party} at turn {turn + 1} is refused now: {question['error']}")
        if question.get("kind") == "approval":
            queue = self._approvals.get((party, turn, int(question.get("review", 0))))
            if not queue:
                raise ReplayStop(
                    f"the run asks for approval of {party}'s move at turn {turn + 1}; no decision is recorded"
                )
            answer = queue.popleft()
            self.used.append(answer.line)
            data = answer.data
            return {"decision": data.get("decision"), "approver": data.get("approver"), "note": data.get("note", "")}
        attempt = int(question.get("attempt", 0))
        found = self._moves.pop((party, turn, attempt), None)
        if found is None:
            raise ReplayStop(
                f"the run asks {party}'s person for a move at turn {turn + 1} (attempt {attempt + 1}); "
                "the transcript records no answer"
            )
        self.used.append(found.line)
        action = found.data.get("action")
        if not isinstance(action, Mapping):
            raise ReplayStop(f"line {found.line}: the recorded human_move has no action")
        return {**action, "by": found.data.get("by", "")}
