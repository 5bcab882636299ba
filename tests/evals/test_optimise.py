"""The large-space evaluator (`evals.optimise`) against the exact, enumerating one.

The optimisation path is forced on spaces small enough for the exact frontier
(``analyse(method="optimise")``), on the benchmark's generated scenarios up to 10^6 outcomes
and 6 parties, under unanimity, under a quorum with a veto, and with multi-issue hard
constraints: the Nash, Kalai–Smorodinsky and utilitarian objectives equal the exact ones and
are proven (gap 0), the Pareto verdicts of deals equal the exact verdicts, and the exact
distance lies within the reported interval.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from benchmarks import generated_scenario
from evals.frontier import distance_to_frontier
from evals.optimise import deadline_after
from evals.scorecard import OutcomeAnalysis, analyse, score
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.scale import BOOK_LIMIT, OPTIMISE_LIMIT, book_enumerable, frontier_enumerable
from pactlab.domain.scenario import Scenario


def _with(scenario: Scenario, **changes: Any) -> Scenario:
    data = scenario.model_dump(mode="json")
    for key, value in changes.items():
        if key == "constraints":
            data["parties"][0]["private"]["constraints"] = value[0]
            data["parties"][1]["private"]["constraints"] = value[1]
        else:
            data[key] = value
    return Scenario.model_validate(data)


def _same_objectives(fast: OutcomeAnalysis, exact: OutcomeAnalysis) -> None:
    for name in ("nash", "kalai_smorodinsky", "utilitarian"):
        a, b = getattr(fast, name), getattr(exact, name)
        assert (a is None) == (b is None), name
        if a is None or b is None:
            continue
        assert a.exact and a.gap == 0.0, name
        assert math.isclose(a.objective, b.objective, rel_tol=1e-9, abs_tol=1e-12), (name, a.objective, b.objective)
        assert fast.large is not None and fast.large.feasible(a.outcome)


def _same_verdicts(scenario: Scenario, fast: OutcomeAnalysis, exact: OutcomeAnalysis, deals: int, seed: int) -> None:
    space = exact.space
    rng = np.random.default_rng(seed)
    candidates = [int(o) for o in rng.integers(0, space.cardinality, deals)]
    candidates += [int(o) for o in exact.frontier.outcomes[:: max(1, len(exact.frontier) // 4)][:4]]
    for outcome in candidates:
        sheet = dict(space.term_sheet(outcome).terms)
        args: dict[str, Any] = {"outcome": "agreement", "agreement": sheet, "agreed_by": scenario.party_ids}
        slow = score(scenario, [], rounds=1, analysis=exact, **args)
        quick = score(scenario, [], rounds=1, analysis=fast, **args)
        assert quick.pareto_optimal == slow.pareto_optimal, outcome
        assert quick.accuracy is not None and slow.accuracy is None
        assert quick.accuracy["pareto_optimal"].exact
        distance = quick.accuracy["pareto_distance"]
        if distance.exact:
            assert math.isclose(quick.pareto_distance, slow.pareto_distance, abs_tol=1e-9)
        else:
            assert distance.lower is not None and distance.upper is not None
            assert distance.lower - 1e-9 <= slow.pareto_distance <= distance.upper + 1e-9
            assert quick.pareto_distance == distance.upper
        assert math.isclose(quick.nash_ratio, slow.nash_ratio, rel_tol=1e-9)
        assert quick.social_welfare == slow.social_welfare
        assert quick.fairness_gini == slow.fairness_gini


@pytest.mark.parametrize(
    ("n", "parties"),
    [(1_000, 2), (10_000, 3), (100_000, 4), (100_000, 5), (1_000_000, 6)],
)
def test_forced_optimisation_matches_the_exact_frontier(n: int, parties: int) -> None:
    scenario = generated_scenario(n, parties, seed=n + parties)
    exact = analyse(scenario, method="enumerate")
    fast = analyse(scenario, method="optimise")
    assert exact.frontier.exact and exact.large is None
    assert fast.large is not None and fast.frontier.method == "optimisation" and not fast.frontier.exact
    _same_objectives(fast, exact)
    _same_verdicts(scenario, fast, exact, deals=6 if n < 1_000_000 else 3, seed=n)


@pytest.mark.parametrize(("quorum", "veto"), [(3, []), (4, ["party_0"])])
def test_quorum_rules_follow_the_coalitional_definitions(quorum: int, veto: list[str]) -> None:
    scenario = _with(
        generated_scenario(10_000, 5, seed=11),
        protocol={"agreement": {"kind": "quorum", "quorum": quorum, "veto": veto}},
    )
    exact = analyse(scenario, method="enumerate")
    fast = analyse(scenario, method="optimise")
    _same_objectives(fast, exact)
    assert fast.nash is not None and exact.nash is not None
    assert len(fast.nash.coalition) == quorum and set(veto) <= set(fast.nash.coalition)
    _same_verdicts(scenario, fast, exact, deals=5, seed=1)


def test_multi_issue_hard_constraints_are_kept() -> None:
    scenario = _with(
        generated_scenario(100_000, 3, seed=3),
        constraints=(
            ["if issue_0 in [option_0, option_1, option_2] then issue_4 != option_9", "issue_1 <= 6 or issue_3 >= 3"],
            ["if issue_2 == option_5 and issue_3 > 2 then issue_4 in [option_1, option_2]", "issue_1 >= 2"],
        ),
    )
    exact = analyse(scenario, method="enumerate")
    fast = analyse(scenario, method="optimise")
    assert exact.frontier.exact
    _same_objectives(fast, exact)
    for solution in (fast.nash, fast.kalai_smorodinsky, fast.utilitarian):
        assert solution is not None
        assert all(u.satisfies_constraints(solution.terms) for u in fast.utilities.values())
    _same_verdicts(scenario, fast, exact, deals=8, seed=2)


def test_a_dominated_deal_names_a_frontier_point_that_dominates_it() -> None:
    scenario = generated_scenario(10_000, 3, seed=5)
    exact = analyse(scenario, method="enumerate")
    fast = analyse(scenario, method="optimise")
    assert fast.large is not None
    point = fast.large.point(0)
    found = fast.large.dominance(point, deadline_after(None))
    assert found.dominated and found.witness is not None and found.exact
    witness = fast.large.point(found.witness)
    assert (witness >= point).all() and (witness > point).any()
    assert distance_to_frontier(witness, exact.frontier) == 0.0  # the witness is on the frontier


def test_an_exhausted_budget_gives_bounded_answers_not_a_hang() -> None:
    scenario = generated_scenario(10**12, 6, seed=1)
    fast = analyse(scenario, budget=0.0)  # nothing may run: every answer is marked, none is invented
    assert fast.large is not None
    assert fast.large.unfinished == {"nash", "kalai_smorodinsky", "utilitarian"}
    assert (fast.nash, fast.kalai_smorodinsky, fast.utilitarian) == (None, None, None)
    sheet = dict(fast.space.term_sheet(0).terms)
    everyone = scenario.party_ids
    card = score(scenario, [], outcome="agreement", agreement=sheet, agreed_by=everyone, rounds=1, analysis=fast)
    assert card.accuracy is not None
    assert not card.accuracy["nash_point"].exact and not card.accuracy["pareto_optimal"].exact


def test_the_size_switch() -> None:
    assert frontier_enumerable(10**8, 3) and not frontier_enumerable(10**8, 6)
    assert frontier_enumerable(10**4, 10) and not frontier_enumerable(10**6, 6)
    assert book_enumerable(BOOK_LIMIT) and not book_enumerable(BOOK_LIMIT + 1)
    assert OPTIMISE_LIMIT < 2**63
    scenario = generated_scenario(10**7, 6, seed=4)
    assert analyse(scenario).large is not None  # "auto" optimises above the limit


def test_reports_say_which_figures_are_approximate_and_within_what() -> None:
    import io

    from rich.console import Console

    from evals.report import scorecard_markdown
    from evals.scorecard import accuracy_note, approximate_counts, approximate_figures, approximate_summary
    from pactlab.app.cli.render import print_scorecard

    scenario = generated_scenario(10**12, 6, seed=1)
    sheet = dict(OutcomeSpace(scenario.issues).term_sheet(0).terms)
    args: dict[str, Any] = {"outcome": "agreement", "agreement": sheet, "agreed_by": scenario.party_ids, "rounds": 1}
    rough = score(scenario, [], analysis=analyse(scenario, budget=0.0), **args)
    figures = approximate_figures(rough)
    assert {"nash_point", "pareto_optimal", "nash_ratio"} <= set(figures)
    assert "social_welfare" not in figures  # computed from the deal itself: exact
    note = accuracy_note(rough)
    assert note is not None and "nash point unproven" in note
    assert approximate_figures(rough.model_dump(mode="json")) == figures  # the stored JSON form reads the same
    out = io.StringIO()
    print_scorecard(Console(file=out, width=200), rough)
    assert "≈" in out.getvalue() and "Approximate figures" in out.getvalue()
    small = generated_scenario(1_000, 2, seed=1)
    small_sheet = dict(OutcomeSpace(small.issues).term_sheet(0).terms)
    exact = score(small, [], outcome="agreement", agreement=small_sheet, agreed_by=small.party_ids, rounds=1)
    assert approximate_figures(exact) == {} and accuracy_note(exact) is None
    assert "Approximate figures" in scorecard_markdown(rough) and "Approximate" not in scorecard_markdown(exact)
    counts = approximate_counts([rough, rough.model_dump(mode="json"), exact])
    assert counts["nash_point"] == 2
    summary = approximate_summary(counts, 3)
    assert summary is not None and "nash point in 2 of 3 runs" in summary
    assert approximate_summary({}, 3) is None
