"""Bargaining solutions under a quorum with veto holders (`evals.bargaining`'s coalitional definitions).

The hand-computed example: six parties A..F, a deal passes when at least 5 accept and both
veto holders A and B are among them. Three issues X, Y, Z with options a and b (8 deals; the
outcome index reads X Y Z as binary digits, a = 0, b = 1). Each party scores in points
(``utility: sum``, totals from 0 to 100, so a utility is points / 100):

    party  X a/b   Y a/b   Z a/b   reservation
    A      30/0    20/0    50/0    20   (veto)
    B      10/0     0/60    0/30   20   (veto)
    C      30/0    40/0     0/30   20
    D       0/20    0/10    0/70   30
    E      10/0     0/40   50/0    40
    F      70/0    10/0    20/0    30

Utilities in points, and gains u - r (x: below the reservation value):

    deal       A    B    C    D    E    F   | gains A  B  C  D  E  F  | passes?
    0 aaa    100   10   70    0   60  100   |      80  x 50  x 20 70  | no: veto B below
    1 aab     50   40  100   70   10   80   |      30 20 80 40  x 50  | yes: A B C D F
    2 aba     80   70   30   10  100   90   |      60 50 10  x 60 60  | yes: A B C E F
    3 abb     30  100   60   80   50   70   |      10 80 40 50 10 40  | yes: all six
    4 baa     70    0   40   20   50   30   |      50  x 20  x 10  0  | no: veto B below
    5 bab     20   30   70   90    0   10   |       0 10 50 60  x  x  | no: 4 clear
    6 bba     50   60    0   30   90   20   |      30 40  x  0 50  x  | no: 4 clear
    7 bbb      0   90   30  100   40    0   |       x 70 10 70  0  x  | no: veto A below

Feasible set: {1, 2, 3}. A minimal winning coalition has k = max(5, 2) = 5 members: A, B and
the three clearing others with the largest gains.

- Nash products (gains / 100): deal 1: .3 x .2 x .8 x .4 x .5 = .0096 (coalition A B C D F);
  deal 2: .6 x .5 x .1 x .6 x .6 = .0108 (A B C E F); deal 3: A, B and D .5, C .4, F .4
  (E's .1 left out): .1 x .8 x .4 x .5 x .4 = .0064 (A B C D F). Nash point: deal 2.
  Nash ratios: deal 1 .0096 / .0108 = 8/9, deal 3 .0064 / .0108 = 16/27, deal 2 1.
  Under the all-party definition only deal 3 counts (product .0064 x .1 = .00064), so deals
  1 and 2, which pass, had ratio 0.
- Kalai–Smorodinsky: each party's best gain over the feasible set: A .6, B .8, C .8, D .5,
  E .6, F .6. Normalised gains: deal 1: A .5 B .25 C 1 D .8 F 5/6 (E below) -> coalition
  A B C D F, worst .25; deal 2: A 1 B .625 C .125 E 1 F 1 -> worst .125; deal 3: A 1/6 B 1
  C .5 D 1 E 1/6 F 2/3 -> A B D F C, worst 1/6. KS point: deal 1, .25.
- Utilitarian (the coalition's utilities): deal 1: .5 + .4 + 1 + .8 + .7 = 3.4; deal 2: .8 + .7
  + 1 + .9 + .3 = 3.7; deal 3: .3 + 1 + .8 + .7 + .6 = 3.4. Utilitarian point: deal 2, 3.7.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.quorum import SIX_PARTY_SEEDS, measure
from benchmarks.quorum import six_party as six_party_game
from evals.bargaining import coalition, feasible_mask, kalai_smorodinsky, nash_product, nash_solution, utilitarian
from evals.frontier import pareto_frontier
from evals.report import scorecard_markdown
from evals.scorecard import analyse, score
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import AgreementRule, Scenario
from pactlab.domain.tolerance import at_least

from .test_frontier import scenarios

POINTS: dict[str, tuple[dict[str, dict[str, int]], int]] = {
    "A": ({"X": {"a": 30, "b": 0}, "Y": {"a": 20, "b": 0}, "Z": {"a": 50, "b": 0}}, 20),
    "B": ({"X": {"a": 10, "b": 0}, "Y": {"a": 0, "b": 60}, "Z": {"a": 0, "b": 30}}, 20),
    "C": ({"X": {"a": 30, "b": 0}, "Y": {"a": 40, "b": 0}, "Z": {"a": 0, "b": 30}}, 20),
    "D": ({"X": {"a": 0, "b": 20}, "Y": {"a": 0, "b": 10}, "Z": {"a": 0, "b": 70}}, 30),
    "E": ({"X": {"a": 10, "b": 0}, "Y": {"a": 0, "b": 40}, "Z": {"a": 50, "b": 0}}, 40),
    "F": ({"X": {"a": 70, "b": 0}, "Y": {"a": 10, "b": 0}, "Z": {"a": 20, "b": 0}}, 30),
}
RULE = {"kind": "quorum", "quorum": 5, "veto": ["A", "B"]}


def six_party(divisor: float = 1.0, rule: dict[str, Any] | None = None) -> Scenario:
    """The docstring's game, in points (divisor 1) or with every figure divided by `divisor`."""
    parties = []
    for party, (tables, reservation) in POINTS.items():
        values = {issue: {o: v / divisor for o, v in table.items()} for issue, table in tables.items()}
        private: dict[str, Any] = {"utility": "sum", "values": values, "reservation_value": reservation / divisor}
        if divisor == 1.0:
            private["scale"] = {"min": 0, "max": 100}
        parties.append({"id": party, "name": f"Party {party}", "core_business": "x", "private": private})
    issues = [{"id": i, "kind": "categorical", "options": ["a", "b"]} for i in ("X", "Y", "Z")]
    protocol = {"agreement": RULE if rule is None else rule}
    return Scenario.model_validate(
        {"id": "SixParty", "title": "t", "issues": issues, "parties": parties, "protocol": protocol}
    )


