"""A scorecard as a Markdown report that a person can read without knowing the measures.

Every text it embeds from the scenario or the run (title, party names, issue ids, values, rule
reasons) is escaped (`evals.markdown`): a party called ``A | B`` or ``[x](http://…)`` stays text
and the tables stay tables. The report is rendered from the scorecard alone (no scenario needed), so a stored
``scorecard.json`` can be turned into a report later. JSON output is
``card.model_dump_json(indent=2)``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from evals.bargaining import nash_product
from evals.markdown import code, text
from evals.scorecard import BargainingPoint, Scorecard, accuracy_note
from pactlab.domain.issues import IssueValue, value_key

_HEADLINES = {
    "agreement": "Agreement",
    "impasse": "Impasse: no agreement within the round limit",
    "walk_away": "No agreement: a party walked away",
}


def scorecard_markdown(card: Scorecard) -> str:
    """The scorecard as Markdown: headline, term sheet, parties, measures, bargaining points."""
    lines: list[str] = [f"# {text(card.scenario_title)}", ""]
    lines += _headline(card)
    lines += _term_sheet(card)
    lines += _parties(card)
    lines += _measures(card)
    lines += _bargaining_points(card)
    lines += _not_applicable(card)
    lines += _opponent_models(card)
    return "\n".join(lines).rstrip() + "\n"


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _row(cells: list[str]) -> str:
    """A table row; a pipe that escaping missed is escaped here (one already escaped is left alone)."""
    return "| " + " | ".join(re.sub(r"(?<!\\)\|", r"\\|", c) for c in cells) + " |"


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    marks = [("---:" if a == "r" else "---") for a in (align or "").ljust(len(header), "l")[: len(header)]]
    return [_row(header), "| " + " | ".join(marks) + " |", *(_row(r) for r in rows), ""]


def _names(card: Scorecard) -> dict[str, str]:
    return {p.party: p.name for p in card.parties}


def _headline(card: Scorecard) -> list[str]:
    names = _names(card)
    run = f"Negotiation {code(card.negotiation_id)}, " if card.negotiation_id else ""
    head = [
        f"**{_HEADLINES[card.outcome]}** after {card.rounds} round(s) and {card.turns} move(s).",
        "",
        f"{run}scenario {code(card.scenario_id)}, seed {card.seed}.",
        "",
    ]
    if card.outcome == "agreement":
        who = ", ".join(f"{text(names.get(p, p))} ({text(p)})" for p in card.agreed_by)
        head += [f"Accepted by: {who}.", ""]
    else:
        left = [f"{text(p.name)} ({text(p.party)})" for p in card.parties if p.walked_away]
        if left:
            head += [f"Walked away: {', '.join(left)}.", ""]
        head += ["Without a deal every party falls back on its alternative (its reservation value).", ""]
    return head


def _term_sheet(card: Scorecard) -> list[str]:
    if card.agreement is None:
        return []
    rows = [
        [text(issue.replace("_", " ")), code(value_key(value), in_table=True)]
        for issue, value in card.agreement.items()
    ]
    return ["## Agreed term sheet", "", *_table(["issue", "value"], rows)]


def _parties(card: Scorecard) -> list[str]:
    rows = []
    for p in card.parties:
        notes = []
        if p.walked_away:
            notes.append("walked away")
        if card.outcome == "agreement" and p.party not in card.agreed_by:
            notes.append("did not accept")
        if p.constraints_met is False:
            notes.append("**deal breaks a hard constraint**")
        if p.utility is not None and p.surplus < 0:
            notes.append("**below its reservation value**")
        rows.append(
            [
                f"{text(p.name)} ({code(p.party, in_table=True)})",
                _f(p.utility),
                _f(p.reservation_value),
                f"{p.surplus:+.3f}",
                str(p.offers_made),
                str(p.accepts),
                _f(p.first_offer_utility),
                _f(p.last_offer_utility),
                f"{p.concession:+.3f}",
                f"{p.concession_rate:+.3f}",
                ", ".join(notes),
            ]
        )
    header = [
        "party",
        "utility",
        "reservation",
        "surplus",
        "offers",
        "accepts",
        "first offer",
        "last offer",
        "concession",
        "per offer",
        "notes",
    ]
    return [
        "## Parties",
        "",
        *_table(header, rows, "lrrrrrrrrrl"),
        "Utilities are each party's own, from 0 to 1. Surplus: utility minus reservation value "
        "(0 without a deal). First/last offer: the party's own utility of its first and last offers; "
        "concession: how much of it the party gave up between them, and per offer after the first.",
        "",
    ]


def _measures(card: Scorecard) -> list[str]:
    deal = card.outcome == "agreement"
    rows: list[list[str]] = []
    welfare_note = "sum of the parties' utilities" if deal else "sum of the reservation values (no deal)"
    best = card.utilitarian_point
    if best is not None:
        welfare_note += f"; the utilitarian solution reaches {sum(best.utilities.values()):.3f}"
    rows.append(["social welfare", _f(card.social_welfare), welfare_note])
    if deal:
        among = "the parties'" if card.coalition is None else f"the coalition's ({', '.join(card.coalition)})"
        rows.append(
            ["Nash product", _f(card.nash_product, 4), f"product of {among} gains over their reservation values"]
        )
        rows.append(
            [
                "Nash ratio",
                _f(card.nash_ratio),
                f"the deal reaches {_pct(card.nash_ratio)} of the Nash bargaining solution's product of gains",
            ]
        )
        if card.pareto_optimal:
            pareto = "on the Pareto frontier: no outcome is better for one party without being worse for another"
        elif any(p.constraints_met is False for p in card.parties):
            pareto = "the deal breaks a hard constraint, so it lies outside the outcomes the frontier is drawn over" + (
                f" ({card.pareto_distance:.3f} from the frontier)" if card.pareto_distance > 0 else ""
            )
        elif card.frontier_size == 0:
            pareto = "no outcome keeps every party's hard constraints, so there is no frontier to compare with"
        else:
            pareto = (
                f"another outcome is better for someone and no worse for anyone; the nearest frontier outcome is "
                f"{card.pareto_distance:.3f} away: value was left on the table"
            )
        rows.append(["Pareto distance", _f(card.pareto_distance), pareto])
        rows.append(
            [
                "fairness: min/max surplus",
                _f(card.fairness_min_max_ratio),
                _min_max_note(card.fairness_min_max_ratio),
            ]
        )
        rows.append(
            [
                "fairness: Gini of surpluses",
                _f(card.fairness_gini),
                "inequality of the gains: 0 = equal shares, near 1 = one party takes all",
            ]
        )
    else:
        rows.append(["Nash ratio", _f(card.nash_ratio), "no deal: nobody gains anything over its alternative"])
        rows.append(
            [
                "Pareto distance",
                _f(card.pareto_distance),
                "distance from the no-deal point (the reservation values) to the nearest frontier outcome: "
                "how far the parties stayed from an efficient deal",
            ]
        )
        rows.append(
            [
                "fairness",
                f"{_f(card.fairness_min_max_ratio)} / {_f(card.fairness_gini)}",
                "min/max ratio / Gini: trivially equal, since every surplus is 0",
            ]
        )
    frontier = "exact" if card.frontier_exact else "approximate (sampled): distances are estimates"
    if card.accuracy is not None:  # a large space: no frontier listed, each figure's accuracy in the note below
        frontier = "not listed: the figures were answered by optimisation"
    notes = [
        f"Pareto frontier: {card.frontier_size} of {card.outcome_space_size:,} outcomes ({frontier}, "
        f"method `{card.frontier_method}`)."
    ]
    rough = accuracy_note(card)
    if rough is not None:
        notes += ["", text(rough)]
    return ["## Welfare and fairness", "", *_table(["measure", "value", "what it means"], rows, "lrl"), *notes, ""]


def _min_max_note(ratio: float) -> str:
    if ratio <= 0:
        return "a party gains nothing (or loses) while another gains"
    if ratio >= 1:
        return "every party gains the same"
    return f"the party gaining least gets {_pct(ratio)} of the gain of the party gaining most"


def _bargaining_points(card: Scorecard) -> list[str]:
    points = [p for p in (card.nash_point, card.kalai_smorodinsky_point, card.utilitarian_point) if p is not None]
    if not points:
        return ["## Bargaining solutions", "", "No outcome is acceptable to every party: no bargaining solution.", ""]
    parties = [p.party for p in card.parties]
    reservations = {p.party: p.reservation_value for p in card.parties}
    header = ["", *(f"u({text(p)})" for p in parties), "welfare", "Nash product", "differs from the deal on"]
    rows: list[list[str]] = []
    if card.agreement is None:
        title = "## Bargaining solutions: what a deal could have been"
        header = header[:-1]
    else:
        title = "## Bargaining solutions compared with the deal"
        deal = {p.party: p.utility or 0.0 for p in card.parties}
        rows.append(
            ["**the deal**", *(_f(deal[p]) for p in parties), _f(sum(deal.values())), _f(card.nash_product, 4), ""]
        )
    for point in points:
        row = [
            _POINT_NAMES.get(point.name, point.name) + ("" if point.exact else " (approx.)"),
            *(_f(point.utilities.get(p)) for p in parties),
            _f(sum(point.utilities.values())),
            _f(_point_product(point, reservations), 4),
        ]
        if card.agreement is not None:
            row.append(_differences(card.agreement, point))
        rows.append(row)
    return [
        title,
        "",
        *_table(header, rows, "l" + "r" * (len(parties) + 2) + "l"),
        "Nash: maximises the product of gains over reservation values. Kalai-Smorodinsky: gives every party "
        "the same share of its best possible gain. Utilitarian: maximises the sum of utilities.",
        "",
    ]


def _point_product(point: BargainingPoint, reservations: Mapping[str, float]) -> float:
    """The point's Nash product: over its coalition under a quorum rule, else over every party."""
    if point.coalition is None:
        return nash_product(point.utilities, reservations)
    return nash_product({p: point.utilities[p] for p in point.coalition}, reservations)


