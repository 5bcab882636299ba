"""The JSON API under ``/api``: a rehearsal's live state, and the person's actions (the scenario files: `scenarios`).

Actions (start, check a draft, move, approve, fork) take a JSON object (`pactlab.app.web.forms`)
and everything in it is checked by the rehearsal service before anything changes: a refusal is
HTTP 400 with a message and the problems per field. A move or an approval is checked at once
and played in the background (HTTP 202, `pactlab.app.web.steps`); the page follows by events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pactlab.app.rehearsal import RehearsalError, UnknownRehearsal, View
from pactlab.app.web.dependencies import HubDep, LibraryDep, ServiceDep, StepsDep, TemplatesDep
from pactlab.app.web.display import page_context
from pactlab.app.web.forms import JsonBody, refused, start_args
from pactlab.app.web.steps import Steps

FRAGMENTS = ("status", "table", "history", "question")
"""The parts of the rehearsal page that the live page redraws (templates ``_<name>.html``)."""

router = APIRouter(prefix="/api")


@router.get("/r/{rid}")
async def state(rid: str, service: ServiceDep, hub: HubDep, steps: StepsDep, templates: TemplatesDep) -> JSONResponse:
    try:
        view = await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    busy = steps.busy(rid)
    context = page_context(view, busy=busy, notice=hub.notice(rid))
    fragments = {name: templates.get_template(f"_{name}.html").render(context) for name in FRAGMENTS}
    return JSONResponse(
        {
            "id": rid,
            "status": view.status,
            "waiting": None if busy else view.waiting,
            "busy": busy,
            "question_key": context["question_key"],
            "version": hub.version(rid),
            "html": fragments,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/rehearsals")
async def start(body: JsonBody, service: ServiceDep, library: LibraryDep) -> JSONResponse:
    if isinstance(body, JSONResponse):
        return body
    try:
        view = await run_in_threadpool(lambda: service.start(**start_args(body, library)))
    except RehearsalError as exc:
        return refused(exc)
    return JSONResponse({"id": view.id, "url": f"/r/{view.id}"}, 201)


@router.post("/r/{rid}/check")
async def check(rid: str, body: JsonBody, service: ServiceDep) -> JSONResponse:
    if isinstance(body, JSONResponse):
        return body
    try:
        result = await run_in_threadpool(service.check, rid, body)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    return JSONResponse(
        {
            "problems": result.problems,
            "message": result.message,
            "utility": result.utility,
            "reservation": result.reservation,
            "table_utility": result.table_utility,
            "constraints_broken": result.constraints_broken,
            "blocked": result.blocked,
            "warnings": result.warnings,
        }
    )


@router.post("/r/{rid}/move")
async def move(rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep) -> JSONResponse:
    sent = await _answer(
        rid, body, steps, service.validate_move, service.submit, "the table is still moving; wait for your turn"
    )
    return sent if isinstance(sent, JSONResponse) else JSONResponse({"ok": True, "sent": sent.get("kind")}, 202)


@router.post("/r/{rid}/approval")
async def approval(rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep) -> JSONResponse:
    sent = await _answer(rid, body, steps, service.validate_decision, service.decide, "the table is still moving")
    return sent if isinstance(sent, JSONResponse) else JSONResponse({"ok": True}, 202)


@router.post("/r/{rid}/fork")
async def fork(rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep) -> JSONResponse:
    if isinstance(body, JSONResponse):
        return body
    turn = body.get("turn")
    if isinstance(turn, str) and turn.strip().isdigit():
        turn = int(turn.strip())
    if steps.busy(rid):
        return JSONResponse({"error": "the table is still moving; fork when it waits for you"}, 409)
    try:
        view = await run_in_threadpool(lambda: service.fork(rid, turn))  # type: ignore[arg-type]
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    except RehearsalError as exc:
        return refused(exc)
    return JSONResponse({"id": view.id, "url": f"/r/{view.id}"}, 201)


@router.post("/r/{rid}/delete")
async def delete(rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep) -> JSONResponse:
    """Delete a rehearsal (its files, the audit transcript included, move to ``archive/<id>``)."""
    if isinstance(body, JSONResponse):
        return body
    if steps.busy(rid):
        return JSONResponse({"error": "the table is still moving; delete it when it waits for you"}, 409)
    try:
        await run_in_threadpool(service.delete, rid)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    return JSONResponse({"ok": True, "url": "/"}, 200)


async def _answer(
    rid: str,
    body: dict[str, Any] | JSONResponse,
    steps: Steps,
    validate: Callable[[str, dict[str, Any]], object],
    act: Callable[..., View],
    busy_message: str,
) -> JSONResponse | dict[str, Any]:
    """Check a person's answer (a move or an approval) now; play it in the background. The body
    is returned when it was accepted, else the error response (nothing changed)."""
    if isinstance(body, JSONResponse):
        return body
    if steps.busy(rid):
        return JSONResponse({"error": busy_message}, 409)
    try:
        await run_in_threadpool(validate, rid, body)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    except RehearsalError as exc:
        return refused(exc)
    steps.start(rid, act, body)
    return body