def domain(scenario: Scenario) -> tuple[OutcomeSpace, dict[str, UtilityFunction]]:
    space = OutcomeSpace(scenario.issues)
    return space, utility_functions(space, {p.id: p.private for p in scenario.parties})


def test_hand_computed_feasible_set_and_utilities() -> None:
    scenario = six_party()
    space, ufuns = domain(scenario)
    rule = scenario.protocol.agreement
    table = {o: [round(ufuns[p](space.term_sheet(o)) * 100) for p in POINTS] for o in range(8)}
    assert table == {
        0: [100, 10, 70, 0, 60, 100],
        1: [50, 40, 100, 70, 10, 80],
        2: [80, 70, 30, 10, 100, 90],
        3: [30, 100, 60, 80, 50, 70],
        4: [70, 0, 40, 20, 50, 30],
        5: [20, 30, 70, 90, 0, 10],
        6: [50, 60, 0, 30, 90, 20],
        7: [0, 90, 30, 100, 40, 0],
    }
    assert np.flatnonzero(feasible_mask(space, ufuns, rule)).tolist() == [1, 2, 3]
    assert np.flatnonzero(feasible_mask(space, ufuns)).tolist() == [3]  # unanimity: only the deal all six clear
    assert space.term_sheet(2).terms == {"X": "a", "Y": "b", "Z": "a"}


def test_hand_computed_coalitions_and_nash_ratios() -> None:
    scenario = six_party()
    space, ufuns = domain(scenario)
    rule = scenario.protocol.agreement
    reservations = {p: u.reservation_value for p, u in ufuns.items()}

    def utils(o: int) -> dict[str, float]:
        return {p: u(space.term_sheet(o)) for p, u in ufuns.items()}

    assert coalition(utils(1), reservations, rule) == ("A", "B", "C", "D", "F")
    assert coalition(utils(2), reservations, rule) == ("A", "B", "C", "E", "F")
    assert coalition(utils(3), reservations, rule) == ("A", "B", "C", "D", "F")  # E's gain .1 is the smallest
    assert [coalition(utils(o), reservations, rule) for o in (0, 4, 5, 6, 7)] == [None] * 5
    products = [nash_product(utils(o), reservations, rule) for o in range(8)]
    assert products == pytest.approx([0, 0.0096, 0.0108, 0.0064, 0, 0, 0, 0], abs=1e-15)

    nash = nash_solution(space, ufuns, rule=rule)
    assert nash is not None
    assert (nash.outcome, nash.coalition) == (2, ("A", "B", "C", "E", "F"))
    assert nash.objective == pytest.approx(0.0108)
    assert products[1] / nash.objective == pytest.approx(8 / 9)  # a passing deal E rejects: not 0
    assert products[3] / nash.objective == pytest.approx(16 / 27)

    ks = kalai_smorodinsky(space, ufuns, rule=rule)
    assert ks is not None and (ks.outcome, ks.coalition) == (1, ("A", "B", "C", "D", "F"))
    assert ks.objective == pytest.approx(0.25)
    util = utilitarian(space, ufuns, rule=rule)
    assert util is not None and (util.outcome, util.coalition) == (2, ("A", "B", "C", "E", "F"))
    assert util.objective == pytest.approx(3.7)


