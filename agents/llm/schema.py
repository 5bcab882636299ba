"""JSON Schemas for structured output: strict variants for OpenAI-style endpoints, and the prompt instruction.

OpenAI's strict mode wants every object closed (`additionalProperties: false`), every property required, no
`oneOf`, no `$ref` with siblings, and rejects some keywords (e.g. `default`). Range and length checks are
not lost by stripping them: the reply is always validated by the pydantic model afterwards.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

# Keywords OpenAI's strict mode rejects or ignores; the pydantic model still checks them afterwards.
UNSUPPORTED_STRICT_KEYWORDS = frozenset(
    {
        "default",
        "discriminator",
        "minLength",
        "maxLength",
        "minProperties",
        "maxProperties",
        "patternProperties",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
    }
)


def schema_name(model: type[BaseModel]) -> str:
    """The model's name as OpenAI accepts it for a schema or function (``[A-Za-z0-9_-]{1,64}``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", model.__name__)[:64] or "Reply"


def strict_schema(model: type[BaseModel], *, strip_unsupported: bool = True) -> tuple[dict[str, Any], bool]:
    """The model's JSON Schema made strict-compatible, and whether it really is (no open-ended objects).

    A `dict[str, X]` field cannot be expressed in strict mode; callers then send `strict: false`.
    """
    schema = model.model_json_schema()
    closed = _strictify(schema, schema, strip_unsupported)
    return schema, closed


def _strictify(node: Any, root: dict[str, Any], strip: bool) -> bool:
    """Mutate one schema node (and its children) in place; False if some object stays open."""
    if not isinstance(node, dict):
        return True
    closed = True
    for defs_key in ("$defs", "definitions"):
        for sub in (node.get(defs_key) or {}).values():
            closed &= _strictify(sub, root, strip)
    if "oneOf" in node:  # strict mode knows anyOf only; pydantic emits oneOf for discriminated unions
        node["anyOf"] = node.pop("oneOf")
    if strip:
        for key in UNSUPPORTED_STRICT_KEYWORDS & node.keys():
            node.pop(key)
    else:
        node.pop("discriminator", None)
    if "$ref" in node and len(node) > 1:  # strict mode forbids siblings of $ref: inline the target
        target = _resolve(root, node.pop("$ref"))
        node.update({**target, **node})
        return closed & _strictify(node, root, strip)
    if node.get("type") == "object":
        extra = node.get("additionalProperties")
        if extra is None or extra is False:
            node["additionalProperties"] = False
        else:  # a map (`dict[str, X]`): open-ended, which strict mode cannot express
            closed = False
            _strictify(extra, root, strip)
    props = node.get("properties")
    if isinstance(props, dict):
        node["required"] = list(props)
        for sub in props.values():
            closed &= _strictify(sub, root, strip)
    if isinstance(node.get("items"), dict):
        closed &= _strictify(node["items"], root, strip)
    for key in ("anyOf", "allOf", "prefixItems"):
        for sub in node.get(key) or []:
            closed &= _strictify(sub, root, strip)
    return closed


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"unsupported $ref {ref!r}")
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    return dict(target)


def prompt_instruction(model: type[BaseModel]) -> str:
    """The instruction appended in `prompt` and `json_object` modes: the full schema, constraints included."""
    schema = json.dumps(model.model_json_schema(), separators=(",", ":"), ensure_ascii=False)
    return (
        "Reply with only one JSON object that conforms to the JSON Schema below: no prose before or after it, "
        f"no code fences.\nJSON Schema: {schema}"
    )
