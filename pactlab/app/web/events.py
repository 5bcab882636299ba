"""The live table: ``/r/{id}/events``, a server-sent event stream that tells the page to look again.

The stream carries no moves, only the rehearsal's new version (see `pactlab.app.web.live`); the
page then fetches the current view (``/api/r/{id}``). A comment every `KEEPALIVE` seconds keeps
an idle stream open; the streams end when the server stops (`Hub.close`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from pactlab.app.rehearsal import UnknownRehearsal
from pactlab.app.web.dependencies import HubDep, SeatsDep, ServiceDep

KEEPALIVE = 10.0
"""Seconds between keep-alive comments on an idle event stream."""

router = APIRouter()


@router.get("/r/{rid}/events")
async def events(request: Request, rid: str, service: ServiceDep, hub: HubDep, seats: SeatsDep) -> Response:
    if not seats.holds(request, rid):
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    try:
        await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 1000\n\n"
        seen = -1
        while not hub.closing.is_set() and not await request.is_disconnected():
            version = await hub.wait(rid, seen, KEEPALIVE)
            if version != seen:
                seen = version
                yield f"event: update\ndata: {version}\n\n"
            else:
                yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
