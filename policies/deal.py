"""The inputs and the result of a rule: a deal (terms and the parties they bind) and a check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pactlab.domain.outcome_space import OutcomeSpace, TermSheet, UtilityFunction
from pactlab.domain.scenario import Scenario


@dataclass(frozen=True)
class Check:
    """The result of one rule on one input."""

    passed: bool
    reason: str


@dataclass(frozen=True)
class Deal:
    """A complete term sheet and the parties it would bind."""

    scenario: Scenario
    space: OutcomeSpace
    utilities: Mapping[str, UtilityFunction]
    terms: TermSheet
    parties: tuple[str, ...]

    def surpluses(self) -> dict[str, float]:
        return {p: self.utilities[p](self.terms) - self.utilities[p].reservation_value for p in self.parties}
