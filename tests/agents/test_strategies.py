"""The strategy negotiators, played against each other with a tiny alternating-offers driver (no workflow)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from agents.base import Action, Negotiator, Seat
from agents.registry import make_negotiator
from agents.strategies import (
    BoulwareNegotiator,
    ConcederNegotiator,
    History,
    ParetoSeekingNegotiator,
    TimeDependentNegotiator,
    TitForTatNegotiator,
    aspiration,
    offer_book,
    turn_rng,
)
from pactlab.domain.actions import Accept, Propose, Reject, WalkAway
from pactlab.domain.issues import IssueValue
from pactlab.domain.loader import load_model
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord, Turn, move_record

FIXTURE = Path(__file__).parent.parent / "fixtures" / "two_party.yaml"
STRATEGIES = ["boulware", "linear", "conceder", "tit_for_tat", "pareto"]


# -- scenarios ---------------------------------------------------------------------------------------


def fixture() -> Scenario:
    return load_model(FIXTURE, Scenario)


def generated(
    n_issues: int = 4,
    n_values: int = 6,
    n_parties: int = 2,
    seed: int = 0,
    max_rounds: int = 30,
    reservation: float = 0.3,
    constraints: Mapping[int, list[str]] | None = None,
    zero_weight_issue: bool = False,
) -> Scenario:
    """A random linear-additive scenario: categorical issues i0.., options v0.., parties p0.."""
    rng = np.random.default_rng(seed)
    issues = [
        {"id": f"i{k}", "kind": "categorical", "options": [f"v{j}" for j in range(n_values)]} for k in range(n_issues)
    ]
    parties = []
    for p in range(n_parties):
        values = {
            f"i{k}": {f"v{j}": float(x) for j, x in enumerate(rng.random(n_values).round(3))} for k in range(n_issues)
        }
        weights = {f"i{k}": float(w) for k, w in enumerate(rng.random(n_issues).round(3) + 0.05)}
        if zero_weight_issue:
            weights[f"i{n_issues - 1}"] = 0.0
        parties.append(
            {
                "id": f"p{p}",
                "name": f"Party {p}",
                "core_business": "testing",
                "private": {
                    "weights": weights,
                    "values": values,
                    "reservation_value": reservation,
                    "constraints": list((constraints or {}).get(p, [])),
                },
            }
        )
    return Scenario.model_validate(
        {
            "id": f"generated_{seed}",
            "title": "generated",
            "issues": issues,
            "parties": parties,
            "protocol": {"max_rounds": max_rounds},
        }
    )


def constrained() -> Scenario:
    """A generated scenario in which both parties have hard constraints."""
    return generated(seed=7, constraints={0: ["i0 not in [v0, v1]"], 1: ["i1 in [v2, v3, v4, v5]", "i0 != v5"]})


# -- the driver ----------------------------------------------------------------------------------------


class Scripted:
    """Proposes the given outcomes in order (the last one again once they run out); never accepts."""

    def __init__(self, seat: Seat, outcomes: list[int]) -> None:
        self.seat = seat
        self.outcomes = outcomes

    def act(self, turn: Turn) -> Action:
        k = min(len(turn.proposals_by(self.seat.party_id)), len(self.outcomes) - 1)
        return Propose(terms=self.seat.space.term_sheet(self.outcomes[k]).terms)


@dataclass
class Game:
    scenario: Scenario
    space: OutcomeSpace
    status: str = "open"
    agreement: dict[str, IssueValue] | None = None
    log: list[tuple[Turn, Action]] = field(default_factory=list)

    def utility(self, party: str) -> UtilityFunction:
        return UtilityFunction(self.space, self.scenario.party(party).private)

    def proposals(self, party: str) -> list[tuple[Turn, Propose]]:
        return [(t, a) for t, a in self.log if t.party == party and isinstance(a, Propose)]


Spec = str | Negotiator


def seat_for(scenario: Scenario, party: str, seed: int = 0, space: OutcomeSpace | None = None) -> Seat:
    return Seat.for_party(scenario, party, seed, space)


def play(scenario: Scenario, agents: Mapping[str, Spec], seed: int = 0, max_turns: int | None = None) -> Game:
    """Multi-party alternating offers with unanimity, checking that every move is legal."""
    space = OutcomeSpace(scenario.issues)
    negotiators = {
        p: make_negotiator(a, seat_for(scenario, p, seed, space)) if isinstance(a, str) else a
        for p, a in agents.items()
    }
    order = scenario.speaking_order()
    rounds = scenario.protocol.max_rounds
    game = Game(scenario, space)
    proposal: dict[str, IssueValue] | None = None
    proposer: str | None = None
    accepted: set[str] = set()
    moves: list[MoveRecord] = []
    for round_ in range(rounds):
        for party in order:
            if max_turns is not None and len(moves) >= max_turns:
                return game
            turn = Turn(
                party=party,
                round=round_,
                max_rounds=rounds,
                turn=len(moves),
                parties_at_table=tuple(order),
                proposal=proposal,
                proposer=proposer,
                accepted_by=frozenset(accepted),
                moves=tuple(moves),
            )
            action = negotiators[party].act(turn)
            game.log.append((turn, action))
            moves.append(move_record(turn.turn, round_, party, action))
            if isinstance(action, Propose):
                proposal, proposer, accepted = space.validate(action.terms).terms, party, {party}
            elif isinstance(action, Accept):
                assert proposal is not None and proposer != party and party not in accepted, "illegal accept"
                accepted.add(party)
                if accepted == set(order):
                    game.status, game.agreement = "agreement", proposal
                    return game
            elif isinstance(action, Reject):
                proposal, proposer, accepted = None, None, set()
            else:
                game.status = "walk_away"
                return game
    game.status = "impasse"
    return game


SCENARIOS = {"fixture": fixture, "generated": generated, "constrained": constrained}


# -- safety: offers valid and acceptable to self, acceptances acceptable ------------------------------


@pytest.mark.parametrize("scenario_name", sorted(SCENARIOS))
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_offers_and_acceptances_are_individually_rational(scenario_name: str, strategy: str) -> None:
    scenario = SCENARIOS[scenario_name]()
    a, b = scenario.party_ids
    for opponent in STRATEGIES:
        for agents in ({a: strategy, b: opponent}, {a: opponent, b: strategy}):
            game = play(scenario, agents)
            assert game.status in ("agreement", "impasse")
            for turn, action in game.log:
                utility = game.utility(turn.party)
                if isinstance(action, Propose):
                    sheet = game.space.validate(action.terms)
                    assert sheet.terms == action.terms
                    assert utility.acceptable(sheet), f"{turn.party} proposed below its reservation value"
                elif isinstance(action, Accept):
                    assert turn.proposal is not None
                    assert utility.acceptable(game.space.validate(turn.proposal)), f"{turn.party} accepted a bad deal"
                else:
                    pytest.fail(f"unexpected {action.kind} by {turn.party}")


def _turn(scenario: Scenario, party: str, proposal: dict[str, IssueValue] | None, round_: int) -> Turn:
    other = next(p for p in scenario.party_ids if p != party)
    return Turn(
        party=party,
        round=round_,
        max_rounds=scenario.protocol.max_rounds,
        turn=2 * round_ + 1,
        parties_at_table=(other, party),
        proposal=proposal,
        proposer=other if proposal is not None else None,
        accepted_by=frozenset({other}) if proposal is not None else frozenset(),
    )


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_last_round_accepts_anything_acceptable_and_nothing_else(strategy: str) -> None:
    scenario = fixture()
    last = scenario.protocol.max_rounds - 1
    seat = seat_for(scenario, "alpha")
    # Acceptable but barely: the worst acceptable outcome for alpha.
    barely = seat.space.term_sheet(int(offer_book(seat).order[0])).terms
    assert isinstance(make_negotiator(strategy, seat).act(_turn(scenario, "alpha", barely, last)), Accept)
    assert isinstance(make_negotiator(strategy, seat).act(_turn(scenario, "alpha", barely, 0)), Propose)
    # Good for alpha (0.75 > 0.3) but breaks its hard constraint royalty_rate <= 6.
    breaks: dict[str, IssueValue] = {
        "foreground_ip": "alpha",
        "royalty_rate": 8,
        "exclusivity_months": 36,
        "use_case_disclosed": False,
    }
    sheet = seat.space.validate(breaks)
    assert seat.utility(sheet) > 0.7 and not seat.utility.satisfies_constraints(sheet)
    # Below alpha's reservation value.
    worst: dict[str, IssueValue] = {
        "foreground_ip": "beta",
        "royalty_rate": 6,
        "exclusivity_months": 0,
        "use_case_disclosed": True,
    }
    assert seat.utility(seat.space.validate(worst)) < seat.utility.reservation_value
    for terms in (breaks, worst):
        for round_ in (0, last // 2, last):
            action = make_negotiator(strategy, seat).act(_turn(scenario, "alpha", terms, round_))
            assert isinstance(action, Propose), f"{strategy} accepted {terms} in round {round_}"


def test_no_acceptable_outcome_means_walk_away() -> None:
    scenario = generated(constraints={0: ["i0 == v0", "i0 == v1"]})
    action = make_negotiator("pareto", seat_for(scenario, "p0")).act(_turn(scenario, "p0", None, 0))
    assert isinstance(action, WalkAway)
    assert "minimum" in action.reason


def test_already_accepted_or_own_proposal_is_countered_not_accepted() -> None:
    scenario = generated(n_parties=3)
    seat = seat_for(scenario, "p1")
    best = seat.space.term_sheet(int(offer_book(seat).order[-1])).terms
    base = _turn(scenario, "p1", best, 5)
    for proposer, accepted in (("p0", {"p0", "p1"}), ("p1", {"p1"})):
        turn = Turn(
            party="p1",
            round=5,
            max_rounds=base.max_rounds,
            turn=base.turn,
            parties_at_table=("p0", "p1", "p2"),
            proposal=best,
            proposer=proposer,
            accepted_by=frozenset(accepted),
        )
        assert isinstance(make_negotiator("linear", seat).act(turn), Propose)


# -- time dependence ---------------------------------------------------------------------------------


def _worst_for(scenario: Scenario, party: str) -> int:
    """The outcome `party` likes least: an opponent repeating it never gets an acceptance."""
    return int(np.argmin(UtilityFunction(OutcomeSpace(scenario.issues), scenario.party(party).private).over_space()))


def _own_offer_utilities(game: Game, party: str) -> list[float]:
    utility = game.utility(party)
    return [utility(game.space.validate(a.terms)) for _, a in game.proposals(party)]


@pytest.mark.parametrize("make_scenario", [fixture, generated, constrained])
def test_boulware_concedes_slower_than_conceder(make_scenario: object) -> None:
    scenario = make_scenario()  # type: ignore[operator]
    a, b = scenario.party_ids
    tough = Scripted(seat_for(scenario, b), [_worst_for(scenario, a)])
    boulware = _own_offer_utilities(play(scenario, {a: "boulware", b: tough}), a)
    linear = _own_offer_utilities(play(scenario, {a: "linear", b: tough}), a)
    conceder = _own_offer_utilities(play(scenario, {a: "conceder", b: tough}), a)
    assert len(boulware) == len(conceder) == scenario.protocol.max_rounds
    for series in (boulware, linear, conceder):
        assert all(x >= y - 1e-12 for x, y in itertools.pairwise(series)), "time-dependent offers rose"
    assert all(x >= y - 1e-12 for x, y in zip(boulware, linear, strict=True))
    assert all(x >= y - 1e-12 for x, y in zip(linear, conceder, strict=True))
    assert np.mean(boulware) > np.mean(conceder) + 0.1
    # Each offer is the acceptable outcome closest above the aspiration level.
    seat = seat_for(scenario, a)
    book = offer_book(seat)
    game = play(scenario, {a: "conceder", b: tough})
    for turn, action in game.proposals(a):
        level = aspiration(turn.time, 5.0, book.u_max, book.floor)
        u = seat.utility(seat.space.validate(action.terms))
        below_u = book.sorted_utils[book.sorted_utils < u - 1e-9]
        assert u >= level - 1e-9 or u == book.sorted_utils[0]
        assert not np.any(below_u >= level - 1e-9), "a closer outcome above the aspiration was skipped"


def test_aspiration_curve() -> None:
    assert aspiration(0.0, 0.2, 0.9, 0.3) == pytest.approx(0.9)
    assert aspiration(1.0, 0.2, 0.9, 0.3) == pytest.approx(0.3)
    assert aspiration(0.5, 1.0, 0.9, 0.3) == pytest.approx(0.6)
    assert aspiration(0.5, 0.2, 0.9, 0.3) > aspiration(0.5, 1.0, 0.9, 0.3) > aspiration(0.5, 5.0, 0.9, 0.3)
    with pytest.raises(ValueError, match="e must be"):
        TimeDependentNegotiator(seat_for(fixture(), "alpha"), e=0)


# -- tit for tat ---------------------------------------------------------------------------------------


def _conceding_script(scenario: Scenario, party: str, towards: str, steps: int) -> list[int]:
    """Outcomes the `party` offers, each better for `towards` than the last (its utility rising evenly)."""
    space = OutcomeSpace(scenario.issues)
    theirs = UtilityFunction(space, scenario.party(towards).private).over_space()
    start = int(offer_book(seat_for(scenario, party, space=space)).order[-1])
    levels = np.linspace(theirs[start], theirs.max() - 0.05, steps)
    return [start] + [int(np.argmin(np.abs(theirs - level))) for level in levels[1:]]


@pytest.mark.parametrize("make_scenario", [fixture, generated, constrained])
def test_tit_for_tat_reciprocates_concessions_but_not_hard_lines(make_scenario: object) -> None:
    scenario = make_scenario()  # type: ignore[operator]
    a, b = scenario.party_ids
    book = offer_book(seat_for(scenario, a))
    span = book.u_max - book.floor
    rounds = scenario.protocol.max_rounds

    hard = play(scenario, {a: "tit_for_tat", b: Scripted(seat_for(scenario, b), [_worst_for(scenario, a)])})
    before_last = [
        u for (t, _), u in zip(hard.proposals(a), _own_offer_utilities(hard, a), strict=True) if t.round < rounds - 1
    ]
    assert min(before_last) >= book.u_max - 0.05 * span - 1e-9, "conceded more than its one goodwill step"

    script = Scripted(seat_for(scenario, b), _conceding_script(scenario, b, a, steps=rounds // 2))
    soft = play(scenario, {a: "tit_for_tat", b: script})
    conceded = book.u_max - min(_own_offer_utilities(soft, a))
    assert conceded > 0.25 * span, "did not reciprocate a conceding opponent"
    # It mirrors the share of the way the opponent moved toward it (plus the goodwill step).
    neg = TitForTatNegotiator(seat_for(scenario, a))
    for turn, action in soft.proposals(a)[1:]:
        neg.history.sync(turn.moves)
        share = neg.concession_share(turn)
        assert share is not None
        target = book.u_max - span * min(max(share + 0.05, 0.0), 1.0)
        assert neg.seat.utility(neg.seat.space.validate(action.terms)) >= target - 1e-9


def test_tit_for_tat_combines_several_opponents_by_mean_or_min() -> None:
    scenario = generated(n_parties=3, seed=3)
    p0_book = offer_book(seat_for(scenario, "p0"))
    mover = _conceding_script(scenario, "p1", "p0", steps=4)
    still = int(offer_book(seat_for(scenario, "p2")).order[-1])
    space = OutcomeSpace(scenario.issues)
    moves: list[MoveRecord] = []
    for k in range(2):
        for party, outcome in (("p1", mover[2 * k]), ("p2", still)):
            action = Propose(terms=space.term_sheet(outcome).terms)
            moves.append(move_record(len(moves), k, party, action))
    turn = Turn(
        party="p0",
        round=2,
        max_rounds=30,
        turn=len(moves),
        parties_at_table=("p0", "p1", "p2"),
        proposal=None,
        proposer=None,
        accepted_by=frozenset(),
        moves=tuple(moves),
    )
    u = p0_book.utils
    moved = (u[mover[2]] - u[mover[0]]) / (p0_book.u_max - u[mover[0]])
    assert moved > 0
    mean = TitForTatNegotiator(seat_for(scenario, "p0"), combine="mean")
    low = TitForTatNegotiator(seat_for(scenario, "p0"), combine="min")
    for neg in (mean, low):
        neg.history.sync(turn.moves)
    assert mean.concession_share(turn) == pytest.approx(moved / 2)
    assert low.concession_share(turn) == pytest.approx(0.0)


# -- Pareto seeking --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_pareto_seeking_learns_what_the_opponent_wants(seed: int) -> None:
    """After seeing the opponent's offers, its proposals give the opponent more than a time-dependent
    agent's at the same aspiration level, without giving itself less than that level."""
    scenario = generated(seed=seed, n_issues=5, n_values=5)
    space = OutcomeSpace(scenario.issues)
    game = play(scenario, {"p0": "boulware", "p1": "pareto(e=0.5)"})
    theirs = game.utility("p0")
    mine = game.utility("p1")
    pareto_gain, td_gain = [], []
    for turn, action in game.log:
        if turn.party != "p1" or len(turn.proposals_by("p0")) < 4 or not isinstance(action, Propose):
            continue
        td = TimeDependentNegotiator(seat_for(scenario, "p1", space=space), e=0.5).act(turn)
        if not isinstance(td, Propose):
            continue
        level = aspiration(turn.time, 0.5, offer_book(seat_for(scenario, "p1")).u_max, 0.3)
        assert mine(space.validate(action.terms)) >= level - 1e-9
        pareto_gain.append(theirs(space.validate(action.terms)))
        td_gain.append(theirs(space.validate(td.terms)))
    assert len(pareto_gain) >= 5
    assert np.mean(pareto_gain) > np.mean(td_gain) + 0.05


