"""The opponent models: the Bayesian model learns what a conceding opponent values, beats its uniform
prior, is a pure function of the public moves, is chosen by the strategy's `model` parameter and
leaves the default (frequency) strategy's moves as they were."""

from __future__ import annotations

import numpy as np
import pytest

from agents.base import Seat, opponent_estimates
from agents.registry import make_negotiator, parse_spec
from agents.strategies.bayesian_opponent import BayesianModel, Belief, evaluation_hypotheses
from agents.strategies.opponent import Estimate, FrequencyModel, History
from agents.strategies.pareto_seeking import ParetoSeekingNegotiator
from evals.opponent_models import ModelEstimate, accuracy
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue
from pactlab.domain.ladder import public_turn
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.preferences import PrivateProfile
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, opening_table

ROUNDS = 10
ISSUES = [
    NumericIssue(id="price", minimum=0, maximum=4, step=1, integer=True),  # ordered: the true shape is downhill
    CategoricalIssue(id="colour", options=["red", "green", "blue"]),  # unordered: green is the best
    BooleanIssue(id="warranty"),  # yes is better: uphill
]
TRUE_WEIGHTS = {"price": 6.0, "colour": 3.0, "warranty": 1.0}
TRUE_SHAPES = [[1.0, 0.75, 0.5, 0.25, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0]]


@pytest.fixture(scope="module")
def case() -> tuple[OutcomeSpace, UtilityFunction, list[MoveRecord]]:
    """A three-issue opponent conceding along its true utility: at round i it bids the outcome (not bid
    before) whose utility is closest to 1 - 0.5 i / ROUNDS."""
    space = OutcomeSpace(ISSUES)
    profile = PrivateProfile.model_validate(
        {
            "reservation_value": 0.5,
            "weights": TRUE_WEIGHTS,
            "values": {
                "price": {"linear": "down"},
                "colour": {"red": 0, "green": 1, "blue": 0},
                "warranty": {"true": 1, "false": 0},
            },
        }
    )
    truth = UtilityFunction(space, profile)
    utils = truth.over_space()
    moves: list[MoveRecord] = []
    used: set[int] = set()
    for i in range(ROUNDS):
        order = np.argsort(np.abs(utils - (1 - 0.5 * i / ROUNDS)), kind="stable")
        index = int(next(o for o in order if int(o) not in used))
        used.add(index)
        terms = dict(space.term_sheet(index).terms)
        moves.append(
            MoveRecord(
                turn=2 * i, round=i, party="them", kind="propose", terms=terms, message="", rationale="", reason=""
            )
        )
    return space, truth, moves


def _belief(space: OutcomeSpace, moves: list[MoveRecord]) -> tuple[BayesianModel, Belief]:
    history = History(space)
    history.sync(moves)
    model = BayesianModel(space, ROUNDS)
    belief = model.belief(history, "them")
    assert belief is not None
    return model, belief


def test_the_hypotheses_are_the_papers_shapes_and_a_comparable_space_for_unordered_options() -> None:
    ordered = evaluation_hypotheses(ISSUES[0], 5).tolist()
    assert [1.0, 0.75, 0.5, 0.25, 0.0] in ordered and [0.0, 0.25, 0.5, 0.75, 1.0] in ordered  # down-, uphill
    assert [0.0, 1.0, 2 / 3, 1 / 3, 0.0] in ordered and len(ordered) == 5  # + triangular, peaks 1..3
    unordered = evaluation_hypotheses(ISSUES[1], 3).tolist()
    assert len(unordered) == 6 and [0.0, 1.0, 0.0] in unordered and [1.0, 0.0, 1.0] in unordered
    assert len(evaluation_hypotheses(NumericIssue(id="x", minimum=0, maximum=100, step=1), 101)) == 2 + 9  # bounded


