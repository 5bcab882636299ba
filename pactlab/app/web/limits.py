"""Request bodies bounded while they stream in, and JSON read with bounds on nesting and number size.

`BodyLimit` is an ASGI middleware: a request whose ``Content-Length`` says more than the limit is
answered 413 before a byte of its body is read; a body sent without one (chunked) is counted as
it arrives and refused with 413 as soon as it passes the limit, so a 400 MB body never sits in
memory. `parse_json` is what every JSON body goes through: at most `MAX_DEPTH` levels of arrays
and objects (a 20,000-deep document is refused before the parser recurses), numbers of at most
`MAX_NUMBER_CHARS` characters and finite (no 4,000-digit integers, no NaN or Infinity).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pactlab.errors import BadInput

DEFAULT_MAX_BODY = 1024 * 1024
"""Bytes any request body may have by default (1 MiB), whatever the route.

Routes bound their own bodies further, with their own messages (a JSON action:
`pactlab.app.web.forms.MAX_BODY`, 64,000 bytes; a scenario upload: 256 KiB); raise this one with
``pactlab serve --max-body BYTES``."""

MAX_DEPTH = 32
"""Levels of nested arrays and objects a JSON body may have."""

MAX_NUMBER_CHARS = 40
"""Characters a number in a JSON body may have (a seed of 2**63 has 19 digits)."""


class BadJson(BadInput, ValueError):
    """A JSON body that is not valid, too deep or holds an unreadable number; the message says which."""


class BodyTooLarge(BadInput):
    """Raised into the app when the body it reads passes the limit (caught by `BodyLimit`)."""


class BodyLimit:
    """ASGI middleware: 413 for a request body of more than `limit` bytes, checked before and while reading."""

    def __init__(self, app: ASGIApp, limit: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit() or len(text) > 18:
                await self._refuse(send, 400, "the Content-Length header is not a byte count")
                return
            if int(text) > self.limit:
                await self._refuse(send, 413, self._message())
                return
        seen = 0
        started = False

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return message

        async def watching(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting, watching)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, 413, self._message())

    def _message(self) -> str:
        return (
            f"the request body is too large: at most {self.limit:,} bytes "
            "(the server's limit; pactlab serve --max-body raises it)"
        )

    @staticmethod
    async def _refuse(send: Send, status: int, error: str) -> None:
        body = json.dumps({"error": error}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def json_depth(raw: str) -> int:
    """The deepest nesting of arrays and objects in `raw` (strings skipped); no recursion, one pass."""
    depth = deepest = 0
    in_string = escaped = False
    for char in raw:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadJson(f"a number in the request has {len(text):,} characters; at most {MAX_NUMBER_CHARS} are read")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        raise BadJson(f"the number {text[:20]} is too large")
    return value


def _constant(name: str) -> Any:
    raise BadJson(f"{name} is not a number JSON allows")


def parse_json(raw: bytes) -> Any:
    """`raw` as JSON, bounded (see the module docstring); BadJson with a message otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadJson("the request body is not UTF-8 text") from None
    if json_depth(text) > MAX_DEPTH:
        raise BadJson(f"the request nests arrays and objects more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text or "null", parse_int=_number, parse_float=_number, parse_constant=_constant)
    except BadJson:
        raise
    except (ValueError, RecursionError) as exc:
        raise BadJson(f"the request body is not valid JSON: {str(exc)[:120]}") from None


__all__ = [
    "DEFAULT_MAX_BODY",
    "MAX_DEPTH",
    "MAX_NUMBER_CHARS",
    "BadJson",
    "BodyLimit",
    "BodyTooLarge",
    "json_depth",
    "parse_json",
]
