"""Offers in large outcome spaces (`agents.strategies.offer_search`) and the mediator's large-space search.

The search is checked against brute force on spaces small enough to enumerate: its offer is the
best for the others (under the given opponent tables) among the outcomes in the own-utility band,
within the hard constraints and never one the gate refused; the product's linearisation stays
close to the true best. Negotiators forced onto the large-space path play legal, deterministic
games; in a real 10^8-outcome space the searched offer beats every candidate-set offer in the band.
The mediator's weighted Nash text equals the brute-force asymmetric Nash solution.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict

import numpy as np
import pytest

from agents.base import Seat, StatedPreferences
from agents.mediator import NashMediator
from agents.registry import make_negotiator
from agents.strategies.offer_book import offer_book
from agents.strategies.offer_search import OfferSearch
from agents.strategies.pareto_seeking import ParetoSeekingNegotiator
from benchmarks import generated_scenario
from evals.optimise import LargeSpace, deadline_after
from pactlab.domain.actions import Propose
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.table import Turn, move_record
from tests.agents.test_strategies import generated, play

offer_book_module = importlib.import_module("agents.strategies.offer_book")  # the package re-exports a function
CONSTRAINTS = {0: ["i0 not in [v0, v1]", "if i1 in [v0, v1] then i2 == v3"], 1: ["i3 != v4"]}


def _tables(rng: np.random.Generator, shape: tuple[int, ...]) -> list[np.ndarray]:
    weights = rng.random(len(shape)) + 0.05
    weights /= weights.sum()
    return [w * (0.1 + 0.9 * rng.random(n)) for w, n in zip(weights, shape, strict=True)]


def _estimate(space: OutcomeSpace, tables: list[np.ndarray], outcomes: np.ndarray) -> np.ndarray:
    picks = [(outcomes // s) % n for s, n in zip(space.strides, space.shape, strict=True)]
    return np.asarray(sum(t[picks[k]] for k, t in enumerate(tables)), dtype=np.float64)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_search_is_the_best_offer_for_the_others_in_the_band(seed: int) -> None:
    scenario = generated(n_issues=4, n_values=6, n_parties=3, seed=seed, constraints=CONSTRAINTS)
    space = OutcomeSpace(scenario.issues)
    utility = UtilityFunction(space, scenario.parties[0].private)
    search = OfferSearch(space, utility)
    rng = np.random.default_rng(seed)
    every = np.arange(space.cardinality, dtype=np.int64)
    own = utility.of_outcomes(every)
    legal = utility.constraint_mask(every)
    others = [_tables(rng, space.shape), _tables(rng, space.shape)]
    for lo in (0.3, 0.5, 0.7):
        hi = lo + 0.05
        band = legal & (own >= lo - 1e-9) & (own <= hi + 1e-9)
        if not band.any():
            assert search.best(lo, hi, others, "sum", set(), rng) is None
            continue
        total = _estimate(space, others[0], every) + _estimate(space, others[1], every)
        found = search.best(lo, hi, others, "sum", set(), rng)
        assert found is not None and band[found]
        assert total[found] >= total[band].max() - 1e-9  # the sum is linear: exactly the best
        # the gate refused it: the next best, never the refused one
        second = search.best(lo, hi, others, "sum", {found}, rng)
        rest = band.copy()
        rest[found] = False
        if rest.any():
            assert second is not None and second != found and rest[second]
            assert total[second] >= total[rest].max() - 1e-9
        # the product, linearised then refined by sampling: within 2 % of the true best
        product = _estimate(space, others[0], every) * _estimate(space, others[1], every)
        found = search.best(lo, hi, others, "product", set(), rng)
        assert found is not None and band[found]
        assert product[found] >= 0.98 * product[band].max()


@pytest.fixture
def large_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small spaces take the large-space path (a candidate set and the search), with an empty book cache."""
    monkeypatch.setattr(offer_book_module, "book_enumerable", lambda _n: False)
    monkeypatch.setattr(offer_book_module, "_BOOKS", OrderedDict())


@pytest.mark.usefixtures("large_path")
@pytest.mark.parametrize("agents", [("pareto", "pareto", "pareto"), ("boulware", "pareto", "conceder")])
def test_large_path_negotiators_play_legal_deterministic_games(agents: tuple[str, str, str]) -> None:
    scenario = generated(n_issues=4, n_values=6, n_parties=3, seed=5, constraints=CONSTRAINTS)
    lineup = dict(zip(scenario.party_ids, agents, strict=True))
    first = play(scenario, lineup, seed=3)
    assert first.status in ("agreement", "impasse")
    proposals = 0
    for turn, action in first.log:
        if isinstance(action, Propose):
            proposals += 1
            utility = first.utility(turn.party)
            sheet = first.space.validate(action.terms)
            assert utility.satisfies_constraints(sheet)
            assert utility(sheet) >= utility.reservation_value - 1e-9
    assert proposals > 3
    again = play(scenario, lineup, seed=3)
    assert [a.model_dump() for _, a in again.log] == [a.model_dump() for _, a in first.log]


