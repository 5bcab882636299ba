"""The web seat under attack (issue 13, "The web seat"): every case found by probing, as a regression test.

Seat tokens (no brief, state or move without the seat's token; the list shows only one's own),
answers that name their turn (two at once move the seat once; a repeat gets the first answer; a
stale one 409), bodies bounded while streaming (413 without reading a 400 MB body), hostile JSON
(400 with a message, never 500), a branch's debrief while its source is open, escaped Markdown.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from evals.markdown import code, text
from evals.report import scorecard_markdown
from evals.scorecard import Scorecard
from pactlab.app.web.app import create_app
from pactlab.app.web.limits import DEFAULT_MAX_BODY, MAX_DEPTH, json_depth
from pactlab.app.web.seats import COOKIE_PREFIX, HEADER, SEATS
from tests.rehearsal.conftest import SCENARIO, SEAT
from tests.web.conftest import BASE, Web, nash_terms, scenario, serve_web

__all__ = ["nash_terms", "scenario"]  # fixtures


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    yield from serve_web(tmp_path / "r")


def _stranger(web: Web) -> TestClient:
    """A second browser on the same server: its own cookie jar, no seat token."""
    return TestClient(web.client.app, base_url=BASE)


def _walk_away(turn: int, reason: str = "enough") -> dict[str, Any]:
    return {"kind": "walk_away", "reason": reason, "by": "Ada", "turn": turn}


def _seat_moves(web: Web, rid: str) -> list[Any]:
    return [m for m in web.service.view(rid).moves if m["party"] == SEAT]


# -- seat tokens ------------------------------------------------------------------------------------


def test_without_the_token_nothing_of_the_seat_is_served(web: Web) -> None:
    rid = web.start()
    own = web.client.get(f"/r/{rid}")
    assert own.status_code == 200 and "Your private brief" in own.text
    stranger = _stranger(web)
    forged = {f"{COOKIE_PREFIX}{rid}": "x" * 43}
    for client, cookies in ((stranger, {}), (stranger, forged)):
        client.cookies.clear()
        client.cookies.update(cookies)
        page = client.get(f"/r/{rid}")
        assert page.status_code == 404 and "Your private brief" not in page.text and "reservation" not in page.text
        assert client.get(f"/api/r/{rid}").status_code == 404
        assert client.get(f"/r/{rid}/events").status_code == 404
        assert client.get(f"/r/{rid}/debrief").status_code == 404
        assert client.get(f"/r/{rid}/plot.png").status_code == 404
        assert client.get(f"/r/{rid}/termsheet.html").status_code == 404
        for action, body in (
            ("move", _walk_away(0)),
            ("approval", {"decision": "approve", "approver": "x", "turn": 0}),
            ("check", {"kind": "accept"}),
            ("fork", {"turn": 1}),
            ("delete", {}),
        ):
            answer = client.post(f"/api/r/{rid}/{action}", json=body)
            assert answer.status_code == 404 and answer.json() == {"error": "no rehearsal with this id"}, action
    # Unknown and token-less look the same: an attacker learns not even which ids exist.
    assert stranger.get("/api/r/nope").json() == stranger.get(f"/api/r/{rid}").json()
    assert web.service.view(rid).moves == []  # nobody moved for the seat, nobody deleted it
    assert web.post(f"/api/r/{rid}/delete", {}).status_code == 200  # the holder may


def test_the_cookie_is_httponly_samesite_strict_and_only_a_hash_is_stored(web: Web, tmp_path: Path) -> None:
    response = web.post("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "seed": 3, "name": "Ada"})
    rid, token = response.json()["id"], response.json()["token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_PREFIX}{rid}={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert len(token) >= 43  # 256 bits from secrets.token_urlsafe
    stored = (tmp_path / "r" / SEATS / rid).read_text()
    digest, name = stored.splitlines()  # the token's hash, and the name of the person seated
    assert token not in stored and len(digest) == 64 and name == '"Ada"'
    assert oct((tmp_path / "r" / SEATS / rid).stat().st_mode)[-3:] == "600"
    # Never in a transcript, the checkpoints or any other file of the data directory.
    for path in (tmp_path / "r").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    with sqlite3.connect(tmp_path / "r" / "checkpoints.sqlite") as db:
        for (table,) in db.execute("select name from sqlite_master where type='table'"):
            for row in db.execute(f"select * from {table}"):  # the database's own table names
                assert token not in repr(row)


def test_the_header_carries_the_token_for_scripts(web: Web) -> None:
    response = web.post("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "seed": 3})
    rid, token = response.json()["id"], response.json()["token"]
    script = _stranger(web)
    assert script.get(f"/api/r/{rid}").status_code == 404
    assert script.get(f"/api/r/{rid}", headers={HEADER: token}).status_code == 200
    assert script.get(f"/api/r/{rid}", headers={HEADER: token[:-1] + "A"}).status_code == 404


def test_the_list_shows_only_the_callers_rehearsals(web: Web) -> None:
    mine = web.start()
    other = _stranger(web)
    theirs = other.post("/api/rehearsals", json={"scenario": SCENARIO, "seat": SEAT, "seed": 4}).json()["id"]
    assert mine in web.client.get("/").text and theirs not in web.client.get("/").text
    assert theirs in other.get("/").text and mine not in other.get("/").text
    assert _stranger(web).get("/").text.count("/r/") == 0


def test_a_branch_gets_its_own_token_for_the_holder_of_the_source(web: Web) -> None:
    rid = web.start()
    web.post(f"/api/r/{rid}/move", _walk_away(0))
    web.settle()
    branch = web.post(f"/api/r/{rid}/fork", {"turn": 1})
    assert branch.status_code == 201
    bid = branch.json()["id"]
    assert web.client.get(f"/r/{bid}").status_code == 200
    assert _stranger(web).get(f"/r/{bid}").status_code == 404


# -- answers name their turn ------------------------------------------------------------------------


async def _together(web: Web, bodies: list[dict[str, Any]], path: str) -> list[httpx.Response]:
    """Send `bodies` at the same moment, on one event loop, with the seat's cookie."""
    transport = httpx.ASGITransport(app=web.client.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE, cookies=dict(web.client.cookies)) as client:
        return list(await asyncio.gather(*(client.post(path, json=body) for body in bodies)))


