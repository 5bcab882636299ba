"""Bounds on a YAML text before the scenario loader builds it: depth, size once aliases expand, plain tags.

The loader (`pactlab.domain.loader`) parses with PyYAML's safe loader, so nothing in a file is
ever executed; but it builds every alias in full and recursively, so a few hundred bytes of
nested aliases (a "billion laughs") or a deeply nested list would take the server's memory or
stack. This check walks PyYAML's event stream, which needs neither: it counts the nodes the file
would expand to (an alias counts as the whole node it repeats), the nesting depth, and refuses
aliases of a node inside itself, collections as mapping keys and tags other than YAML's plain
ones (the loader would fail on those with a traceback, not a message). The loader calls it on
every text before building it and reports the first problem at its line, like its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from pactlab.domain.limits import MAX_DEPTH, MAX_NODES
from pactlab.errors import BadInput

PLAIN_TAGS = frozenset(
    {"!", *(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map"))}
)
"""The explicit tags a scenario file may use: YAML's plain types (anything else is not a scenario's)."""


@dataclass
class _Collection:
    """A mapping or sequence being read: where it started and what its next child is."""

    is_mapping: bool
    anchor: str | None
    start: int  # the node count when it opened (its size, once closed: the count then minus this)
    children: int = 0
    path: list[str | int] = field(default_factory=list)
    key: str | None = None  # a mapping's last key (for the field path of a problem)


@dataclass(frozen=True)
class Refusal:
    """The first bound a text breaks: where (1-based line and column, dotted field path) and why."""

    line: int | None
    column: int | None
    field: str
    message: str


class _Refused(BadInput):
    """A bound broken at `event` (its line and column, 1-based), at the field path `path`."""

    def __init__(self, event: yaml.Event, path: list[str | int], message: str) -> None:
        super().__init__(message)
        mark = event.start_mark
        self.line: int | None = None if mark is None else mark.line + 1
        self.column: int | None = None if mark is None else mark.column + 1
        self.path = path
        self.message = message


def refusal(text: str) -> Refusal | None:
    """The first bound `text` breaks; None when it is within bounds (or does not parse: the loader says why)."""
    try:
        _scan(text)
    except _Refused as refused:
        return Refusal(refused.line, refused.column, _dotted(refused.path), refused.message)
    except yaml.YAMLError:
        return None
    return None


def _scan(text: str) -> None:
    stack: list[_Collection] = []
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to (closed anchors only)
    collections: set[str] = set()  # anchors of collections
    open_anchors: set[str] = set()
    count = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.DocumentStartEvent):
            sizes.clear()
            collections.clear()
            count = 0
            continue
        if not isinstance(event, (yaml.NodeEvent, yaml.CollectionEndEvent)):
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            if done.anchor is not None:
                sizes[done.anchor] = count - done.start
                open_anchors.discard(done.anchor)
            _child_done(stack)
            continue
        path = _path(stack)
        is_key = bool(stack) and stack[-1].is_mapping and stack[-1].children % 2 == 0
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in PLAIN_TAGS:
            raise _Refused(event, path, f"tag {tag!r} is not allowed: a file holds plain values")
        if isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if anchor in open_anchors:
                raise _Refused(event, path, f"alias *{anchor} repeats a node inside itself")
            if is_key and anchor in collections:
                raise _Refused(event, path, "a key must be a plain value, not a list or a mapping")
            count += sizes.get(anchor, 1)  # an unknown anchor: the loader says so
        elif isinstance(event, yaml.ScalarEvent):
            count += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if is_key:
                stack[-1].key = str(event.value)
        else:  # a collection opens
            if is_key:
                raise _Refused(event, path, "a key must be a plain value, not a list or a mapping")
            if len(stack) >= MAX_DEPTH:
                raise _Refused(
                    event, path, f"nested too deeply: at most {MAX_DEPTH} levels (PACTLAB_MAX_DEPTH raises the limit)"
                )
            count += 1
            stack.append(_Collection(isinstance(event, yaml.MappingStartEvent), event.anchor, count - 1, path=path))
            if event.anchor is not None:
                open_anchors.add(event.anchor)
                collections.add(event.anchor)
        if count > MAX_NODES:
            raise _Refused(
                event,
                path,
                f"too large once its aliases are expanded: more than {MAX_NODES:,} values "
                "(PACTLAB_MAX_NODES raises the limit)",
            )
        if not isinstance(event, yaml.CollectionStartEvent):
            _child_done(stack)


def _child_done(stack: list[_Collection]) -> None:
    if stack:
        stack[-1].children += 1


def _path(stack: list[_Collection]) -> list[str | int]:
    """Where the next node goes: the keys and list positions down to it."""
    if not stack:
        return []
    top = stack[-1]
    if top.is_mapping:
        return top.path + ([top.key] if top.children % 2 == 1 and top.key is not None else [])
    return [*top.path, top.children]


def _dotted(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
