"""Scenario fields by dotted path, e.g. ``parties.lab.private.reservation_value``.

A path walks the scenario's dict form (`Scenario.model_dump(mode="json")`): mapping keys by
name, list items by their ``id`` (``parties.lab``, ``issues.price``) or by index. A
value function is a mapping too: ``parties.lab.private.values.price.peak``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from pactlab.errors import BadInput


class PathError(BadInput, ValueError):
    """A path that names no field of the scenario; the message lists what is valid there."""


Location = tuple[str | int, ...]
"""A path as keys and list indices, as pydantic reports error locations."""


def locate(data: dict[str, Any], path: str) -> Location:
    """The keys and indices `path` names in `data`; PathError if it names nothing."""
    parts = path.split(".")
    if any(not p for p in parts):
        raise PathError(f"{path!r} is not a field path; write keys separated by single dots, e.g. protocol.max_rounds")
    node: Any = data
    walked: list[str | int] = []
    for n, part in enumerate(parts):
        where = ".".join(parts[:n]) or "the scenario"
        if isinstance(node, dict):
            if part not in node:
                raise PathError(_unknown(part, where, [str(k) for k in node]))
            walked.append(part)
            node = node[part]
        elif isinstance(node, list):
            index = _index(node, part, where)
            walked.append(index)
            node = node[index]
        else:
            raise PathError(f"{where} is a single value ({node!r}); it has no field {part!r}")
    return tuple(walked)


def set_path(data: dict[str, Any], path: str, value: Any) -> Location:
    """Set the field `path` names in `data` (in place) to `value`; return its location."""
    loc = locate(data, path)
    node: Any = data
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value
    return loc


def _index(items: list[Any], part: str, where: str) -> int:
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    if part in ids:
        return ids.index(part)
    if part.isdigit() and int(part) < len(items):
        return int(part)
    valid = ", ".join(str(i) for i in ids if i is not None) or f"indices 0..{len(items) - 1}"
    hint = _close(part, [str(i) for i in ids if i is not None])
    raise PathError(f"{where} has no item {part!r}{hint}; valid: {valid}")


def _unknown(part: str, where: str, keys: list[str]) -> str:
    return f"{where} has no field {part!r}{_close(part, keys)}; valid: {', '.join(keys) or 'none'}"


def _close(part: str, candidates: list[str]) -> str:
    match = difflib.get_close_matches(part, candidates, n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def dotted(loc: Sequence[str | int]) -> str:
    """``("parties", 1, "private")`` → ``parties[1].private``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
