"""The scenario files under ``/api/scenarios``: the listing (GET) and an upload (POST, a YAML body).

The listing is `pactlab.app.web.library`'s: every file with its id, title, parties and issues,
or its problems. An upload is checked like a listed file; a valid one is stored by its hash and
answered with its id (HTTP 201), an invalid one with its problems, line by line (HTTP 400),
and nothing is stored. Too large: 413; not sent as YAML: 415.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pactlab.app.web.dependencies import LibraryDep
from pactlab.app.web.forms import YamlBody, upload_name

router = APIRouter(prefix="/api/scenarios")


@router.get("")
async def listing(library: LibraryDep) -> JSONResponse:
    files = await run_in_threadpool(library.files)
    return JSONResponse({"scenarios": [f.summary() for f in files]}, headers={"Cache-Control": "no-store"})


@router.post("")
async def upload(request: Request, body: YamlBody, library: LibraryDep) -> JSONResponse:
    if isinstance(body, JSONResponse):
        return body
    name = upload_name(request)
    stored = await run_in_threadpool(library.upload, body, name)
    if not stored.valid:
        count = len(stored.check.problems)
        problems = f"{count} problem{'s' if count != 1 else ''}"
        return JSONResponse(
            {
                "error": f"{name} is not a valid scenario ({problems}); nothing was stored",
                "errors": list(stored.check.problems),
            },
            400,
        )
    return JSONResponse({"id": stored.id, "scenario": stored.summary()}, 201)
