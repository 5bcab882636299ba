"""JSON for reports: NaN (a figure with no data) becomes null, tuples become lists, keys become strings."""

from __future__ import annotations

from typing import Any


def nan_to_null(value: Any) -> Any:
    """`value` with every NaN replaced by None, recursively, ready for `json.dumps` without `NaN` tokens."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {str(k): nan_to_null(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [nan_to_null(v) for v in value]
    return value
