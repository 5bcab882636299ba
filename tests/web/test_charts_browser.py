"""The interactive charts in a real headless browser (Debian's chromium, Playwright): the debrief's utility
chart is drawn by the locally served plotly.js under the app's Content-Security-Policy, and the sweep
report opens from disk at 1280 px wide with its charts drawn, no horizontal overflow, and display names
in its table headings."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.web.conftest import CHROMIUM
from tests.web.test_browser import WAIT, Server, _page, _unexpected

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not at /usr/bin/chromium")

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from pactlab.app.cli import app  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"

FOUR_PARTY_SWEEP = """\
name: four-party-charts
scenario: ecosystem
seeds: [0]
fixed:
  protocol.max_rounds: 12
grid:
  parties.university_lab.private.reservation_value: [0.4, 0.5]
  parties.component_maker.private.weights.royalty_rate: [10, 30]
"""
"""2 x 2 variants x 1 seed = 4 strategy runs of the four-party shipped scenario; two distinct frontiers."""


def trace_names(page: Page, element: str) -> list[str]:
    """The names of the traces Plotly drew in `element` (its graph div's data)."""
    page.wait_for_function(f"() => {{ const el = document.getElementById('{element}'); return el && el.data; }}")
    names: list[str] = page.evaluate(f"() => document.getElementById('{element}').data.map(t => t.name)")
    return names


def test_the_debrief_draws_the_interactive_chart(browser: Browser, tmp_path: Path) -> None:
    """Four parties: the per-party view with the frontier's range, best, walk-away, Nash point."""
    server = Server(tmp_path / "rehearsals")
    page, problems = _page(browser)
    try:
        page.goto(server.url)
        page.select_option("#scenario", "ecosystem")
        page.select_option("#seat", "platform")
        page.fill("#name", "Ada Lovelace")
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/ecosystem-"))
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        page.click("#end")
        page.click("#debrief-link")
        expect(page.locator("#debrief h1")).to_contain_text("Debrief")
        names = trace_names(page, "utility-chart")
        assert "range on the Pareto frontier" in names and "each party's best" in names
        assert "reservation value (walk-away)" in names and "Nash bargaining solution" in names
        chart = page.locator("#utility-chart")
        expect(chart.locator(".main-svg").first).to_be_visible()
        expect(chart.locator(".xtick text")).to_have_count(4)
        expect(chart).to_contain_text("Halden University Electrochemistry Lab")  # a party's display name
        assert page.request.get(server.url + "vendor/plotly.min.js").ok  # served here, no CDN
        policy = page.request.get(page.url).headers["content-security-policy"]
        assert "script-src 'self';" in policy  # inline styles for plotly.js's stylesheet; never inline scripts
        (ARTIFACTS / "charts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "charts" / "debrief-four-parties.png", full_page=True)
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []  # no script error, no CSP refusal


def test_the_sweep_report_at_1280_px(browser: Browser, tmp_path: Path) -> None:
    sweep = tmp_path / "four_party_charts.yaml"
    sweep.write_text(textwrap.dedent(FOUR_PARTY_SWEEP), encoding="utf-8")
    out = tmp_path / "out"
    ran = CliRunner().invoke(app, ["explore", str(sweep), "--out", str(out), "--quiet"])
    assert ran.exit_code == 0, ran.output
    reported = CliRunner().invoke(app, ["report", str(out)])
    assert reported.exit_code == 0, reported.output
    assert (out / "plotly.min.js").is_file()
    page, problems = _page(browser)
    try:
        page.goto((out / "report.html").as_uri())
        # The page never scrolls sideways, and the by-variant table fits without a scroll bar of its own.
        page_width = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert page_width[0] <= page_width[1], page_width
        box = page.evaluate(
            "() => { const d = document.getElementById('variants'); return [d.scrollWidth, d.clientWidth]; }"
        )
        assert box[0] <= box[1], box
        # Headings in words, with the scenario's display names; no raw field paths.
        headings = page.locator("th").all_inner_texts()
        assert not [h for h in headings if re.search(r"\b(parties|negotiators|private)\.", h)], headings
        variant_headings = " ".join(page.locator("table.variants th").all_inner_texts())
        for name in ("Nordvik Mobility", "Carbonis Advanced Materials", "Halden University Electrochemistry Lab"):
            assert name in variant_headings
        cells = page.locator("table.variants td.l").first.inner_text()
        assert "Halden University Electrochemistry Lab: walk-away value" in cells
        # A chart per factor, drawn: the frontiers' range per party and the agreements by level.
        charts = page.locator("div.pactlab-chart")
        expect(charts).to_have_count(2, timeout=WAIT)
        names = trace_names(page, "chart-0")
        assert names[0] == "range on the Pareto frontier" and {"0.4 (2)", "0.5 (2)"} <= set(names)
        expect(page.locator("#chart-1 .main-svg").first).to_be_visible()
        assert "2 distinct Pareto frontier(s)" in page.locator("#chart-0").inner_text()
        (ARTIFACTS / "charts").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "charts" / "sweep-report-1280.png", full_page=True)
    finally:
        page.close()
    assert _unexpected(problems) == []
