"""The web app in a real headless browser: Debian's chromium driven by Playwright.

A full rehearsal: open the page, see an invalid scenario file's problems and an invalid upload's,
upload a valid one, pick a scenario file of one's own folder and a seat, send a counter-offer, see
the agent's reply appear without reloading, get blocked by a rule and see why, survive a reload
and a server restart mid-way, accept, see the debrief, open the term sheet, branch from an earlier
turn. And an approval. Screenshots of the key screens go to tests/web/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import CHROMIUM

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium; .ci/run installs it)",
)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from evals.audit import read_records, verify  # noqa: E402
from evals.glossary import tip  # noqa: E402
from pactlab.app.rehearsal import Rehearsals  # noqa: E402
from tests.web.scenario_files import BROKEN, SCRIPT, variant  # noqa: E402

ARTIFACTS = Path(__file__).parent / "artifacts"
WAIT = 30_000  # ms: how long a live update may take to show up at most (a bound, not a measurement)
expect.set_options(timeout=WAIT)


class Server:
    """`pactlab serve` in a child process (so that it can be killed and started again on the same port)."""

    def __init__(self, out: Path, port: int = 0, scenarios: Path | None = None) -> None:
        folders = [] if scenarios is None else ["--scenarios", str(scenarios)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pactlab", "serve", "--port", str(port), "--out", str(out), "--pace", "0", *folders],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        seen = []
        for line in self.proc.stdout:
            seen.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                self.url = found.group(0)
                return
        raise AssertionError("pactlab serve did not start:\n" + "".join(seen))

    def kill(self) -> None:
        """Stop the server as a crash would (SIGKILL)."""
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # pragma: no cover - it stops on SIGTERM
                self.proc.kill()
                self.proc.wait(timeout=30)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    yield folder


def _page(browser: Browser) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    return page, problems


EXPECTED = re.compile(
    r"status of 400 \(Bad Request\)"  # the refused bad input, on purpose
    # the server restart, on purpose:
    r"|ERR_CONNECTION_(REFUSED|RESET)|ERR_INCOMPLETE_CHUNKED_ENCODING|ERR_EMPTY_RESPONSE"
)


def _unexpected(problems: list[str]) -> list[str]:
    """Script errors and console errors other than the network errors the test causes on purpose."""
    return [p for p in problems if p.startswith("page error") or not EXPECTED.search(p)]


def _set_terms(page: Page, terms: dict[str, str]) -> None:
    for issue, value in terms.items():
        field = page.locator(f"#move-form [data-issue={issue}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _terms_in_form(page: Page) -> dict[str, str]:
    values: dict[str, str] = page.eval_on_selector_all(
        "#move-form [data-issue]", "els => Object.fromEntries(els.map(e => [e.dataset.issue, e.value]))"
    )
    return values


def _counter(page: Page, terms: dict[str, str]) -> None:
    page.check("#move-form input[name=kind][value=propose]")
    _set_terms(page, terms)
    page.click("#suggest")
    expect(page.locator("#meter")).to_have_attribute("data-verdict", "pass")
    page.click("#send")


def test_a_full_rehearsal_in_the_browser(
    browser: Browser, tmp_path: Path, shots: Path, nash_terms: dict[str, object]
) -> None:
    out = tmp_path / "rehearsals"
    deals = tmp_path / "deals"  # the person's own scenario folder: `pactlab serve --scenarios deals`
    deals.mkdir()
    (deals / "our_deal.yaml").write_text(
        variant("our_deal", "Our composite deal", rename={"Carbonis": "Veyra"}), encoding="utf-8"
    )
    (deals / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    uploads = tmp_path / "to-upload"
    uploads.mkdir()
    (uploads / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (uploads / "uploaded.yaml").write_text(variant("uploaded", "An uploaded deal"), encoding="utf-8")
    server = Server(out, scenarios=deals)
    page, problems = _page(browser)
    try:
        # The folder's files are listed; the broken one with its problems, as text, and not offered.
        page.goto(server.url)
        broken = page.locator("tr[data-id='deals:broken'] .problems")
        expect(broken).to_contain_text("broken.yaml:164:26: parties[0].private.reservation_value")
        expect(broken).to_contain_text(SCRIPT)
        expect(page.locator("tr[data-id='deals:our_deal']")).to_contain_text("Veyra Advanced Materials")
        expect(page.locator("#scenario option[value='deals:broken']")).to_have_count(0)
        # An invalid upload: its problems, as text; a valid one joins the list, chosen.
        page.set_input_files("#upload-file", str(uploads / "broken.yaml"))
        page.click("#upload")
        expect(page.locator("#upload-error")).to_contain_text("broken.yaml is not a valid scenario (2 problems)")
        expect(page.locator("#upload-errors li")).to_have_count(2)
        expect(page.locator("#upload-errors")).to_contain_text(f"(got '{SCRIPT}')")
        assert page.locator("#upload-form script").count() == 0
        page.screenshot(path=shots / "00-upload-refused.png", full_page=True)
        page.set_input_files("#upload-file", str(uploads / "uploaded.yaml"))
        page.click("#upload")
        expect(page.locator("#upload-ok")).to_contain_text("Uploaded: An uploaded deal")
        expect(page.locator("#scenario")).to_have_value(re.compile(r"^upload:[0-9a-f]{64}$"))
        expect(page.locator("#upload-errors li")).to_have_count(0)

        # Choose a scenario file of the folder and a seat: the seats come from the file.
        page.select_option("#scenario", "deals:our_deal")
        expect(page.locator("#seat option[value=supplier]")).to_have_text("Veyra Advanced Materials (supplier)")
        page.select_option("#seat", "platform")
        expect(page.locator(".agent-choice[data-party=platform]")).to_be_hidden()
        page.fill("#seed", "3")
        page.fill("#name", "Ada Lovelace")
        page.screenshot(path=shots / "01-start.png", full_page=True)
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/our_deal-"))
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        expect(page.locator("#brief")).to_contain_text("Walk-away value")
        expect(page.locator("#by")).to_have_value("Ada Lovelace")
        best = _terms_in_form(page)  # the form opens on the person's best terms within the policies
        page.screenshot(path=shots / "02-your-turn.png", full_page=True)

        # Bad input: an out-of-range royalty is refused with a clear message, and nothing changes.
        page.locator("#move-form [data-issue=royalty_rate]").fill("12")
        page.click("#suggest")
        page.click("#send")
        expect(page.locator("#form-error")).to_contain_text("royalty_rate")
        expect(page.locator("#form-error")).to_contain_text("out of range")
        expect(page.locator("[data-error-for=royalty_rate]")).to_contain_text("out of range")
        expect(page.locator("#moves li")).to_have_count(0)

        # A counter-offer; the agent's reply appears without a reload.
        page.evaluate("window.__sameDocument = true")
        _counter(page, {k: str(v) for k, v in nash_terms.items()})
        supplier = page.locator("#moves li[data-party=supplier]")
        expect(supplier).to_have_count(1)
        expect(supplier).to_contain_text("proposes")
        expect(supplier.locator(".rationale")).to_contain_text("why:")
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        assert page.evaluate("window.__sameDocument") is True, "the reply must arrive without a reload"
        page.screenshot(path=shots / "03-agent-replied.png", full_page=True)

        # Accepting that offer: the meter warns, the gate refuses, and the page says why.
        page.check("#move-form input[name=kind][value=accept]")
        expect(page.locator("#meter")).to_have_attribute("data-kind", "accept")
        expect(page.locator("#gate-verdicts")).to_contain_text("individual-rationality")
        page.click("#send")
        expect(page.locator("#blocked")).to_contain_text("refused your last move")
        expect(page.locator("#blocked")).to_contain_text("below its reservation value")
        page.screenshot(path=shots / "04-blocked.png", full_page=True)

        # Reload mid-way, and even restart the server (as a crash would): nothing is lost.
        page.reload()
        expect(page.locator("#blocked")).to_contain_text("below its reservation value")
        server.kill()
        server = Server(out, port=server.port, scenarios=deals)
        page.reload()
        expect(page.locator("#moves li")).to_have_count(2)
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        expect(page.locator("body")).to_have_attribute("data-live", "yes")
        page.screenshot(path=shots / "05-after-restart.png", full_page=True)

        # Hold out for good terms; accept once the gate would let an acceptance pass.
        accepted = False
        for _ in range(30):
            expect(page.locator("#status-line")).to_have_attribute("data-status", re.compile("your-turn|agreement"))
            if page.locator("#status-line").get_attribute("data-status") == "agreement":
                break
            if page.locator("#move-form input[name=kind][value=accept]").count():
                page.check("#move-form input[name=kind][value=accept]")
                expect(page.locator("#meter")).to_have_attribute("data-kind", "accept")
                expect(page.locator("#meter")).to_have_attribute("data-verdict", re.compile("pass|blocked"))
                if page.locator("#meter").get_attribute("data-verdict") == "pass":
                    page.screenshot(path=shots / "06-accept.png", full_page=True)
                    page.click("#send")
                    accepted = True
                    break
            moves = page.locator("#moves li").count()
            _counter(page, best)
            expect(page.locator("#moves li")).not_to_have_count(moves)
        assert accepted, "the person never got an offer worth accepting"
        expect(page.locator("#status-line")).to_have_attribute("data-status", "agreement")
        expect(page.locator("#moves li").last).to_contain_text("accept the proposal on the table")

        # The debrief.
        page.click("#debrief-link")
        expect(page.locator("#debrief h1")).to_contain_text("Debrief: agreement")
        expect(page.locator("#your-result")).to_contain_text("You (platform) got")
        surplus = page.locator("#your-result abbr.term[data-term='surplus']")  # its glossary tooltip
        expect(surplus).to_have_attribute("title", tip("surplus"))
        expect(page.locator("#plain-words")).to_contain_text("What you gave up")
        expect(page.locator("#rules")).to_contain_text("individual-rationality")
        expect(page.locator("#transcript")).to_contain_text("the hash chain verifies")
        expect(page.locator("#better-deals")).to_be_visible()
        expect(page.locator("#concessions")).to_be_visible()
        page.click("#plot-details summary")  # the static PNG, under the interactive chart
        plot = page.locator("#plot")
        expect(plot).to_be_visible()
        page.wait_for_function("() => { const img = document.getElementById('plot'); return img.complete; }")
        assert plot.evaluate("img => img.naturalWidth > 0"), "the plot is broken"
        expect(page.locator("#scenario-source")).to_contain_text(str((deals / "our_deal.yaml").resolve()))
        page.screenshot(path=shots / "07-debrief.png", full_page=True)

        # The term sheet of the deal: HTML in the browser, Markdown to download.
        markdown = page.request.get(
            server.url + (page.locator("#termsheet-md").get_attribute("href") or "").lstrip("/")
        )
        assert markdown.ok and markdown.text() == (out / rid / "termsheet.md").read_text(encoding="utf-8")
        page.click("#termsheet-html")
        page.wait_for_url(re.compile(rf"/r/{re.escape(rid)}/termsheet\.html$"))
        expect(page.locator("h1")).to_contain_text("Term sheet: Our composite deal")
        expect(page.locator("body")).to_contain_text("Veyra Advanced Materials")
        page.screenshot(path=shots / "07b-term-sheet.png", full_page=True)
        page.go_back()
        expect(page.locator("#debrief h1")).to_contain_text("Debrief: agreement")

        # What if? Branch from turn 3 and end the rehearsal there; the original is untouched.
        transcript = out / rid / "transcript.jsonl"
        original = transcript.read_bytes()
        page.click("#branches button.fork[data-turn='3']")
        page.wait_for_url(re.compile(rf"/r/{re.escape(rid)}-b1$"))
        expect(page.locator(".branch")).to_contain_text(f"What-if branch of {rid} from turn 3")
        expect(page.locator("#moves li")).to_have_count(2)
        page.click("#end")
        expect(page.locator("#status-line")).to_have_attribute("data-status", "walk_away")
        page.click("#debrief-link")
        rows = page.locator("#comparison tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#comparison")).to_contain_text("agreement")
        expect(page.locator("#comparison")).to_contain_text("walk away")
        page.screenshot(path=shots / "08-branches.png", full_page=True)
        assert transcript.read_bytes() == original
        assert verify(out / f"{rid}-b1" / "transcript.jsonl").ok
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []
    records = read_records(out / rid / "transcript.jsonl")
    people = [r for r in records if r.kind == "human_move"]
    assert people and {r.data["by"] for r in people} == {"Ada Lovelace"}
    assert verify(out / rid / "transcript.jsonl").ok


def test_approval_in_the_browser(browser: Browser, tmp_path: Path, shots: Path) -> None:
    out = tmp_path / "rehearsals"
    server = Server(out)
    page, problems = _page(browser)
    try:
        page.goto(server.url)
        page.select_option("#scenario", "platform_material")
        page.select_option("#seat", "")
        page.fill("#seed", "3")
        page.fill("#mandates", "supplier: royalty_rate <= 5")
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/platform_material-"))
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator("#status-line")).to_have_attribute("data-status", "approval")
        expect(page.locator("#breaches")).to_contain_text("royalty_rate <= 5 (the terms have royalty_rate=6)")
        page.click("#approve")  # no name yet
        expect(page.locator("#approval-form #form-error")).to_contain_text("approver name")
        page.fill("#approver", "Grace Hopper")
        page.fill("#note", "stay within the mandate")
        page.screenshot(path=shots / "01-approval.png", full_page=True)
        page.click("#reject")
        supplier = page.locator("#moves li[data-party=supplier]")
        expect(supplier).to_have_count(1)
        expect(supplier).not_to_contain_text("royalty_rate=6")
        page.screenshot(path=shots / "02-after-rejection.png", full_page=True)
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []
    with Rehearsals(out) as service:
        view = service.view(rid)
    approval = next(r for r in read_records(view.transcript) if r.kind == "approval")  # type: ignore[arg-type]
    assert (approval.data["decision"], approval.data["approver"]) == ("reject", "Grace Hopper")


def test_a_deal_teams_rehearsal_in_the_browser(
    browser: Browser, tmp_path: Path, shots: Path, nash_terms: dict[str, object]
) -> None:
    """The counter-offer starts from the person's own position, nothing reads as a refusal before a send,
    the debrief links the term sheet, and a rehearsal can be deleted (its transcript archived)."""
    out = tmp_path / "rehearsals"
    server = Server(out)
    page, problems = _page(browser)
    try:
        page.goto(server.url)
        page.select_option("#scenario", "platform_material")
        page.select_option("#seat", "platform")
        page.fill("#seed", "3")
        page.fill("#name", "Ada Lovelace")
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/platform_material-"))
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        # Before anything is sent: the draft's value, and no refusal of any kind.
        expect(page.locator("#meter")).to_have_attribute("data-verdict", "untouched")
        expect(page.locator("#meter-text")).to_contain_text("Value to you")
        expect(page.locator("#default-from")).to_contain_text("your opening position")
        assert page.locator("#blocked").count() == 0
        assert page.locator("#gate-verdicts li.blocked").count() == 0
        assert all(not t.strip() for t in page.locator("[role=alert]").all_inner_texts())
        page.screenshot(path=shots / "01-nothing-sent.png", full_page=True)

        # After the agent's reply the form starts from the person's own last offer, not the table's.
        mine = {k: str(v) for k, v in nash_terms.items()}
        _counter(page, mine)
        expect(page.locator("#moves li[data-party=supplier]")).to_have_count(1)
        expect(page.locator("#default-from")).to_contain_text("your own last offer")
        in_form = _terms_in_form(page)
        on_table = page.eval_on_selector_all(
            "#table-terms tr[data-issue]",
            "rows => Object.fromEntries(rows.map(r => [r.dataset.issue, r.querySelector('.value').dataset.value]))",
        )
        for issue, value in mine.items():
            assert (
                float(in_form[issue]) == float(value)
                if in_form[issue].replace(".", "").isdigit()
                else (in_form[issue] == value)
            ), issue
        assert in_form != on_table
        expect(page.locator("#meter")).to_have_attribute("data-verdict", "untouched")
        # History as sentences with display names, no key=value dumps.
        expect(page.locator("#moves li").first).to_contain_text("You (Nordvik Mobility) open and propose")
        assert "=" not in page.locator("#moves li .sentence").first.inner_text()
        page.screenshot(path=shots / "02-own-last-offer.png", full_page=True)

        # Play on to a deal; the debrief links the term sheet.
        for _ in range(30):
            expect(page.locator("#status-line")).to_have_attribute("data-status", re.compile("your-turn|agreement"))
            if page.locator("#status-line").get_attribute("data-status") == "agreement":
                break
            if page.locator("#move-form input[name=kind][value=accept]").count():
                page.check("#move-form input[name=kind][value=accept]")
                expect(page.locator("#meter")).to_have_attribute("data-verdict", re.compile("pass|blocked"))
                if page.locator("#meter").get_attribute("data-verdict") == "pass":
                    page.click("#send")
                    break
            moves = page.locator("#moves li").count()
            page.check("#move-form input[name=kind][value=propose]")
            page.click("#suggest")
            page.click("#send")
            expect(page.locator("#moves li")).not_to_have_count(moves)
        expect(page.locator("#status-line")).to_have_attribute("data-status", "agreement")
        page.click("#debrief-link")
        expect(page.locator("#term-sheet")).to_contain_text("Term sheet")
        # The interactive utility chart (two parties: utility space), drawn by the locally served plotly.js.
        page.wait_for_function("() => { const el = document.getElementById('utility-chart'); return el && el.data; }")
        traces = page.evaluate("() => document.getElementById('utility-chart').data.map(t => t.name)")
        assert {"Pareto frontier", "Nash bargaining solution", "the deal"} <= set(traces)
        href = page.locator("#termsheet-html").get_attribute("href") or ""
        assert page.request.get(server.url + href.lstrip("/")).ok
        page.screenshot(path=shots / "03-debrief.png", full_page=True)

        # Delete it from the list: gone after a reload; its transcript kept in the archive.
        page.goto(server.url)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click(f"button.delete[data-rid='{rid}']")
        expect(page.locator(f"#rehearsals tr[data-rid='{rid}']")).to_have_count(0)
        page.reload()
        expect(page.locator(f"tr[data-rid='{rid}']")).to_have_count(0)
        assert page.request.get(f"{server.url}r/{rid}").status == 404
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []
    assert verify(out / "archive" / rid / "transcript.jsonl").ok
    assert not (out / rid).exists()


def test_a_seats_brief_is_unreadable_without_its_token(browser: Browser, tmp_path: Path, shots: Path) -> None:
    """The browser that started a rehearsal holds its seat token (an HttpOnly cookie); another browser
    (a fresh context: no cookies) gets "nothing here" for the same URL, and the start page lists nothing."""
    server = Server(tmp_path / "rehearsals")
    owner = browser.new_context(viewport={"width": 1280, "height": 1000})
    stranger = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = owner.new_page()
        page.goto(server.url)
        page.select_option("#scenario", "platform_material")
        page.select_option("#seat", "platform")
        page.fill("#seed", "3")
        page.fill("#name", "Ada Lovelace")
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/platform_material-"))
        url = page.url
        expect(page.locator("#brief")).to_contain_text("Walk-away value (reservation)")
        cookies = owner.cookies()
        assert len(cookies) == 1 and cookies[0]["httpOnly"] and cookies[0]["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # page scripts cannot read the token
        other = stranger.new_page()
        response = other.goto(url)
        assert response is not None and response.status == 404
        expect(other.locator("#missing")).to_contain_text("There is no rehearsal with this id here")
        expect(other.locator("#brief")).to_have_count(0)
        assert "Walk-away value" not in other.content()
        other.screenshot(path=shots / "01-without-the-token.png", full_page=True)
        answer = other.request.get(url.replace("/r/", "/api/r/"))
        assert answer.status == 404
        other.goto(server.url)
        expect(other.locator(f'a[href="{url.removeprefix(server.url.rstrip("/"))}"]')).to_have_count(0)
        page.reload()
        expect(page.locator("#brief")).to_contain_text("Walk-away value (reservation)")
    finally:
        owner.close()
        stranger.close()
        server.stop()


def test_the_seat_keeps_the_persons_name(browser: Browser, tmp_path: Path, shots: Path) -> None:
    """The start page asks for a name before it seats a person; the seat keeps it (not the browser's storage),
    so moves sent with the name field emptied, and the "end" button's, are recorded and signed under it."""
    out = tmp_path / "rehearsals"
    server = Server(out)
    page, problems = _page(browser)
    try:
        page.goto(server.url)
        page.evaluate("localStorage.clear()")
        page.reload()
        page.select_option("#scenario", "platform_material")
        page.select_option("#seat", "platform")
        page.fill("#seed", "3")
        page.fill("#name", "")
        page.click("#start")
        expect(page.locator("#start-error")).to_contain_text("Your name, please")
        assert "/r/" not in page.url
        page.fill("#name", "Grace Hopper")
        page.click("#start")
        page.wait_for_url(re.compile(r"/r/platform_material-"))
        rid = page.url.rstrip("/").rsplit("/", 1)[-1]
        page.evaluate("localStorage.clear()")  # another browser profile, the same seat token
        page.reload()
        expect(page.locator("#by")).to_have_value("Grace Hopper")
        page.fill("#by", "")
        page.screenshot(path=shots / "01-name-emptied.png", full_page=True)
        _counter(page, _terms_in_form(page))
        expect(page.locator("#moves li[data-party=supplier]")).to_have_count(1)
        expect(page.locator("#status-line")).to_have_attribute("data-status", "your-turn")
        page.click("#end")
        expect(page.locator("#status-line")).to_have_attribute("data-status", "walk_away")
    finally:
        server.stop()
        page.close()
    assert _unexpected(problems) == []
    transcript = out / rid / "transcript.jsonl"
    people = [(r.data["by"], r.sig.by) for r in read_records(transcript) if r.kind == "human_move"]
    assert len(people) == 2 and set(people) == {("Grace Hopper", "person:Grace Hopper")}
    report = verify(transcript)
    assert report.ok and "person:Grace Hopper" in report.identities, report.problem
