"""A clause's redline as pieces of text, each marked with the step that inserted it and the one that deleted it.

Given the successive wordings of a clause (the first draft, then one per proposal that changed
the term), `redline` diffs each wording against the live text so far, word by word, and marks
what the step removed as deleted by it and what it added as inserted by it. Text one step
inserted and a later step removed carries both marks: that is how Word records a change to
someone else's change (a ``w:del`` inside the ``w:ins``). Reading the live pieces (not deleted)
gives the last wording; reading the pieces not inserted gives the first draft.

When two wordings share too little (a different sentence rather than an edited one), the step
replaces the whole live text: a word salad of tiny changes reads worse than one replacement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
MIN_SIMILARITY = 0.4
"""Below this share of common words, a step replaces the whole text instead of editing it."""


@dataclass(frozen=True)
class Piece:
    """Text with the step (1-based index into the wordings) that inserted it and that deleted it."""

    text: str
    inserted: int | None = None
    deleted: int | None = None


def tokens(text: str) -> list[str]:
    """Words, runs of whitespace and single punctuation marks; joined they give `text` back."""
    return _TOKEN.findall(text)


def redline(wordings: Sequence[str]) -> list[Piece]:
    """The pieces of the redline from `wordings[0]` (the first draft) through every later wording.

    Step `k` (1 ≤ k < len(wordings)) turns the live text into `wordings[k]`. Adjacent pieces
    with the same marks are merged.
    """
    if not wordings:
        return []
    pieces = [Piece(t) for t in tokens(wordings[0])]
    for step, wording in enumerate(wordings[1:], 1):
        pieces = _apply(pieces, tokens(wording), step)
    return _merge(pieces)


def _apply(pieces: list[Piece], new: list[str], step: int) -> list[Piece]:
    live = [n for n, p in enumerate(pieces) if p.deleted is None]
    old = [pieces[n].text for n in live]
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    opcodes: list[tuple[str, int, int, int, int]] = [("replace", 0, len(old), 0, len(new))]
    if matcher.ratio() >= MIN_SIMILARITY or not old or not new:
        opcodes = [(str(tag), i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    out: list[Piece] = []
    cursor = 0  # the next piece (live or dead) not yet copied to `out`

    def copy_to(position: int) -> None:
        nonlocal cursor
        out.extend(pieces[cursor:position])
        cursor = max(cursor, position)

    for tag, i1, i2, j1, j2 in opcodes:
        for i in range(i1, i2):
            copy_to(live[i])
            piece = pieces[live[i]]
            out.append(piece if tag == "equal" else replace(piece, deleted=step))
            cursor = live[i] + 1
        if tag in ("insert", "replace"):
            if tag == "insert":
                copy_to(live[i1] if i1 < len(live) else len(pieces))
            out.extend(Piece(t, inserted=step) for t in new[j1:j2])
    copy_to(len(pieces))
    return out


def _merge(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and (merged[-1].inserted, merged[-1].deleted) == (piece.inserted, piece.deleted):
            merged[-1] = replace(merged[-1], text=merged[-1].text + piece.text)
        else:
            merged.append(piece)
    return merged


def accepted(pieces: Sequence[Piece]) -> str:
    """The text with every change accepted: the last wording."""
    return "".join(p.text for p in pieces if p.deleted is None)


def original(pieces: Sequence[Piece]) -> str:
    """The text with every change rejected: the first draft."""
    return "".join(p.text for p in pieces if p.inserted is None)


__all__ = ["MIN_SIMILARITY", "Piece", "accepted", "original", "redline", "tokens"]