def test_two_moves_at_once_move_the_seat_once(web: Web) -> None:
    for attempt in range(3):
        rid = web.start(id=f"race-{attempt}")
        bodies = [_walk_away(0, "first"), _walk_away(0, "second"), {**_walk_away(0), "kind": "propose"}]
        answers = asyncio.run(_together(web, bodies, f"/api/r/{rid}/move"))
        web.settle()
        codes = sorted(a.status_code for a in answers)
        assert codes.count(202) == 1 and all(c in (202, 400, 409) for c in codes), [a.text for a in answers]
        assert len(_seat_moves(web, rid)) == 1


def test_the_same_move_twice_gets_the_first_answer_and_moves_once(web: Web) -> None:
    rid = web.start()
    body = _walk_away(0)
    first = web.post(f"/api/r/{rid}/move", body)
    web.settle()
    again = web.post(f"/api/r/{rid}/move", body)
    assert first.status_code == again.status_code == 202 and first.json() == again.json()
    assert len(_seat_moves(web, rid)) == 1
    stale = web.post(f"/api/r/{rid}/move", _walk_away(0, "something else"))
    assert stale.status_code == 409 and "can no longer be answered" in stale.json()["error"]


def test_a_stale_turn_is_refused_with_409(web: Web, nash_terms: dict[str, Any]) -> None:
    rid = web.start()
    terms = {k: str(v) for k, v in nash_terms.items()}
    rationale = "We propose " + ", ".join(terms)
    web.post(f"/api/r/{rid}/move", {"kind": "propose", "terms": terms, "rationale": rationale, "turn": 0, "by": "Ada"})
    web.settle()
    now = web.service.view(rid).question["turn"]  # type: ignore[index]
    assert now > 0
    stale = web.post(f"/api/r/{rid}/move", _walk_away(0, "late"))
    assert stale.status_code == 409 and "turn 1 was answered already" in stale.json()["error"]
    early = web.post(f"/api/r/{rid}/move", _walk_away(now + 2))
    assert early.status_code == 409 and "is not asked yet" in early.json()["error"]
    missing = web.post(f"/api/r/{rid}/move", {"kind": "walk_away", "reason": "x"})
    assert missing.status_code == 400 and "name the turn you answer" in missing.json()["error"]
    assert web.service.view(rid).question["turn"] == now  # type: ignore[index]


def test_two_approvals_at_once_decide_once(web: Web) -> None:
    rid = web.start(seat=None, mandates="supplier: royalty_rate <= 5")
    turn = web.service.view(rid).question["turn"]  # type: ignore[index]
    bodies = [
        {"decision": "reject", "approver": "Grace", "turn": turn},
        {"decision": "approve", "approver": "Alan", "turn": turn},
    ]
    answers = asyncio.run(_together(web, bodies, f"/api/r/{rid}/approval"))
    web.settle()
    assert sorted(a.status_code for a in answers) == [202, 409]
    view = web.service.view(rid)
    assert view.transcript is not None
    decisions = [line for line in view.transcript.read_text().splitlines() if '"kind":"approval"' in line]
    assert len(decisions) == 1


# -- bodies and JSON --------------------------------------------------------------------------------


