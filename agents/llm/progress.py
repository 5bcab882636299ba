"""Live progress of model calls: the CLI subscribes to print each call as it happens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call `listener(event, data)` for every client event; returns the unsubscribe function."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def emit(event: str, data: dict[str, Any]) -> None:
    for listener in list(_listeners):
        listener(event, data)
