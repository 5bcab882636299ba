"""Shared helpers: a scripted person for rehearsals of the platform_material scenario."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from evals.scorecard import analyse
from pactlab.app.rehearsal import Rehearsals, View
from pactlab.domain.catalog import load_scenario
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.scenario import Scenario

SCENARIO = "platform_material"
SEAT = "platform"
SEED = 3


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return load_scenario(SCENARIO)[0]


@pytest.fixture(scope="session")
def nash_terms(scenario: Scenario) -> dict[str, IssueValue]:
    analysis = analyse(scenario)
    assert analysis.nash is not None
    return dict(analysis.nash.terms.terms)


@pytest.fixture
def service(tmp_path: Path) -> Rehearsals:
    with Rehearsals(tmp_path / "rehearsals") as svc:
        yield svc


def counter(view: View, terms: Mapping[str, IssueValue], by: str = "Ada", **extra: Any) -> dict[str, Any]:
    """A counter-offer whose rationale names every term it changes (what the transparency rule asks)."""
    before = view.table["proposal"] or next(
        (m["terms"] for m in reversed(view.moves) if m["party"] == view.seat and m["terms"]), None
    )
    changed = [k for k, v in terms.items() if before is None or value_key(before[k]) != value_key(v)]
    rationale = "We propose " + ", ".join(f"{k} = {value_key(terms[k])}" for k in changed) if changed else "Same."
    return {"kind": "propose", "terms": dict(terms), "rationale": rationale, "by": by, **extra}


def play_to_end(service: Rehearsals, view: View, terms: Mapping[str, IssueValue], by: str = "Ada") -> View:
    """The person proposes `terms` at every turn until the rehearsal ends."""
    for _ in range(100):
        if view.finished:
            return view
        assert view.waiting == "move", view.question
        view = service.submit(view.id, counter(view, terms, by))
        assert not (view.question or {}).get("blocked"), view.question
    raise AssertionError("the rehearsal did not end")