def test_pareto_seeking_reaches_better_joint_deals_than_time_dependent() -> None:
    """Self-play over generated scenarios: higher Nash product of the gains over the reservation values."""

    def nash(game: Game) -> float:
        if game.agreement is None:
            return 0.0
        sheet = game.space.validate(game.agreement)
        return float(np.prod([game.utility(p)(sheet) - 0.3 for p in game.scenario.party_ids]))

    pareto, linear = [], []
    for seed in range(4):
        scenario = generated(seed=seed, n_issues=5, n_values=5)
        pareto.append(nash(play(scenario, dict.fromkeys(scenario.party_ids, "pareto(e=0.5)"))))
        linear.append(nash(play(scenario, dict.fromkeys(scenario.party_ids, "time_dependent(e=0.5)"))))
    assert np.mean(pareto) > np.mean(linear)


def test_block_vectorised_opponent_estimate_matches_brute_force() -> None:
    scenario = generated(n_issues=5, n_values=10, seed=5, reservation=0.0)  # 10^5 outcomes, two blocks
    seat = seat_for(scenario, "p0")
    book = offer_book(seat)
    assert len(book.blocks) > 1 and book.size == seat.space.cardinality
    rng = np.random.default_rng(0)
    tables = [rng.random(n) for n in seat.space.shape]
    lo, hi = 1000, 60_000
    fast = book.additive_over(lo, hi, tables)
    picks = book.picks(book.order[lo:hi])
    slow = sum(t[p] for t, p in zip(tables, picks, strict=True))
    np.testing.assert_allclose(fast, slow)
    # And the whole negotiator runs on it.
    game = play(scenario, {"p0": "pareto", "p1": "pareto"}, max_turns=12)
    assert len(game.log) == 12


