"""Rehearsing against a counterpart you cannot see (`pactlab rehearse --uncertain`, the web's "uncertain" box).

At the start, every party but the person's that declares an `uncertainty` block is drawn
(`pactlab.domain.uncertainty.draw_counterparts`, seeded by the rehearsal's seed, draw 0): the
rehearsal plays the concrete scenario, so the audit transcript's ``run_start`` record holds the
drawn profiles for the auditor, and ``counterpart.json`` in the rehearsal's folder keeps the draws
and the scenario they were drawn from. The person sees neither until the debrief, which reveals
each drawn counterpart (priorities, walk-away point, negotiator) and compares the person's result
with what the robust plan (`pactlab.app.planning.plan`, on a small sample) earns against the same
counterpart, same seed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pactlab.app.planning.engine import play
from pactlab.app.planning.plan import check_strategies, counterpart_agents, make_plan
from pactlab.app.rehearsal.errors import RehearsalError
from pactlab.app.sweeps.backend import Events
from pactlab.app.sweeps.tasks import RunTask
from pactlab.domain.counterparts import draw_counterparts, uncertain_parties
from pactlab.domain.scenario import Scenario
from pactlab.domain.uncertainty import Draw
from policies import PolicySet

COUNTERPART = "counterpart.json"
"""The draws of an uncertain rehearsal, in its folder (never shown before the debrief)."""

DEBRIEF_COUNTERPARTS = 8
"""Counterparts the debrief's robust plan is chosen on (small: it runs while the person waits; `pactlab plan`
ranks plans on a thousand)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RevealedParty(_Model):
    party: str
    name: str
    weights: dict[str, float] = Field(description="The drawn priorities: issue weights adding up to 1.")
    reservation_value: float = Field(description="The drawn walk-away point (utility of its BATNA).")
    strategy: str | None
    alternative: str | None
    values: dict[str, dict[str, float]]
    note: str


class RobustComparison(_Model):
    plan: str = Field(description="The robust plan's spec (chosen on a small sample of drawn counterparts).")
    sample: int
    agreement: bool
    utility: float = Field(description="What the robust plan earned against the same counterpart (walk-away if none).")
    person_utility: float = Field(description="What the person earned (walk-away if no deal).")
    difference: float = Field(description="person_utility - utility: positive when the person did better.")


class Revealed(_Model):
    """What the person could not see during an uncertain rehearsal."""

    seed: int
    parties: list[RevealedParty]
    robust: RobustComparison | None = None


def prepare(
    scenario: Scenario, seat: str | None, seed: int, agents: Mapping[str, str]
) -> tuple[Scenario, dict[str, str], list[Draw]]:
    """The concrete scenario to rehearse, the agents (each drawn strategy unless the person chose one), the draws."""
    if seat is None:
        raise RehearsalError("an uncertain rehearsal needs your seat (--as PARTY)", {"seat": "required"})
    if not uncertain_parties(scenario, seat):
        raise RehearsalError(
            f"no party other than {seat!r} declares an 'uncertainty:' block in {scenario.id!r}: nothing to draw; "
            "add one (see `pactlab scenario schema`) or rehearse without --uncertain",
            {"uncertain": "nothing to draw"},
        )
    problems = check_strategies(scenario)
    if problems:
        where = "; ".join(f"{'.'.join(map(str, loc))}: {message}" for loc, message in problems)
        raise RehearsalError(where, {"uncertain": "bad strategy"})
    concrete, draws = draw_counterparts(scenario, seed, seat=seat, index=0)
    chosen = dict(agents)
    for draw in draws:
        if draw.strategy is not None and draw.party not in chosen:
            chosen[draw.party] = draw.strategy
    return concrete, chosen, draws


def save(run_dir: Path, scenario: Scenario, seat: str, seed: int, draws: list[Draw], policies: str | None) -> None:
    """Keep the draws and the scenario they came from (for the debrief's reveal and robust plan)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "seat": seat,
        "seed": seed,
        "draws": [d.model_dump(mode="json") for d in draws],
        "scenario": scenario.model_dump(mode="json"),
        "policies": policies,
    }
    (run_dir / COUNTERPART).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / COUNTERPART
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


class _Inline:
    """Runs plan tasks one after another in this process (a debrief's small sample needs no pool)."""

    name = "inline"

    def run(self, tasks: Any, events: Events) -> None:
        for task in tasks:
            events.started(task)
            events.finished(play(task))


def reveal(
    run_dir: Path, concrete: Scenario, policy_set: PolicySet | None, person_utility: float | None
) -> Revealed | None:
    """The drawn counterparts and the robust plan's result against them (computed once, then kept in the file)."""
    data = load(run_dir)
    if data is None:
        return None
    draws = [Draw.model_validate(d) for d in data["draws"]]
    parties = []
    for draw in draws:
        party = concrete.party(draw.party)
        declared = Scenario.model_validate(data["scenario"]).party(draw.party).uncertainty
        parties.append(
            RevealedParty(
                party=draw.party,
                name=party.name,
                weights=draw.weights,
                reservation_value=draw.reservation_value,
                strategy=draw.strategy,
                alternative=draw.alternative,
                values=draw.values,
                note=declared.note if declared is not None else "",
            )
        )
    robust = data.get("robust")
    seat: str = data["seat"]
    if robust is None and person_utility is not None:
        robust = _robust(data, concrete, draws, seat, policy_set, person_utility).model_dump(mode="json")
        data["robust"] = robust
        (run_dir / COUNTERPART).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return Revealed(
        seed=int(data["seed"]),
        parties=parties,
        robust=RobustComparison.model_validate(robust) if robust is not None else None,
    )


def _robust(
    data: dict[str, Any],
    concrete: Scenario,
    draws: list[Draw],
    seat: str,
    policy_set: PolicySet | None,
    person_utility: float,
) -> RobustComparison:
    uncertain = Scenario.model_validate(data["scenario"])
    seed = int(data["seed"])
    report = make_plan(
        uncertain,
        seat,
        backend=_Inline(),
        workers=1,
        counterparts=DEBRIEF_COUNTERPARTS,
        seed=seed + 1,  # other draws than the rehearsal's own counterpart
        policies=policy_set,
    )
    task = RunTask(
        run_id="robust-vs-drawn",
        scenario=concrete.model_dump(mode="json"),
        scenario_sha256=concrete.sha256(),
        source="",
        agents=counterpart_agents(concrete, draws, seat, report.recommended),
        policies=policy_set.model_dump(mode="json") if policy_set is not None else None,
        seed=seed,
        run_dir="",
    )
    result = play(task)
    if result.scorecard is None:
        raise RehearsalError(f"the robust plan could not be played against the drawn counterpart: {result.error}")
    utility = float(result.scorecard["utilities"][seat])
    return RobustComparison(
        plan=report.recommended,
        sample=DEBRIEF_COUNTERPARTS,
        agreement=bool(result.scorecard["agreement"]),
        utility=utility,
        person_utility=person_utility,
        difference=person_utility - utility,
    )


__all__ = ["COUNTERPART", "Revealed", "RevealedParty", "RobustComparison", "prepare", "reveal", "save"]
