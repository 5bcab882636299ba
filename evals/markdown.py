"""Text from scenarios and moves, made safe to embed in Markdown (the scorecard report, the term sheet).

Party names, titles, messages and rationales come from files and people: embedded raw, a ``|``
breaks a table, a ``[x](url)`` becomes a link, ``<script>`` raw HTML, ``**`` emphasis, a leading
``#`` or ``-`` a heading or a list. `text` makes such a string one line of literal text
(CommonMark lets every ASCII punctuation character be backslash-escaped; the characters that can
start or end a construct are); `code` makes it an inline code span whose fence no backtick in it
can close. Both keep GFM tables intact: a ``|`` always comes out escaped.
"""

from __future__ import annotations

import re

_SPECIAL = frozenset("\\`*[]|~")
"""Characters escaped everywhere: they can open or close emphasis, links and images, code spans,
strikethrough or table cells. ``<`` and ``>`` become entities (no raw HTML, no autolink); an
underscore is escaped unless it sits inside a word (``unit_price`` never emphasises)."""

_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")

_LINE_START = re.compile(r"^(\d{1,9})([.)])")
"""An ordered-list marker at the start of a line (``1.``, ``2)``)."""

_BLOCK_START = frozenset("#-+=>")
"""Characters that open a block (heading, list item, setext underline, quote) at the start of a line."""


def text(value: object) -> str:
    """`value` as one line of literal Markdown text: whitespace collapsed, what could be markup escaped."""
    one_line = " ".join(str(value).split())
    escaped = "".join(f"\\{c}" if c in _SPECIAL else c for c in one_line)
    escaped = _LONE_UNDERSCORE.sub(r"\\_", escaped)
    escaped = escaped.replace("<", "&lt;").replace(">", "&gt;")
    escaped = _LINE_START.sub(r"\1\\\2", escaped)  # "1. x" would start a list
    if escaped[:1] in _BLOCK_START:
        escaped = "\\" + escaped
    return escaped


def code(value: object, *, in_table: bool = False) -> str:
    """`value` as an inline code span (one line); a fence longer than any backtick run inside, so none closes it.

    In a table cell (`in_table`) a ``|`` is escaped, which GFM removes before the span is read."""
    one_line = " ".join(str(value).split())
    runs = [len(run) for run in re.findall(r"`+", one_line)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") or not one_line.strip() else ""
    if in_table:
        one_line = one_line.replace("|", "\\|")
    return f"{fence}{pad}{one_line}{pad}{fence}"


__all__ = ["code", "text"]
