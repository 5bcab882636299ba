"""The evaluator's score of an opponent model: Pearson r over the outcome space (sampled, with a fixed
seed, when it is large) and the reservation-value error, from the private profiles."""

from __future__ import annotations

import numpy as np
import pytest

from evals.opponent_models import MAX_OUTCOMES, ModelEstimate, accuracy, compared_outcomes
from pactlab.domain.issues import NumericIssue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario


def _truth(two_party: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(two_party.issues)
    return space, utility_functions(space, {p.id: p.private for p in two_party.parties})


def test_the_true_utility_scores_one_and_its_mirror_minus_one(two_party: Scenario) -> None:
    space, utilities = _truth(two_party)
    me, other = two_party.party_ids
    exact = [list(map(float, t)) for t in utilities[other].tables]
    mirror = [[-x for x in t] for t in exact]
    found = accuracy(
        space,
        utilities,
        [
            ModelEstimate(holder=me, about=other, model="oracle", tables=exact, reservation_value=0.5),
            ModelEstimate(holder=me, about=other, model="mirror", tables=mirror),
        ],
    )
    assert found[0].pearson_r == pytest.approx(1.0) and found[1].pearson_r == pytest.approx(-1.0)
    assert found[0].outcomes_compared == space.cardinality and not found[0].sampled
    rv = utilities[other].reservation_value
    assert found[0].reservation_value == rv and found[0].reservation_error == pytest.approx(abs(0.5 - rv))
    assert found[1].reservation_error is None and "estimates no reservation value" in found[1].note


def test_a_constant_estimate_has_no_correlation_and_a_misfit_is_refused(two_party: Scenario) -> None:
    space, utilities = _truth(two_party)
    me, other = two_party.party_ids
    flat = [[0.5] * n for n in space.shape]
    (found,) = accuracy(space, utilities, [ModelEstimate(holder=me, about=other, model="flat", tables=flat)])
    assert found.pearson_r is None and "undefined" in found.note
    with pytest.raises(ValueError, match="do not fit the outcome space"):
        accuracy(space, utilities, [ModelEstimate(holder=me, about=other, model="x", tables=flat[1:])])
    with pytest.raises(ValueError, match="unknown party"):
        accuracy(space, utilities, [ModelEstimate(holder=me, about="nobody", model="x", tables=flat)])


def test_large_spaces_are_sampled_the_same_way_every_time() -> None:
    space = OutcomeSpace([NumericIssue(id=f"i{k}", minimum=0, maximum=99, step=1) for k in range(3)])
    first, sampled = compared_outcomes(space)
    again, _ = compared_outcomes(space)
    assert sampled and len(first) == MAX_OUTCOMES and np.array_equal(first, again)
    assert first.min() >= 0 and first.max() < space.cardinality
