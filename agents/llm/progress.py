"""Live progress of model calls: the CLI subscribes to print each call as it happens.

The client reports each event of a decision ("request", "response", "retry", "repair", "done")
with its data; `emit` passes it to every subscriber, and `format_event` words it as one line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def format_event(event: str, data: Mapping[str, Any]) -> str:
    """One human-readable progress line for a CLI (e.g. "retry in 2.0 s: RateLimitError 429: ...")."""
    who = f"[{data['purpose']}] " if data.get("purpose") else ""
    if event == "request":
        suffix = f", repair {data['repair']}" if data.get("repair") else ""
        return f"{who}calling {data.get('model')}… (request {data.get('n')}{suffix})"
    if event == "response":
        return (
            f"{who}reply in {data.get('latency_s', 0):.1f} s "
            f"({data.get('completion_tokens', 0)} tokens, finish: {data.get('finish_reason')})"
        )
    if event == "retry":
        return f"{who}retry in {data.get('wait_s', 0):.1f} s: {data.get('error')}"
    if event == "repair":
        return f"{who}repair {data.get('repair')}: {data.get('error')}"
    if event == "done":
        if data.get("ok"):
            return f"{who}ok after {data.get('attempts')} request(s), {data.get('repairs')} repair(s)"
        return f"{who}failed: {data.get('failure')}"
    return f"{who}{event}: {dict(data)}"
