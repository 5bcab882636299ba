"""The rehearsal in a terminal: the table from the person's seat, their moves, approvals and the debrief.

Used by `pactlab rehearse` and `pactlab debrief` (pactlab.app.cli.rehearse), which import it
when they run: it needs the rehearsal service, and through it the workflow.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.markup import escape as e
from rich.table import Table as RichTable

from agents.human import coerce_value
from pactlab.app.cli.render import PARTY_STYLES, print_scorecard
from pactlab.app.rehearsal import Debrief, RehearsalError, Rehearsals, View, kinds_allowed
from pactlab.app.rehearsal.explain import plain_debrief
from pactlab.app.rehearsal.wording import (
    VALUE_HELP,
    change_text,
    issue_name,
    move_sentence,
    option_text,
    points_text,
)
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, IssueValue, NumericIssue, value_key
from pactlab.domain.outcome_space import OutcomeSpace
from pactlab.domain.preferences import LinearValue, OptionValues, PeakedValue
from pactlab.domain.table import LADDER, MoveRecord
from pactlab.errors import PactlabError
from pactlab.workflow import Event, MoveMade, Paused, Scored

console = Console(emoji=False, highlight=False)


class Leave(PactlabError):
    """Raised when the person leaves the table (q, Ctrl-D or Ctrl-C); caught by the command: the rehearsal waits."""


def _ask(prompt: str, default: str | None = None) -> str:
    """One line from the person; Enter takes the default. Ctrl-D or Ctrl-C leaves the table."""
    shown = f"{prompt} [dim]({default})[/]: " if default not in (None, "") else f"{prompt}: "
    try:
        answer = console.input(shown)
    except (EOFError, KeyboardInterrupt):
        console.print()
        raise Leave from None
    answer = answer.strip()
    return answer if answer else (default or "")


def _choose(prompt: str, choices: dict[str, str], default: str | None = None) -> str:
    """A one-letter choice among `choices` (letter -> meaning); asks again until one is given."""
    menu = "  ".join(f"[bold]\\[{k}][/] {v}" for k, v in choices.items())
    while True:
        console.print(menu)
        answer = _ask(prompt, default).lower()
        if answer in choices:
            return answer
        for key, meaning in choices.items():
            if answer and meaning.lower().startswith(answer):
                return key
        console.print(f"[yellow]Please type one of {', '.join(choices)}.[/]")


class Terminal:
    """The rehearsal in a terminal: renders the table from the person's seat and asks for their moves."""

    def __init__(self, service: Rehearsals, name: str, pace: float = 0.0) -> None:
        self.service = service
        self.name = name
        self.pace = pace
        self.view: View | None = None
        self.live: list[MoveRecord] = []  # moves shown as they landed, not yet in `view`
        self.styles: dict[str, str] = {}

    # -- rendering --------------------------------------------------------------------------------

    def bind(self, view: View) -> None:
        self.view = view
        self.live = []
        self.styles = {p: PARTY_STYLES[n % len(PARTY_STYLES)] for n, p in enumerate(view.scenario.party_ids)}

    def who(self, party: str) -> str:
        assert self.view is not None
        you = " (you)" if party == self.view.seat else ""
        return f"[{self.styles.get(party, 'bold white')}]{party}{you}[/]"

    def worth(self, terms: dict[str, IssueValue] | None) -> str:
        assert self.view is not None
        value = self.view.worth(terms)
        return "" if value is None else f" [dim]| value to you {points_text(value)}/100[/]"

    def on_event(self, event: Event) -> None:
        if isinstance(event, MoveMade):
            self.show(event.move)
            if event.status != "open":
                console.print(f"[bold]{e(event.ended_by or '')}[/]")
            if self.pace > 0 and self.view is not None and event.move["party"] != self.view.seat:
                time.sleep(self.pace)
        elif isinstance(event, Scored):
            console.print("[dim]The evaluator scored the outcome.[/]")
        elif isinstance(event, Paused):
            pass

    def show(self, move: MoveRecord) -> None:
        """One move as a sentence: display names, option labels and, for a proposal, the change from the
        party's own previous offer (the same change the agents' messages describe)."""
        view = self.view
        assert view is not None
        head = f"[dim]R{move['round'] + 1:>2} T{move['turn'] + 1:>3}[/] "
        known = {m["turn"] for m in view.moves}
        if move["turn"] not in known and all(m["turn"] != move["turn"] for m in self.live):
            self.live.append(move)  # a move that has just landed and is not in the view yet
        moves = [*view.moves, *(m for m in self.live if m["turn"] not in known)]
        index = next(n for n, m in enumerate(moves) if m["turn"] == move["turn"])
        sentence = move_sentence(view.scenario, moves, index, view.seat)
        colour = {"accept": "green", "reject": "red", "walk_away": "bold red", "escalate": "yellow"}.get(move["kind"])
        body = e(sentence) if colour is None else f"[{colour}]{e(sentence)}[/]"
        worth = self.worth(move["terms"]) if move["kind"] == "propose" else ""
        console.print(f"{head}{body}{worth}")
        if move["message"]:
            console.print(f"          [italic]“{e(move['message'])}”[/]")
        if move["rationale"] and move["party"] not in (LADDER,) and move["kind"] != "escalate":
            console.print(f"          [dim]why: {e(move['rationale'])}[/]")

    def header(self) -> None:
        view = self.view
        assert view is not None
        console.rule(f"[bold]Rehearsal {view.id}[/]")
        console.print(f"[bold]{e(view.scenario.title)}[/]")
        if view.seat is not None:
            party = view.scenario.party(view.seat)
            console.print(f"You are [bold]{e(party.name)}[/] ({view.seat}), playing as {e(self.name)}.")
        for p in view.scenario.parties:
            if p.id != view.seat:
                mandate = view.mandates.get(p.id)
                under = f" — mandate: {'; '.join(mandate)} (moves outside it need your approval)" if mandate else ""
                console.print(f"  {self.who(p.id)} {e(p.name)}: agent [bold]{e(view.agents[p.id])}[/]{e(under)}")
        console.print(f"  policies: {e(view.policy or 'none (no policy gate)')}")
        if view.forked_from:
            origin = view.forked_from
            console.print(f"  [yellow]what-if branch of {origin['negotiation_id']} from turn {origin['turn'] + 1}[/]")

    def brief(self) -> None:
        """The person's own private brief: interests, walk-away value, what each issue is worth to them."""
        view = self.view
        assert view is not None
        if view.viewer is None:
            return
        party = view.scenario.party(view.viewer)
        private = party.private
        console.rule(f"[bold]Your private brief — {party.name}[/]")
        if private.interests:
            console.print(private.interests, markup=False)
        console.print(
            f"Your walk-away value (reservation): [bold]{points_text(private.reservation_value)}[/] of 100 — "
            "no deal is better than a deal worth less."
        )
        weights = private.normalised_weights(view.scenario.issue_ids)
        brief = RichTable(show_header=True, title="What each issue is worth to you")
        brief.add_column("issue")
        brief.add_column("weight", justify="right")
        brief.add_column("value to you of each option (0–100)")
        order = sorted(range(len(view.scenario.issues)), key=lambda k: -weights[k])
        for k in order:
            issue = view.scenario.issues[k]
            brief.add_row(issue.label, f"{weights[k]:.0%}", _value_text(issue, private.values.get(issue.id)))
        console.print(brief)
        console.print(f"[dim]{e(VALUE_HELP)}[/]")
        if private.constraints:
            console.print("Your hard limits: " + "; ".join(str(c) for c in private.constraints), markup=False)

    def table_now(self) -> None:
        view = self.view
        assert view is not None
        table = view.table
        tier = (view.question or {}).get("tier")
        where = f"Round {table['round'] + 1} of {view.scenario.protocol.max_rounds}"
        if tier:
            where += f" · {tier['name']}"
        console.rule(where)
        if table["proposal"] is None:
            console.print("Nothing on the table: you propose first.")
            return
        own = view.worth(table["proposal"])
        reservation = None if view.own_utility is None else view.own_utility.reservation_value
        worth = (
            ""
            if own is None
            else f" — value to you [bold]{points_text(own)}[/] of 100 (walk-away {points_text(reservation)})"
        )
        accepted = ", ".join(table["accepted_by"]) or "nobody"
        console.print(f"On the table: {self.who(table['proposer'] or '?')}'s proposal{worth}; accepted by {accepted}")
        grid = RichTable(show_header=True)
        grid.add_column("issue")
        grid.add_column("on the table")
        grid.add_column("value to you (0–100)", justify="right")
        grid.add_column("breakdown: adds (of 100)", justify="right")
        for k, issue in enumerate(view.scenario.issues):
            value = table["proposal"][issue.id]
            grid.add_row(
                issue.label,
                option_text(view.space, issue.id, value),
                points_text(view.option_value(k, value)),
                points_text(view.contribution(k, value)),
            )
        console.print(grid)

    # -- the person's turn ------------------------------------------------------------------------

    def person_turn(self) -> View:
        view = self.view
        assert view is not None and view.question is not None
        question = view.question
        for blocked in question.get("blocked", [])[-1:]:
            console.print("[bold red]The policy gate refused your last move:[/]")
            console.print(blocked["feedback"], markup=False)
        if question.get("error"):
            console.print(f"[bold red]Your last answer was not a valid move:[/] {e(question['error'])}")
        self.table_now()
        allowed = kinds_allowed(view)
        choices = {"c": "counter-offer"}
        if "accept" in allowed:
            choices["a"] = "accept"
        if "reject" in allowed:
            choices["r"] = "reject"
        choices.update({"w": "walk away", "b": "your brief", "h": "history", "q": "leave (continue later)"})
        while True:
            choice = _choose("Your move", choices)
            if choice == "q":
                raise Leave
            if choice == "b":
                self.brief()
                continue
            if choice == "h":
                for move in view.moves:
                    self.show(move)
                continue
            answer = self.compose(choice)
            if answer is None:
                continue
            try:
                return self.service.submit(view.id, answer, on_event=self.on_event)
            except RehearsalError as exc:
                console.print(f"[bold red]Not sent:[/] {e(str(exc))}")

    def compose(self, choice: str) -> dict[str, Any] | None:
        """Build the move the person chose; show what it is worth and what the gate would say; confirm."""
        view = self.view
        assert view is not None
        answer: dict[str, Any]
        if choice == "c":
            terms = self.counter_terms()
            default_why = self.default_rationale(terms)
            message = _ask("Message to the table (optional)")
            rationale = _ask("Why these terms (name the terms you change)", default_why)
            answer = {"kind": "propose", "terms": terms, "message": message, "rationale": rationale}
        elif choice == "a":
            answer = {"kind": "accept", "message": _ask("Message to the table (optional)")}
        elif choice == "r":
            answer = {"kind": "reject", "reason": _ask("Why do you reject it"), "message": ""}
        else:
            answer = {"kind": "walk_away", "reason": _ask("Why do you walk away"), "message": ""}
        answer["by"] = self.name
        check = self.service.check(view.id, answer)
        if check.problems:
            console.print(f"[bold red]Not a valid move:[/] {e(check.message or '; '.join(check.problems.values()))}")
            return None
        if check.utility is not None:
            verdict = "above" if check.reservation is None or check.utility >= check.reservation else "BELOW"
            console.print(
                f"Value to you: [bold]{points_text(check.utility)}[/] of 100 "
                f"({verdict} your walk-away {points_text(check.reservation or 0.0)})"
            )
        if check.constraints_broken:
            console.print(f"[bold red]Breaks your hard limits:[/] {e('; '.join(check.constraints_broken))}")
        if check.blocked:
            console.print("[bold red]The policy gate would refuse this move:[/]")
            console.print(check.blocked, markup=False)
        else:
            console.print("[green]The policy gate would let this move pass.[/]")
        for warning in check.warnings:
            console.print(f"[yellow]warning:[/] {e(warning)}")
        send = _choose("Send it", {"y": "send", "e": "edit (start over)"}, "y")
        return answer if send == "y" else None

    def counter_terms(self) -> dict[str, IssueValue]:
        """The counter-offer issue by issue; Enter keeps the person's own last offer (or opening position)."""
        view = self.view
        assert view is not None
        defaults = view.defaults()
        start = "your own last offer" if view.own_last_offer() is not None else "your opening position"
        console.print(
            f"Your counter-offer, issue by issue ([dim]Enter keeps the value shown: {start}, "
            "not the other side's proposal[/]):"
        )
        terms: dict[str, IssueValue] = {}
        private = view.scenario.party(view.viewer).private if view.viewer else None
        for issue in view.scenario.issues:
            hint = _options_text(issue, private.values.get(issue.id) if private else None)
            while True:
                raw = _ask(f"  {e(issue.label)} ({issue.id}) [dim]{e(hint)}[/]", value_key(defaults[issue.id]))
                try:
                    terms[issue.id] = coerce_value(issue, raw)
                    break
                except ValueError as exc:
                    console.print(f"  [red]{e(str(exc))}[/]")
        return terms

    def default_rationale(self, terms: dict[str, IssueValue]) -> str:
        """A rationale naming the terms changed from the proposal it answers (the one on the table, else the
        person's own last offer), as the policies' transparency rule counts changes."""
        view = self.view
        assert view is not None
        before = view.table["proposal"] or view.own_last_offer()
        if before is None:
            changed = list(terms)
        else:
            changed = [k for k, v in terms.items() if value_key(v) != value_key(before.get(k, ""))]
        if not changed:
            return "We keep the terms as they stand."
        return "We propose " + ", ".join(f"{k} = {value_key(terms[k])}" for k in changed) + "."

    # -- approvals --------------------------------------------------------------------------------

    def approval(self) -> View:
        view = self.view
        assert view is not None and view.question is not None
        q = view.question
        action = q["action"]
        console.rule("[bold yellow]Approval needed[/]")
        what = action["kind"].replace("_", " ")
        console.print(f"{self.who(q['party'])}'s agent wants to [bold]{what}[/] at turn {q['turn'] + 1}:")
        if action.get("terms"):
            console.print("  " + ", ".join(f"{k}={value_key(v)}" for k, v in action["terms"].items()))
        elif q.get("proposal"):
            console.print(
                "  the proposal on the table: " + ", ".join(f"{k}={value_key(v)}" for k, v in q["proposal"].items())
            )
        console.print("It lies outside the agent's mandate:")
        for breach in q["breaches"]:
            console.print(f"  - {e(breach)}")
        if q.get("error"):
            console.print(f"[red]{e(q['error'])}[/]")
        while True:
            choice = _choose(
                "Your decision", {"a": "approve", "r": "reject (the agent re-plans within its mandate)", "q": "leave"}
            )
            if choice == "q":
                raise Leave
            approver = _ask("Your name (recorded with the decision)", self.name)
            note = _ask("Note (optional)")
            answer = {"decision": "approve" if choice == "a" else "reject", "approver": approver, "note": note}
            try:
                return self.service.decide(view.id, answer, on_event=self.on_event)
            except RehearsalError as exc:
                console.print(f"[bold red]Not recorded:[/] {e(str(exc))}")

    # -- the loop ---------------------------------------------------------------------------------

    def play(self, view: View) -> View:
        """Ask the person whenever the rehearsal needs them, until it ends (Leave if they go)."""
        self.bind(view)
        while not view.finished:
            if view.waiting == "move":
                view = self.person_turn()
            elif view.waiting == "approval":
                view = self.approval()
            else:
                view = self.service.proceed(view.id, on_event=self.on_event)
            self.bind(view)
        return view


