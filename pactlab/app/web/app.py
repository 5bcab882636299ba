"""The rehearsal web app: server-rendered pages, a little JavaScript, server-sent events for the live table.

Pages: ``/`` (the rehearsals, and a form to start one), ``/r/{id}`` (the table, the person's
brief, the counter-offer form with a live utility meter and the policy gate's verdicts, the
messages and rationales of the other parties), ``/r/{id}/debrief``. JSON endpoints under
``/api`` take the person's input; everything a person sends is validated by the rehearsal
service before anything changes, and a refusal comes back as HTTP 400 with a message. A move
is validated at once and played in a worker thread: the agents' replies reach the page through
``/r/{id}/events`` (server-sent events that only say "look again") and ``/api/r/{id}``.

Served on 127.0.0.1 by default, with a Host check against DNS rebinding, JSON-only POSTs (no
cross-site form posts) and a strict Content-Security-Policy (no inline script or style).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

from agents.registry import DEFAULT_STRATEGY, STRATEGIES
from pactlab.app.rehearsal import RehearsalError, Rehearsals, UnknownRehearsal, View, kinds_allowed
from pactlab.app.web.live import Hub
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue, value_key
from pactlab.domain.loader import FileError
from pactlab.domain.table import MoveRecord
from pactlab.workflow import Event, MoveMade
from policies import shipped_policy_sets

HERE = Path(__file__).parent
KEEPALIVE = 10.0
"""Seconds between keep-alive comments on an idle event stream."""
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(
    service: Rehearsals, *, pace: float = 0.0, local_only: bool = True, workers: ThreadPoolExecutor | None = None
) -> FastAPI:
    """The web app over `service`; `pace` seconds between agent moves let people watch them land.

    `workers` runs the steps a person's input starts (default: four threads).
    """
    hub = Hub()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        hub.close()  # end the event streams, so that the server can stop

    app = FastAPI(title="pactlab rehearsals", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    workers = workers or ThreadPoolExecutor(max_workers=4, thread_name_prefix="rehearsal")
    busy: set[str] = set()
    app.state.hub = hub
    app.state.workers = workers
    app.state.service = service
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["vk"] = value_key
    templates.env.globals["kind_of"] = _kind_of
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if local_only:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"])

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def not_found(request: Request, message: str) -> HTMLResponse:
        return page(request, "missing.html", {"message": message}, 404)

    def publisher(rid: str) -> Callable[[Event], None]:
        def publish(event: Event) -> None:
            hub.bump(rid)
            if pace > 0 and isinstance(event, MoveMade) and event.status == "open":
                time.sleep(pace)

        return publish

    def in_background(rid: str, step: Callable[..., View], *args: Any) -> None:
        """Run a step of `rid` (the person's move, an approval) in a worker; the page follows by events."""
        busy.add(rid)
        hub.clear_notice(rid)
        hub.bump(rid)

        def work() -> None:
            try:
                step(rid, *args, on_event=publisher(rid))
            except RehearsalError as exc:
                hub.bump(rid, notice=f"Not sent: {exc}")
            except Exception as exc:  # the page must hear of it; the rehearsal stays where it was
                hub.bump(rid, notice=f"The step failed: {type(exc).__name__}: {exc}")
                raise
            finally:
                busy.discard(rid)
                hub.bump(rid)

        workers.submit(work)

    # -- pages ---------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        views = await run_in_threadpool(_all_views, service)
        scenarios = await run_in_threadpool(_scenarios)
        return page(
            request,
            "index.html",
            {
                "views": views,
                "scenarios": scenarios,
                "scenarios_json": json.dumps(scenarios),
                "policy_sets": sorted(shipped_policy_sets()),
                "strategies": list(STRATEGIES),
                "default_strategy": DEFAULT_STRATEGY,
            },
        )

    @app.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/r/{rid}", response_class=HTMLResponse)
    async def rehearsal(request: Request, rid: str) -> HTMLResponse:
        try:
            view = await run_in_threadpool(service.view, rid)
        except UnknownRehearsal:
            return not_found(request, "There is no rehearsal with this id. Start one from the home page.")
        return page(request, "rehearsal.html", _page_context(view, hub, rid in busy, service))

    @app.get("/r/{rid}/debrief", response_class=HTMLResponse)
    async def debrief_page(request: Request, rid: str) -> HTMLResponse:
        try:
            view = await run_in_threadpool(service.view, rid)
        except UnknownRehearsal:
            return not_found(request, "There is no rehearsal with this id.")
        if not view.finished:
            return page(request, "missing.html", {"message": "This rehearsal is still under way.", "rid": rid}, 409)
        report = await run_in_threadpool(service.debrief, rid)
        comparison = await run_in_threadpool(service.compare, rid)
        return page(
            request,
            "debrief.html",
            {"view": view, "d": report, "comparison": comparison, "my_turns": _my_turns(view)},
        )

    @app.get("/r/{rid}/plot.png")
    async def plot(request: Request, rid: str) -> Response:
        try:
            view = await run_in_threadpool(service.view, rid)
        except UnknownRehearsal:
            return JSONResponse({"error": "no rehearsal with this id"}, 404)
        path = service.run_dir(view.id) / "utility_space.png"
        if not view.finished:
            return JSONResponse({"error": "the rehearsal is still under way"}, 409)
        if not path.exists():
            await run_in_threadpool(service.outputs, rid)
        return FileResponse(path, media_type="image/png")

    @app.get("/r/{rid}/events")
    async def events(request: Request, rid: str) -> Response:
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

    # -- JSON ----------------------------------------------------------------------------------------

    @app.get("/api/scenarios")
    async def scenarios_api() -> JSONResponse:
        return JSONResponse(await run_in_threadpool(_scenarios))

    @app.get("/api/r/{rid}")
    async def state(request: Request, rid: str) -> JSONResponse:
        try:
            view = await run_in_threadpool(service.view, rid)
        except UnknownRehearsal:
            return JSONResponse({"error": "no rehearsal with this id"}, 404)
        context = _page_context(view, hub, rid in busy, service)
        fragments = {
            name: templates.get_template(f"_{name}.html").render(context)
            for name in ("status", "table", "history", "question")
        }
        return JSONResponse(
            {
                "id": rid,
                "status": view.status,
                "waiting": None if rid in busy else view.waiting,
                "busy": rid in busy,
                "question_key": context["question_key"],
                "version": hub.version(rid),
                "html": fragments,
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.post("/api/rehearsals")
    async def start(request: Request) -> JSONResponse:
        body = await _json_body(request)
        if isinstance(body, JSONResponse):
            return body
        try:
            args = _start_args(body)
            view = await run_in_threadpool(lambda: service.start(**args))
        except RehearsalError as exc:
            return _refused(exc)
        return JSONResponse({"id": view.id, "url": f"/r/{view.id}"}, 201)

    @app.post("/api/r/{rid}/check")
    async def check(request: Request, rid: str) -> JSONResponse:
        body = await _json_body(request)
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

    async def answer(
        request: Request,
        rid: str,
        validate: Callable[[str, dict[str, Any]], object],
        act: Callable[..., View],
        busy_message: str,
    ) -> JSONResponse | dict[str, Any]:
        """Check a person's answer (a move or an approval) now; play it in the background. The body
        is returned when it was accepted, else the error response (nothing changed)."""
        body = await _json_body(request)
        if isinstance(body, JSONResponse):
            return body
        if rid in busy:
            return JSONResponse({"error": busy_message}, 409)
        try:
            await run_in_threadpool(validate, rid, body)
        except UnknownRehearsal:
            return JSONResponse({"error": "no rehearsal with this id"}, 404)
        except RehearsalError as exc:
            return _refused(exc)
        in_background(rid, act, body)
        return body

    @app.post("/api/r/{rid}/move")
    async def move(request: Request, rid: str) -> JSONResponse:
        body = await answer(
            request, rid, service.validate_move, service.submit, "the table is still moving; wait for your turn"
        )
        return body if isinstance(body, JSONResponse) else JSONResponse({"ok": True, "sent": body.get("kind")}, 202)

    @app.post("/api/r/{rid}/approval")
    async def approval(request: Request, rid: str) -> JSONResponse:
        body = await answer(request, rid, service.validate_decision, service.decide, "the table is still moving")
        return body if isinstance(body, JSONResponse) else JSONResponse({"ok": True}, 202)

    @app.post("/api/r/{rid}/fork")
    async def fork(request: Request, rid: str) -> JSONResponse:
        body = await _json_body(request)
        if isinstance(body, JSONResponse):
            return body
        turn = body.get("turn")
        if isinstance(turn, str) and turn.strip().isdigit():
            turn = int(turn.strip())
        if rid in busy:
            return JSONResponse({"error": "the table is still moving; fork when it waits for you"}, 409)
        try:
            view = await run_in_threadpool(lambda: service.fork(rid, turn))  # type: ignore[arg-type]
        except UnknownRehearsal:
            return JSONResponse({"error": "no rehearsal with this id"}, 404)
        except RehearsalError as exc:
            return _refused(exc)
        return JSONResponse({"id": view.id, "url": f"/r/{view.id}"}, 201)

    return app


async def _json_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 4xx response that says what is wrong with it."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return JSONResponse({"error": "send JSON (Content-Type: application/json)"}, 415)
    raw = await request.body()
    if len(raw) > 64_000:
        return JSONResponse({"error": "the request is too large"}, 413)
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return JSONResponse({"error": "the request body is not valid JSON"}, 400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "send a JSON object"}, 400)
    return body


def _refused(exc: RehearsalError) -> JSONResponse:
    return JSONResponse({"error": str(exc), "problems": exc.problems}, 400)


def _start_args(body: dict[str, Any]) -> dict[str, Any]:
    """The start form, checked: shipped scenarios and policy sets only (no server paths from a browser)."""
    scenario = body.get("scenario")
    if not isinstance(scenario, str) or scenario not in shipped_scenarios():
        names = ", ".join(shipped_scenarios())
        raise RehearsalError(f"choose one of the shipped scenarios: {names}", {"scenario": "unknown scenario"})
    policies = body.get("policies") or None
    if policies is not None and policies != "none" and policies not in shipped_policy_sets():
        choices = ", ".join([*shipped_policy_sets(), "none"])
        raise RehearsalError(f"unknown policy set {str(policies)[:40]!r}; choose {choices}", {"policies": "unknown"})
    seat = body.get("seat") or None
    if seat is not None and not isinstance(seat, str):
        raise RehearsalError("the seat must be a party id", {"seat": "invalid"})
    seed_raw = body.get("seed", 0)
    try:
        seed = int(str(seed_raw).strip() or "0")
    except ValueError:
        raise RehearsalError(
            f"seed must be a whole number, not {str(seed_raw)[:20]!r}", {"seed": "not a number"}
        ) from None
    if seed < 0 or seed >= 2**63:
        raise RehearsalError("seed must be a whole number from 0", {"seed": "out of range"})
    agents = body.get("agents") or {}
    if not isinstance(agents, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in agents.items()):
        raise RehearsalError("agents must map party ids to strategies", {"agents": "invalid"})
    mandates = body.get("mandates") or ""
    if isinstance(mandates, str):
        lines = [line for line in mandates.splitlines() if line.strip()]
    elif isinstance(mandates, list) and all(isinstance(m, str) for m in mandates):
        lines = mandates
    else:
        raise RehearsalError("mandates are lines 'PARTY: RULE'", {"mandates": "invalid"})
    rid = body.get("id") or None
    if rid is not None and not isinstance(rid, str):
        raise RehearsalError("the id must be text", {"id": "invalid"})
    return {
        "scenario": scenario,
        "seat": seat,
        "seed": seed,
        "agents": agents,
        "policies": policies,
        "mandates": lines,
        "negotiation_id": rid,
    }


def _scenarios() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, path in shipped_scenarios().items():
        try:
            scenario, _ = load_scenario(str(path))
        except FileError:
            continue
        found[name] = {
            "title": scenario.title,
            "policy_set": scenario.policy_set,
            "parties": [{"id": p.id, "name": p.name, "core_business": p.core_business} for p in scenario.parties],
        }
    return found


def _all_views(service: Rehearsals) -> list[View]:
    views = []
    for rid in reversed(service.ids()):
        try:
            views.append(service.view(rid))
        except UnknownRehearsal:  # pragma: no cover - removed meanwhile
            continue
    return views


def _kind_of(issue: object) -> str:
    if isinstance(issue, NumericIssue):
        return "numeric"
    if isinstance(issue, BooleanIssue):
        return "boolean"
    if isinstance(issue, CategoricalIssue):
        return "categorical"
    return "other"  # pragma: no cover


def _my_turns(view: View) -> list[int]:
    """The person's turns (0-based), where a what-if branch can play differently."""
    mine = view.seat if view.seat is not None else None
    return [m["turn"] for m in view.moves if mine is not None and m["party"] == mine]


def _question_key(view: View, busy: bool) -> str:
    if view.finished:
        return "finished"
    if busy or view.question is None:
        return "waiting"
    q = view.question
    return f"{q.get('kind')}:{q.get('turn')}:{q.get('attempt', q.get('review'))}:{bool(q.get('error'))}"


def _page_context(view: View, hub: Hub, busy: bool, service: Rehearsals) -> dict[str, Any]:
    question = None if busy else view.question
    utility = view.own_utility
    issues = []
    blocked_terms = None
    if question is not None and question.get("blocked"):
        blocked_terms = question["blocked"][-1].get("terms")
    defaults = blocked_terms or view.defaults()
    brief = view.scenario.party(view.viewer).private if view.viewer else None
    weights = brief.normalised_weights(view.scenario.issue_ids) if brief is not None else None
    for k, issue in enumerate(view.scenario.issues):
        on_table = view.table["proposal"][issue.id] if view.table["proposal"] is not None else None
        options = []
        for n, option in enumerate(issue.values()):
            worth = None if utility is None or weights is None else float(utility.tables[k][n] / max(weights[k], 1e-12))
            options.append({"value": value_key(option), "worth": worth})
        issues.append(
            {
                "issue": issue,
                "kind": _kind_of(issue),
                "on_table": None if on_table is None else value_key(on_table),
                "mine": None
                if on_table is None or utility is None
                else float(utility.tables[k][issue.index_of(on_table)]),
                "weight": None if weights is None else float(weights[k]),
                "default": value_key(defaults[issue.id]),
                "options": options,
            }
        )
    moves = [_move_row(view, m) for m in view.moves]
    before = view.table["proposal"]
    if before is None:
        before = next((m["terms"] for m in reversed(view.moves) if m["party"] == view.seat and m["terms"]), None)
    return {
        "before_json": json.dumps({k: value_key(v) for k, v in (before or {}).items()}),
        "view": view,
        "busy": busy,
        "question": question,
        "question_key": _question_key(view, busy),
        "allowed": [] if busy else kinds_allowed(view),
        "issues": issues,
        "moves": moves,
        "table_worth": view.worth(view.table["proposal"]),
        "reservation": None if utility is None else utility.reservation_value,
        "brief": brief,
        "notice": hub.notice(view.id),
        "my_turns": _my_turns(view),
        "tier": (view.question or {}).get("tier"),
        "party_names": {p.id: p.name for p in view.scenario.parties},
    }


def _move_row(view: View, move: MoveRecord) -> dict[str, Any]:
    return {
        "move": move,
        "worth": view.worth(move["terms"]),
        "mine": move["party"] == view.seat,
        "terms": None if move["terms"] is None else [(k, value_key(v)) for k, v in move["terms"].items()],
    }
