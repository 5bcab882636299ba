"""A finished rehearsal's term sheet, as files: ``/r/{id}/termsheet.{html,md,docx}``.

Only these known names are served, and only from the rehearsal's own run folder: the format in
the URL picks an entry of `TERM_SHEETS`, never a path. The files are written beside the run when
it ends in agreement (`pactlab.workflow.outputs`; the Word file when that writer is installed),
so a rehearsal without a deal has none (404). The HTML one is served in a CSP sandbox: it is a
document of the parties' words, not part of the app, and runs no script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from pactlab.app.rehearsal import Rehearsals, UnknownRehearsal
from pactlab.app.web.dependencies import SeatsDep, ServiceDep
from pactlab.domain.run_folder import termsheet_name


async def not_finished(service: Rehearsals, rid: str) -> Response | None:
    """The answer when a rehearsal's files cannot be served yet (unknown id, 404; under way, 409), else None."""
    try:
        view = await run_in_threadpool(service.view, rid)
    except UnknownRehearsal:
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    if not view.finished:
        return JSONResponse({"error": "the rehearsal is still under way"}, 409)
    return None


@dataclass(frozen=True)
class TermSheetFile:
    name: str  # the file's name in the run folder
    label: str  # what the debrief's link says
    media_type: str
    inline: bool  # shown in the browser (else downloaded)


TERM_SHEETS = {
    "html": TermSheetFile(termsheet_name("html"), "HTML", "text/html; charset=utf-8", True),
    "md": TermSheetFile(termsheet_name("md"), "Markdown", "text/markdown; charset=utf-8", False),
    "docx": TermSheetFile(
        termsheet_name("docx"), "Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False
    ),
}
"""The term sheet's formats, by the extension in the URL."""

SANDBOX = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'; base-uri 'none'"
)
"""The CSP of a served HTML term sheet: its own inline styles, nothing else, in a sandbox."""

router = APIRouter()


def term_sheets(service: Rehearsals, rid: str) -> dict[str, Path]:
    """The term sheet files that exist for a finished rehearsal, by format (waits for a step still writing them)."""
    written = {path.name: path for path in service.outputs(rid)}
    return {fmt: written[kind.name] for fmt, kind in TERM_SHEETS.items() if kind.name in written}


@router.get("/r/{rid}/termsheet.{fmt}")
async def termsheet(request: Request, rid: str, fmt: str, service: ServiceDep, seats: SeatsDep) -> Response:
    if not seats.holds(request, rid):
        return JSONResponse({"error": "no rehearsal with this id"}, 404)
    kind = TERM_SHEETS.get(fmt)
    if kind is None:
        return JSONResponse({"error": f"no such format; the term sheet comes as {', '.join(TERM_SHEETS)}"}, 404)
    unfinished = await not_finished(service, rid)
    if unfinished is not None:
        return unfinished
    path = (await run_in_threadpool(term_sheets, service, rid)).get(fmt)
    if path is None:
        return JSONResponse({"error": f"no {kind.label} term sheet: only an agreed rehearsal has one"}, 404)
    headers = {"Cache-Control": "no-store"}
    if fmt == "html":
        headers["Content-Security-Policy"] = SANDBOX
    return FileResponse(
        path,
        media_type=kind.media_type,
        filename=f"{rid}-{kind.name}",
        content_disposition_type="inline" if kind.inline else "attachment",
        headers=headers,
    )
