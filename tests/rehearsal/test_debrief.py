"""The debrief: scorecard, deal against frontier and Nash, concessions and their cost, better deals, rules fired."""

from __future__ import annotations

import numpy as np
import pytest

from evals.scorecard import analyse
from pactlab.app.rehearsal import RehearsalError, Rehearsals
from pactlab.app.rehearsal.debrief import better_deals, concessions
from pactlab.domain.issues import IssueValue
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter, play_to_end


def _move(turn: int, party: str, terms: dict[str, IssueValue]) -> MoveRecord:
    return MoveRecord(
        turn=turn, round=turn // 2, party=party, kind="propose", terms=terms, message="", rationale="", reason=""
    )


def test_concessions_cost_issue_by_issue(scenario: Scenario, nash_terms: dict[str, IssueValue]) -> None:
    analysis = analyse(scenario)
    utility = analysis.utilities[SEAT]
    high = dict(nash_terms, exclusivity_months=36, royalty_rate=0, rnd_cost_share_platform=50)
    lower = dict(high, royalty_rate=4)
    lowest = dict(lower, exclusivity_months=24)
    moves = [_move(0, SEAT, high), _move(1, "supplier", lowest), _move(2, SEAT, lower), _move(4, SEAT, lowest)]
    deal = dict(lowest, rnd_cost_share_platform=100)
    steps = concessions(analysis.space, utility, moves, SEAT, deal, end_turn=6, end_round=4)
    assert [(s.turn, s.what) for s in steps] == [(3, "offer"), (5, "offer"), (6, "deal")]
    assert [c.issue for c in steps[0].issues] == ["royalty_rate"]
    assert [c.issue for c in steps[1].issues] == ["exclusivity_months"]
    for step in steps:
        assert step.cost == pytest.approx(sum(c.cost for c in step.issues))
        assert step.cost > 0
    u = analysis.utilities_of
    worth = {name: u(analysis.space.validate(terms))[SEAT] for name, terms in (("high", high), ("lower", lower))}
    assert steps[0].cost == pytest.approx(worth["high"] - worth["lower"])


def test_better_deals_dominate_the_deal(scenario: Scenario) -> None:
    analysis = analyse(scenario)
    worst_ok = dict(analysis.space.term_sheet(int(analysis.frontier.outcomes[0])).terms)
    worst_ok["dispute_resolution"] = "direct_arbitration"  # off the frontier: something dominates it
    deal_utils = analysis.utilities_of(analysis.space.validate(worst_ok))
    found, count = better_deals(analysis, worst_ok, SEAT, limit=3)
    assert count >= len(found) > 0
    for better in found:
        assert all(better.utilities[p] >= deal_utils[p] - 1e-9 for p in deal_utils)
        assert any(better.utilities[p] > deal_utils[p] + 1e-9 for p in deal_utils)
        assert "dispute_resolution=full_ladder" in better.changes or better.changes
    mine = [b.utilities[SEAT] for b in found]
    assert mine == sorted(mine, reverse=True)
    # Without a deal: the frontier deals everyone prefers to walking away.
    zopa, n = better_deals(analysis, None, SEAT)
    points = np.asarray(analysis.frontier.utilities)
    reservations = np.array([analysis.reservations[p] for p in analysis.frontier.parties])
    above = np.all(points >= reservations - 1e-9, axis=1) & np.any(points > reservations + 1e-9, axis=1)
    assert n == int(above.sum())
    assert zopa


def test_the_debrief_of_a_rehearsal(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    with pytest.raises(RehearsalError, match="still under way"):
        service.debrief(view.id)
    # One blocked attempt (no rationale) so that a rule fires; then the Nash terms to the end.
    view = service.submit(view.id, {"kind": "propose", "terms": nash_terms, "by": "Ada"})
    assert view.question is not None and view.question["blocked"]
    view = play_to_end(service, view, nash_terms)
    report = service.debrief(view.id)
    assert report.outcome == "agreement" and report.seat == SEAT and report.viewer == SEAT
    assert report.person is not None and report.person.utility == pytest.approx(report.scorecard.parties[0].utility)
    assert report.nash is not None and report.viewer_at_nash == pytest.approx(report.nash.utilities[SEAT])
    assert report.scorecard.pareto_optimal and report.better_count == 0 and report.better_deals == []
    assert [r.rule_id for r in report.rules] == ["transparency"]
    assert report.rules[0].blocked == 1 and report.rules[0].parties == [SEAT] and report.rules[0].turns == [1]
    assert report.blocked_attempts == 1
    assert report.transcript is not None and report.transcript.ok and report.transcript.sealed
    assert report.plot is not None and report.plot.endswith("utility_space.png")
    outputs = {p.name for p in service.outputs(view.id)}
    assert {"scorecard.json", "scorecard.md", "utility_space.png", "termsheet.md"} <= outputs


def test_a_walk_away_debrief_lists_the_deals_left_on_the_table(service: Rehearsals) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    view = service.submit(view.id, {"kind": "walk_away", "reason": "Not today.", "by": "Ada"})
    report = service.debrief(view.id)
    assert report.outcome == "walk_away" and report.concessions == []
    assert report.better_count > 0 and report.better_deals
    for deal in report.better_deals:
        assert all(deal.utilities[p] >= report.reservations[p] - 1e-9 for p in report.reservations)


def test_concessions_in_a_played_rehearsal(service: Rehearsals, nash_terms: dict[str, IssueValue]) -> None:
    view = service.start(SCENARIO, SEAT, seed=SEED)
    ideal = view.defaults()
    view = service.submit(view.id, counter(view, ideal))
    report_steps: list[float] = []
    view = play_to_end(service, view, nash_terms)
    report = service.debrief(view.id)
    report_steps = [s.cost for s in report.concessions]
    assert report.concessions and report.concessions[0].turn == 3
    assert report.conceded == pytest.approx(sum(report_steps))
