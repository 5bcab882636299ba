"""Concrete counterparts drawn from a scenario's uncertainty blocks (`pactlab.domain.uncertainty`), seeded."""

from __future__ import annotations

import numpy as np

from pactlab.domain.scenario import Scenario
from pactlab.domain.uncertainty import Draw, draw_profile


def uncertain_parties(scenario: Scenario, seat: str | None = None) -> list[str]:
    """The parties (but `seat`) that declare an uncertainty block, in scenario order."""
    return [p.id for p in scenario.parties if p.id != seat and p.uncertainty is not None and not p.uncertainty.empty]


_MASK = 0xFFFF_FFFF_FFFF_FFFF


def draw_counterparts(
    scenario: Scenario, seed: int, *, seat: str | None = None, index: int = 0
) -> tuple[Scenario, list[Draw]]:
    """A concrete scenario for (`seed`, `index`): each uncertain party but `seat` drawn, uncertainty removed.

    The result is the scenario a run plays: the drawn parties' `private` profiles replace the
    nominal ones, and no party carries an uncertainty block any more.
    """
    draws: list[Draw] = []
    parties = []
    for position, party in enumerate(scenario.parties):
        if party.id in uncertain_parties(scenario, seat):
            assert party.uncertainty is not None
            rng = np.random.default_rng([seed & _MASK, index & _MASK, position])
            profile, drawn = draw_profile(party.uncertainty, party.private, scenario.issues, rng)
            draws.append(Draw(party=party.id, seed=seed, index=index, **drawn))
            party = party.model_copy(update={"private": profile, "uncertainty": None})
        elif party.uncertainty is not None:
            party = party.model_copy(update={"uncertainty": None})
        parties.append(party)
    return scenario.model_copy(update={"parties": parties}), draws


__all__ = ["draw_counterparts", "uncertain_parties"]
