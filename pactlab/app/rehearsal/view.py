"""What a person in a rehearsal sees: where it stands (`View`) and what a draft move would do (`DraftCheck`).

Both front ends draw from these and nothing else, so the terminal and the page show the same
things. A view shows the public table and the viewer's own side only: another party's
preferences stay private until the debrief.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from agents.human import HUMAN, Mandate, legal_kinds
from evals.scorecard import Scorecard
from pactlab.domain.issues import IssueValue
from pactlab.domain.ladder import public_turn
from pactlab.domain.outcome_space import InvalidOffer, OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, TableRecord, Turn, table_from_record
from pactlab.workflow.state import NegotiationState
from policies import PolicySet, Verdict, mandate_constraints


@dataclass(frozen=True)
class View:
    """Where a rehearsal stands, as the person in it may see it."""

    id: str
    scenario: Scenario
    seat: str | None  # the party the person plays; None when the person only approves agents' moves
    agents: dict[str, str]
    mandates: dict[str, list[str]]
    policy: str | None  # "name version" of the policy set, or None
    table: TableRecord
    moves: list[MoveRecord]
    question: dict[str, Any] | None  # what the run waits for a person to answer
    forked_from: dict[str, Any] | None
    transcript: Path | None
    scorecard: Scorecard | None
    seed: int
    ideal: dict[str, IssueValue] | None = None  # the viewer's best terms within its limits and the policies
    source: str = ""  # where the scenario came from (its file, or the name it was started by), as recorded
    scenario_sha256: str = ""  # the scenario's hash, as the run start's audit record holds it
    drawn: tuple[str, ...] = ()  # parties drawn from their uncertainty block: who they are waits for the debrief

    @classmethod
    def from_state(cls, rid: str, state: NegotiationState, question: dict[str, Any] | None) -> View:
        """The view of a rehearsal's checkpointed state and its pending question (`ideal` left unset)."""
        run = state["run"]
        agents = dict(run["agents"])
        policies = run["policies"]
        return cls(
            id=rid,
            scenario=Scenario.model_validate(run["scenario"]),
            seat=next((p for p, a in agents.items() if a == HUMAN), None),
            agents=agents,
            mandates={p: Mandate.model_validate(m).rules() for p, m in (run.get("mandates") or {}).items()},
            policy=None if policies is None else f"{policies.get('name')} {policies.get('version')}",
            table=state["table"],
            moves=list(state["moves"]),
            question=question,
            forked_from=run.get("forked_from"),
            transcript=Path(run["transcript"]) if run["transcript"] else None,
            scorecard=Scorecard.model_validate(state["scorecard"]) if state.get("scorecard") else None,
            seed=run["seed"],
            source=run.get("scenario_source") or "",
            scenario_sha256=run.get("scenario_sha256") or "",
        )

    @property
    def status(self) -> str:
        return self.table["status"]

    @property
    def finished(self) -> bool:
        return self.table["status"] != "open"

    @property
    def waiting(self) -> str | None:
        """ "move" (the person's turn), "approval" (an agent's move outside its mandate), or None."""
        return None if self.question is None else str(self.question.get("kind"))

    @property
    def viewer(self) -> str | None:
        """Whose side the person is on: their seat, else the first party whose agent they supervise."""
        if self.seat is not None:
            return self.seat
        return next(iter(self.mandates), None)

    @cached_property
    def space(self) -> OutcomeSpace:
        return OutcomeSpace(self.scenario.issues)

    @cached_property
    def own_utility(self) -> UtilityFunction | None:
        """The viewer's own utility function (never another party's: those stay private until the debrief)."""
        if self.viewer is None:
            return None
        return UtilityFunction(self.space, self.scenario.party(self.viewer).private)

    def worth(self, terms: Mapping[str, IssueValue] | None) -> float | None:
        """What a term sheet is worth to the viewer's side."""
        if terms is None or self.own_utility is None:
            return None
        try:
            return self.own_utility(self.space.validate(terms))
        except InvalidOffer:
            return None

    def constraints_broken(self, terms: Mapping[str, IssueValue] | None) -> list[str]:
        """The viewer's own hard constraints that `terms` break."""
        if terms is None or self.viewer is None:
            return []
        constraints = self.scenario.party(self.viewer).private.constraints
        return [str(c) for c in constraints if not c.holds(terms, self.space.by_id)]

    def defaults(self) -> dict[str, IssueValue]:
        """Defaults for a counter-offer: the person's own last offer, else their opening position (their
        best terms within their limits and the policies), else each issue's first option. Never the other
        side's proposal: pressing Enter or Send must not concede anything unnoticed."""
        for move in reversed(self.moves):
            if move["party"] == self.seat and move["kind"] == "propose" and move["terms"] is not None:
                return dict(move["terms"])
        if self.ideal is not None:
            return dict(self.ideal)
        return {issue.id: issue.values()[0] for issue in self.scenario.issues}

    def own_last_offer(self) -> dict[str, IssueValue] | None:
        """The person's own last proposal (what a counter-offer's changes are counted from), if any."""
        for move in reversed(self.moves):
            if move["party"] == self.seat and move["kind"] == "propose" and move["terms"] is not None:
                return dict(move["terms"])
        return None

    def option_value(self, k: int, value: IssueValue) -> float | None:
        """What option `value` of issue number `k` is worth to the viewer on that issue alone, 0–1."""
        utility = self.own_utility
        if utility is None or self.viewer is None:
            return None
        weights = self.scenario.party(self.viewer).private.normalised_weights(self.scenario.issue_ids)
        if weights[k] <= 1e-12:
            return 0.0
        issue = self.scenario.issues[k]
        return float(utility.tables[k][issue.index_of(value)] / weights[k])

    def contribution(self, k: int, value: IssueValue) -> float | None:
        """Option `value`'s weighted contribution to a deal's value to the viewer, 0–1 (the breakdown)."""
        utility = self.own_utility
        if utility is None:
            return None
        return float(utility.tables[k][self.scenario.issues[k].index_of(value)])


