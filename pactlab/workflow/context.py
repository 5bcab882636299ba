"""What the graph's nodes need besides the state: the scenario, the outcome space, the agents."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.base import Negotiator, Seat
from agents.mediator import Mediator, NashMediator, StatedPreferences, make_mediator
from agents.registry import make_negotiator
from evals.audit import AuditWriter, FsyncPolicy
from evals.audit.tree_heads import TreeHeads
from evals.identity import OPERATOR, Keyring
from evals.optimise import LargeSpace, deadline_after
from evals.scorecard import OutcomeAnalysis, analyse
from pactlab.domain import progress
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.records import RecordKind
from pactlab.domain.scenario import Scenario
from pactlab.workflow.signing import keyring_for, seat_person
from pactlab.workflow.state import RunSpec
from policies import PolicySet, mandate_constraints

MEDIATOR_SECONDS: float = 20.0
"""Large spaces: at most this long for the mediator's search of one draft (the best text found by then)."""


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
    mediator: Mediator = field(default_factory=NashMediator)
    spec: RunSpec | None = None
    commit_at_checkpoint: bool = False
    """Whether the checkpointer commits the audit trail before it writes (`pactlab.workflow.runner`): then
    the nodes' commit points only mark how far it must commit, and it runs the fsync off the graph's
    critical path. A node that records ends with `commit()` (or seals, which is durable itself)."""
    commit_mark: int = 0
    """Records the next checkpoint needs on disk: those written up to the last node's commit point."""
    _analysis: OutcomeAnalysis | None = field(default=None, repr=False)
    _tree_heads: TreeHeads | None = field(default=None, repr=False)

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
            audit=_writer(spec),
            mediator=make_mediator(spec.get("mediator", "nash"), scenario, space),
            spec=spec,
            _analysis=analysis,
        )

    @property
    def keyring(self) -> Keyring | None:
        return None if self.audit is None else self.audit.keyring

    def seat_person(self, party: str, name: str, key: str) -> None:
        """Record who sits at `party`'s seat from now on (an ``identity`` record), unless they already do."""
        if self.audit is None or self.audit.keyring.seated_name(party) == name:
            return
        data = seat_person(self.audit.keyring, self.spec, party, name)
        self.record("identity", OPERATOR, data, key)

    def record(self, kind: RecordKind, actor: str, data: dict[str, Any], key: str) -> None:
        """Append to the audit trail before the workflow moves on (keyed, so replays add nothing)."""
        if self.audit is not None:
            self.audit.write(kind, actor, data, key=key)

    def end_round(self, round_: int) -> None:
        """A round ended: the operator signs the transcript's Merkle tree head (keyed, so replays add nothing)."""
        if self.audit is not None:
            if self._tree_heads is None or self._tree_heads.writer is not self.audit:
                self._tree_heads = TreeHeads(self.audit)
            self._tree_heads.issue(round_)

    def commit(self) -> None:
        """The superstep's group commit: its records reach the disk before the checkpoint is written.

        When the checkpointer does it, just before it writes (`commit_at_checkpoint`), only marks how far."""
        if self.audit is None:
            return
        if self.commit_at_checkpoint:
            self.commit_mark = self.audit.records
        else:
            self.audit.commit()

    def checkpoint_commit(self) -> None:
        """The checkpointer's commit: every record up to the last commit point on disk (one fsync, if any is due)."""
        if self.audit is not None:
            self.audit.commit(self.commit_mark)

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

    @cached_property
    def stated_preferences(self) -> StatedPreferences:
        """What the default mediator is told: the Pareto-frontier deals within the policies' mandate."""
        frontier = self.analysis.frontier
        outcomes = frontier.outcomes
        keep = np.ones(len(outcomes), dtype=bool)
        for negotiator in self.negotiators.values():  # seats carry the policies' mandate as constraints
            keep &= negotiator.seat.utility.constraint_mask(outcomes)
        return StatedPreferences(
            parties=frontier.parties,
            candidates=TermSheets(self.space, outcomes[keep]),
            utilities=frontier.utilities[keep],
            reservations=tuple(self.utilities[p].reservation_value for p in frontier.parties),
            rule=self.scenario.protocol.agreement,
            search=None if self.analysis.large is None else self._nash_search,
        )

    @cached_property
    def _mandated_space(self) -> LargeSpace:
        """Large spaces: the optimisation model with every seat's constraints (the policies' mandate included)."""
        seats = {p: self.negotiators[p].seat.utility for p in self.scenario.party_ids}
        return LargeSpace(self.space, seats, self.scenario.protocol.agreement)

    def _nash_search(
        self, weights: Mapping[str, float], exclude: Sequence[Mapping[str, IssueValue]]
    ) -> tuple[list[dict[str, IssueValue]], npt.NDArray[np.float64]]:
        """The mediator's search in a large space: the weighted Nash text by optimisation (`CandidateSearch`)."""
        model = self._mandated_space
        left_out = [self.space.index_of(self.space.validate(t)) for t in exclude]
        with progress.task("mediator: weighted Nash text"):
            outcome = model.weighted_nash(
                [weights.get(p, 0.0) for p in model.parties], deadline_after(MEDIATOR_SECONDS), left_out
            )
        if outcome is None:
            return [], np.zeros((0, len(model.parties)))
        utilities = np.array([[self.utilities[p].of_outcomes(np.array([outcome]))[0] for p in model.parties]])
        return [dict(self.space.term_sheet(outcome).terms)], utilities


def _writer(spec: RunSpec) -> AuditWriter | None:
    """The run's audit writer, signing with the run's keys (the people seated so far seated again)."""
    if not spec["transcript"]:
        return None
    wanted = spec.get("audit_fsync")
    fsync: FsyncPolicy = "seal" if wanted == "seal" else "step" if wanted == "step" else "record"
    writer = AuditWriter(spec["transcript"], fsync=fsync, keyring=keyring_for(spec))
    if writer.declared:
        for name, identity in writer.declared.items():
            if identity.get("role") == "person" and name not in writer.keyring.keys:
                seat_person(writer.keyring, spec, str(identity["seat"]), str(identity["display_name"]))
    return writer


@dataclass(frozen=True)
class TermSheets(Sequence[dict[str, IssueValue]]):
    """Outcome indices read as term sheets on demand (a frontier can be long)."""

    space: OutcomeSpace
    outcomes: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, i: int) -> dict[str, IssueValue]:  # type: ignore[override]
        return dict(self.space.term_sheet(int(self.outcomes[i])).terms)

    def __iter__(self) -> Iterator[dict[str, IssueValue]]:
        return (self[i] for i in range(len(self)))