def test_a_huge_declared_body_is_refused_before_it_is_read(web: Web) -> None:
    response = web.client.post(
        "/api/rehearsals",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(400 * 1024 * 1024)},
    )
    assert response.status_code == 413 and "--max-body" in response.json()["error"]


async def _stream_body(app: Any, total: int, chunk: int) -> tuple[int, int]:
    """POST a chunked body of `total` bytes without a Content-Length; the status and the bytes the app pulled."""
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        block = b" " * chunk
        while pulled < total:
            pulled += chunk
            yield block

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        response = await client.post("/api/rehearsals", content=body(), headers={"content-type": "application/json"})
    return response.status_code, pulled


def test_a_400_mb_stream_is_cut_at_the_limit(tmp_path: Path) -> None:
    from pactlab.app.rehearsal import Rehearsals

    with Rehearsals(tmp_path / "r") as service:
        app = create_app(service, max_body=DEFAULT_MAX_BODY)
        status, pulled = asyncio.run(_stream_body(app, 400 * 1024 * 1024, 64 * 1024))
    assert status == 413
    assert pulled <= DEFAULT_MAX_BODY + 2 * 64 * 1024  # refused at the limit, not after reading 400 MB


def test_the_limit_can_be_raised_and_lowered(tmp_path: Path) -> None:
    from pactlab.app.rehearsal import Rehearsals

    with Rehearsals(tmp_path / "r") as service:
        app = create_app(service, max_body=2048)
        with TestClient(app, base_url=BASE) as client:
            big = client.post("/api/rehearsals", json={"scenario": "x" * 4000})
            assert big.status_code == 413 and "2,048 bytes" in big.json()["error"]
    from typer.main import get_command

    from pactlab.app.cli.main import app as cli

    serve = get_command(cli).commands["serve"]  # type: ignore[attr-defined]
    default = next(p.default for p in serve.params if p.name == "max_body")
    assert default == DEFAULT_MAX_BODY


HOSTILE = [
    (b"{", "not valid JSON"),
    (b'{"scenario": "x",}', "not valid JSON"),
    (b"[" * 20_000 + b"]" * 20_000, f"more than {MAX_DEPTH} levels"),
    (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, f"more than {MAX_DEPTH} levels"),
    (b'{"seed": ' + b"9" * 4000 + b"}", "4,000 characters"),
    (b'{"seed": 1' + b"0" * 400 + b".5}", "characters"),
    (b'{"seed": 1e999}', "too large"),
    (b'{"seed": NaN}', "not a number JSON allows"),
    (b'{"seed": -Infinity}', "not a number JSON allows"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'"just text"', "send a JSON object"),
    (b"null", "send a JSON object"),
]


@pytest.mark.parametrize(("raw", "words"), HOSTILE, ids=[f"json{n}" for n in range(len(HOSTILE))])
def test_hostile_json_gets_400_with_a_message(web: Web, raw: bytes, words: str) -> None:
    rid = web.start()
    for path in ("/api/rehearsals", f"/api/r/{rid}/move", f"/api/r/{rid}/check", f"/api/r/{rid}/fork"):
        response = web.client.post(path, content=raw, headers={"content-type": "application/json"})
        assert response.status_code == 400, (path, response.text)
        assert words in response.json()["error"], (path, response.json())


WRONG_TYPES = [
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "policies": ["a"]}, "policies"),
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "policies": {"a": 1}}, "policies"),
    ("/api/rehearsals", {"scenario": [SCENARIO], "seat": SEAT}, "scenario"),
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": 7}, "seat"),
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "seed": [1]}, "seed"),
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "mandates": {"x": 1}}, "mandates"),
    ("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "id": 5}, "id"),
    ("move", {"kind": "propose", "terms": ["a"], "turn": 0}, "terms"),
    ("move", {"kind": "propose", "terms": {"royalty_rate": [1]}, "turn": 0}, "terms"),
    ("move", {"kind": ["walk_away"], "reason": "x", "turn": 0}, "kind"),
    ("move", {"kind": "walk_away", "reason": {"x": 1}, "turn": 0}, "reason"),
    ("move", {"kind": "walk_away", "reason": "x", "turn": True}, "turn"),
    ("move", {"kind": "walk_away", "reason": "x", "turn": -1}, "turn"),
    ("move", {"kind": "walk_away", "reason": "x", "turn": 1.5}, "turn"),
    ("move", {"kind": "walk_away", "reason": "x", "turn": 0, "attempt": "a"}, "attempt"),
    ("approval", {"decision": ["approve"], "turn": 0}, "decision"),
    ("approval", {"decision": "approve", "approver": 3, "turn": 0}, "approver"),
    ("check", {"kind": "propose", "terms": "x"}, "terms"),
    ("fork", {"turn": [1]}, "turn"),
    ("fork", {"turn": "9" * 30}, "turn"),
]


