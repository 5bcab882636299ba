"""The HTML pages: the rehearsals, the scenario files and a start form (``/``), a rehearsal's table
(``/r/{id}``), its debrief (with links to the term sheet: `pactlab.app.web.run_files`) and plot, and
the glossary of the figures (``/glossary``).

Pages are drawn on the server from the rehearsal's current view; the live parts of the table
page refresh through the API (`pactlab.app.web.api`) when the event stream says so.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from agents.registry import DEFAULT_STRATEGY, STRATEGIES
from pactlab.app.rehearsal import UnknownRehearsal
from pactlab.app.rehearsal.explain import plain_debrief
from pactlab.app.web.charts import chart_csp, debrief_chart
from pactlab.app.web.dependencies import HubDep, LibraryDep, SeatsDep, ServiceDep, StepsDep, TemplatesDep
from pactlab.app.web.display import all_views, my_turns, page_context, scenario_groups, startable
from pactlab.app.web.run_files import TERM_SHEETS, not_finished, term_sheets
from pactlab.app.web.scenario_check import MAX_BYTES
from pactlab.domain.run_folder import RunFolder
from policies import shipped_policy_sets

router = APIRouter()

NO_REHEARSAL = (
    "There is no rehearsal with this id here. A rehearsal opens only in the browser that started it "
    "(it holds the seat's token); start one from the home page."
)
"""What a page says for an unknown id and for a rehearsal whose seat token the browser lacks alike."""


def page(
    templates: Jinja2Templates, request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status)


def not_found(templates: Jinja2Templates, request: Request, message: str) -> HTMLResponse:
    return page(templates, request, "missing.html", {"message": message}, 404)


@router.get("/", response_class=HTMLResponse)
async def index(
    request: Request, service: ServiceDep, library: LibraryDep, seats: SeatsDep, templates: TemplatesDep
) -> HTMLResponse:
    views = [v for v in await run_in_threadpool(all_views, service) if seats.holds(request, v.id)]  # only the caller's
    groups = await run_in_threadpool(scenario_groups, library)
    return page(
        templates,
        request,
        "index.html",
        {
            "views": views,
            "groups": groups,
            "scenarios_json": json.dumps(startable(groups)),
            "max_upload_kib": MAX_BYTES // 1024,
            "policy_sets": sorted(shipped_policy_sets()),
            "strategies": list(STRATEGIES),
            "default_strategy": DEFAULT_STRATEGY,
        },
    )


@router.get("/favicon.ico")
async def favicon() -> Response:
    return Response(status_code=204)


@router.get("/r/{rid}", response_class=HTMLResponse)
async def rehearsal(
    request: Request,
    rid: str,
    service: ServiceDep,
    hub: HubDep,
    steps: StepsDep,
    seats: SeatsDep,
    templates: TemplatesDep,
) -> HTMLResponse:
    if not seats.holds(request, rid):
        return not_found(templates, request, NO_REHEARSAL)
    try:
        view = await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return not_found(templates, request, NO_REHEARSAL)
    context = page_context(view, busy=steps.busy(rid), notice=hub.notice(rid))
    context["person"] = seats.name(rid)  # who sits at the seat: the name field starts with it
    return page(templates, request, "rehearsal.html", context)


@router.get("/r/{rid}/debrief", response_class=HTMLResponse)
async def debrief(
    request: Request, rid: str, service: ServiceDep, seats: SeatsDep, templates: TemplatesDep
) -> HTMLResponse:
    if not seats.holds(request, rid):
        return not_found(templates, request, NO_REHEARSAL)
    try:
        view = await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return not_found(templates, request, NO_REHEARSAL)
    if not view.finished:
        message = "This rehearsal is still under way."
        return page(templates, request, "missing.html", {"message": message, "rid": rid}, 409)
    report = await run_in_threadpool(service.debrief, rid)
    comparison = await run_in_threadpool(service.compare, rid)
    sheets = await run_in_threadpool(term_sheets, service, rid)
    withheld = await run_in_threadpool(service.open_relatives, rid)
    chart = None if withheld else await run_in_threadpool(debrief_chart, service, view)
    links = [{"format": fmt, "label": TERM_SHEETS[fmt].label, "url": f"/r/{rid}/termsheet.{fmt}"} for fmt in sheets]
    response = page(
        templates,
        request,
        "debrief.html",
        {
            "view": view,
            "d": report,
            "comparison": comparison,
            "my_turns": my_turns(view),
            "term_sheets": links,
            "issue_names": {i.id: i.label for i in view.scenario.issues},
            "withheld": withheld,
            "plain": plain_debrief(report, view.scenario, view.moves),
            "chart": chart,
        },
    )
    if chart is not None:
        # plotly.js adds a stylesheet of its own: inline styles allowed, scripts still only from here
        response.headers["Content-Security-Policy"] = chart_csp(request.app.state.csp)
    return response


@router.get("/glossary", response_class=HTMLResponse)
async def glossary(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """What the figures of a scorecard and a debrief mean (`evals.glossary`): the page the tooltips link to."""
    return page(templates, request, "glossary.html", {})


@router.get("/r/{rid}/plot.png")
async def plot(request: Request, rid: str, service: ServiceDep, seats: SeatsDep) -> Response:
    if not seats.holds(request, rid):
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    unfinished = await not_finished(service, rid)
    if unfinished is not None:
        return unfinished
    if await run_in_threadpool(service.open_relatives, rid):  # the plot shows every party's values
        return JSONResponse({"error": "the plot is hidden while a related rehearsal is still under way"}, 409)
    await run_in_threadpool(service.outputs, rid)  # the step that ended it may still be writing the plot
    return FileResponse(RunFolder(service.run_dir(rid)).plot, media_type="image/png")
