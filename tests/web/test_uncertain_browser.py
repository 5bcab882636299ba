"""An uncertain rehearsal in a real headless browser (issue 16.6): the start form's "counterpart you cannot see"
box, the drawn counterpart hidden while playing, revealed on the debrief with the robust plan's result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.conftest import CHROMIUM
from tests.web.test_browser import ARTIFACTS, Server, _page, _unexpected

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")

from playwright.sync_api import Browser, expect  # noqa: E402

from evals.audit import read_records, verify  # noqa: E402
from pactlab.app.rehearsal.uncertain import COUNTERPART  # noqa: E402
from pactlab.app.rehearsal.wording import points_text  # noqa: E402
from pactlab.domain.catalog import load_scenario  # noqa: E402
from pactlab.domain.counterparts import draw_counterparts  # noqa: E402

SCENARIO, SEAT, SEED = "boost_converter", "platform", 3  # the shipped scenario that declares uncertainty
DEBRIEF = 600_000  # ms: the debrief page plays the robust plan against a small sample first (a bound)


def test_an_uncertain_rehearsal_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    shots = ARTIFACTS / "test_an_uncertain_rehearsal_in_the_browser"
    shots.mkdir(parents=True, exist_ok=True)
    declared = load_scenario(SCENARIO)[0]
    concrete, (draw,) = draw_counterparts(declared, SEED, seat=SEAT)
    name = concrete.party(draw.party).name
    out = tmp_path / "rehearsals"
    server = Server(out)
    page, problems = _page(browser)
    page.set_default_navigation_timeout(DEBRIEF)
    try:
        page.goto(server.url)
        # The box is offered only where another party than the seat declares uncertainty.
        page.select_option("#scenario", "platform_material")
        expect(page.locator("#uncertain-choice")).to_be_hidden()
        page.select_option("#scenario", SCENARIO)
        page.select_option("#seat", draw.party)
        expect(page.locator("#uncertain-choice")).to_be_hidden()
        page.select_option("#seat", SEAT)
        expect(page.locator("#uncertain-choice")).to_be_visible()
        expect(page.locator("#uncertain-parties")).to_have_text(draw.party)
        page.fill("#seed", str(SEED))
        page.check("#uncertain")
        page.fill("#name", "Ada Lovelace")
        page.click("#start")
        page.wait_for_url(re.compile(rf"/r/{SCENARIO}-"))
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")

        # While playing: the counterpart is said to be drawn, and nothing of the draw is shown.
        expect(page.locator(".agent .drawn")).to_contain_text("revealed in the debrief")
        body = page.locator("body").inner_text()
        assert "Who you were negotiating with" not in body and page.locator("#revealed").count() == 0
        assert f"agent {draw.strategy}" not in body
        assert page.request.get(f"{server.url}r/{rid}/debrief").status == 409  # no debrief before the end
        page.screenshot(path=shots / "01-playing.png", full_page=True)

        # One counter-offer from the person's own opening position, then walk away.
        moves = page.locator("#moves li").count()
        page.check("#move-form input[name=kind][value=propose]")
        page.click("#suggest")
        page.click("#send")
        expect(page.locator("#moves li")).not_to_have_count(moves)
        expect(page.locator("#status-line")).to_have_attribute("data-status", re.compile("your-turn|agreement"))
        assert page.locator("#revealed").count() == 0
        if page.locator("#end").count():
            page.click("#end")
            expect(page.locator("#status-line")).to_have_attribute("data-status", re.compile("walk_away|agreement"))
        page.click("#debrief-link")
        page.wait_for_url(re.compile(rf"/r/{re.escape(rid)}/debrief$"))

        # The debrief reveals who they were: priorities, walk-away point, strategy; and the robust plan.
        revealed = page.locator("#revealed")
        expect(revealed).to_contain_text("Who you were negotiating with")
        party = revealed.locator(f".revealed-party[data-party='{draw.party}']")
        expect(party).to_contain_text(name)
        expect(party.locator(".walk-away")).to_have_text(f"{points_text(draw.reservation_value)} of 100")
        assert draw.strategy is not None
        expect(party.locator(".strategy")).to_have_text(draw.strategy)
        top = max(draw.weights, key=lambda issue: draw.weights[issue])
        expect(party.locator("table.priorities tbody tr").first).to_have_attribute("data-issue", top)
        expect(party.locator(f"tr[data-issue='{top}']")).to_contain_text(f"{100 * draw.weights[top]:.0f}%")
        expect(page.locator("#robust")).to_contain_text("The robust plan")
        expect(page.locator("#robust")).to_contain_text("would have earned")
        page.screenshot(path=shots / "02-debrief.png", full_page=True)
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []
    transcript = out / rid / "transcript.jsonl"
    assert verify(transcript).ok
    start = read_records(transcript)[0].data
    drawn = next(p for p in start["scenario"]["parties"] if p["id"] == draw.party)
    assert drawn["private"]["reservation_value"] == draw.reservation_value
    assert (out / rid / COUNTERPART).exists()
