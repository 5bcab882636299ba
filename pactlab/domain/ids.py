"""Identifiers: how scenarios name their issues, parties, tiers and themselves.

Any identifier will do — letters of either case, digits and underscores, not starting with a
digit — so a published game's names (``SportCo``, ``Issue_A``) can be written as they are. Ids
are what term sheets, preferences, constraints and clauses refer to; what people read is each
thing's ``name``. Issue ids may not be words of the constraint language (lower case), where they appear bare.
"""

from __future__ import annotations

ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
"""An identifier: a letter or underscore, then letters, digits or underscores."""

CONSTRAINT_KEYWORDS: frozenset[str] = frozenset({"if", "then", "and", "or", "in", "not", "true", "false"})
"""Words of the constraint language (`pactlab.domain.constraints`); no issue may take one as its id."""


def keyword_problem(issue_id: str) -> str | None:
    """Why `issue_id` cannot name an issue (it is a word of the constraint language), or None."""
    if issue_id in CONSTRAINT_KEYWORDS:
        words = ", ".join(sorted(CONSTRAINT_KEYWORDS))
        return f"{issue_id!r} is a word of the constraint language ({words}); choose another issue id"
    return None


__all__ = ["CONSTRAINT_KEYWORDS", "ID_PATTERN", "keyword_problem"]