def test_an_issue_with_more_options_than_a_block_holds() -> None:
    party = {
        "weights": {"amount": 2, "flag": 1},
        "values": {"amount": {"linear": "up"}, "flag": {"true": 1.0, "false": 0.0}},
        "reservation_value": 0.2,
    }
    scenario = Scenario.model_validate(
        {
            "id": "wide",
            "title": "one very fine-grained issue",
            "issues": [
                {"id": "amount", "kind": "numeric", "minimum": 0, "maximum": 70_000, "step": 1, "integer": True},
                {"id": "flag", "kind": "boolean"},
            ],
            "parties": [
                {"id": "a", "name": "A", "core_business": "x", "private": party},
                {
                    "id": "b",
                    "name": "B",
                    "core_business": "y",
                    "private": {**party, "values": {"amount": {"linear": "down"}, "flag": {"true": 0.0, "false": 1.0}}},
                },
            ],
        }
    )
    book = offer_book(seat_for(scenario, "a"))
    assert book.blocks == ((0,), (1,)) and book.block_cols[0].max() > 1 << 16
    tables = [np.linspace(0, 1, n) for n in book.space.shape]
    picks = book.picks(book.order)
    np.testing.assert_allclose(book.additive_over(0, book.size, tables), tables[0][picks[0]] + tables[1][picks[1]])
    game = play(scenario, {"a": "pareto", "b": "pareto"}, max_turns=6)
    assert all(isinstance(a, Propose) for _, a in game.log)


