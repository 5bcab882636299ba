"""What every negotiator is: something that, given its seat and the table, returns an Action."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pactlab.domain.actions import Action
from pactlab.domain.constraints import Constraint
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Party, Scenario
from pactlab.domain.table import Turn


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
        )


@runtime_checkable
class Negotiator(Protocol):
    """A seat's decision-maker. Strategy negotiators' `act` depends only on the seat and the Turn
    (which makes resume exact); model-backed ones record what they did instead (`Reporting`)."""

    seat: Seat

    def act(self, turn: Turn) -> Action: ...


@dataclass(frozen=True)
class AgentReport:
    """Something an agent did on the way to its action that the audit trail must hold
    (a model call, a fallback, a privacy-screen hit)."""

    kind: str
    data: dict[str, Any]


@runtime_checkable
class Reporting(Protocol):
    """An agent with reports: the workflow records them after each act(), before the move lands."""

    def take_reports(self) -> list[AgentReport]: ...


def take_reports(agent: object) -> list[AgentReport]:
    """The agent's reports since the last call (none for agents that keep none)."""
    return agent.take_reports() if isinstance(agent, Reporting) else []