_POINT_NAMES = {"nash": "Nash", "kalai_smorodinsky": "Kalai-Smorodinsky", "utilitarian": "utilitarian"}


def _differences(agreement: Mapping[str, IssueValue], point: BargainingPoint) -> str:
    diffs = [
        f"{text(issue.replace('_', ' '))} {code(value_key(value), in_table=True)}"
        for issue, value in point.terms.items()
        if issue not in agreement or value_key(agreement[issue]) != value_key(value)
    ]
    return ", ".join(diffs) if diffs else "nothing (same term sheet)"


def _not_applicable(card: Scorecard) -> list[str]:
    if not card.policies_not_applicable:
        return []
    rows = [[code(n.rule, in_table=True), text(n.reason)] for n in card.policies_not_applicable]
    return ["## Policy rules not applicable", "", *_table(["rule", "why"], rows)]


def _opponent_models(card: Scorecard) -> list[str]:
    """How right each agent's opponent model was (evals.opponent_models); nothing without one."""
    if not card.opponent_models:
        return []
    rows = [
        [
            text(m.holder),
            text(m.about),
            text(m.model),
            _f(m.pearson_r),
            "–" if m.reservation_estimate is None else f"{_f(m.reservation_estimate)} vs {_f(m.reservation_value)}",
            _f(m.reservation_error),
        ]
        for m in card.opponent_models
    ]
    sample = card.opponent_models[0]
    over = f"a seeded sample of {sample.outcomes_compared} outcomes" if sample.sampled else "every outcome"
    return [
        "## Opponent models: how right they were",
        "",
        f"Pearson r of estimated vs true utility over {over}; reservation value estimated vs true.",
        "",
        *_table(["agent", "model of", "model", "Pearson r", "reservation value", "error"], rows),
    ]
