"""What a browser sends, checked: a JSON object (no form posts), and the start form's fields.

A bad request gets its answer as a response here (415, 413, 400 with a message), before a
route touches the service; the service checks the meaning of what is left.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse

from pactlab.app.rehearsal import RehearsalError
from pactlab.domain.catalog import shipped_scenarios
from policies import shipped_policy_sets

MAX_BODY = 64_000
"""Bytes a request body may have at most."""


async def json_body(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 4xx response that says what is wrong with it."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return JSONResponse({"error": "send JSON (Content-Type: application/json)"}, 415)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return JSONResponse({"error": "the request is too large"}, 413)
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        return JSONResponse({"error": "the request body is not valid JSON"}, 400)
    if not isinstance(body, dict):
        return JSONResponse({"error": "send a JSON object"}, 400)
    return body


JsonBody = Annotated[dict[str, Any] | JSONResponse, Depends(json_body)]


def refused(exc: RehearsalError) -> JSONResponse:
    """A person's input the service refused: HTTP 400 with the message and the problems per field."""
    return JSONResponse({"error": str(exc), "problems": exc.problems}, 400)


def start_args(body: dict[str, Any]) -> dict[str, Any]:
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
