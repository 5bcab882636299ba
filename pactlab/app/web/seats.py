"""Seat tokens: an unguessable capability per rehearsal, without which nobody reads its brief or moves for it.

When the web app starts a rehearsal (or a what-if branch) it draws a token
(`secrets.token_urlsafe`, 256 bits) and keeps only its SHA-256 under the data directory
(``OUT/_seats/<id>``, mode 0600; never in a transcript, a checkpoint or a log). The browser gets
the token as a cookie set by the response that created the seat: ``pactlab_seat_<id>``,
HttpOnly (page scripts cannot read it), SameSite=Strict (no other site's page can send it),
Path=/ (the pages, the API and the event stream all need it, and the start page lists the
rehearsals whose cookies the browser holds). A cookie rather than a token in the URL: URLs end
up in the browser's history, in access logs and in copied links, and a cookie also stops
cross-site requests from moving for the person. Scripts can send the same token in the
``X-Pactlab-Seat`` header instead (the start and fork answers carry it once).

The seat also keeps the name of the person who took it (given when the rehearsal starts, kept by a
what-if branch), next to the token's hash: a move sent without a name is recorded under it and
signed with that person's key, never with the party's alone.

A request without the seat's token is answered exactly as one for an id that does not exist
(404), so a token-less caller cannot even learn which ids exist. A rehearsal started outside the
web app (``pactlab rehearse``) has no token and is not served.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response

from pactlab.app.rehearsal.inputs import is_id

SEATS = "_seats"
"""The folder under the data directory that keeps the tokens' hashes, one file per rehearsal."""

COOKIE_PREFIX = "pactlab_seat_"
HEADER = "x-pactlab-seat"
MAX_AGE = 180 * 24 * 3600
"""Seconds the browser keeps a seat's cookie (a rehearsal can be continued for half a year)."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class Seats:
    """The seat tokens of the rehearsals under one data directory (`folder` holds their hashes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def issue(self, rid: str, name: str = "") -> str:
        """A new token for the rehearsal `rid` just created, seating the person `name` there (a stale file of
        an earlier, deleted one is replaced)."""
        if not is_id(rid):
            raise ValueError(f"not a rehearsal id: {rid!r}")
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(32)
        temp = self.folder / f".{rid}.{secrets.token_hex(4)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(_digest(token) + "\n" + json.dumps(name.strip()) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, self.folder / rid)
        return token

    def forget(self, rid: str) -> None:
        """Drop the token of a deleted rehearsal."""
        if is_id(rid):
            (self.folder / rid).unlink(missing_ok=True)

    def _lines(self, rid: str) -> list[str]:
        """The seat file's lines: the token's hash, then the person's name (JSON); none for a missing seat."""
        if not is_id(rid):
            return []
        try:
            return (self.folder / rid).read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeDecodeError):
            return []

    def matches(self, rid: str, token: str | None) -> bool:
        """Whether `token` is rehearsal `rid`'s (compared in constant time)."""
        if not token or len(token) > 200:
            return False
        lines = self._lines(rid)
        return bool(lines) and hmac.compare_digest(lines[0].strip(), _digest(token))

    def name(self, rid: str) -> str:
        """The name of the person seated at rehearsal `rid` ("" if none was given)."""
        lines = self._lines(rid)
        try:
            name = json.loads(lines[1]) if len(lines) > 1 else ""
        except ValueError:
            return ""
        return name if isinstance(name, str) else ""

    def holds(self, request: Request, rid: str) -> bool:
        """Whether the request carries rehearsal `rid`'s token (its cookie, or the header)."""
        if not is_id(rid):
            return False
        header = request.headers.get(HEADER)
        if header is not None and self.matches(rid, header):
            return True
        return self.matches(rid, request.cookies.get(COOKIE_PREFIX + rid))

    def held(self, request: Request, ids: list[str]) -> list[str]:
        """The ids among `ids` whose tokens the request carries (the caller's own rehearsals)."""
        return [rid for rid in ids if self.holds(request, rid)]


def give(response: Response, rid: str, token: str) -> None:
    """Hand the seat's token to the browser: an HttpOnly, SameSite=Strict cookie for the whole app."""
    response.set_cookie(
        COOKIE_PREFIX + rid, token, max_age=MAX_AGE, path="/", httponly=True, samesite="strict", secure=False
    )


__all__ = ["COOKIE_PREFIX", "HEADER", "SEATS", "Seats", "give"]
