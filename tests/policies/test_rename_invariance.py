"""Renaming every id of a scenario changes no policy verdict, constraint or report, only the names in them.

Each shipped scenario is renamed throughout (issues, options, parties, fields, tiers: see
tests/renaming.py). On the same deals — the Nash point, every party's ideal, sampled outcomes,
mapped through the renaming — and the same moves, every rule of both shipped sets says the same
thing, with the same reasons once the new names are turned back into the old ones.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from evals.bargaining import nash_solution
from pactlab.domain.actions import Accept, Propose
from pactlab.domain.catalog import load_scenario, shipped_scenarios
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction, utility_functions
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import opening_table
from policies import (
    MoveContext,
    PolicySet,
    Verdict,
    check_deal,
    check_escalation,
    check_move,
    load_policy_set,
    mandate_constraints,
    not_applicable,
)
from tests.renaming import Renaming, renamed

SCENARIOS = sorted(shipped_scenarios())
SETS = ["fair-and-open", "minimal"]
World = tuple[Scenario, OutcomeSpace, dict[str, UtilityFunction]]


def world(scenario: Scenario) -> World:
    space = OutcomeSpace(scenario.issues)
    return scenario, space, utility_functions(space, {p.id: p.private for p in scenario.parties})


@cache
def worlds(name: str) -> tuple[World, World, Renaming]:
    original, _ = load_scenario(name)
    other, renaming = renamed(original)
    return world(original), world(other), renaming


@cache
def policy_set(name: str) -> PolicySet:
    return load_policy_set(name)[0]


def said(verdicts: list[Verdict], renaming: Renaming | None = None) -> list[tuple[str, str, bool, str]]:
    """What the verdicts say, the reasons in the old names."""
    undo = renaming.undo if renaming is not None else (lambda text: text)
    return [(v.rule_id, v.severity, v.passed, undo(v.reason)) for v in verdicts]


def deals(name: str) -> list[dict[str, IssueValue]]:
    """The Nash point, every party's ideal outcome, the middle outcome and 25 sampled outcomes."""
    (_, space, utils), _, _ = worlds(name)
    nash = nash_solution(space, utils)
    assert nash is not None
    indices = [int(np.argmax(np.where(u.constraint_mask(), u.over_space(), -np.inf))) for u in utils.values()]
    indices.append(int(np.ravel_multi_index(tuple((n - 1) // 2 for n in space.shape), space.shape)))
    indices += [int(i) for i in np.random.default_rng(7).choice(space.cardinality, 25, replace=False)]
    return [dict(nash.terms.terms)] + [dict(space.term_sheet(i).terms) for i in indices]


def test_the_renaming_renames_every_id() -> None:
    (original, _, _), (other, _, _), renaming = worlds("ecosystem")
    assert not set(original.issue_ids) & set(other.issue_ids)
    assert not set(original.party_ids) & set(other.party_ids)
    assert [renaming.issues[i] for i in original.issue_ids] == other.issue_ids
    assert other.protocol.agreement.veto == [renaming.parties["platform"]]
    assert [t.kind for t in other.dispute_ladder] == [t.kind for t in original.dispute_ladder]
    assert renaming.undo(str(other.parties[0].private.constraints[0])) == original.parties[0].private.constraints[0]


@pytest.mark.parametrize("set_name", SETS)
@pytest.mark.parametrize("name", SCENARIOS)
def test_every_verdict_on_the_same_deals_is_the_same(name: str, set_name: str) -> None:
    (s1, space1, utils1), (s2, space2, utils2), renaming = worlds(name)
    rules = policy_set(set_name)
    signatories = [s1.party_ids, s1.party_ids[:-1]] if len(s1.party_ids) > 2 else [s1.party_ids]
    for terms in deals(name):
        for parties in signatories:
            before = check_deal(rules, s1, space1, utils1, terms, parties)
            after = check_deal(rules, s2, space2, utils2, renaming.terms(terms), [renaming.party(p) for p in parties])
            assert said(after, renaming) == said(before), terms


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_verdict_on_the_same_moves_is_the_same(name: str) -> None:
    (s1, space1, utils1), (s2, space2, utils2), renaming = worlds(name)
    rules = policy_set("fair-and-open")
    sampled = deals(name)
    proposer, speaker = s1.speaking_order()[:2]
    for previous, terms in itertools.pairwise(sampled):
        # a counter-proposal whose rationale names the changed issues by their names (which a renaming keeps)
        changed = [i.label for i in s1.issues if terms[i.id] != previous[i.id]]
        for rationale in (f"We move on {', '.join(changed)}.", "Take it."):
            for action, renamed_action in (
                (Propose(terms=terms, rationale=rationale), Propose(terms=renaming.terms(terms), rationale=rationale)),
                (Accept(), Accept()),
            ):
                table = replace(
                    opening_table(s1), round=3, turn=7, speaker=speaker, proposal=previous, proposer=proposer,
                    accepted_by=frozenset({proposer}),
                )  # fmt: skip
                renamed_table = replace(
                    opening_table(s2), round=3, turn=7, speaker=renaming.party(speaker),
                    proposal=renaming.terms(previous), proposer=renaming.party(proposer),
                    accepted_by=frozenset({renaming.party(proposer)}),
                )  # fmt: skip
                escalations = ((s1.dispute_ladder[1].id, 1),)
                before = check_move(rules, MoveContext(s1, space1, utils1, table, speaker, action, (), escalations))
                after = check_move(
                    rules,
                    MoveContext(
                        s2, space2, utils2, renamed_table, renaming.party(speaker), renamed_action, (),
                        ((renaming.tiers[escalations[0][0]], 1),),
                    ),
                )  # fmt: skip
                assert said(after, renaming) == said(before), (previous, terms, action)


@pytest.mark.parametrize("name", SCENARIOS)
def test_escalations_mandates_and_not_applicable_rules_are_the_same(name: str) -> None:
    (s1, _, _), (s2, _, _), renaming = worlds(name)
    rules = policy_set("fair-and-open")
    assert [renaming.undo(c) for c in mandate_constraints(rules, s2)] == mandate_constraints(rules, s1)
    assert [(n.rule, renaming.undo(n.reason)) for n in not_applicable(rules, s2)] == [
        (n.rule, n.reason) for n in not_applicable(rules, s1)
    ]
    tiers = [t.id for t in s1.dispute_ladder]
    for history in ([(tiers[1], 2), (tiers[2], 5)], [(tiers[2], 2)], [(tiers[1], 2), (tiers[2], 3)]):
        before = check_escalation(rules, s1, 6, history)
        after = check_escalation(rules, s2, 6, [(renaming.tiers[t], r) for t, r in history])
        assert said(after, renaming) == said(before)
