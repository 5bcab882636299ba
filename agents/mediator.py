"""The mediator of the ladder's mediation tier: one negotiating text that the parties amend.

The single-negotiating-text procedure: the mediator tables a draft, the parties accept it or
amend it (a counter-proposal) or reject it, and at the next round the mediator tables a
revised draft. The default `NashMediator` drafts the Nash bargaining solution of the parties'
stated preferences — the outcome on the Pareto frontier that maximises the product of their
surpluses over their reservation values — and revises toward the parties that objected: each
objection (amendment or rejection) at the mediation tier raises that party's bargaining weight
by one, and the revision is the asymmetric Nash solution with those weights. Every draft is
individually rational for every party at the table.

Large outcome spaces (no listed frontier): the stated preferences carry a search
(`agents.base.CandidateSearch`) that finds the weighted Nash text by optimisation over the issues,
with the same weights; the same choice rule then picks among it and the few stated candidates.

What a mediator is and what it is told (`Mediator`, `StatedPreferences`) are in `agents.base`,
with the other agents' protocols; this module re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from agents.base import FloatArray, Mediator, StatedPreferences
from pactlab.domain.actions import Propose
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.scenario import AgreementRule, Scenario
from pactlab.domain.table import MEDIATOR, Turn
from pactlab.domain.tolerance import UTILITY_TOLERANCE


class NashMediator:
    """Drafts the (asymmetric) Nash bargaining solution of the parties' stated preferences."""

    name = "nash"

    def objections(self, turn: Turn) -> dict[str, int]:
        """Amendments and rejections per party since the mediation tier began."""
        start = turn.tier.start_round if turn.tier is not None else 0
        counts = dict.fromkeys(turn.parties_at_table, 0)
        for move in turn.moves:
            if move["round"] >= start and move["party"] in counts and move["kind"] in ("propose", "reject"):
                counts[move["party"]] += 1
        return counts

    def _quorum_text(
        self, stated: StatedPreferences, parties: list[str], gains: FloatArray, weights: FloatArray
    ) -> int | None:
        """Under a quorum rule, when no candidate clears every party's reservation value: the candidate whose
        needed coalition (the veto holders and the best-off others, as many as the quorum asks) has the largest
        weighted Nash product; ties to the first candidate. None under unanimity, or if no candidate passes."""
        rule = stated.rule
        if rule is None or rule.kind != "quorum":
            return None
        best: tuple[float, int] | None = None
        for i in range(len(gains)):
            score = _coalition_score(rule, parties, gains[i], weights)
            if score is not None and (best is None or score > best[0]):
                best = (score, i)
        return None if best is None else best[1]

    def draft(self, turn: Turn, stated: StatedPreferences | None) -> Propose | None:
        if stated is None or (not stated.candidates and stated.search is None):
            return None
        at_table = [j for j, p in enumerate(stated.parties) if p in turn.parties_at_table]
        objections = self.objections(turn)
        weights = np.asarray([1.0 + objections.get(stated.parties[j], 0) for j in at_table])
        candidates, utilities = self._candidates(
            stated, {stated.parties[j]: float(w) for j, w in zip(at_table, weights, strict=True)}
        )
        if not candidates:
            return None
        gains = utilities[:, at_table] - np.asarray(stated.reservations)[at_table]
        rational = np.flatnonzero((gains > 0).all(axis=1))
        if len(rational) > 0:
            score = (np.log(gains[rational]) * weights).sum(axis=1)
            best = int(rational[int(np.argmax(score))])
        else:
            quorum = self._quorum_text(stated, [stated.parties[j] for j in at_table], gains, weights)
            if quorum is None:
                return None
            best = quorum
        # The text is public: its rationale names the method, never a party's private figures.
        if any(objections.values()):
            objected = ", ".join(f"{p} ({n})" for p, n in objections.items() if n)
            rationale = (
                "Revised single negotiating text: the asymmetric Nash bargaining solution of the parties' stated "
                f"preferences, giving more weight to the parties that objected to earlier drafts: {objected}."
            )
            message = "Here is a revised text that takes your objections into account. Please accept it or amend it."
        else:
            rationale = (
                "Single negotiating text: the Nash bargaining solution of the parties' stated preferences (the deal "
                "on the Pareto frontier that maximises the product of every party's surplus over its reservation "
                "value)."
            )
            message = "As mediator I propose this single negotiating text. Please accept it or amend it."
        return Propose(terms=dict(candidates[best]), message=message, rationale=rationale)

    def _candidates(
        self, stated: StatedPreferences, weights: dict[str, float]
    ) -> tuple[list[Mapping[str, IssueValue]], FloatArray]:
        """The stated candidates, plus in a large space the weighted Nash text found by `stated.search`."""
        candidates: list[Mapping[str, IssueValue]] = list(stated.candidates)
        utilities = stated.utilities
        if stated.search is not None:
            found, found_utilities = stated.search(weights, stated.excluded)
            if found:
                candidates += found
                utilities = np.vstack([utilities.reshape(-1, len(stated.parties)), found_utilities])
        return candidates, utilities


def _coalition_score(rule: AgreementRule, parties: list[str], gains: FloatArray, weights: FloatArray) -> float | None:
    """The weighted log Nash product of the coalition a quorum rule needs, for one candidate (None: no coalition
    of parties at or above their reservation values meets the rule)."""
    rational = [j for j in range(len(parties)) if gains[j] >= -UTILITY_TOLERANCE]
    if not rule.met({parties[j] for j in rational}, parties):
        return None
    vetoes = [j for j in rational if parties[j] in rule.veto]
    others = sorted((j for j in rational if parties[j] not in rule.veto), key=lambda j: (-gains[j], j))
    size = max((rule.quorum or len(parties)) - len(vetoes), 0)
    coalition = vetoes + others[:size]
    floor = UTILITY_TOLERANCE  # a party exactly at its reservation value counts, barely
    return float(sum(weights[j] * np.log(max(float(gains[j]), floor)) for j in coalition))


def _llm_mediator(scenario: Scenario, space: OutcomeSpace) -> Mediator:
    from agents.llm.mediator import LLMMediator  # imported on use: the openai SDK is slow to import

    return LLMMediator(scenario, space)


MEDIATORS: dict[str, Callable[[Scenario, OutcomeSpace], Mediator]] = {
    "nash": lambda scenario, space: NashMediator(),
    "llm": _llm_mediator,
}
"""Mediators by name: the default Nash mediator, and a chat model that reads the public table only."""


def make_mediator(name: str, scenario: Scenario, space: OutcomeSpace) -> Mediator:
    if name not in MEDIATORS:
        raise ValueError(f"unknown mediator {name!r}; mediators: {', '.join(MEDIATORS)}")
    return MEDIATORS[name](scenario, space)


__all__ = ["MEDIATOR", "MEDIATORS", "Mediator", "NashMediator", "StatedPreferences", "make_mediator"]
