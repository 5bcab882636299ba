"""The shapes of the JSON the API takes: checked before the service sees a body, and published as OpenAPI.

Each model says which fields an action takes and of which JSON type; a body of the wrong shape
(``"policies": ["a"]``, a move without its turn) is refused with HTTP 400, a message naming the
field and what is valid, and the problems per field, like every other refusal. What the values
mean (a party, an issue's value, a policy set) is the rehearsal service's to check. Unknown
fields are ignored. The models also describe the request bodies in the app's OpenAPI document
(`request_body`), which the API fuzzing tests generate requests from.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

Turn = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
Counter = Annotated[int, Field(strict=True, ge=0, le=1_000_000)]
Text = Annotated[str, Field(max_length=20_000)]
Value = str | int | float | bool


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StartBody(_Body):
    scenario: str = Field(description="unknown scenario: choose one from the list of scenario files (its id, as text)")
    seat: str | None = Field(None, description="the seat must be a party id (or null: approve agents' moves)")
    policies: str | None = Field(None, description="policies must be a shipped policy set's name or 'none'")
    seed: int | str = Field(0, description="seed must be a whole number from 0")
    agents: dict[str, str] = Field(default_factory=dict, description="agents must map party ids to strategies")
    mandates: str | list[str] = Field("", description="mandates are lines 'PARTY: RULE' (text or a list of text)")
    id: str | None = Field(None, description="the id must be text")
    uncertain: bool = Field(
        False, strict=True, description="uncertain must be true or false (play a counterpart drawn from its ranges)"
    )
    name: Text | None = Field(None, description="name must be your name (text): it is recorded with your moves")


class MoveBody(_Body):
    turn: Turn = Field(description="name the turn you answer: the question's turn (0-based), a whole number")
    attempt: Counter | None = Field(None, description="attempt must be the question's attempt, a whole number")
    kind: str = Field(description="kind must be propose, accept, reject or walk_away")
    terms: dict[str, Value] | None = Field(None, description="terms must map issue ids to values")
    message: Text | None = Field(None, description="message must be text")
    rationale: Text | None = Field(None, description="rationale must be text")
    reason: Text | None = Field(None, description="reason must be text")
    by: Text | None = Field(None, description="by must be a name (text)")


class CheckBody(_Body):
    kind: str = Field("propose", description="kind must be propose, accept, reject or walk_away")
    turn: Turn | None = Field(None, description="turn must be a whole number")
    attempt: Counter | None = Field(None, description="attempt must be a whole number")
    terms: dict[str, Value] | None = Field(None, description="terms must map issue ids to values")
    message: Text | None = Field(None, description="message must be text")
    rationale: Text | None = Field(None, description="rationale must be text")
    reason: Text | None = Field(None, description="reason must be text")
    by: Text | None = Field(None, description="by must be a name (text)")


class ApprovalBody(_Body):
    turn: Turn = Field(description="name the turn you answer: the request's turn (0-based), a whole number")
    review: Counter | None = Field(None, description="review must be the request's review, a whole number")
    decision: str = Field(description="decision must be approve or reject")
    approver: Text | None = Field(None, description="approver must be a name (text)")
    note: Text | None = Field(None, description="note must be text")


class ForkBody(_Body):
    turn: int | str = Field(description="turn must be a whole number: the 1-based turn to play differently")


def checked(model: type[_Body], body: dict[str, Any]) -> JSONResponse | None:
    """None when `body` has `model`'s shape, else the 400 that names the first wrong field and what is valid."""
    try:
        model.model_validate(body)
    except ValidationError as exc:
        problems: dict[str, str] = {}
        for error in exc.errors(include_url=False, include_input=False):
            field = str(error["loc"][0]) if error["loc"] else "body"
            problems.setdefault(field, str(error["msg"]))
        first = next(iter(problems))
        info = model.model_fields.get(first)
        hint = info.description if info is not None and info.description else problems[first]
        missing = "missing" if problems[first] == "Field required" else problems[first].lower()
        return JSONResponse({"error": f"{first}: {hint} ({missing})", "problems": problems}, 400)
    return None


def request_body(model: type[_Body]) -> dict[str, Any]:
    """`openapi_extra` for a route that takes `model` as its JSON body (the route reads the body itself)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema(ref_template="#/components/schemas/{model}")}
            },
        }
    }


__all__ = ["ApprovalBody", "CheckBody", "ForkBody", "MoveBody", "StartBody", "checked", "request_body"]
