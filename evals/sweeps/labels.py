"""Display names for a sweep's factors: ``parties.supplier.private.reservation_value`` reads as
"Carbonis Advanced Materials: walk-away value (reservation value)".

A factor is a dotted path into the scenario (or a run setting); the report shows it in words, with the
scenario's own display names for parties and issues (`names`, id -> name), and keeps the path in small
print for whoever wrote the sweep file.
"""

from __future__ import annotations

from collections.abc import Mapping

FIELDS = {
    "reservation_value": "walk-away value (reservation value)",
    "weights": "priorities (issue weights)",
    "values": "option values",
    "constraints": "hard limits",
    "interests": "interests",
    "max_rounds": "round limit",
    "policies": "policy set",
    "policy_set": "policy set",
    "agents": "negotiators",
    "protocol": "protocol",
}
"""Words for the path segments a sweep varies most often."""


def factor_label(path: str, names: Mapping[str, str] | None = None) -> str:
    """The factor `path` in words, with display names for the party and issue ids in it."""
    names = names or {}
    parts = path.split(".")
    if len(parts) >= 2 and parts[0] in ("parties", "agents", "negotiators"):
        party = names.get(parts[1], parts[1])
        rest = [p for p in parts[2:] if p != "private"]
        if parts[0] in ("agents", "negotiators"):
            return f"{party}: negotiator" + (f" {' '.join(rest)}" if rest else "")
        if len(rest) >= 2 and rest[0] in ("weights", "values"):
            what = "priority (weight)" if rest[0] == "weights" else "option values"
            return f"{party}: {what} of {names.get(rest[1], rest[1].replace('_', ' '))}"
        words = " ".join(FIELDS.get(p, p.replace("_", " ")) for p in rest)
        return f"{party}: {words}" if words else party
    return " · ".join(FIELDS.get(p, names.get(p, p.replace("_", " "))) for p in parts)


__all__ = ["FIELDS", "factor_label"]