def test_unanimity_on_the_same_game_is_the_classic_definition() -> None:
    """Without the quorum only deal 3 is individually rational; its product has all six gains."""
    scenario = six_party(rule={"kind": "unanimity"})
    space, ufuns = domain(scenario)
    reservations = {p: u.reservation_value for p, u in ufuns.items()}
    nash = nash_solution(space, ufuns, rule=scenario.protocol.agreement)
    assert nash is not None and nash.outcome == 3 and nash.coalition == tuple(POINTS)
    assert nash.objective == pytest.approx(0.00064)
    assert nash_solution(space, ufuns) == nash  # no rule: unanimity
    deal_2 = {p: u(space.term_sheet(2)) for p, u in ufuns.items()}
    assert nash_product(deal_2, reservations) == 0.0 and coalition(deal_2, reservations) is None


@pytest.mark.parametrize("divisor", [100.0, 1000.0])
def test_the_game_scaled_has_the_same_frontier_and_solutions(divisor: float) -> None:
    """Points out of 100 and the same figures divided by 100 (or 1000) decide alike, quorum included."""
    points, scaled = six_party(), six_party(divisor)
    (space_a, ufuns_a), (space_b, ufuns_b) = domain(points), domain(scaled)
    rule = points.protocol.agreement
    front_a, front_b = pareto_frontier(space_a, ufuns_a), pareto_frontier(space_b, ufuns_b)
    assert front_a.outcomes.tolist() == front_b.outcomes.tolist()
    assert feasible_mask(space_a, ufuns_a, rule).tolist() == feasible_mask(space_b, ufuns_b, rule).tolist()
    for solve in (nash_solution, kalai_smorodinsky, utilitarian):
        a, b = solve(space_a, ufuns_a, front_a, rule), solve(space_b, ufuns_b, front_b, rule)
        assert a is not None and b is not None
        assert (a.outcome, a.coalition) == (b.outcome, b.coalition)
        assert a.objective == pytest.approx(b.objective, rel=1e-9)


# -- properties --------------------------------------------------------------------------------


@st.composite
def quorum_cases(draw: st.DrawFn) -> tuple[Scenario, AgreementRule]:
    """A small random scenario (2-5 parties) and a random agreement rule over its parties."""
    scenario = draw(scenarios(max_outcomes=96, max_parties=5))
    parties = scenario.party_ids
    if draw(st.booleans()):
        return scenario, AgreementRule()
    veto = draw(st.lists(st.sampled_from(parties), unique=True, max_size=len(parties)))
    quorum = draw(st.integers(1, len(parties)))
    return scenario, AgreementRule(kind="quorum", quorum=quorum, veto=veto)


def _brute(space: OutcomeSpace, ufuns: dict[str, UtilityFunction], rule: AgreementRule) -> dict[int, float]:
    """Every feasible deal's coalitional Nash product, by enumerating every winning coalition."""
    parties = list(ufuns)
    size = len(parties) if rule.kind == "unanimity" else max(rule.quorum or 0, len(rule.veto))
    out: dict[int, float] = {}
    for o in np.flatnonzero(_agreement(space, ufuns)).tolist():
        sheet = space.term_sheet(o)
        utils = {p: u(sheet) for p, u in ufuns.items()}
        best: float | None = None
        for members in itertools.combinations(parties, size):
            if not rule.met(set(members), parties):
                continue
            if not all(at_least(utils[p], ufuns[p].reservation_value) for p in members):
                continue
            product = float(np.prod([max(utils[p] - ufuns[p].reservation_value, 0.0) for p in members]))
            best = product if best is None else max(best, product)
        if best is not None:
            out[o] = best
    return out


def _agreement(space: OutcomeSpace, ufuns: dict[str, UtilityFunction]) -> np.ndarray:
    mask = np.ones(space.cardinality, dtype=bool)
    for u in ufuns.values():
        mask &= u.constraint_mask()
    return mask


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quorum_cases())
def test_every_feasible_deal_passes_the_rule_for_its_coalition(case: tuple[Scenario, AgreementRule]) -> None:
    scenario, rule = case
    space, ufuns = domain(scenario)
    parties = list(ufuns)
    reservations = {p: u.reservation_value for p, u in ufuns.items()}
    feasible = feasible_mask(space, ufuns, rule)
    brute = _brute(space, ufuns, rule)
    assert np.flatnonzero(feasible).tolist() == sorted(brute)
    for o in range(space.cardinality):
        utils = {p: u(space.term_sheet(o)) for p, u in ufuns.items()}
        members = coalition(utils, reservations, rule)
        if not feasible[o]:
            assert members is None or not all(u.satisfies_constraints(space.term_sheet(o)) for u in ufuns.values())
            continue
        assert members is not None
        assert rule.met(set(members), parties)
        assert all(at_least(utils[p], reservations[p]) for p in members)
        assert nash_product(utils, reservations, rule) == pytest.approx(brute[o], rel=1e-9, abs=1e-15)
    nash = nash_solution(space, ufuns, rule=rule)
    if not brute:
        assert nash is None
        return
    assert nash is not None and feasible[nash.outcome]
    assert rule.met(set(nash.coalition), parties)
    top = max(brute.values())
    assert nash.objective == pytest.approx(top, rel=1e-6, abs=1e-12)  # the maximum, found on the frontier
    for solve in (kalai_smorodinsky, utilitarian):
        solution = solve(space, ufuns, None, rule)
        assert solution is not None and feasible[solution.outcome] and rule.met(set(solution.coalition), parties)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_outcomes=96, max_parties=4))