def test_bids_move_probability_toward_the_true_hypotheses(
    case: tuple[OutcomeSpace, UtilityFunction, list[MoveRecord]],
) -> None:
    space, _, moves = case
    model, posterior = _belief(space, moves)
    prior = model.prior()
    for k, shape in enumerate(TRUE_SHAPES):
        true_h = [row.tolist() for row in model.hypotheses[k]].index(shape)
        assert posterior.evaluations[k][true_h] > prior.evaluations[k][true_h]
        assert int(np.argmax(posterior.evaluations[k])) == true_h
    weights = posterior.expected_weights()
    assert weights[2] < min(weights[0], weights[1])  # the least important issue is found least important
    assert prior.expected_weights().tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_the_posterior_beats_the_uniform_prior(case: tuple[OutcomeSpace, UtilityFunction, list[MoveRecord]]) -> None:
    space, truth, moves = case
    model, posterior = _belief(space, moves)

    def pearson(belief: Belief) -> float:
        est = belief.estimate()
        found = ModelEstimate(holder="us", about="them", model="bayes", tables=[list(t) for t in est.tables])
        r = accuracy(space, {"us": truth, "them": truth}, [found])[0].pearson_r
        assert r is not None
        return r

    assert pearson(posterior) > 0.9
    assert pearson(posterior) > pearson(model.prior()) + 0.5


def test_the_model_is_a_pure_function_of_the_moves(
    case: tuple[OutcomeSpace, UtilityFunction, list[MoveRecord]],
) -> None:
    space, _, moves = case
    history = History(space)
    model = BayesianModel(space, ROUNDS)
    for n in range(1, len(moves) + 1):  # step by step, as during a run
        history.sync(moves[:n])
        model.estimate(history, "them")
    _, whole = _belief(space, moves)  # at once, as after a resume
    assert _plain(model.estimate(history, "them")) == _plain(whole.estimate())
    history.sync(moves[:3])  # a shorter record (another branch): the model starts over
    assert _plain(model.estimate(history, "them")) == _plain(_belief(space, moves[:3])[1].estimate())


def _plain(est: Estimate | None) -> tuple[list[list[float]], float | None]:
    assert est is not None
    return [t.tolist() for t in est.tables], est.reservation


def test_the_frequency_model_is_the_one_the_strategy_always_used(
    case: tuple[OutcomeSpace, UtilityFunction, list[MoveRecord]],
) -> None:
    space, _, moves = case
    history = History(space)
    history.sync(moves)
    found = FrequencyModel(0.5).estimate(history, "them")
    assert found is not None and found.reservation is None
    assert [t.tolist() for t in found.tables] == [t.tolist() for t in history.parties["them"].estimate(0.5)]
    assert FrequencyModel().estimate(history, "nobody") is None


def test_the_model_parameter(two_party: Scenario) -> None:
    assert parse_spec("pareto(model=bayes)") == ("pareto", {"model": "bayes"})
    with pytest.raises(ValueError, match="model must be one of frequency, bayes"):
        parse_spec("pareto(model=oracle)")
    seat = Seat.for_party(two_party, two_party.party_ids[0], seed=1)
    default = make_negotiator("pareto", seat)
    assert isinstance(default, ParetoSeekingNegotiator) and default.model.name == "frequency"
    assert default.spec == "pareto(e=0.5, combine=product, learning_rate=1, band=0.1)"  # as before
    bayes = make_negotiator("pareto(model=bayes)", seat)
    assert isinstance(bayes, ParetoSeekingNegotiator) and bayes.model.name == "bayes"
    assert bayes.spec.endswith(", model=bayes)")
    assert make_negotiator(bayes.spec, seat).spec == bayes.spec


def test_agents_hand_in_their_estimates_of_the_others_only(two_party: Scenario) -> None:
    me, other = two_party.party_ids
    space = OutcomeSpace(two_party.issues)
    seat = Seat.for_party(two_party, me, seed=1, space=space)
    negotiator = make_negotiator("pareto(model=bayes)", seat)
    table = opening_table(two_party)
    assert opponent_estimates(negotiator, public_turn(two_party, table, [], me)) == []  # nobody proposed yet
    theirs = dict(space.term_sheet(0).terms)
    mine = dict(space.term_sheet(1).terms)
    moves = [
        MoveRecord(turn=0, round=0, party=me, kind="propose", terms=mine, message="", rationale="", reason=""),
        MoveRecord(turn=1, round=0, party=other, kind="propose", terms=theirs, message="", rationale="", reason=""),
    ]
    found = opponent_estimates(negotiator, public_turn(two_party, table, moves, me))
    assert [(e.about, e.model) for e in found] == [(other, "bayes")]
    assert [len(t) for t in found[0].tables] == list(space.shape)
    assert found[0].reservation_value is not None and 0 <= found[0].reservation_value <= 1
    assert opponent_estimates(make_negotiator("boulware", seat), public_turn(two_party, table, moves, me)) == []
