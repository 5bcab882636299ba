"""The part of a move's rationale that is about one issue.

A proposal carries one rationale for the whole term sheet, often about several issues ("we
concede on A and ask more on B"). A clause's trace should show why *its* term was set, not a
paragraph about other terms, so the rationale is cut into sentences, and sentences into their
semicolon-separated parts (never inside brackets, so a listed set of issues stays whole), and
only the parts that name the issue are kept: by its id, its display name, or one of its
options. If none does, the move's own reason for that issue is used when the move carries
per-issue reasons (a ``reasons: {issue: text}`` mapping on the move record); otherwise there
is none, and the term sheet says so.

An option is a name only when it cannot be mistaken for ordinary words or for another name:
options of several words (``by_region``, or "by region"), and one-word options of
five letters or more that are not also an issue id, a party id or another issue's option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])")
_MIN_OPTION_WORD = 5


def split_rationale(text: str) -> list[str]:
    """The sentences of `text`, each cut at top-level semicolons; stripped, empty parts dropped."""
    parts: list[str] = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        parts.extend(_split_outside_brackets(sentence, ";"))
    return [p.strip() for p in parts if p.strip()]


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    pieces: list[str] = []
    depth, start = 0, 0
    for n, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            pieces.append(text[start:n])
            start = n + 1
    pieces.append(text[start:])
    return pieces


@dataclass(frozen=True)
class IssueNames:
    """The words by which a rationale may name one issue."""

    issue_id: str
    label: str
    options: tuple[str, ...] = ()

    def patterns(self) -> list[re.Pattern[str]]:
        """Case-insensitive whole-word patterns for the id, the display name and the options."""
        phrases = {self.issue_id, self.issue_id.replace("_", " "), self.label}
        for option in self.options:
            phrases |= {option, option.replace("_", " ")}
        return [re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])", re.IGNORECASE) for p in sorted(phrases) if p.strip()]


def distinctive_options(
    issue_id: str, options: Sequence[str], others: Mapping[str, Sequence[str]], party_ids: Iterable[str]
) -> tuple[str, ...]:
    """The options of `issue_id` that name it unambiguously (see the module docstring).

    `others` maps every issue id to its options (this issue's included, ignored).
    """
    taken = set(others) | set(party_ids)
    for other, opts in others.items():
        if other != issue_id:
            taken |= set(opts)
    return tuple(o for o in options if "_" in o or (len(o) >= _MIN_OPTION_WORD and o not in taken and not o.isdigit()))


def issue_rationale(rationale: str, names: IssueNames, reasons: Mapping[str, str] | None = None) -> str:
    """What `rationale` says about the issue `names` describes; '' when it says nothing about it.

    The kept parts are returned in their order, each as a sentence; without any, the move's
    per-issue reason (`reasons[issue_id]`) if it has one.
    """
    patterns = names.patterns()
    kept = [part for part in split_rationale(rationale) if any(p.search(part) for p in patterns)]
    if kept:
        return " ".join(_as_sentence(part) for part in kept)
    reason = (reasons or {}).get(names.issue_id, "")
    return " ".join(reason.split()) if isinstance(reason, str) else ""


def _as_sentence(part: str) -> str:
    part = part[:1].upper() + part[1:]
    return part if part[-1:] in ".!?" else part + "."


__all__ = ["IssueNames", "distinctive_options", "issue_rationale", "split_rationale"]