@dataclass(frozen=True)
class DraftCheck:
    """A draft move before it is sent: is it well formed, what is it worth, what would the gate say."""

    problems: dict[str, str]  # form field -> what is wrong (empty when the move is well formed)
    message: str | None  # the problems in one sentence
    utility: float | None  # the terms' worth to the person's side (proposal: the draft; accept: the table's)
    reservation: float | None
    table_utility: float | None
    constraints_broken: list[str]  # the person's own hard constraints the terms break
    verdicts: list[Verdict] = field(default_factory=list)
    blocked: str | None = None  # why the policy gate would refuse the move (None: it would pass)
    warnings: list[str] = field(default_factory=list)


def question_turn(view: View) -> Turn:
    """The Turn the waiting question was asked for (enough to validate a move against it)."""
    question = view.question or {}
    table = table_from_record(view.table)
    return public_turn(view.scenario, table, view.moves, str(question.get("party", table.speaker)))


def kinds_allowed(view: View) -> list[str]:
    """The moves the person may make now (empty when it is not their turn)."""
    if view.waiting != "move":
        return []
    return legal_kinds(question_turn(view))


def ideal_terms(scenario: Scenario, party: str, policy_set: PolicySet | None) -> dict[str, IssueValue]:
    """The party's best outcome within its hard limits and the policies' mandate (a counter-offer's first draft)."""
    space = OutcomeSpace(scenario.issues)
    utility = UtilityFunction(space, scenario.party(party).private)
    mask = utility.constraint_mask()
    for constraint in mandate_constraints(policy_set, scenario) if policy_set is not None else []:
        mask &= constraint.mask(space.issue_column, space.by_id)
    values = utility.over_space()
    best = int(np.argmax(np.where(mask, values, -np.inf))) if mask.any() else int(np.argmax(values))
    return dict(space.term_sheet(best).terms)


__all__ = ["DraftCheck", "View", "ideal_terms", "kinds_allowed", "question_turn"]
