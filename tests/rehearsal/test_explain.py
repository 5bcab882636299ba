"""The debrief in plain words and `--explain`: what you gave up, what you gained, the deal better for
everyone, and what the numbers mean (one glossary: `evals.glossary`) in the terminal, on the web and in docs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from evals.glossary import GLOSSARY, markdown
from pactlab.app.cli import app
from pactlab.app.rehearsal import Rehearsals
from pactlab.app.rehearsal.explain import plain_debrief
from pactlab.app.rehearsal.withheld import withhold
from pactlab.app.rehearsal.wording import issue_name
from pactlab.domain.issues import IssueValue
from pactlab.domain.outcome_space import OutcomeSpace, UtilityFunction
from pactlab.domain.scenario import Scenario
from tests.rehearsal.conftest import SCENARIO, SEAT, SEED, counter, play_to_end

ROOT = Path(__file__).parents[2]


def _best_for(scenario: Scenario, party: str) -> dict[str, IssueValue]:
    """The party's ideal term sheet: its best option on every issue."""
    space = OutcomeSpace(scenario.issues)
    utility = UtilityFunction(space, next(p for p in scenario.parties if p.id == party).private)
    return {i.id: space.options[k][int(np.argmax(utility.tables[k]))] for k, i in enumerate(space.issues)}


def _rehearse_a_deal(service: Rehearsals, scenario: Scenario, nash_terms: dict[str, IssueValue]) -> str:
    """The person opens at their ideal terms, then holds the Nash terms until the deal (no policy gate:
    the ideal terms break its IP rule)."""
    view = service.start(SCENARIO, SEAT, seed=SEED, negotiation_id="plain", policies="none")
    if view.waiting != "move":
        raise AssertionError(view.question)
    view = service.submit(view.id, counter(view, _best_for(scenario, SEAT)))
    view = play_to_end(service, view, nash_terms)
    assert view.status == "agreement"
    return view.id


def test_the_debrief_says_in_plain_words_what_was_given_up_and_gained(
    service: Rehearsals, scenario: Scenario, nash_terms: dict[str, IssueValue]
) -> None:
    rid = _rehearse_a_deal(service, scenario, nash_terms)
    report = service.debrief(rid)
    plain = plain_debrief(report, scenario, service.view(rid).moves)
    gained, gave_up, better = " ".join(plain.gained), " ".join(plain.gave_up), " ".join(plain.better)
    assert report.person is not None and report.person.utility is not None
    assert f"worth {report.person.utility * 100:.1f} of 100 to you" in gained
    assert "surplus" in gained
    # Opening at the ideal and ending at the Nash terms gives something up, named by display name and label.
    assert re.match(r"From your opening offer \(100\.0 of 100\) to the deal you gave up \d+\.\d points: ", gave_up)
    named = [i for i in scenario.issues if f"{issue_name(scenario, i.id)} (" in gave_up]
    assert named and " → " in gave_up
    assert not any(f"{i.id} (" in gave_up for i in scenario.issues if i.label != i.id)  # names, not ids
    # The deal is better for everyone, or else nothing was left on the table and the Nash point is named.
    if report.better_count:
        assert f"{report.better_count} deal(s) would have been better for every side than the deal" in better
    else:
        assert better.startswith("No other deal would have been better for every side")
        assert "Nash point" in better
    # While a related rehearsal is open the debrief is cut (`withheld`): no sentence about the others' values.
    cut = plain_debrief(withhold(report), scenario, service.view(rid).moves)
    assert cut.gained == plain.gained and cut.gave_up == plain.gave_up
    assert cut.better == [
        "Which deal would have been better for everyone is shown when every related rehearsal has ended."
    ]


def test_debrief_explain_in_the_terminal(tmp_path: Path, scenario: Scenario, nash_terms: dict[str, IssueValue]) -> None:
    out = tmp_path / "out"
    with Rehearsals(out) as service:
        rid = _rehearse_a_deal(service, scenario, nash_terms)
    plain = CliRunner().invoke(app, ["debrief", rid, "--out", str(out)], terminal_width=200)
    assert plain.exit_code == 0, plain.output
    assert "What you gained:" in plain.output and "What you gave up:" in plain.output
    assert "Better for everyone?" in plain.output
    assert "What the numbers mean" not in plain.output
    explained = CliRunner().invoke(app, ["debrief", rid, "--out", str(out), "--explain"], terminal_width=200)
    assert explained.exit_code == 0, explained.output
    text = re.sub(r"\s+", " ", explained.output)
    assert "What the numbers mean" in text
    for term in GLOSSARY:
        assert f"{term.term}: {term.short}" in text
        assert term.long in text
    assert "docs/glossary.md" in text


def test_rehearse_offers_explain() -> None:
    result = CliRunner().invoke(app, ["rehearse", "--help"], terminal_width=200)
    assert "--explain" in result.output


def test_the_docs_page_is_the_glossary_and_the_readme_links_it() -> None:
    assert (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8") == markdown()
    assert "docs/glossary.md" in (ROOT / "README.md").read_text(encoding="utf-8")