# -- determinism and resumability ---------------------------------------------------------------------------


def _dump(action: Action) -> dict[str, object]:
    return action.model_dump()


@pytest.mark.parametrize(
    ("scenario_name", "pairing"),
    [
        ("fixture", ("pareto", "tit_for_tat")),
        ("generated", ("boulware", "pareto")),
        ("constrained", ("tit_for_tat", "conceder")),
        ("generated", ("pareto", "pareto")),
    ],
)
def test_same_seed_same_actions_and_fresh_instances_agree(scenario_name: str, pairing: tuple[str, str]) -> None:
    scenario = SCENARIOS[scenario_name]()
    agents = dict(zip(scenario.party_ids, pairing, strict=True))
    first = play(scenario, agents, seed=4)
    second = play(scenario, agents, seed=4)
    assert [_dump(a) for _, a in first.log] == [_dump(a) for _, a in second.log]
    space = OutcomeSpace(scenario.issues)
    # A fresh instance, given any Turn of the run, acts as the instance that saw the whole history.
    for turn, action in first.log:
        fresh = make_negotiator(agents[turn.party], seat_for(scenario, turn.party, 4, space))
        assert _dump(fresh.act(turn)) == _dump(action)
    # An instance that has seen a different history (here: the turns in reverse) agrees too.
    reused = {p: make_negotiator(s, seat_for(scenario, p, 4, space)) for p, s in agents.items()}
    for turn, action in reversed(first.log):
        assert _dump(reused[turn.party].act(turn)) == _dump(action)
    # Moves given as a list (as the workflow's state holds them) are read the same way.
    turn, action = first.log[-1]
    as_list = Turn(**{**turn.__dict__, "moves": list(turn.moves)})
    assert _dump(make_negotiator(agents[turn.party], seat_for(scenario, turn.party, 4)).act(as_list)) == _dump(action)


