"""A small three-party scenario whose ids say nothing, for the rules judged on clause meaning.

Parties ``a`` (field ``fa``), ``b`` (field ``fb``) and ``c`` (no field). Issues: ``own`` (who owns
foreground IP: each kind of owner), ``lic`` (the non-owners' licence: every scope), ``disc``
(what ``a`` discloses: every level; ``rate`` depends on it), ``rate`` (a royalty) and ``cost``
(the cost share ``a`` bears, weighed). Tests copy `data()` and change what they need.
"""

from __future__ import annotations

import copy
from typing import Any

from pactlab.domain.outcome_space import OutcomeSpace, utility_functions
from pactlab.domain.scenario import Scenario
from policies.deal import Deal

OWNERS = {
    "a_owns": {"owner": "a"},
    "b_owns": {"owner": "b"},
    "together": {"owner": "joint"},
    "split": {"owner": "by_field"},
    "inventors": {"owner": "inventor"},
    "swapped": {"owner": "by_field", "fields": {"fa": "b", "fb": "a"}},
}
SCOPES = {
    "l0": {"scope": "none"},
    "l1": {"scope": "nonexclusive_royalty_bearing"},
    "l2": {"scope": "nonexclusive_royalty_free"},
    "l3": {"scope": "exclusive_in_field"},
}
LEVELS = {"d0": {"level": "none"}, "d1": {"level": "under_nda"}, "d2": {"level": "full"}}


def _party(pid: str, fields: list[str]) -> dict[str, Any]:
    return {
        "id": pid,
        "name": f"Org {pid.upper()}",
        "core_business": f"what {pid} does",
        "fields": fields,
        "private": {
            "reservation_value": 0.2,
            "weights": {"own": 1, "lic": 1, "disc": 1, "rate": 1, "cost": 1},
            "values": {
                "own": dict.fromkeys(OWNERS, 0.5),
                "lic": dict.fromkeys(SCOPES, 0.5),
                "disc": dict.fromkeys(LEVELS, 0.5),
                "rate": {"linear": "up"},
                "cost": {"linear": "down"},
            },
        },
    }


def data() -> dict[str, Any]:
    """The scenario as the YAML would give it (a fresh copy)."""
    return copy.deepcopy(
        {
            "id": "meaning_fixture",
            "title": "Three organisations, ids without meaning",
            "issues": [
                {
                    "id": "own",
                    "kind": "categorical",
                    "options": list(OWNERS),
                    "clause": {"kind": "ip_ownership", "options": OWNERS},
                },
                {
                    "id": "lic",
                    "kind": "categorical",
                    "options": list(SCOPES),
                    "clause": {"kind": "licence", "options": SCOPES},
                },
                {
                    "id": "disc",
                    "kind": "categorical",
                    "options": list(LEVELS),
                    "clause": {"kind": "disclosure", "discloser": "a", "dependent_terms": ["rate"], "options": LEVELS},
                },
                {
                    "id": "rate",
                    "kind": "numeric",
                    "minimum": 0,
                    "maximum": 8,
                    "step": 2,
                    "clause": {"kind": "royalty", "payer": "a", "payees": ["b", "c"]},
                },
                {
                    "id": "cost",
                    "kind": "numeric",
                    "minimum": 0,
                    "maximum": 100,
                    "step": 50,
                    "clause": {"kind": "cost_share", "bearer": "a"},
                },
            ],
            "parties": [_party("a", ["fa"]), _party("b", ["fb"]), _party("c", [])],
            "dispute_ladder": [{"id": "talks", "name": "Talks"}, {"id": "mediation", "name": "Mediation"}],
        }
    )


def scenario(raw: dict[str, Any] | None = None) -> Scenario:
    return Scenario.model_validate(raw if raw is not None else data())


def issue(raw: dict[str, Any], issue_id: str) -> dict[str, Any]:
    """The issue `issue_id` in `raw` (to change it in place)."""
    return next(i for i in raw["issues"] if i["id"] == issue_id)


def drop_issue(raw: dict[str, Any], issue_id: str) -> dict[str, Any]:
    """`raw` without the issue (and every party's weight and value for it)."""
    raw["issues"] = [i for i in raw["issues"] if i["id"] != issue_id]
    for party in raw["parties"]:
        party["private"]["weights"].pop(issue_id)
        party["private"]["values"].pop(issue_id)
    return raw


TERMS: dict[str, Any] = {"own": "split", "lic": "l2", "disc": "d1", "rate": 4, "cost": 50}


def deal(s: Scenario, **terms: Any) -> Deal:
    """A deal binding every party, on TERMS changed by `terms` (issues the scenario lacks are left out)."""
    space = OutcomeSpace(s.issues)
    utils = utility_functions(space, {p.id: p.private for p in s.parties})
    chosen = {k: v for k, v in {**TERMS, **terms}.items() if k in s.issue_ids}
    return Deal(s, space, utils, space.validate(chosen), tuple(s.party_ids))