def test_unanimity_rule_is_exactly_the_default(scenario: Scenario) -> None:
    """The explicit unanimity rule and no rule give bit-identical solutions and products."""
    space, ufuns = domain(scenario)
    reservations = {p: u.reservation_value for p, u in ufuns.items()}
    for solve in (nash_solution, kalai_smorodinsky, utilitarian):
        assert solve(space, ufuns, None, AgreementRule()) == solve(space, ufuns)
    for o in range(space.cardinality):
        utils = {p: u(space.term_sheet(o)) for p, u in ufuns.items()}
        classic = 1.0
        for p, x in utils.items():
            gain = x - reservations[p]
            classic = 0.0 if gain < 0 or classic == 0.0 else classic * gain
        assert nash_product(utils, reservations, AgreementRule()) == classic


# -- the scorecard -----------------------------------------------------------------------------


def test_scorecard_of_a_passing_deal_one_party_rejects() -> None:
    """Deal 1 (a a b): E is below its reservation value, the other five sign.

    Nash ratio 8/9 (not 0). Fairness over the coalition's gains .3 .2 .8 .4 .5: min/max .2/.8 = .25;
    Gini: pairwise differences sum to 2.8 (5.6 over ordered pairs), 5.6 / (2 x 25 x .44) = 14/55.
    """
    scenario = six_party()
    analysis = analyse(scenario)
    card = score(
        scenario, [], outcome="agreement", agreement={"X": "a", "Y": "a", "Z": "b"}, agreed_by=list("ABCDF"), rounds=1
    )
    assert card.coalition == ["A", "B", "C", "D", "F"]
    assert card.nash_product == pytest.approx(0.0096)
    assert card.nash_ratio == pytest.approx(8 / 9)
    assert card.fairness_min_max_ratio == pytest.approx(0.25)
    assert card.fairness_gini == pytest.approx(14 / 55)
    assert card.pareto_optimal and card.pareto_distance == 0.0
    assert card.nash_point is not None and card.nash_point.coalition == ["A", "B", "C", "E", "F"]
    assert card.nash_point.terms == {"X": "a", "Y": "b", "Z": "a"}
    assert card.kalai_smorodinsky_point is not None and card.kalai_smorodinsky_point.coalition == list("ABCDF")
    assert card == score(
        scenario,
        [],
        outcome="agreement",
        agreement={"X": "a", "Y": "a", "Z": "b"},
        agreed_by=list("ABCDF"),
        rounds=1,
        analysis=analysis,
    )
    assert '"coalition"' in card.model_dump_json()
    report = scorecard_markdown(card)
    assert "the coalition's (A, B, C, D, F) gains" in report
    nash_row = next(line for line in report.splitlines() if line.startswith("| Nash |"))
    assert "0.0108" in nash_row  # the Nash point's product over its own coalition


def test_scorecard_under_unanimity_names_no_coalition() -> None:
    """The same deal under unanimity: E is needed and below, so the product and ratio are 0 as before."""
    scenario = six_party(rule={"kind": "unanimity"})
    card = score(
        scenario, [], outcome="agreement", agreement={"X": "a", "Y": "a", "Z": "b"}, agreed_by=list("ABCDF"), rounds=1
    )
    assert card.coalition is None and card.nash_ratio == 0.0 and card.fairness_min_max_ratio == 0.0
    assert card.nash_point is not None and card.nash_point.coalition is None
    assert "coalition" not in card.model_dump_json()


@pytest.mark.parametrize("seed", SIX_PARTY_SEEDS)
def test_generated_six_party_games_agree_with_exhaustive_search(seed: int) -> None:
    """`python -m benchmarks.quorum`'s figures: no passing deal scores 0, and the Nash point is the maximum."""
    row = measure(six_party_game(seed))
    assert row["passing"] > 0 and row["brute_agrees_on_passing"]
    assert row["zero_coalitional"] == 0 < row["zero_all_party"]
    assert row["nash_is_brute_max"] and row["nash_coalition"] == 5
