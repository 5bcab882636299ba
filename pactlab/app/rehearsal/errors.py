"""What a rehearsal refuses: a person's bad input (`RehearsalError`) and an id that names no rehearsal.

Both front ends show these to the person as they are, so their messages say what to fix.
"""

from __future__ import annotations

from collections.abc import Mapping

from pactlab.errors import BadInput, NotFound


class RehearsalError(BadInput, ValueError):
    """Bad input from a person; the message says what to fix, and nothing changed.

    `problems` maps a form field to what is wrong with it (for the web form).
    """

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = dict(problems or {})


class UnknownRehearsal(NotFound, LookupError):
    """No rehearsal has this id (a mistyped or forged id)."""


__all__ = ["RehearsalError", "UnknownRehearsal"]