def test_the_seed_breaks_ties_reproducibly() -> None:
    # p0 does not care about i3, so its best outcomes tie; the seed picks among them.
    scenario = generated(zero_weight_issue=True)
    openings = []
    for seed in range(12):
        first = make_negotiator("boulware", seat_for(scenario, "p0", seed)).act(_turn(scenario, "p0", None, 0))
        again = make_negotiator("boulware", seat_for(scenario, "p0", seed)).act(_turn(scenario, "p0", None, 0))
        assert _dump(first) == _dump(again)
        assert isinstance(first, Propose)
        openings.append(first.terms["i3"])
    assert len(set(openings)) > 1
    seat = seat_for(scenario, "p0", 5)
    turn = _turn(scenario, "p0", None, 3)
    expected = np.random.default_rng([5, scenario.party_ids.index("p0"), turn.turn]).random()
    assert turn_rng(seat, turn).random() == expected  # seeded by the party's place, never its id


def test_history_starts_over_when_the_record_is_not_a_continuation() -> None:
    scenario = fixture()
    game = play(scenario, {"alpha": "linear", "beta": "conceder"})
    history = History(OutcomeSpace(scenario.issues))
    last_turn = game.log[-1][0]
    history.sync(last_turn.moves)
    full = {p: list(history.offers(p)) for p in scenario.party_ids}
    history.sync(game.log[3][0].moves)  # an earlier point: a prefix, shorter
    assert sum(len(history.offers(p)) for p in scenario.party_ids) == 3
    history.sync(last_turn.moves)
    assert {p: history.offers(p) for p in scenario.party_ids} == full


