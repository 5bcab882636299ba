"""What a browser sends, checked: a JSON object or a YAML file (no form posts), and the start form's fields.

A bad request gets its answer as a response here (415, 413, 400 with a message), before a
route touches the service; the service checks the meaning of what is left. Neither body is one
a cross-site HTML form can send (their content types need a CORS preflight, which this server
never grants).
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from pactlab.app.rehearsal import RehearsalError
from pactlab.app.web.library import Library
from pactlab.app.web.limits import BadJson, parse_json
from pactlab.app.web.scenario_check import MAX_BYTES
from policies import shipped_policy_sets

MAX_BODY = 64_000
"""Bytes a JSON request body may have at most."""

YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
"""Content types an uploaded scenario file may come as."""

UPLOAD_NAME = "upload.yaml"
"""What an upload is called in its problems when the browser gives no usable file name."""


async def json_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 4xx response that says what is wrong with it.

    The body is read as it streams in and no further than `MAX_BODY` bytes, then parsed with
    bounds on nesting and number size (`pactlab.app.web.limits.parse_json`).
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return JSONResponse({"error": "send JSON (Content-Type: application/json)"}, 415)
    too_large = JSONResponse({"error": f"the request is too large: at most {MAX_BODY:,} bytes of JSON"}, 413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return too_large
        chunks.append(chunk)
    try:
        body = parse_json(b"".join(chunks))
    except BadJson as exc:
        return JSONResponse({"error": str(exc)}, 400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "send a JSON object"}, 400)
    return body


JsonBody = Annotated[dict[str, Any] | JSONResponse, Depends(json_body)]


async def yaml_body(request: Request) -> bytes | JSONResponse:
    """An uploaded scenario file's bytes (at most `MAX_BYTES`, read no further), or the 4xx response."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in YAML_TYPES:
        return JSONResponse({"error": "send the scenario file as YAML (Content-Type: application/yaml)"}, 415)
    too_large = JSONResponse(
        {"error": f"the scenario file is too large: scenario files may have at most {MAX_BYTES // 1024} KiB"}, 413
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        return too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            return too_large
        chunks.append(chunk)
    return b"".join(chunks)


YamlBody = Annotated[bytes | JSONResponse, Depends(yaml_body)]


def upload_name(request: Request) -> str:
    """The uploaded file's name (``X-Filename``, URL-encoded), reduced to a plain file name: it only labels problems."""
    raw = unquote(request.headers.get("x-filename", ""))
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", re.split(r"[/\\]", raw)[-1]).lstrip(".")[:80]
    return name if name.endswith((".yaml", ".yml")) else UPLOAD_NAME


def refused(exc: RehearsalError) -> JSONResponse:
    """A person's input the service refused: HTTP 400 with the message and the problems per field."""
    return JSONResponse({"error": str(exc), "problems": exc.problems}, 400)


def start_args(body: dict[str, Any], library: Library) -> dict[str, Any]:
    """The start form, checked: a scenario by its id in the listing, shipped policy sets (no server paths
    from a browser). The scenario is read and checked now; the rehearsal records its file's path."""
    sid = body.get("scenario")
    found = library.find(sid)
    if found is None:
        raise RehearsalError(
            f"unknown scenario {str(sid)[:60]!r}: choose one from the list of scenario files",
            {"scenario": "unknown scenario"},
        )
    scenario = found.check.scenario
    if scenario is None:
        raise RehearsalError(
            f"scenario {found.id} is not valid; fix the file first: {'; '.join(found.check.problems[:3])}",
            {"scenario": "invalid"},
        )
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
        "source": str(found.path.resolve()),
        "seat": seat,
        "seed": seed,
        "agents": agents,
        "policies": policies,
        "mandates": lines,
        "negotiation_id": rid,
        "uncertain": body.get("uncertain") is True,
    }
