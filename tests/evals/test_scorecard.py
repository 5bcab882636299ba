"""The scorecard on a hand-made negotiation over tests/fixtures/two_party.yaml.

Hand computation (weights normalised): alpha = 3/8 ip + 2/8 royalty + 2/8 exclusivity + 1/8 disclosure,
beta = 2/9 ip + 3/9 royalty + 2/9 exclusivity + 2/9 disclosure. Royalty 0..8 step 2, exclusivity 0..36 step 12.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import evals.scorecard as scorecard_module
from evals.report import scorecard_markdown
from evals.scorecard import OutcomeAnalysis, Scorecard, analyse, score
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveKind, MoveRecord


def sheet(ip: str, royalty: float, exclusivity: int, disclosed: bool) -> dict[str, IssueValue]:
    return {
        "foreground_ip": ip,
        "royalty_rate": royalty,
        "exclusivity_months": exclusivity,
        "use_case_disclosed": disclosed,
    }


def move(turn: int, party: str, kind: MoveKind, terms: dict[str, IssueValue] | None = None) -> MoveRecord:
    return MoveRecord(
        turn=turn, round=turn // 2, party=party, kind=kind, terms=terms, message="", rationale="", reason=""
    )


A1 = sheet("alpha", 0, 36, False)  # alpha 1.0
B1 = sheet("beta", 8, 12, True)  # beta 1.0
A2 = sheet("joint", 2, 24, True)
B2 = sheet("joint", 6, 12, True)
DEAL = sheet("joint", 4, 24, True)
NASH = sheet("alpha", 6, 12, True)

# alpha's own utility of its offers, beta's of its own
U_ALPHA_A1 = 3 / 8 * 1.0 + 2 / 8 * 1.0 + 2 / 8 * 1.0 + 1 / 8 * 1.0
U_ALPHA_A2 = 3 / 8 * 0.6 + 2 / 8 * 0.75 + 2 / 8 * (2 / 3) + 1 / 8 * 0.2
U_BETA_B1 = 2 / 9 * 1.0 + 3 / 9 * 1.0 + 2 / 9 * 1.0 + 2 / 9 * 1.0
U_BETA_B2 = 2 / 9 * 0.7 + 3 / 9 * 0.75 + 2 / 9 * 1.0 + 2 / 9 * 1.0
U_ALPHA_DEAL = 3 / 8 * 0.6 + 2 / 8 * 0.5 + 2 / 8 * (2 / 3) + 1 / 8 * 0.2  # 13/24
U_BETA_DEAL = 2 / 9 * 0.7 + 3 / 9 * 0.5 + 2 / 9 * 0.5 + 2 / 9 * 1.0  # 5.9/9
U_ALPHA_NASH = 3 / 8 * 1.0 + 2 / 8 * 0.25 + 2 / 8 * (1 / 3) + 1 / 8 * 0.2
U_BETA_NASH = 2 / 9 * 0.1 + 3 / 9 * 0.75 + 2 / 9 * 1.0 + 2 / 9 * 1.0
R_ALPHA, R_BETA = 0.3, 0.35

MOVES = [
    move(0, "alpha", "propose", A1),
    move(1, "beta", "propose", B1),
    move(2, "alpha", "propose", A2),
    move(3, "beta", "propose", B2),
    move(4, "alpha", "propose", DEAL),
    move(5, "beta", "accept"),
]


@pytest.fixture(scope="module")
def analysis(two_party: Scenario) -> OutcomeAnalysis:
    return analyse(two_party)


def agreed(scenario: Scenario, analysis: OutcomeAnalysis, terms: dict[str, IssueValue], **kw: Any) -> Scorecard:
    moves = kw.pop("moves", MOVES)
    agreed_by = kw.pop("agreed_by", ["beta", "alpha"])
    return score(
        scenario,
        moves,
        outcome="agreement",
        agreement=terms,
        agreed_by=agreed_by,
        rounds=3,
        analysis=analysis,
        **kw,
    )


def test_utilities_and_surpluses_match_hand_computation(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    card = agreed(two_party, analysis, DEAL, negotiation_id="run-1", seed=7)
    alpha, beta = card.parties
    assert (alpha.party, alpha.name, beta.party, beta.name) == ("alpha", "Alpha Platforms", "beta", "Beta Materials")
    assert alpha.utility == pytest.approx(13 / 24)
    assert alpha.utility == pytest.approx(U_ALPHA_DEAL)
    assert beta.utility == pytest.approx(U_BETA_DEAL)
    assert (alpha.reservation_value, beta.reservation_value) == (R_ALPHA, R_BETA)
    s_alpha, s_beta = U_ALPHA_DEAL - R_ALPHA, U_BETA_DEAL - R_BETA
    assert alpha.surplus == pytest.approx(s_alpha)
    assert beta.surplus == pytest.approx(s_beta)
    assert card.social_welfare == pytest.approx(U_ALPHA_DEAL + U_BETA_DEAL)
    assert card.nash_product == pytest.approx(s_alpha * s_beta)
    assert card.fairness_min_max_ratio == pytest.approx(s_alpha / s_beta)
    assert card.fairness_gini == pytest.approx((s_beta - s_alpha) / (2 * (s_alpha + s_beta)))
    assert (alpha.constraints_met, beta.constraints_met) == (True, True)
    assert (card.outcome, card.rounds, card.turns, card.seed) == ("agreement", 3, 6, 7)
    assert (card.negotiation_id, card.scenario_id) == ("run-1", "two_party_fixture")
    assert card.agreed_by == ["alpha", "beta"]  # scenario order
    assert card.outcome_space_size == 3 * 5 * 4 * 2


def test_concessions_from_own_offers(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    alpha, beta = agreed(two_party, analysis, DEAL).parties
    assert (alpha.offers_made, alpha.accepts, beta.offers_made, beta.accepts) == (3, 0, 2, 1)
    assert alpha.first_offer_utility == pytest.approx(U_ALPHA_A1) == pytest.approx(1.0)
    assert alpha.last_offer_utility == pytest.approx(U_ALPHA_DEAL)
    assert alpha.concession == pytest.approx(1.0 - U_ALPHA_DEAL)
    assert alpha.concession_rate == pytest.approx((1.0 - U_ALPHA_DEAL) / 2)  # two offers after the first
    assert beta.first_offer_utility == pytest.approx(U_BETA_B1)
    assert beta.last_offer_utility == pytest.approx(U_BETA_B2)
    assert beta.concession == pytest.approx(U_BETA_B1 - U_BETA_B2) == pytest.approx(0.15)
    assert beta.concession_rate == pytest.approx(0.15)
    assert U_ALPHA_A2 < U_ALPHA_A1  # the middle offer does not enter the concession


def test_single_offer_and_no_offer_concede_nothing(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    moves = [move(0, "alpha", "propose", DEAL), move(1, "beta", "accept")]
    alpha, beta = agreed(two_party, analysis, DEAL, moves=moves).parties
    assert alpha.offers_made == 1
    assert alpha.first_offer_utility == alpha.last_offer_utility == pytest.approx(U_ALPHA_DEAL)
    assert (alpha.concession, alpha.concession_rate) == (0.0, 0.0)
    assert beta.offers_made == 0
    assert beta.first_offer_utility is None and beta.last_offer_utility is None
    assert (beta.concession, beta.concession_rate) == (0.0, 0.0)


def brute_force_nash(scenario: Scenario) -> tuple[dict[str, IssueValue], float]:
    """The Nash bargaining solution by enumeration: max product of gains over acceptable outcomes."""
    space = OutcomeSpace(scenario.issues)
    ufs = {p.id: UtilityFunction(space, p.private) for p in scenario.parties}
    best: tuple[float, dict[str, IssueValue]] = (-1.0, {})
    for k in range(space.cardinality):
        terms = space.term_sheet(k)
        if all(u.acceptable(terms) for u in ufs.values()):
            product = 1.0
            for u in ufs.values():
                product *= u(terms) - u.reservation_value
            if product > best[0]:
                best = (product, dict(terms.terms))
    return best[1], best[0]


def test_nash_ratio_is_one_at_the_nash_point(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    terms, product = brute_force_nash(two_party)
    assert terms == NASH
    assert product == pytest.approx((U_ALPHA_NASH - R_ALPHA) * (U_BETA_NASH - R_BETA))
    card = agreed(two_party, analysis, NASH)
    assert card.nash_point is not None and card.nash_point.terms == NASH
    assert card.nash_ratio == pytest.approx(1.0, abs=1e-12)
    assert card.pareto_optimal
    assert card.pareto_distance == 0.0


def test_nash_ratio_below_one_and_pareto_distance_elsewhere(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    card = agreed(two_party, analysis, DEAL)
    nash_product = (U_ALPHA_NASH - R_ALPHA) * (U_BETA_NASH - R_BETA)
    deal_product = (U_ALPHA_DEAL - R_ALPHA) * (U_BETA_DEAL - R_BETA)
    assert card.nash_ratio == pytest.approx(deal_product / nash_product)
    assert card.nash_ratio < 1
    # the Nash point dominates the deal, so the deal is off the frontier by at most that far
    assert U_ALPHA_NASH > U_ALPHA_DEAL and U_BETA_NASH > U_BETA_DEAL
    to_nash = ((U_ALPHA_NASH - U_ALPHA_DEAL) ** 2 + (U_BETA_NASH - U_BETA_DEAL) ** 2) ** 0.5
    assert 0 < card.pareto_distance <= to_nash + 1e-12
    assert not card.pareto_optimal


def test_bargaining_points_and_frontier_facts(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    card = agreed(two_party, analysis, DEAL)
    for point in (card.nash_point, card.kalai_smorodinsky_point, card.utilitarian_point):
        assert point is not None
        assert set(point.terms) == set(two_party.issue_ids)
        assert set(point.utilities) == {"alpha", "beta"}
    assert card.nash_point is not None
    assert card.nash_point.utilities["alpha"] == pytest.approx(U_ALPHA_NASH)
    assert card.frontier_size == len(analysis.frontier.outcomes) > 0
    assert card.frontier_exact and card.frontier_method == analysis.frontier.method


def test_deal_breaking_a_constraint_and_below_reservation(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    # A1 gives beta 2/9 * 0.1 (below 0.35) and 36 months of exclusivity (beta allows at most 24)
    card = agreed(two_party, analysis, A1)
    alpha, beta = card.parties
    assert beta.utility == pytest.approx(2 / 9 * 0.1)
    assert beta.surplus == pytest.approx(2 / 9 * 0.1 - R_BETA)
    assert beta.surplus < 0
    assert (alpha.constraints_met, beta.constraints_met) == (True, False)
    assert card.nash_product == 0.0 and card.nash_ratio == 0.0
    assert card.fairness_min_max_ratio == 0.0
    assert card.fairness_gini == pytest.approx(0.5)  # beta counts as gaining nothing: (0.7, 0)
    # alpha's best outcome: nothing that keeps every constraint dominates it, yet it is off the frontier
    assert card.pareto_distance == 0.0
    assert not card.pareto_optimal
    text = scorecard_markdown(card)
    assert "**deal breaks a hard constraint**" in text and "**below its reservation value**" in text
    assert "lies outside the outcomes the frontier is drawn over" in text


@pytest.mark.parametrize("outcome", ["impasse", "walk_away"])
def test_no_deal_cards(two_party: Scenario, analysis: OutcomeAnalysis, outcome: str) -> None:
    moves = MOVES[:5] + ([move(5, "beta", "walk_away")] if outcome == "walk_away" else [])
    card = score(two_party, moves, outcome=outcome, agreement=None, agreed_by=[], rounds=3, analysis=analysis)
    assert card.outcome == outcome and card.agreement is None and card.agreed_by == []
    assert card.social_welfare == pytest.approx(R_ALPHA + R_BETA)
    assert (card.nash_product, card.nash_ratio, card.pareto_optimal) == (0.0, 0.0, False)
    assert (card.fairness_min_max_ratio, card.fairness_gini) == (1.0, 0.0)
    to_nash = ((U_ALPHA_NASH - R_ALPHA) ** 2 + (U_BETA_NASH - R_BETA) ** 2) ** 0.5
    assert 0 < card.pareto_distance <= to_nash + 1e-12  # the no-deal point is dominated
    for p in card.parties:
        assert p.utility is None and p.surplus == 0.0 and p.constraints_met is None
    assert [p.walked_away for p in card.parties] == [False, outcome == "walk_away"]
    assert card.parties[0].concession == pytest.approx(1.0 - U_ALPHA_DEAL)  # offers still count
    assert card.nash_point is not None  # the reference points are there for a no-deal run too


def test_json_is_deterministic_and_round_trips(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    first = agreed(two_party, analysis, DEAL).model_dump_json(indent=2)
    again = agreed(two_party, analysis, DEAL).model_dump_json(indent=2)
    fresh = score(two_party, MOVES, outcome="agreement", agreement=DEAL, agreed_by=["alpha", "beta"], rounds=3)
    shuffled = dict(reversed(list({**DEAL, "royalty_rate": 4.0}.items())))
    reordered = agreed(two_party, analysis, shuffled).model_dump_json(indent=2)
    assert first == again == fresh.model_dump_json(indent=2) == reordered
    card = Scorecard.model_validate_json(first)
    assert card.model_dump_json(indent=2) == first
    assert Scorecard.model_validate(card.model_dump(mode="json")) == card
    assert card.agreement is not None
    assert list(card.agreement) == two_party.issue_ids
    assert card.agreement["royalty_rate"] == 4.0 and card.agreement["use_case_disclosed"] is True


def test_analysis_is_reused_not_recomputed(
    two_party: Scenario, analysis: OutcomeAnalysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise AssertionError("the frontier was recomputed")

    monkeypatch.setattr(scorecard_module, "pareto_frontier", boom)
    for _ in range(3):
        agreed(two_party, analysis, DEAL)
    agreed(two_party, analysis, DEAL, frontier=None)
    with pytest.raises(AssertionError, match="recomputed"):
        score(two_party, MOVES, outcome="impasse", agreement=None, agreed_by=[], rounds=3)
    # a frontier passed in is used as is
    card = score(
        two_party, MOVES, outcome="impasse", agreement=None, agreed_by=[], rounds=3, frontier=analysis.frontier
    )
    assert card.frontier_size == len(analysis.frontier.outcomes)


def test_inconsistent_inputs_are_refused(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    kw: dict[str, Any] = {"agreed_by": [], "rounds": 1, "analysis": analysis}
    with pytest.raises(ValueError, match="unknown outcome"):
        score(two_party, MOVES, outcome="open", agreement=None, **kw)
    with pytest.raises(ValueError, match="agreement"):
        score(two_party, MOVES, outcome="impasse", agreement=DEAL, **kw)
    with pytest.raises(ValueError, match="agreement"):
        score(two_party, MOVES, outcome="agreement", agreement=None, **kw)
    with pytest.raises(ValueError, match="gamma"):
        score(two_party, [move(0, "gamma", "accept")], outcome="impasse", agreement=None, **kw)
    with pytest.raises(ValueError, match="not both"):
        score(two_party, MOVES, outcome="impasse", agreement=None, frontier=analyse(two_party).frontier, **kw)
    other = two_party.model_copy(update={"id": "another_fixture"})
    with pytest.raises(ValueError, match="different scenario"):
        score(other, MOVES, outcome="impasse", agreement=None, **kw)


def test_markdown_carries_the_key_figures(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    card = agreed(two_party, analysis, DEAL, negotiation_id="run-1")
    text = scorecard_markdown(card)
    assert text.startswith("# A small two-party fixture\n")
    assert "**Agreement** after 3 round(s) and 6 move(s)" in text
    assert "| foreground ip | `joint` |" in text and "| royalty rate | `4` |" in text
    alpha_row = next(line for line in text.splitlines() if line.startswith("| Alpha Platforms"))
    cells = [c.strip() for c in alpha_row.strip("|").split("|")]
    assert cells[1:5] == ["0.542", "0.300", "+0.242", "3"]
    assert cells[8] == f"{1 - U_ALPHA_DEAL:+.3f}"
    percent = round(100 * card.nash_ratio)
    assert f"| Nash ratio | {card.nash_ratio:.3f} |" in text
    assert f"the deal reaches {percent}% of the Nash bargaining solution's product of gains" in text
    assert f"{card.fairness_gini:.3f}" in text and f"{card.fairness_min_max_ratio:.3f}" in text
    assert f"{card.social_welfare:.3f}" in text
    assert "left on the table" in text
    nash_row = next(line for line in text.splitlines() if line.startswith("| Nash |"))
    assert f"{U_ALPHA_NASH:.3f}" in nash_row and "foreground ip `alpha`" in nash_row
    at_nash = scorecard_markdown(agreed(two_party, analysis, NASH))
    assert "on the Pareto frontier" in at_nash and "reaches 100% of" in at_nash
    assert "nothing (same term sheet)" in at_nash
    assert "did not accept" not in text
    quorum = scorecard_markdown(agreed(two_party, analysis, DEAL, agreed_by=["alpha"]))
    beta_row = next(line for line in quorum.splitlines() if line.startswith("| Beta Materials"))
    assert beta_row.endswith("| did not accept |")


def test_markdown_without_a_deal(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    moves = [*MOVES[:5], move(5, "beta", "walk_away")]
    card = score(two_party, moves, outcome="walk_away", agreement=None, agreed_by=[], rounds=3, analysis=analysis)
    text = scorecard_markdown(card)
    assert "**No agreement: a party walked away**" in text
    assert "Walked away: Beta Materials (beta)." in text
    assert "Agreed term sheet" not in text
    assert "what a deal could have been" in text
    assert f"| social welfare | {R_ALPHA + R_BETA:.3f} |" in text
    impasse = score(two_party, MOVES[:5], outcome="impasse", agreement=None, agreed_by=[], rounds=3, analysis=analysis)
    assert "**Impasse" in scorecard_markdown(impasse)


def test_every_outcome_of_the_fixture_scores(two_party: Scenario, analysis: OutcomeAnalysis) -> None:
    """Pareto optimality agrees with brute-force dominance over the outcomes that keep every constraint."""
    space = analysis.space
    feasible = [
        k
        for k in range(space.cardinality)
        if all(u.satisfies_constraints(space.term_sheet(k)) for u in analysis.utilities.values())
    ]
    points = {k: tuple(u(space.term_sheet(k)) for u in analysis.utilities.values()) for k in feasible}
    for k, p in itertools.islice(points.items(), 0, None, 3):
        card = agreed(two_party, analysis, dict(space.term_sheet(k).terms), moves=[])
        dominated = any(all(a >= b for a, b in zip(q, p, strict=True)) and q != p for q in points.values())
        assert card.pareto_optimal is not dominated
        assert (card.pareto_distance > 0) is dominated