# -- what the table reads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_rationales_name_changed_issues_and_messages_leak_no_numbers(strategy: str) -> None:
    scenario = fixture()
    game = play(scenario, {"alpha": strategy, "beta": "conceder" if strategy != "conceder" else "linear"})
    for party in scenario.party_ids:
        previous = None
        for _, action in game.proposals(party):
            sheet = game.space.validate(action.terms)
            changed = sheet.changes_from(previous)
            for issue in changed:
                assert re.search(rf"\b{issue}\b", action.rationale), f"{issue} missing from {action.rationale!r}"
            if previous is not None and not changed:
                assert action.rationale.startswith("No issue changed")
            utility = game.utility(party)
            if previous is not None and utility(sheet) < utility(previous) - 1e-12:
                assert "we concede on" in action.rationale, action.rationale
            if previous is not None:
                for issue in set(sheet.terms) - set(changed):
                    assert not re.search(rf"\b{issue} \(", action.rationale), f"unchanged {issue} named as changed"
            assert action.message
            previous = sheet
    for _, move in game.log:
        text = " ".join(str(v) for k, v in move.model_dump().items() if k in ("message", "rationale", "reason"))
        assert text.strip()
        assert not re.search(r"\d\.\d", text), f"a private-looking number in {text!r}"
        assert "reservation" not in text.lower() and "weight" not in text.lower()


# -- several parties, speed ---------------------------------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_three_parties(strategy: str) -> None:
    scenario = generated(n_parties=3, seed=2, n_issues=5, n_values=5, max_rounds=25)
    game = play(scenario, dict.fromkeys(scenario.party_ids, strategy))
    assert game.status in ("agreement", "impasse")
    if game.agreement is not None:
        sheet = game.space.validate(game.agreement)
        assert all(game.utility(p).acceptable(sheet) for p in scenario.party_ids)


def test_strategy_classes_and_specs() -> None:
    seat = seat_for(fixture(), "alpha")
    assert BoulwareNegotiator(seat).e == 0.2 and ConcederNegotiator(seat).e == 5.0
    assert isinstance(ParetoSeekingNegotiator(seat), Negotiator)
    assert make_negotiator("boulware(e=0.1)", seat).spec == "boulware(e=0.1)"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="combine"):
        ParetoSeekingNegotiator(seat, combine="max")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kindness"):
        TitForTatNegotiator(seat, kindness=2.0)
