"""What the pages show, worked out from a rehearsal's `View`: rows, numbers and keys for the templates.

The templates only lay these out; whatever needs a utility function, the brief or the table is
computed here, for the full page and for the fragments the live page fetches alike.
"""

from __future__ import annotations

import json
from typing import Any

from pactlab.app.rehearsal import Rehearsals, UnknownRehearsal, View, kinds_allowed
from pactlab.app.rehearsal.wording import VALUE_HELP, move_sentence, option_text, points
from pactlab.app.web.library import Library
from pactlab.domain.issues import BooleanIssue, CategoricalIssue, NumericIssue, value_key


def page_context(view: View, *, busy: bool, notice: str | None) -> dict[str, Any]:
    """Everything the rehearsal page and its fragments show; `busy`: a step of the person's is under way."""
    question = None if busy else view.question
    utility = view.own_utility
    issues = []
    blocked_terms = None
    if question is not None and question.get("blocked"):
        blocked_terms = question["blocked"][-1].get("terms")
    defaults = blocked_terms or view.defaults()
    brief = view.scenario.party(view.viewer).private if view.viewer else None
    weights = brief.normalised_weights(view.scenario.issue_ids) if brief is not None else None
    for k, issue in enumerate(view.scenario.issues):
        on_table = view.table["proposal"][issue.id] if view.table["proposal"] is not None else None
        options = []
        for option in issue.values():
            worth = view.option_value(k, option)
            options.append(
                {"value": value_key(option), "label": option_text(view.space, issue.id, option), "worth": points(worth)}
            )
        issues.append(
            {
                "issue": issue,
                "kind": kind_of(issue),
                "on_table": None if on_table is None else value_key(on_table),
                "on_table_label": None if on_table is None else option_text(view.space, issue.id, on_table),
                "mine": None if on_table is None else points(view.option_value(k, on_table)),
                "adds": None if on_table is None else points(view.contribution(k, on_table)),
                "weight": None if weights is None else float(weights[k]),
                "default": value_key(defaults[issue.id]),
                "options": options,
            }
        )
    moves = [move_row(view, n) for n in range(len(view.moves))]
    # The suggested rationale names the terms changed from the proposal it answers, as the policies'
    # transparency rule counts them: the one on the table, else the person's own last offer.
    before = view.table["proposal"] or view.own_last_offer()
    return {
        "before_json": json.dumps({k: value_key(v) for k, v in (before or {}).items()}),
        "view": view,
        "busy": busy,
        "question": question,
        "question_key": question_key(view, busy),
        "allowed": [] if busy else kinds_allowed(view),
        "issues": issues,
        "moves": moves,
        "table_worth": points(view.worth(view.table["proposal"])),
        "reservation": None if utility is None else points(utility.reservation_value),
        "default_from": "your own last offer" if view.own_last_offer() is not None else "your opening position",
        "value_help": VALUE_HELP,
        "brief": brief,
        "notice": notice,
        "my_turns": my_turns(view),
        "tier": (view.question or {}).get("tier"),
        "party_names": {p.id: p.name for p in view.scenario.parties},
    }


def move_row(view: View, index: int) -> dict[str, Any]:
    """One move of the history: a sentence (display names, option labels, the change from the party's own
    previous offer) and its value to the person."""
    move = view.moves[index]
    return {
        "move": move,
        "sentence": move_sentence(view.scenario, view.moves, index, view.seat),
        "worth": points(view.worth(move["terms"])),
        "mine": move["party"] == view.seat,
        "terms": None if move["terms"] is None else [(k, value_key(v)) for k, v in move["terms"].items()],
    }


def question_key(view: View, busy: bool) -> str:
    """What the page waits for, as a key: the page redraws its form only when the key changes."""
    if view.finished:
        return "finished"
    if busy or view.question is None:
        return "waiting"
    q = view.question
    return f"{q.get('kind')}:{q.get('turn')}:{q.get('attempt', q.get('review'))}:{bool(q.get('error'))}"


def my_turns(view: View) -> list[int]:
    """The person's turns (0-based), where a what-if branch can play differently."""
    mine = view.seat if view.seat is not None else None
    return [m["turn"] for m in view.moves if mine is not None and m["party"] == mine]


def kind_of(issue: object) -> str:
    if isinstance(issue, NumericIssue):
        return "numeric"
    if isinstance(issue, BooleanIssue):
        return "boolean"
    if isinstance(issue, CategoricalIssue):
        return "categorical"
    return "other"  # pragma: no cover


def scenario_groups(library: Library) -> list[dict[str, Any]]:
    """The listed scenario files, checked, grouped by where they come from (the page's listing and select)."""
    files = [f.summary() for f in library.files()]
    return [
        {"origin": origin, "title": title, "files": [f for f in files if f["origin"] == origin]}
        for origin, title in library.origins()
    ]


def startable(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """The valid files by id, with what the start form needs (title, parties): the rest cannot be started."""
    return {
        f["id"]: {
            "title": f["title"],
            "parties": f["parties"],
            "policy_set": f["policy_set"],
            "uncertain": f["uncertain"],
        }
        for group in groups
        for f in group["files"]
        if f["valid"]
    }


def all_views(service: Rehearsals) -> list[View]:
    """Every rehearsal, newest first."""
    views = []
    for rid in reversed(service.ids()):
        try:
            views.append(service.view(rid))
        except UnknownRehearsal:  # pragma: no cover - removed meanwhile
            continue
    return views
