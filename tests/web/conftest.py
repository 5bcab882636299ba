"""The web tests' fixtures (the rehearsal tests' too) and `Web`, the app under a test client."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from pactlab.app.rehearsal import Rehearsals
from pactlab.app.web.app import create_app
from pactlab.app.web.library import Library
from tests.rehearsal.conftest import SCENARIO, SEAT, nash_terms, scenario

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = ["BASE", "CHROMIUM", "FLAGS", "Web", "browser", "nash_terms", "scenario", "serve_web"]

BASE = "http://127.0.0.1"
CHROMIUM = Path("/usr/bin/chromium")
"""Debian's chromium, which the browser tests drive (.ci/run installs it)."""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for one test module's browser tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


class Web:
    def __init__(self, client: TestClient, service: Rehearsals, workers: ThreadPoolExecutor) -> None:
        self.client = client
        self.service = service
        self.workers = workers

    def settle(self) -> None:
        """Wait until the background step the last request started has run (one worker: FIFO)."""
        self.workers.submit(lambda: None).result(timeout=120)

    def post(self, url: str, body: Any) -> Any:
        return self.client.post(url, json=body)

    def start(self, **form: Any) -> str:
        response = self.post("/api/rehearsals", {"scenario": SCENARIO, "seat": SEAT, "seed": 3, **form})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


def serve_web(out: Path, library: Library | None = None) -> Iterator[Web]:
    """The app over rehearsals under `out` (and `library`'s scenario files), behind a test client."""
    workers = ThreadPoolExecutor(max_workers=1)
    with Rehearsals(out) as service:
        app = create_app(service, library=library, workers=workers)
        with TestClient(app, base_url=BASE) as client:
            yield Web(client, service, workers)
    workers.shutdown()
