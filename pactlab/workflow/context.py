"""What the graph's nodes need besides the state: the scenario, the outcome space, the agents."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from agents.base import Negotiator, Seat
from agents.registry import make_negotiator
from evals.audit import AuditWriter
from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.scenario import Scenario
from pactlab.workflow.state import RunSpec
from policies import PolicySet, mandate_constraints


@dataclass
class NegotiationContext:
    """Run-scoped dependencies, rebuilt from the RunSpec on start and on resume."""

    scenario: Scenario
    space: OutcomeSpace
    negotiators: dict[str, Negotiator]
    seed: int
    rounds_per_step: int = 1
    policy_set: PolicySet | None = None
    audit: AuditWriter | None = None
    _analysis: OutcomeAnalysis | None = field(default=None, repr=False)

    @classmethod
    def from_spec(cls, spec: RunSpec, analysis: OutcomeAnalysis | None = None) -> NegotiationContext:
        scenario = Scenario.model_validate(spec["scenario"])
        space = OutcomeSpace(scenario.issues)
        policy_set = PolicySet.model_validate(spec["policies"]) if spec["policies"] else None
        mandate = mandate_constraints(policy_set, scenario) if policy_set is not None else []
        negotiators = {
            party: make_negotiator(spec["agents"][party], Seat.for_party(scenario, party, spec["seed"], space, mandate))
            for party in scenario.party_ids
        }
        return cls(
            scenario=scenario,
            space=space,
            negotiators=negotiators,
            seed=spec["seed"],
            rounds_per_step=spec["rounds_per_step"],
            policy_set=policy_set,
            audit=AuditWriter(spec["transcript"]) if spec["transcript"] else None,
            _analysis=analysis,
        )

    def record(self, kind: str, actor: str, data: dict[str, Any], key: str) -> None:
        """Append to the audit trail before the workflow moves on (keyed, so replays add nothing)."""
        if self.audit is not None:
            self.audit.append(kind, actor, data, key=key)

    def close(self) -> None:
        if self.audit is not None:
            self.audit.close()

    @cached_property
    def utilities(self) -> dict[str, UtilityFunction]:
        """Every party's utility function: the gate judges for the operator, who holds all profiles."""
        return {p.id: UtilityFunction(self.space, p.private) for p in self.scenario.parties}

    @cached_property
    def analysis(self) -> OutcomeAnalysis:
        """The outcome-space analysis (frontier, bargaining points), computed once per run."""
        return self._analysis if self._analysis is not None else analyse(self.scenario)

