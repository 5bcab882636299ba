"""The web debrief explains its numbers: glossary tooltips on every figure, the plain-words section, /glossary."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from evals.glossary import GLOSSARY, tip
from tests.web.conftest import Web, serve_web


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    yield from serve_web(tmp_path / "r")


def test_the_debrief_page_explains_its_numbers(web: Web) -> None:
    rid = web.start()
    turn = web.service.view(rid).table["turn"]
    web.post(f"/api/r/{rid}/move", {"kind": "walk_away", "reason": "enough", "by": "Ada", "turn": turn})
    web.settle()
    page = web.client.get(f"/r/{rid}/debrief")
    assert page.status_code == 200
    terms = dict(re.findall(r'<abbr class="term" tabindex="0" data-term="([a-z_]+)" title="([^"]*)">', page.text))
    for key in ("value", "reservation_value", "surplus", "nash_point", "pareto_distance", "fairness_min_max_ratio"):
        assert html.unescape(terms[key]) == tip(key), key
    plain = page.text.split('id="plain-words"', 1)[1].split("</div>", 1)[0]
    assert "What you gained:" in plain and "There was no deal: you keep your walk-away point" in plain
    assert "Better for everyone?" in plain and 'href="/glossary"' in plain

    glossary = web.client.get("/glossary")
    assert glossary.status_code == 200
    for term in GLOSSARY:
        assert f'id="term-{term.key}"' in glossary.text
        assert html.escape(term.long, quote=True) in glossary.text or term.long in html.unescape(glossary.text)
