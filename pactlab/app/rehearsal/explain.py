"""The debrief in plain sentences: what you gave up, what you gained, and the deal that was better for everyone.

Computed from a `Debrief` as the person may see it (a debrief cut by `withheld` yields no
sentence about the other parties' values), the scenario and the moves: the person's own
opening offer is compared with the deal issue by issue, on the one 0–100 scale of value to
you, with the issues' display names and the options' labels (`wording`). The terms the
sentences use are explained in `evals.glossary` (the terminal's ``--explain``, the web tooltips).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from pactlab.app.rehearsal.debrief import Debrief
from pactlab.app.rehearsal.wording import change_text, issue_name, option_text, points_text
from pactlab.domain.issues import IssueValue, value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MoveRecord

SHOWN = 3
"""How many issues a sentence names before it sums up the rest."""


class PlainDebrief(BaseModel):
    """The debrief's three plain statements, each one or more sentences."""

    model_config = ConfigDict(frozen=True)

    gained: list[str]
    gave_up: list[str]
    better: list[str]


def _party_name(scenario: Scenario, party: str) -> str:
    return next((p.name for p in scenario.parties if p.id == party), party)


def _opening(moves: Sequence[MoveRecord], party: str) -> Mapping[str, IssueValue] | None:
    return next((m["terms"] for m in moves if m["party"] == party and m["kind"] == "propose" and m["terms"]), None)


def _per_issue(
    scenario: Scenario, utility: UtilityFunction, before: Mapping[str, IssueValue], after: Mapping[str, IssueValue]
) -> list[tuple[str, str, str, float]]:
    """Each issue whose option differs: (display name, option before, option after, change of value to you)."""
    space = utility.space
    picks_before = space.option_indices(space.validate(before))
    picks_after = space.option_indices(space.validate(after))
    found = []
    for k, issue in enumerate(space.issues):
        if picks_before[k] == picks_after[k]:
            continue
        table = utility.tables[k]
        found.append(
            (
                issue_name(scenario, issue.id),
                option_text(space, issue.id, before[issue.id]),
                option_text(space, issue.id, after[issue.id]),
                float(table[picks_after[k]] - table[picks_before[k]]),
            )
        )
    return found


def _listed(items: Sequence[tuple[str, str, str, float]]) -> str:
    shown = [f"{name} ({old} → {new}, {change_text(delta)})" for name, old, new, delta in items[:SHOWN]]
    rest = items[SHOWN:]
    if rest:
        shown.append(f"{len(rest)} more term(s) ({change_text(sum(d for *_, d in rest))})")
    return "; ".join(shown)


def plain_debrief(report: Debrief, scenario: Scenario, moves: Sequence[MoveRecord]) -> PlainDebrief:
    """The debrief's plain sentences for its viewer (see the module docstring)."""
    viewer = report.viewer
    person = report.person
    if viewer is None or person is None:
        return PlainDebrief(gained=[], gave_up=[], better=[])
    space = OutcomeSpace(scenario.issues)
    party = next(p for p in scenario.parties if p.id == viewer)
    utility = UtilityFunction(space, party.private)
    deal = report.scorecard.agreement
    walk = points_text(person.reservation_value)
    opening = _opening(moves, viewer)

    gained: list[str] = []
    gave_up: list[str] = []
    if deal is None:
        gained.append(f"There was no deal: you keep your walk-away point ({walk} of 100), so you gained nothing.")
    else:
        worth = points_text(person.utility)
        if person.surplus >= 0:
            gained.append(
                f"The deal is worth {worth} of 100 to you. Your walk-away point was {walk}, so the deal gained you "
                f"{change_text(person.surplus)} points over walking away (your surplus)."
            )
        else:
            gained.append(
                f"The deal is worth {worth} of 100 to you, below your walk-away point of {walk}: you would have been "
                f"better off without it ({change_text(person.surplus)})."
            )
    if opening is None:
        gave_up.append("You made no offer of your own, so there is no opening position to compare the deal with.")
    elif deal is not None:
        changed = _per_issue(scenario, utility, opening, deal)
        losses = sorted((c for c in changed if c[3] < -1e-9), key=lambda c: c[3])
        wins = sorted((c for c in changed if c[3] > 1e-9), key=lambda c: -c[3])
        start = utility(space.validate(opening))
        kept = [issue_name(scenario, i.id) for i in space.issues if value_key(opening[i.id]) == value_key(deal[i.id])]
        if losses:
            gave_up.append(
                f"From your opening offer ({points_text(start)} of 100) to the deal you gave up "
                f"{points_text(-sum(c[3] for c in losses))} points: {_listed(losses)}."
            )
        else:
            gave_up.append("You gave up nothing: on every issue the deal is at least as good for you as your opening.")
        if wins:
            gained.append(f"The deal is better for you than your own opening on: {_listed(wins)}.")
        if kept:
            gained.append(f"You kept your opening position on: {', '.join(kept)}.")
    else:
        gave_up.append(
            f"Your offers came down {points_text(report.conceded)} points from your opening "
            f"({points_text(utility(space.validate(opening)))} of 100), but no deal was reached."
        )
    return PlainDebrief(gained=gained, gave_up=gave_up, better=_better(report, scenario, space, utility))


def _better(report: Debrief, scenario: Scenario, space: OutcomeSpace, utility: UtilityFunction) -> list[str]:
    """The deal that would have been better for everyone: a Pareto-improving one, else the Nash point."""
    viewer = report.viewer or ""
    deal = report.scorecard.agreement
    others_known = len(report.scorecard.parties) == len(scenario.parties)
    if report.better_deals:
        best = report.better_deals[0]
        what = "the deal" if deal is not None else "walking away"
        gains = ", ".join(
            f"{'you' if p == viewer else _party_name(scenario, p)} {change_text(g)}" for p, g in best.gains.items()
        )
        if deal is not None:
            changes = _per_issue(scenario, utility, deal, best.terms)
            terms = "; ".join(f"{name}: {old} → {new}" for name, old, new, _ in changes) or "the same terms"
        else:
            terms = "; ".join(f"{issue_name(scenario, k)}: {option_text(space, k, v)}" for k, v in best.terms.items())
        return [
            f"{report.better_count} deal(s) would have been better for every side than {what}. "
            f"The best of them for you: {terms}.",
            f"It would have given (in value to each side, 0–100): {gains}.",
        ]
    if not others_known or report.nash is None:
        return ["Which deal would have been better for everyone is shown when every related rehearsal has ended."]
    nash = report.nash
    at_nash = ", ".join(
        f"{'you' if p == viewer else _party_name(scenario, p)} {points_text(u)}" for p, u in nash.utilities.items()
    )
    if deal is None:
        return [
            "No deal would have been better for every side than walking away.",
            f"The balanced benchmark, the Nash point, would have given: {at_nash}.",
        ]
    changes = _per_issue(scenario, utility, deal, nash.terms)
    terms = "; ".join(f"{name}: {old} → {new}" for name, old, new, _ in changes)
    sentence = "No other deal would have been better for every side: nothing was left on the table."
    if not changes:
        return [sentence, "The deal is the Nash point, the balanced benchmark."]
    return [sentence, f"The balanced benchmark, the Nash point, differs on {terms}; it would have given: {at_nash}."]


__all__ = ["PlainDebrief", "plain_debrief"]