def print_debrief(debrief: Debrief, service: Rehearsals, explain: bool = False) -> None:
    """The debrief in the terminal (values on the one 0–100 scale of value to you); `explain` adds
    what each figure means (`evals.glossary`)."""
    view = service.view(debrief.negotiation_id)
    scenario = view.scenario
    space = OutcomeSpace(scenario.issues)
    print_scorecard(console, debrief.scorecard)
    viewer = debrief.viewer
    console.rule("[bold]Debrief[/]")
    console.print(f"[bold]{e(debrief.ended_by or debrief.outcome)}[/]")
    plain = plain_debrief(debrief, scenario, view.moves)
    for heading, lines in (("What you gained", plain.gained), ("What you gave up", plain.gave_up)):
        if lines:
            console.print(f"[bold]{heading}:[/] {e(' '.join(lines))}")
    if plain.better:
        console.print(f"[bold]Better for everyone?[/] {e(' '.join(plain.better))}")
    if viewer is not None and debrief.person is not None:
        p = debrief.person
        got = "no deal" if p.utility is None else f"{points_text(p.utility)} of 100"
        console.print(
            f"You ({viewer}) got [bold]{got}[/] (value to you); your walk-away was {points_text(p.reservation_value)} "
            f"(surplus {change_text(p.surplus)})."
        )
        if debrief.viewer_at_nash is not None:
            console.print(
                f"The Nash bargaining solution would have given you {points_text(debrief.viewer_at_nash)}; "
                f"the deal's Nash product is {debrief.scorecard.nash_ratio:.0%} of the best possible, "
                f"distance to the Pareto frontier {debrief.scorecard.pareto_distance:.3f}"
                + (" (on the frontier)." if debrief.scorecard.pareto_optimal else ".")
            )
    if debrief.concessions:
        console.print(
            f"What your concessions cost you, in value to you (in all {change_text(-debrief.conceded)} of 100):"
        )
        for step in debrief.concessions:
            label = "agreeing to the deal" if step.what == "deal" else "your offer"
            issues = ", ".join(
                f"{issue_name(scenario, c.issue)} {option_text(space, c.issue, c.before)}"
                f" → {option_text(space, c.issue, c.after)} ({change_text(-c.cost)})"
                for c in step.issues
                if abs(c.cost) > 1e-9
            )
            console.print(
                f"  turn {step.turn}, {label}: {points_text(step.before)} → {points_text(step.after)} "
                f"({change_text(-step.cost)}): {issues}"
            )
    elif viewer is not None:
        console.print("You made no concession: none of your offers was worth less to you than the one before.")
    if debrief.better_count:
        what = "the deal" if debrief.outcome == "agreement" else "walking away"
        console.print(
            f"[bold]{debrief.better_count}[/] outcome(s) on the Pareto frontier every party would have preferred "
            f"to {what}; the best for you:"
        )
        for deal in debrief.better_deals[:3]:
            gains = ", ".join(f"{p} {change_text(g)}" for p, g in deal.gains.items())
            console.print(f"  {e(', '.join(deal.changes) or 'the same terms')}  [dim](gains: {gains})[/]")
    else:
        console.print("No outcome would have been better for every party: nothing was left on the table.")
    if debrief.rules:
        console.print("Rules that fired:")
        for rule in debrief.rules:
            console.print(
                f"  {rule.rule_id} ({rule.severity}): refused {rule.blocked}, warned {rule.warned} — "
                f"parties {', '.join(rule.parties)}, turns {', '.join(map(str, rule.turns))}. {e(rule.example)}"
            )
    else:
        console.print("No rule fired: every move passed the policy gate at the first try.")
    if debrief.blocked_attempts:
        console.print(f"The gate refused {debrief.blocked_attempts} of your moves before one passed.")
    for a in debrief.approvals:
        console.print(f"  approval at turn {a.turn}: {a.party}'s move {a.decision}d by {e(a.approver)}. {e(a.note)}")
    for line in debrief.escalations:
        console.print(f"  escalation, {e(line)}")
    if debrief.plot:
        console.print(f"Utility space (deal, Pareto frontier, Nash point): {e(debrief.plot)}")
    if debrief.transcript is not None:
        t = debrief.transcript
        state = "verifies" if t.ok else f"FAILS verification: {t.problem}"
        console.print(
            f"Audit transcript: {e(t.path)} ({t.records} records, {e(state)}{', sealed' if t.sealed else ''})"
        )
    comparison = service.compare(debrief.negotiation_id)
    if len(comparison.branches) > 1:
        grid = RichTable(title="What-if branches", show_header=True)
        grid.add_column("branch")
        grid.add_column("from")
        grid.add_column("outcome")
        grid.add_column(f"value to {viewer} (0–100)" if viewer else "value (0–100)", justify="right")
        grid.add_column("Nash ratio", justify="right")
        for issue in comparison.differing_issues:
            grid.add_column(issue)
        for row in comparison.branches:
            origin = f"{row.forked_from} @ turn {row.fork_turn}" if row.forked_from else "—"
            mine = row.utilities.get(viewer or "") if viewer else None
            cells = [
                row.negotiation_id,
                origin,
                row.status if row.waiting is None else f"open (waits for {row.waiting})",
                "—" if mine is None else points_text(mine),
                "—" if row.nash_ratio is None else f"{row.nash_ratio:.2f}",
            ]
            cells += [value_key(row.agreement[i]) if row.agreement else "—" for i in comparison.differing_issues]
            grid.add_row(*cells)
        console.print(grid)
    turns = [m["turn"] + 1 for m in service.view(debrief.negotiation_id).moves if m["party"] == debrief.seat]
    if turns:
        console.print(
            f"What if? Replay from one of your turns ({', '.join(map(str, turns))}): "
            f"pactlab rehearse --fork {debrief.negotiation_id} --turn N --out {service.out}"
        )
    if explain:
        print_glossary()


