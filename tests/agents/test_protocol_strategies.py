"""Strategy agents under the stacked and mediated protocols on generated six-party quorum-with-veto games."""

from __future__ import annotations

import pytest

from benchmarks.protocols import run, with_kind
from benchmarks.quorum_games import PASSING, SIZES, passing_mask, quorum_game
from pactlab.domain.scenario import ProtocolKind


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_generator_makes_valid_quorum_games(seed: int) -> None:
    scenario = quorum_game(seed)
    assert scenario == quorum_game(seed)  # seeded
    assert len(scenario.parties) == 6 and [len(i.values()) for i in scenario.issues] == list(SIZES)
    rule = scenario.protocol.agreement
    assert rule.kind == "quorum" and rule.quorum == 5 and rule.veto == scenario.party_ids[:2]
    share = float(passing_mask(scenario).mean())
    assert PASSING[0] <= share <= PASSING[1]
    for party in scenario.parties:  # integer points: utilities are multiples of 1 / (range of totals)
        assert 0 < party.private.reservation_value < 1


@pytest.mark.parametrize("kind", ["stacked", "mediated"])
@pytest.mark.parametrize("game", [0, 1])
def test_agents_close_the_games_and_every_deal_passes_the_rule(kind: ProtocolKind, game: int) -> None:
    result = run(with_kind(quorum_game(game), kind), seeds=2, mixed=False)
    assert result.agreements == 2
    assert result.passing == result.agreements
