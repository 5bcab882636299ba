"""The rehearsal web app: server-rendered pages, a little JavaScript, server-sent events for the live table.

Pages (`pactlab.app.web.pages`): ``/`` (the rehearsals, the scenario files, a form to start one
and one to upload a scenario), ``/r/{id}``
(the table, the person's brief, the counter-offer form with a live utility meter and the policy
gate's verdicts, the messages and rationales of the other parties), ``/r/{id}/debrief``. JSON
endpoints under ``/api`` (`pactlab.app.web.api`) take the person's input; everything a person
sends is validated by the rehearsal service before anything changes, and a refusal comes back
as HTTP 400 with a message. A move is validated at once and played in a worker thread
(`pactlab.app.web.steps`): the agents' replies reach the page through ``/r/{id}/events``
(`pactlab.app.web.events`: server-sent events that only say "look again") and ``/api/r/{id}``.
Scenario files are offered by id from the configured folders, the uploads and the shipped ones
(`pactlab.app.web.library`, ``/api/scenarios``: `pactlab.app.web.scenarios`); an agreed
rehearsal's term sheet is served from its run folder (`pactlab.app.web.run_files`).

Served on 127.0.0.1 by default, with a Host check against DNS rebinding, JSON-only POSTs (no
cross-site form posts) and a strict Content-Security-Policy (no inline script or style). Each
rehearsal is reachable only with its seat token (`pactlab.app.web.seats`: an HttpOnly,
SameSite=Strict cookie), and request bodies are bounded while they stream in
(`pactlab.app.web.limits`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.web import api, charts, events, pages, run_files, scenarios
from pactlab.app.web.library import UPLOADS, Library
from pactlab.app.web.limits import DEFAULT_MAX_BODY, BodyLimit
from pactlab.app.web.live import Hub
from pactlab.app.web.seats import SEATS, Seats
from pactlab.app.web.steps import Steps
from pactlab.app.web.templates import PACKAGE, load_templates

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
LOCAL_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(
    service: Rehearsals,
    *,
    library: Library | None = None,
    pace: float = 0.0,
    local_only: bool = True,
    workers: ThreadPoolExecutor | None = None,
    max_body: int = DEFAULT_MAX_BODY,
) -> FastAPI:
    """The web app over `service`; `pace` seconds between agent moves let people watch them land.

    `library` offers the scenario files (default: the shipped ones, and uploads kept under the
    service's directory); `workers` runs the steps a person's input starts (default: four threads);
    `max_body` bounds every request body in bytes (413 beyond it, before it is read).
    """
    hub = Hub()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        hub.close()  # end the event streams, so that the server can stop

    app = FastAPI(title="pactlab rehearsals", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    workers = workers or ThreadPoolExecutor(max_workers=4, thread_name_prefix="rehearsal")
    # What the routes get through `pactlab.app.web.dependencies` (`serve` stops the hub and the workers).
    app.state.service = service
    app.state.library = library or Library([], service.out / UPLOADS)
    app.state.hub = hub
    app.state.workers = workers
    app.state.steps = Steps(hub, workers, pace)
    app.state.seats = Seats(service.out / SEATS)
    app.state.templates = load_templates()
    app.state.csp = CSP  # a page with a chart widens it (`pactlab.app.web.charts.chart_csp`)
    app.mount("/static", StaticFiles(packages=[(PACKAGE, "static")]), name="static")
    if local_only:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOCAL_HOSTS)
    app.middleware("http")(security_headers)
    app.add_middleware(BodyLimit, limit=max_body)  # outermost: before anything reads the body
    app.include_router(pages.router)
    app.include_router(events.router)
    app.include_router(scenarios.router)
    app.include_router(api.router)
    app.include_router(run_files.router)
    app.include_router(charts.router)  # plotly.js and the chart script, served locally
    return app


async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
