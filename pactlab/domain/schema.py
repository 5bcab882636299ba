"""JSON Schemas of the files pactlab reads, generated from the very models the loader validates with.

One truth: a schema is `model_json_schema(mode="validation")` of the model the loader uses, so it
describes what a file may say — short forms included (an option table written
``{option: value}``, a playbook in place of ``private:``), not how pactlab stores it after
loading. The loader checks more than any JSON Schema can: references between fields (unknown
issue ids, options, constraint syntax, figures against a profile's scale, a playbook against
the issues), duplicate YAML keys, and it reads playbook files named by path. Pydantic's lax
mode also turns numeric strings such as ``"0.5"`` into numbers, which the schema does not
allow.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pactlab.domain.playbook import Playbook
from pactlab.domain.scenario import Scenario

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of files validated as `model`, as editors read it."""
    return {"$schema": DIALECT, **model.model_json_schema(mode="validation")}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (`pactlab scenario schema`)."""
    return json_schema(Scenario)


def playbook_schema() -> dict[str, Any]:
    """The JSON Schema of playbook files (`pactlab playbook schema`)."""
    return json_schema(Playbook)


__all__ = ["DIALECT", "json_schema", "playbook_schema", "scenario_schema"]
