"""The JSON API under ``/api``: a rehearsal's live state, and the person's actions (the scenario files: `scenarios`).

Actions (start, check a draft, move, approve, fork) take a JSON object (`pactlab.app.web.forms`)
of the shape `pactlab.app.web.bodies` describes, and everything in it is checked by the
rehearsal service before anything changes: a refusal is HTTP 400 with a message and the
problems per field. Every route of a rehearsal needs its seat token (`pactlab.app.web.seats`;
without it: 404, as for an id that does not exist); starting a rehearsal or a branch hands one out.

A move or an approval names the turn it answers (``turn``; ``attempt`` / ``review`` too when the
page has them). It is claimed, checked at once and played in the background (HTTP 202,
`pactlab.app.web.steps`); the page follows by events. The same request sent again gets the
first one's answer (202) and moves nothing; an answer to a turn that is no longer the one asked,
or sent while the table moves, is refused with 409 and a message.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pactlab.app.rehearsal import RehearsalError, UnknownRehearsal, View
from pactlab.app.web.bodies import ApprovalBody, CheckBody, ForkBody, MoveBody, StartBody, checked, request_body
from pactlab.app.web.dependencies import HubDep, LibraryDep, SeatsDep, ServiceDep, StepsDep, TemplatesDep
from pactlab.app.web.display import page_context
from pactlab.app.web.forms import JsonBody, refused, start_args
from pactlab.app.web.seats import Seats, give
from pactlab.app.web.steps import Steps

FRAGMENTS = ("status", "table", "history", "question")
"""The parts of the rehearsal page that the live page redraws (templates ``_<name>.html``)."""

NO_REHEARSAL = {"error": "no rehearsal with this id"}
"""The answer for an unknown id and for a rehearsal whose seat token the request lacks alike."""

router = APIRouter(prefix="/api")


def _missing() -> JSONResponse:
    return JSONResponse(NO_REHEARSAL, 404)


@router.get("/r/{rid}")
async def state(
    request: Request,
    rid: str,
    service: ServiceDep,
    hub: HubDep,
    steps: StepsDep,
    seats: SeatsDep,
    templates: TemplatesDep,
) -> JSONResponse:
    if not seats.holds(request, rid):
        return _missing()
    try:
        view = await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return _missing()
    busy = steps.busy(rid)
    context = page_context(view, busy=busy, notice=hub.notice(rid))
    context["person"] = seats.name(rid)
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


def _seated(view: View, seats: Seats, status: int, name: str) -> JSONResponse:
    """The answer that created rehearsal `view.id`: its URL, and its seat token (a cookie; once in the body).

    The seat keeps `name`, the person who sits there: their moves are recorded and signed under it."""
    token = seats.issue(view.id, name)
    response = JSONResponse({"id": view.id, "url": f"/r/{view.id}", "token": token}, status)
    give(response, view.id, token)
    return response


@router.post("/rehearsals", openapi_extra=request_body(StartBody))
async def start(body: JsonBody, service: ServiceDep, library: LibraryDep, seats: SeatsDep) -> JSONResponse:
    if isinstance(body, JSONResponse):
        return body
    wrong = checked(StartBody, body)
    if wrong is not None:
        return wrong
    try:
        view = await run_in_threadpool(lambda: service.start(**start_args(body, library)))
    except RehearsalError as exc:
        return refused(exc)
    return _seated(view, seats, 201, (body.get("name") or "").strip())


@router.post("/r/{rid}/check", openapi_extra=request_body(CheckBody))
async def check(request: Request, rid: str, body: JsonBody, service: ServiceDep, seats: SeatsDep) -> JSONResponse:
    if not seats.holds(request, rid):
        return _missing()
    if isinstance(body, JSONResponse):
        return body
    wrong = checked(CheckBody, body)
    if wrong is not None:
        return wrong
    try:
        result = await run_in_threadpool(service.check, rid, body)
    except UnknownRehearsal:
        return _missing()
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


@router.post("/r/{rid}/move", openapi_extra=request_body(MoveBody))
async def move(
    request: Request, rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep, seats: SeatsDep
) -> JSONResponse:
    if not seats.holds(request, rid):
        return _missing()
    if isinstance(body, JSONResponse):
        return body
    body = _signed_by(body, seats.name(rid))
    return await _answer(
        rid, "move", body, MoveBody, "attempt", steps, service.view, service.validate_move, service.submit
    )


@router.post("/r/{rid}/approval", openapi_extra=request_body(ApprovalBody))
async def approval(
    request: Request, rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep, seats: SeatsDep
) -> JSONResponse:
    if not seats.holds(request, rid):
        return _missing()
    if isinstance(body, JSONResponse):
        return body
    return await _answer(
        rid, "approval", body, ApprovalBody, "review", steps, service.view, service.validate_decision, service.decide
    )


@router.post("/r/{rid}/fork", openapi_extra=request_body(ForkBody))
async def fork(
    request: Request, rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep, seats: SeatsDep
) -> JSONResponse:
    if not seats.holds(request, rid):
        return _missing()
    if isinstance(body, JSONResponse):
        return body
    wrong = checked(ForkBody, body)
    if wrong is not None:
        return wrong
    turn = body.get("turn")
    if isinstance(turn, str) and turn.strip().isdigit() and len(turn.strip()) < 10:
        turn = int(turn.strip())
    if steps.busy(rid):
        return JSONResponse({"error": "the table is still moving; fork when it waits for you"}, 409)
    try:
        view = await run_in_threadpool(lambda: service.fork(rid, turn))  # type: ignore[arg-type]
    except UnknownRehearsal:
        return _missing()
    except RehearsalError as exc:
        return refused(exc)
    return _seated(view, seats, 201, seats.name(rid))


def _signed_by(body: dict[str, Any], seated: str) -> dict[str, Any]:
    """The move with the name of the person who sends it: its own ``by``, else the person seated at the start.

    A web move is always recorded under a person's name and signed with their key: one that names
    nobody, at a seat taken without a name, is refused (`NAMELESS`), never signed by the party alone."""
    by = body.get("by")
    if seated and (by is None or (isinstance(by, str) and not by.strip())):
        return {**body, "by": seated}
    return body


NAMELESS = {
    "error": "by: give your name; it is recorded with your move and signs it (missing)",
    "problems": {"by": "missing"},
}
"""The refusal of a move that names nobody at a seat taken without a name."""


def fingerprint(action: str, body: dict[str, Any]) -> str:
    """What makes two answers the same request: the action and the whole body (turn included)."""
    canonical = json.dumps([action, body], sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def stale(view: View, turn: int, counter: str, body: dict[str, Any]) -> str | None:
    """Why an answer naming `turn` (and maybe an attempt / review) does not answer the question asked now."""
    question = view.question
    if view.finished:
        return f"turn {turn + 1} can no longer be answered: the rehearsal has ended"
    if question is None or question.get("turn") is None:
        return f"turn {turn + 1} is not asked now: the agents are moving; look again"
    asked = int(question["turn"])
    if turn != asked:
        when = "was answered already" if turn < asked else "is not asked yet"
        return f"turn {turn + 1} {when}: the table is at turn {asked + 1}; look again before you answer"
    sent = body.get(counter)
    if sent is not None and question.get(counter) is not None and sent != question.get(counter):
        return f"this answer to turn {turn + 1} was for an earlier question (it was asked again); look again"
    return None


@router.post("/r/{rid}/delete")
async def delete(
    request: Request, rid: str, body: JsonBody, service: ServiceDep, steps: StepsDep, seats: SeatsDep
) -> JSONResponse:
    """Delete a rehearsal (its files, the audit transcript included, move to ``archive/<id>``)."""
    if not seats.holds(request, rid):
        return _missing()
    if isinstance(body, JSONResponse):
        return body
    claim = steps.claim(rid, f"delete:{rid}")  # atomic: no move can start while the files move away
    if not claim.claimed:
        return JSONResponse({"error": "the table is still moving; delete it when it waits for you"}, 409)
    try:
        await run_in_threadpool(service.delete, rid)
    except UnknownRehearsal:
        return _missing()
    finally:
        steps.release(rid)
    seats.forget(rid)
    return JSONResponse({"ok": True, "url": "/"}, 200)


async def _answer(
    rid: str,
    action: str,
    body: dict[str, Any],
    model: type[MoveBody] | type[ApprovalBody],
    counter: str,
    steps: Steps,
    read: Callable[[str], View],
    validate: Callable[[str, dict[str, Any]], object],
    act: Callable[..., View],
) -> JSONResponse:
    """Claim, check and start a person's answer (a move or an approval); see the module docstring.

    The claim comes first and is atomic (`Steps.claim`): two answers sent at once cannot both be
    checked against the same question and both be played."""
    wrong = checked(model, body)
    if wrong is not None:
        return wrong
    key = fingerprint(action, body)
    claim = steps.claim(rid, key)
    if claim.first is not None:
        return JSONResponse(claim.first, 202)
    if not claim.claimed:
        return JSONResponse({"error": "the table is still moving: this turn has been answered; look again"}, 409)
    try:
        view = await run_in_threadpool(read, rid)
        why = stale(view, int(body["turn"]), counter, body)
        if why is not None:
            steps.release(rid)
            return JSONResponse({"error": why, "problems": {"turn": "stale"}}, 409)
        await run_in_threadpool(validate, rid, body)
        if action == "move" and not str(body.get("by") or "").strip():
            steps.release(rid)
            return JSONResponse(NAMELESS, 400)
    except UnknownRehearsal:
        steps.release(rid)
        return _missing()
    except RehearsalError as exc:
        steps.release(rid)
        if exc.problems.get("turn") == "stale":
            return JSONResponse({"error": str(exc), "problems": exc.problems}, 409)
        return refused(exc)
    except BaseException:
        steps.release(rid)
        raise
    result: dict[str, Any] = {"ok": True, "turn": int(body["turn"])}
    if action == "move":
        result["sent"] = body.get("kind")
    steps.remember(rid, key, result)
    steps.start(rid, act, body)
    return JSONResponse(result, 202)