def test_in_a_large_space_the_search_beats_the_candidate_set() -> None:
    scenario = generated_scenario(10**8, 3, seed=2)
    space = OutcomeSpace(scenario.issues)
    seats = {p: Seat.for_party(scenario, p, 1, space) for p in scenario.party_ids}
    me, *others = scenario.party_ids
    agent = make_negotiator("pareto", seats[me])
    assert isinstance(agent, ParetoSeekingNegotiator) and not agent.book.enumerated
    moves = []
    rounds = scenario.protocol.max_rounds
    for n, party in enumerate(others):
        best = int(offer_book(seats[party]).order[-1])
        moves.append(move_record(n, 0, party, Propose(terms=space.term_sheet(best).terms)))
    turn = Turn(
        party=me,
        round=rounds // 2,
        max_rounds=rounds,
        turn=len(moves),
        parties_at_table=tuple(scenario.party_ids),
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
        moves=tuple(moves),
    )
    agent.history.sync(turn.moves)
    level = agent.level(turn)
    per_opponent, combine, band = agent.search_spec(turn)
    assert combine == "product" and len(per_opponent) == 2
    offer = agent.offer(turn, level)
    book = agent.book
    own = float(book.utils[offer])
    assert level.target - 1e-9 <= own <= level.target + band + 1e-9
    lo = book.position_at(level.target)
    hi = int(np.searchsorted(book.sorted_utils, level.target + band, side="right"))
    window = book.order[lo:hi]
    estimate = np.prod([_estimate(space, list(t), window) for t in per_opponent], axis=0)
    mine = np.prod([_estimate(space, list(t), np.array([offer]))[0] for t in per_opponent])
    assert mine >= estimate.max() - 1e-12  # at least as good for the others as any candidate in the band
    assert agent.offer(turn, level) == offer  # deterministic


@pytest.mark.parametrize("weights", [(1.0, 1.0, 1.0), (3.0, 1.0, 2.0)])
def test_the_weighted_nash_text_is_the_asymmetric_nash_solution(weights: tuple[float, float, float]) -> None:
    scenario = generated(n_issues=4, n_values=5, n_parties=3, seed=11, constraints=CONSTRAINTS, reservation=0.35)
    space = OutcomeSpace(scenario.issues)
    utilities = {p.id: UtilityFunction(space, p.private) for p in scenario.parties}
    model = LargeSpace(space, utilities)
    every = np.arange(space.cardinality, dtype=np.int64)
    gains = np.stack([u.of_outcomes(every) - u.reservation_value for u in utilities.values()], axis=1)
    legal = np.all([u.constraint_mask(every) for u in utilities.values()], axis=0) & (gains > 0).all(axis=1)
    score = np.full(space.cardinality, -np.inf)
    score[legal] = (np.log(gains[legal]) * np.asarray(weights)).sum(axis=1)
    found = model.weighted_nash(weights, deadline_after(None))
    assert found is not None and legal[found]
    assert score[found] >= score.max() - 1e-7
    second = model.weighted_nash(weights, deadline_after(None), exclude=[found])
    assert second is not None and second != found
    score[found] = -np.inf
    assert score[second] >= score.max() - 1e-7
    # the mediator drafts it when the stated preferences carry the search (a large space)
    parties = tuple(utilities)

    def search(w: object, exclude: object) -> tuple[list[dict[str, object]], np.ndarray]:
        return [dict(space.term_sheet(found).terms)], gains[[found]] + np.array(
            [u.reservation_value for u in utilities.values()]
        )

    stated = StatedPreferences(
        parties=parties,
        candidates=[],
        utilities=np.zeros((0, 3)),
        reservations=tuple(u.reservation_value for u in utilities.values()),
        search=search,  # type: ignore[arg-type]
    )
    turn = Turn(
        party="mediator",
        round=0,
        max_rounds=10,
        turn=0,
        parties_at_table=parties,
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
    )
    draft = NashMediator().draft(turn, stated)
    assert draft is not None and draft.terms == dict(space.term_sheet(found).terms)
