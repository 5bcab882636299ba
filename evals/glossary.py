"""The numbers of a scorecard and a debrief, explained in a partnership lead's words: one source.

Every place that explains a figure takes its words from here: the terminal debrief's
``--explain`` section (`pactlab rehearse`, `pactlab debrief`), the web pages' tooltips, the
notebook tables (`_repr_html_`) and docs/glossary.md (written by ``python -m evals.glossary``;
a test keeps the file equal to this module). It lives in `evals`, the layer that computes the
figures, so the notebook rendering of a scorecard and the applications can both use it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One glossary entry: its key, the term as shown, a one-line tooltip and a fuller explanation."""

    key: str
    term: str
    short: str
    long: str


GLOSSARY: tuple[Term, ...] = (
    Term(
        "value",
        "Value to you (0–100)",
        "How good a deal is for one side, from 0 (its worst possible deal) to 100 (its best).",
        "Each side scores a deal on its own scale: 100 is the best deal it could hope for, 0 the worst. "
        "The score adds up what each term is worth to that side, weighted by how much the issue matters to it. "
        "Two sides' scores are not comparable with each other: 60 for you and 60 for them do not mean an equal "
        "split. Internally this is the side's utility, 0 to 1; pages show it times 100.",
    ),
    Term(
        "utility",
        "Utility",
        "The same as value to you, on a 0–1 scale (0.6 is 60 of 100).",
        "The scorecard files keep figures on the 0–1 scale; the terminal and the web show them as 0–100. "
        "A utility of 0.62 and a value of 62 are the same thing.",
    ),
    Term(
        "reservation_value",
        "Reservation value (walk-away point)",
        "What a side can get without this deal (its best alternative): below it, no deal is better.",
        "Every side has a walk-away point: the value of its best alternative if these talks fail (another "
        "partner, doing it in-house, waiting). A deal worth less than that is worse than no deal, so a sensible "
        "side never signs it. It is private: the other side can only guess it.",
    ),
    Term(
        "surplus",
        "Surplus",
        "What the deal gives a side above its walk-away point (value minus reservation value).",
        "The real gain from making the deal rather than walking away. A deal worth 70 to a side whose walk-away "
        "point is 45 gives it a surplus of 25. Without a deal every side keeps its walk-away point: surplus 0. "
        "A negative surplus means the side signed something worse than its alternative.",
    ),
    Term(
        "outcome_space",
        "Outcome space",
        "Every possible term sheet: one option chosen for each issue.",
        "With four issues of five options each there are 5 × 5 × 5 × 5 = 625 possible deals. The evaluator "
        "looks at all of them (or, when there are too many, searches them) to tell how good the actual deal was.",
    ),
    Term(
        "pareto_frontier",
        "Pareto frontier",
        "The deals that cannot be improved for one side without making another side worse off.",
        "Of all possible deals, those where nothing is left on the table: any change that helps one side hurts "
        "another. A deal off the frontier wastes value: some other deal would have been at least as good for "
        "everyone and better for someone. Where on the frontier to land is the bargaining; being on it is "
        "efficiency.",
    ),
    Term(
        "pareto_optimal",
        "Pareto optimal",
        "The deal is on the Pareto frontier: no other deal is better for someone and no worse for anyone.",
        "Yes means nothing was left on the table. No means at least one other deal would have made every side "
        "at least as well off and one side better off; the debrief names the best such deals.",
    ),
    Term(
        "pareto_distance",
        "Distance to the frontier",
        "How far the deal falls short of the frontier (0: on it); larger means more value left on the table.",
        "A straight-line distance between the sides' scores (0–1 scale) for the deal and for the nearest deal on "
        "the frontier. 0 means no other deal beats it for everyone. 0.10 is about ten points on the 0–100 scale "
        "between what the sides got and what an efficient deal would have given them. Without a deal it is "
        "measured from the walk-away points.",
    ),
    Term(
        "nash_point",
        "Nash point (Nash bargaining solution)",
        "The frontier deal that makes the product of the sides' surpluses largest: a balanced, efficient deal.",
        "A classic reference for a fair and efficient deal: among the deals every side prefers to walking away, "
        "the one where the gains above the walk-away points, multiplied together, are largest. Multiplying "
        "punishes lopsided deals: giving one side nothing makes the product zero. It is a yardstick, not a rule.",
    ),
    Term(
        "nash_product",
        "Nash product",
        "The sides' surpluses multiplied together; the Nash point is the deal where it is largest.",
        "A single number for how much gain the deal creates and how evenly: it is large only when every side "
        "gains something substantial. Zero when any side gains nothing.",
    ),
    Term(
        "nash_ratio",
        "Nash ratio",
        "The deal's Nash product as a share of the Nash point's (100 %: as good as the balanced benchmark).",
        "How close the deal comes to the balanced benchmark: 100 % means it is as good as the Nash point on this "
        "measure, 50 % means half as good. 0 without a deal.",
    ),
    Term(
        "kalai_smorodinsky_point",
        "Kalai–Smorodinsky point",
        "The frontier deal that gives every side the same share of the most it could have hoped for.",
        "Another fairness yardstick: for each side, take the best it could get in any deal the others would "
        "prefer to walking away; the Kalai–Smorodinsky point is the frontier deal where every side gets the same "
        "fraction of that best (its gain over its walk-away point). It favours proportional concessions.",
    ),
    Term(
        "utilitarian_point",
        "Utilitarian point",
        "The deal with the largest total value to all sides added together, however it is split.",
        "The deal that creates the most value in total (the sum of the sides' scores), regardless of who gets it. "
        "Social welfare is that sum for the actual deal.",
    ),
    Term(
        "social_welfare",
        "Social welfare",
        "The sides' scores added together: the total value the deal creates.",
        "The sum of every side's utility for the deal (without a deal: the sum of their walk-away points). "
        "It says how much value there is, not how fairly it is shared.",
    ),
    Term(
        "fairness_min_max_ratio",
        "Fairness: min/max surplus ratio",
        "The smallest side's gain divided by the largest's (1: equal gains; 0: someone gains nothing or loses).",
        "Compares what each side gained above its walk-away point. 1.0 means every side gained the same amount; "
        "0.25 means the side that gained least got a quarter of what the side that gained most got; 0 means a "
        "side gained nothing, or is worse off than with no deal.",
    ),
    Term(
        "fairness_gini",
        "Fairness: Gini of surpluses",
        "How unequally the gains are spread over all sides (0: equal; higher: more lopsided).",
        "The Gini coefficient, familiar from income statistics, applied to the sides' gains above their "
        "walk-away points. 0 means equal gains; it rises as one side takes more of the total gain. Unlike the "
        "min/max ratio it looks at every side, not only the two extremes.",
    ),
)

BY_KEY: dict[str, Term] = {term.key: term for term in GLOSSARY}


def tip(key: str) -> str:
    """The one-line explanation of a term (for a tooltip); KeyError names the known keys."""
    try:
        return BY_KEY[key].short
    except KeyError:
        raise KeyError(f"no glossary term {key!r}; known: {', '.join(BY_KEY)}") from None


def markdown() -> str:
    """The glossary as a Markdown page (docs/glossary.md is this text)."""
    lines = [
        "# Glossary: the numbers of a scorecard and a debrief",
        "",
        "In a partnership lead's words. The terminal shows the same text with `--explain`",
        "(`pactlab rehearse … --explain`, `pactlab debrief ID --explain`), the web pages as tooltips.",
        "Generated from `evals/glossary.py` by `python -m evals.glossary > docs/glossary.md`.",
        "",
    ]
    for term in GLOSSARY:
        lines += [f"## {term.term}", "", f"**{term.short}**", "", term.long, ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - exercised through tests of `markdown`
    sys.stdout.write(markdown())
