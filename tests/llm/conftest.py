"""The real local model server, started once per test session (skipped only without the llm extra)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agents.llm.local_server import INSTALL_HINT, LocalModelServer, local_model_available


@pytest.fixture(scope="session")
def local_server() -> Iterator[LocalModelServer]:
    """llama-cpp-python's server with Gemma 3 270M on a free loopback port."""
    if not local_model_available():
        pytest.skip(f"the local model is not installed; {INSTALL_HINT}")
    with LocalModelServer() as server:
        yield server
