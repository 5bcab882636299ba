"""What every agent at the table is, and what the others rely on.

A negotiator: something that, given its seat and the table, returns an Action. A mediator: at
the ladder's mediation tier, something that tables one negotiating text, given the table and,
if it is one that is told them, the parties' stated preferences. Both may keep reports for the
audit trail. Every other agents module builds on these, so they import nothing else of agents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from pactlab.domain.actions import Action, Propose
from pactlab.domain.constraints import Constraint
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.records import RecordKind
from pactlab.domain.scenario import AgreementRule, Party, Scenario
from pactlab.domain.table import Turn

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Seat:
    """One party's place at the table: the public scenario plus its own private profile.

    `utility` is built from this party's profile only; nothing private of the other parties
    is reachable from a seat (`scenario` is the public view handed to agents).
    """

    party: Party
    scenario_public: dict[str, object]
    space: OutcomeSpace
    utility: UtilityFunction
    seed: int
    position: int = 0
    """The party's place in the scenario's list of parties: what seeds its chance, never its id,
    so that renaming every id changes nothing but the names."""

    @property
    def party_id(self) -> str:
        return self.party.id

    @classmethod
    def for_party(
        cls,
        scenario: Scenario,
        party_id: str,
        seed: int,
        space: OutcomeSpace | None = None,
        mandate: Sequence[Constraint] = (),
    ) -> Seat:
        """The party's seat; `mandate` adds hard constraints (e.g. from the policies) to its own."""
        space = space or OutcomeSpace(scenario.issues)
        party = scenario.party(party_id)
        if mandate:
            profile = party.private.model_copy(update={"constraints": [*party.private.constraints, *mandate]})
            party = party.model_copy(update={"private": profile})
        return cls(
            party=party,
            scenario_public=scenario.public_view(),
            space=space,
            utility=UtilityFunction(space, party.private),
            seed=seed,
            position=scenario.party_ids.index(party_id),
        )


@runtime_checkable
class Negotiator(Protocol):
    """A seat's decision-maker. Strategy negotiators' `act` depends only on the seat and the Turn
    (which makes resume exact); model-backed ones record what they did instead (`Reporting`)."""

    seat: Seat

    def act(self, turn: Turn) -> Action: ...


class CandidateSearch(Protocol):
    """Large outcome spaces: the deal that maximises the weighted Nash product of the stated preferences.

    Given a bargaining weight per party (parties not named weigh 0) and term sheets to leave out, it
    returns candidate term sheets and each party's utility of them (rows; columns in
    `StatedPreferences.parties` order), found by optimisation over the issues rather than by listing."""

    def __call__(
        self, weights: Mapping[str, float], exclude: Sequence[Mapping[str, IssueValue]]
    ) -> tuple[list[dict[str, IssueValue]], FloatArray]: ...


@dataclass(frozen=True)
class StatedPreferences:
    """What the parties told the mediator: candidate deals and each party's utility of them.

    `candidates[i]` is a term sheet; `utilities[i, j]` is party `parties[j]`'s utility of it;
    `reservations[j]` the party's reservation value. The workflow passes the individually
    rational Pareto frontier, so the mediator never searches the whole outcome space. Above the
    size where the frontier is listed (`pactlab.domain.scale`) the candidates are the few points
    the evaluator found, and `search` finds the weighted Nash text itself by optimisation.
    """

    parties: tuple[str, ...]
    candidates: Sequence[Mapping[str, IssueValue]]
    utilities: FloatArray
    reservations: tuple[float, ...]
    rule: AgreementRule | None = None  # the scenario's agreement rule (a quorum lets a text leave a party out)
    search: CandidateSearch | None = None  # large spaces: more candidates on demand (see CandidateSearch)
    excluded: tuple[Mapping[str, IssueValue], ...] = ()  # drafts the deal checks refused: never searched again


@runtime_checkable
class Mediator(Protocol):
    """Tables the single negotiating text at the mediation tier; a function of the public table
    and, for mediators that are given them, the stated preferences."""

    def draft(self, turn: Turn, stated: StatedPreferences | None) -> Propose | None: ...


@dataclass(frozen=True)
class AgentReport:
    """Something an agent did on the way to its action that the audit trail must hold
    (a model call, a fallback, a privacy-screen hit)."""

    kind: RecordKind
    data: dict[str, Any]


@runtime_checkable
class Reporting(Protocol):
    """An agent with reports: the workflow records them after each act(), before the move lands."""

    def take_reports(self) -> list[AgentReport]: ...


def take_reports(agent: object) -> list[AgentReport]:
    """The agent's reports since the last call (none for agents that keep none)."""
    return agent.take_reports() if _reports(type(agent)) and isinstance(agent, Reporting) else []


_REPORTING: dict[type, bool] = {}


def _reports(kind: type) -> bool:
    """Whether agents of class `kind` may keep reports: asked once per class, not at every turn (a
    runtime-checkable Protocol's isinstance walks its members each time)."""
    found = _REPORTING.get(kind)
    if found is None:
        found = _REPORTING[kind] = hasattr(kind, "take_reports")
    return found


@dataclass(frozen=True)
class OpponentEstimate:
    """An agent's final estimate of another party's utility, for the evaluator to score against the truth.

    `tables[k][j]` is the estimated utility contribution of option j of issue k (scenario order;
    the estimated utility of an outcome is their sum); `reservation_value` is None when the model
    estimates none. Never shown to the other parties: the workflow records it at the end of the run.
    """

    about: str
    model: str
    tables: tuple[tuple[float, ...], ...]
    reservation_value: float | None


@runtime_checkable
class OpponentModelling(Protocol):
    """An agent that learns a model of the other parties and can say what it believes at the end."""

    def opponent_estimates(self, turn: Turn) -> list[OpponentEstimate]: ...


def opponent_estimates(agent: object, turn: Turn) -> list[OpponentEstimate]:
    """The agent's opponent-model estimates (none for agents that keep no model)."""
    return agent.opponent_estimates(turn) if isinstance(agent, OpponentModelling) else []
