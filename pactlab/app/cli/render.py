"""How negotiations and scorecards look in the terminal (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from evals.scorecard import Scorecard, accuracy_note, approximate_figures, bound_text
from pactlab.domain.issues import value_key
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from pactlab.domain.table import MEDIATOR, MoveRecord

PARTY_STYLES = ("cyan", "magenta", "green", "yellow", "blue", "red")


class MoveRenderer:
    """Prints each move as one line: round, party, what changed, utilities to every party."""

    def __init__(self, console: Console, scenario: Scenario) -> None:
        self.console = console
        self.scenario = scenario
        self.space = OutcomeSpace(scenario.issues)
        self.utilities = {p.id: UtilityFunction(self.space, p.private) for p in scenario.parties}
        self.styles = {p: PARTY_STYLES[n % len(PARTY_STYLES)] for n, p in enumerate(scenario.party_ids)}
        self.last_terms: dict[str, object] | None = None

    def replay(self, moves: list[MoveRecord]) -> None:
        for move in moves:
            self.show(move)

    def show(self, move: MoveRecord) -> None:
        party = f"[{self.styles.get(move['party'], 'bold white')}]{escape(move['party'])}[/]"
        head = f"[dim]R{move['round'] + 1:>2} T{move['turn'] + 1:>3}[/] {party}"
        if move["kind"] == "escalate":
            self.console.print(
                f"{head} [bold yellow]escalates[/] {escape(move['rationale'])}: {escape(move['reason'])}"
            )
            self.console.print(f"          [italic dim]{escape(move['message'])}[/]")
            return
        if move["kind"] == "propose" and move["terms"] is not None:
            terms = move["terms"]
            changed = [k for k, v in terms.items() if self.last_terms is None or self.last_terms.get(k) != v]
            shown = ", ".join(f"{k}={value_key(terms[k])}" for k in changed) or "same terms"
            sheet = self.space.validate(terms)
            utils = " ".join(f"{p}:{u(sheet):.2f}" for p, u in self.utilities.items())
            verb = "tables the text" if move["party"] == MEDIATOR else "proposes"
            self.console.print(f"{head} {verb} {escape(shown)} [dim]| utilities {escape(utils)}[/]")
            self.last_terms = dict(terms)
        elif move["kind"] == "accept":
            self.console.print(f"{head} [bold green]accepts[/]")
        elif move["kind"] == "reject":
            self.console.print(f"{head} [red]rejects[/]: {escape(move['reason'])}")
        else:
            self.console.print(f"{head} [bold red]walks away[/]: {escape(move['reason'])}")
        if move["message"] and move["kind"] != "accept":
            self.console.print(f"          [italic dim]“{escape(move['message'])}”[/]")


def print_scorecard(console: Console, card: Scorecard) -> None:
    colour = {"agreement": "green", "impasse": "yellow", "walk_away": "red"}[card.outcome]
    console.rule(f"[bold {colour}]{card.outcome.replace('_', ' ')}[/] after {card.rounds} round(s)")
    if card.agreement:
        terms = RichTable(title="Agreed term sheet", show_header=True)
        terms.add_column("issue")
        terms.add_column("value")
        for issue, value in card.agreement.items():
            terms.add_row(escape(issue), escape(value_key(value)))
        console.print(terms)
    parties = RichTable(title="Parties")
    for column in ("party", "utility", "reservation", "surplus", "offers", "concession"):
        parties.add_column(column, justify="right" if column != "party" else "left")
    for p in card.parties:
        parties.add_row(
            escape(p.party),
            "-" if p.utility is None else f"{p.utility:.3f}",
            f"{p.reservation_value:.3f}",
            f"{p.surplus:+.3f}",
            str(p.offers_made),
            f"{p.concession:.3f}",
        )
    console.print(parties)
    measures = RichTable(title="Quality and fairness of the outcome")
    measures.add_column("measure")
    measures.add_column("value", justify="right")
    rough = approximate_figures(card)

    def shown(name: str, value: str) -> str:  # an approximate figure is marked, with its bound
        return value if name not in rough else f"≈ {value} ({bound_text(rough[name])})"

    measures.add_row("social welfare (sum of utilities)", shown("social_welfare", f"{card.social_welfare:.3f}"))
    measures.add_row("Nash product / Nash bargaining solution", shown("nash_ratio", f"{card.nash_ratio:.3f}"))
    measures.add_row("distance to the Pareto frontier", shown("pareto_distance", f"{card.pareto_distance:.3f}"))
    measures.add_row("Pareto optimal", shown("pareto_optimal", "yes" if card.pareto_optimal else "no"))
    measures.add_row(
        "fairness: min/max surplus ratio", shown("fairness_min_max_ratio", f"{card.fairness_min_max_ratio:.3f}")
    )
    measures.add_row("fairness: Gini of surpluses (0 = equal)", shown("fairness_gini", f"{card.fairness_gini:.3f}"))
    frontier = "exact" if card.frontier_exact else "approximate"
    measures.add_row("Pareto frontier", f"{card.frontier_size} outcomes ({frontier}, {card.frontier_method})")
    console.print(measures)
    note = accuracy_note(card)
    if note is not None:
        console.print(note, markup=False, highlight=False)
    if card.llm_usage is not None:
        print_llm_usage(console, card)


def print_llm_usage(console: Console, card: Scorecard) -> None:
    """Model calls per party: requests, repairs, fallbacks, tokens and estimated cost."""
    assert card.llm_usage is not None
    usage = RichTable(title="Model calls")
    for column in ("party", "calls", "requests", "repairs", "fallbacks", "prompt tokens", "completion tokens", "cost"):
        usage.add_column(column, justify="left" if column == "party" else "right")
    rows = [*card.llm_usage.parties.items(), ("total", card.llm_usage.total)]
    for party, u in rows:
        cost = "unknown" if u.cost_usd is None else f"${u.cost_usd:.4f}"
        usage.add_row(
            party,
            str(u.calls),
            str(u.requests),
            str(u.repairs),
            str(u.fallbacks),
            str(u.prompt_tokens),
            str(u.completion_tokens),
            cost,
        )
    console.print(usage)
    per_deal = card.llm_usage.cost_per_agreement_usd
    if per_deal is not None:
        console.print(f"estimated cost of this agreement: ${per_deal:.4f}")