def print_glossary() -> None:
    """`--explain`: what the debrief's figures mean, in a partnership lead's words (`evals.glossary`)."""
    from evals.glossary import GLOSSARY

    console.rule("[bold]What the numbers mean[/]")
    for term in GLOSSARY:
        console.print(f"[bold]{e(term.term)}[/]: {e(term.short)}")
        console.print(f"  {e(term.long)}")
    console.print("The same text, as a page: docs/glossary.md")


def _value_text(issue: Any, fn: Any) -> str:
    if fn is None:
        return "indifferent"
    if isinstance(fn, OptionValues):
        return ", ".join(f"{k} {v * 100:.0f}" for k, v in sorted(fn.table.items(), key=lambda kv: -kv[1]))
    if isinstance(fn, LinearValue):
        unit = f" {issue.unit}" if isinstance(issue, NumericIssue) and issue.unit else ""
        return f"{'more' if fn.linear == 'up' else 'less'} is better ({issue.minimum:g}–{issue.maximum:g}{unit})"
    if isinstance(fn, PeakedValue):
        return f"best at {fn.peak:g}, worth {fn.floor * 100:.0f} of 100 at the far end"
    return str(fn)


def _options_text(issue: Any, fn: Any) -> str:
    if isinstance(issue, CategoricalIssue):
        if isinstance(fn, OptionValues):
            return "[" + " · ".join(f"{o} {fn.table.get(o, 0) * 100:.0f}" for o in issue.options) + "]"
        return "[" + " · ".join(issue.options) + "]"
    if isinstance(issue, NumericIssue):
        unit = f" {issue.unit}" if issue.unit else ""
        return f"[{issue.minimum:g}–{issue.maximum:g}{unit}, step {issue.step:g}; {_value_text(issue, fn)}]"
    if isinstance(issue, BooleanIssue):
        return "[yes/no]"
    return ""
