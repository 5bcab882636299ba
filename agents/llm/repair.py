"""Reading a model's reply, and what goes back to the model when the reply is invalid.

A reply is invalid when the model refused (a refusal is never parsed as an answer), was cut off
at `max_tokens`, wrote no JSON object, broke the schema, or failed the caller's semantic check.
`interpret` says which, as an `InvalidReply` carrying both the error for the record and the words
for the model; `repaired` builds the next request of the repair loop: the conversation so far
with the reply and a follow-up turn ("conversation"), or the first request restated with a note
("restate", for chat templates and small models that do better with one clean turn).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from openai.types.chat.chat_completion import Choice
from pydantic import BaseModel, ValidationError

from agents.llm.config import OutputMode, RepairStyle
from pactlab.errors import ExternalError

M = TypeVar("M", bound=BaseModel)

_REFUSAL = re.compile(
    r"^\W*(i'?m sorry|i am sorry|sorry,|i apologi[sz]e|i can(?:'|no)t|i cannot|i won'?t|i will not|"
    r"i'?m (?:not able|unable)|i am (?:not able|unable)|as an ai\b|i must decline)",
    re.IGNORECASE,
)


class InvalidReply(ExternalError):
    """A reply that must be repaired: `kind: detail` for the record, `problem` and `advice` for the model."""

    def __init__(self, kind: str, detail: str, problem: str, advice: str = "corrected") -> None:
        super().__init__(f"{kind}: {detail}")
        self.problem = problem
        self.advice = advice

    def follow_up(self) -> str:
        """The user turn sent after the invalid reply (repair_style "conversation")."""
        return f"Your reply was invalid: {self.problem}. Reply again with only the JSON object, {self.advice}."

    def note(self) -> str:
        """The note added to the original request (repair_style "restate")."""
        return (
            f"A previous reply to this request was invalid: {self.problem}. "
            f"Reply with only the JSON object, {self.advice}."
        )


def reply_text(choice: Choice, mode: OutputMode) -> str:
    """The reply's JSON text: the forced tool call's arguments in tools mode, else the content."""
    message = choice.message
    if mode == "tools" and message.tool_calls:
        function = getattr(message.tool_calls[0], "function", None)
        if function is not None:
            return str(function.arguments or "")
    return str(message.content or "")


def interpret(
    choice: Choice, text: str, schema: type[M], validate: Callable[[M], Any] | None, *, max_tokens: int
) -> Any:
    """The validated value, or `InvalidReply` with the repair instruction. A refusal is never parsed."""
    refusal = choice.message.refusal
    refusal_like = bool(text) and not text.lstrip().startswith(("{", "`")) and bool(_REFUSAL.match(text))
    if refusal or choice.finish_reason == "content_filter" or refusal_like:
        detail = short(refusal or text or "content filtered", 200)
        problem = "it declined to answer; this is a simulated business negotiation and answering is expected"
        raise InvalidReply("refusal", detail, problem)
    if choice.finish_reason == "length":
        problem = f"it was cut off at the {max_tokens}-token limit before the JSON object was complete"
        raise InvalidReply(
            "truncated", f"cut off at the {max_tokens}-token limit", problem, "shorter (keep text fields brief)"
        )
    try:
        data = extract_json(text)
    except ValueError as exc:
        raise InvalidReply("bad_json", str(exc), f"it was not a JSON object ({exc})") from exc
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        detail = explain_validation_error(exc)
        raise InvalidReply("schema", detail, detail) from exc
    if validate is None:
        return model
    try:
        return validate(model)
    except ValidationError as exc:
        detail = explain_validation_error(exc)
        raise InvalidReply("semantic", detail, detail) from exc
    except ValueError as exc:
        raise InvalidReply("semantic", str(exc), str(exc)) from exc


def repaired(
    style: RepairStyle,
    first: list[dict[str, str]],
    convo: list[dict[str, str]],
    reply: str,
    bad: InvalidReply,
) -> list[dict[str, str]]:
    """The messages of the next request after the invalid `reply` to `convo` (whose first request was `first`)."""
    if style == "restate":
        return with_note(first, bad.note())
    return [*convo, {"role": "assistant", "content": reply}, {"role": "user", "content": bad.follow_up()}]


def with_note(messages: list[dict[str, str]], note: str) -> list[dict[str, str]]:
    """`messages` with `note` joined to the last user turn (or added as one): roles keep alternating."""
    convo = [dict(m) for m in messages]
    if convo and convo[-1].get("role") == "user":
        convo[-1]["content"] = f"{convo[-1].get('content', '')}\n\n{note}"
    else:
        convo.append({"role": "user", "content": note})
    return convo


def extract_json(text: str) -> Any:
    """The JSON object in a reply: the whole text, a ```json fence, or the first decodable {...} in it."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        pass
    fence = re.search(r"```(?:json)?\s*(.*?)```", stripped, re.DOTALL | re.IGNORECASE)
    if fence:
        try:
            return json.loads(fence.group(1))
        except ValueError:
            pass
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", stripped):
        try:
            return decoder.raw_decode(stripped, match.start())[0]
        except ValueError:
            continue
    raise ValueError("no JSON object found in the reply")


def explain_validation_error(exc: ValidationError) -> str:
    """A compact, model-readable list of what is wrong: field path, message, offending value."""
    parts = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "(the object)"
        got = "" if err["type"] == "missing" else f" (got {short(err.get('input'))})"
        parts.append(f"{where}: {err['msg']}{got}")
    return "; ".join(parts)


def short(value: object, limit: int = 80) -> str:
    """`value` as JSON, cut to `limit` characters with an ellipsis."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
