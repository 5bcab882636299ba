"""Why a term sheet cannot be drafted: no agreement to draft, or contract wording that does not render."""

from __future__ import annotations

from pactlab.errors import BadInput


class NoAgreement(BadInput, ValueError):
    """The transcript's negotiation did not end in an agreement, so there is no term sheet to draft."""

    def __init__(self, outcome: str, ended_by: str | None = None, negotiation_id: str | None = None) -> None:
        what = f"negotiation {negotiation_id!r}" if negotiation_id else "the negotiation"
        if outcome == "open":
            message = f"no term sheet: {what} has no outcome yet (the transcript ends before the negotiation did)"
        else:
            message = f"no term sheet: {what} ended in {outcome.replace('_', '-')}, not in an agreement"
        if ended_by:
            message += f" ({ended_by})"
        super().__init__(message)
        self.outcome = outcome
        self.ended_by = ended_by


class WordingError(BadInput, ValueError):
    """A clause's wording template (from the scenario) does not render.

    The message names the issue, the option (if the template is an option's), where the
    template lives in the scenario file, what went wrong and how to fix it.
    """

    def __init__(self, issue: str, option: str | None, where: str, problem: str, fix: str) -> None:
        of = f"issue {issue!r}" + (f", option {option!r}" if option is not None else "")
        super().__init__(f"term-sheet wording of {of} ({where}): {problem}; {fix}")
        self.issue = issue
        self.option = option
        self.where = where