@pytest.mark.parametrize(("path", "body", "field"), WRONG_TYPES, ids=[f"types{n}" for n in range(len(WRONG_TYPES))])
def test_wrong_types_get_400_naming_the_field(web: Web, path: str, body: dict[str, Any], field: str) -> None:
    rid = web.start(id="typed")
    url = path if path.startswith("/") else f"/api/r/{rid}/{path}"
    response = web.post(url, body)
    assert response.status_code == 400, response.text
    data = response.json()
    assert data["error"] and (field in data.get("problems", {}) or field in data["error"]), data
    assert web.service.view(rid).moves == []


def test_json_depth_skips_brackets_in_strings() -> None:
    assert json_depth('{"a": "[[[[{{{{"}') == 1
    assert json_depth('["\\"[[", [[1]]]') == 3


# -- a branch's debrief while its source is open -----------------------------------------------------


def _scorecard_rows(html: str) -> list[str]:
    table = html.split('id="scorecard"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td>", table)


def test_a_branch_debrief_hides_the_other_parties_values_while_its_source_is_open(
    web: Web, nash_terms: dict[str, Any]
) -> None:
    rid = web.start()
    terms = {k: str(v) for k, v in nash_terms.items()}
    rationale = "We propose " + ", ".join(terms)
    web.post(f"/api/r/{rid}/move", {"kind": "propose", "terms": terms, "rationale": rationale, "turn": 0})
    web.settle()
    source = web.service.view(rid)
    assert source.question is not None and not source.finished
    branch = web.post(f"/api/r/{rid}/fork", {"turn": 1}).json()["id"]
    web.post(f"/api/r/{branch}/move", _walk_away(web.service.view(branch).question["turn"]))  # type: ignore[index]
    web.settle()
    assert web.service.view(branch).finished and not web.service.view(rid).finished
    others = [p for p in source.scenario.party_ids if p != SEAT]
    hidden = web.client.get(f"/r/{branch}/debrief").text
    assert _scorecard_rows(hidden) == [SEAT]
    assert 'id="withheld"' in hidden and rid in hidden and 'id="plot"' not in hidden
    assert "Nash solution would have given you" not in hidden and "Nothing was left on the table" not in hidden
    assert web.client.get(f"/r/{branch}/plot.png").status_code == 409
    report = web.service.debrief(branch)
    assert set(report.reservations) == {SEAT} and report.nash is None and report.better_deals == []
    assert all(set(row.utilities) <= {SEAT} for row in web.service.compare(branch).branches)
    # The source ends: now the branch's debrief shows everything.
    web.post(f"/api/r/{rid}/move", _walk_away(source.question["turn"]))
    web.settle()
    shown = web.client.get(f"/r/{branch}/debrief").text
    assert sorted(_scorecard_rows(shown)) == sorted([SEAT, *others]) and 'id="withheld"' not in shown
    assert web.client.get(f"/r/{branch}/plot.png").status_code == 200


# -- Markdown outputs ------------------------------------------------------------------------------


def test_markdown_text_escapes_what_could_be_markup() -> None:
    assert text("A | B") == "A \\| B"
    assert text("[click](http://evil.example)") == "\\[click\\](http://evil.example)"
    assert text("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert text("**bold** _em_ ~~gone~~ `code`") == "\\*\\*bold\\*\\* \\_em\\_ \\~\\~gone\\~\\~ \\`code\\`"
    assert text("# heading") == "\\# heading" and text("- item") == "\\- item" and text("1. item") == "1\\. item"
    assert text("two\nlines\r\n\n# not a heading") == "two lines # not a heading"
    assert text("royalty_rate of Acme-Birch (Pty) Ltd.") == "royalty_rate of Acme-Birch (Pty) Ltd."
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``" and code("a|b", in_table=True) == "`a\\|b`"


def test_scorecard_markdown_escapes_names_and_keeps_its_tables(web: Web) -> None:
    rid = web.start()
    web.post(f"/api/r/{rid}/move", _walk_away(0))
    web.settle()
    card = web.service.view(rid).scorecard
    assert isinstance(card, Scorecard)
    hostile = "Evil | Corp [x](http://evil.example) <img src=x onerror=alert(1)>\n# Owned"
    parties = [p.model_copy(update={"name": hostile}) for p in card.parties]
    card = card.model_copy(update={"parties": parties, "scenario_title": "**Title** <b>"})
    markdown = scorecard_markdown(card)
    assert "<img" not in markdown and "<b>" not in markdown and "[x](http" not in markdown
    assert "\n# Owned" not in markdown and markdown.startswith("# \\*\\*Title\\*\\* &lt;b&gt;\n")
    for table in re.findall(r"(?:^\|.*\|\n)+", markdown, flags=re.M):
        rows = table.strip().splitlines()
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, table  # every row has as many cells as the header
    assert json.dumps(hostile) not in markdown
