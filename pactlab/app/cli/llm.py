"""`--llm`: where LLM negotiators find their model, and live progress of each model call."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from pactlab.domain.scenario import Scenario

LLM_MODES = ("local", "env")
LOCAL_DEFAULT_AGENT = "llm(advisor=choose)"
"""The tiny local model copes best when it picks among the utility advisor's candidates."""
ENV_DEFAULT_AGENT = "llm"


def default_agent(mode: str) -> str:
    return LOCAL_DEFAULT_AGENT if mode == "local" else ENV_DEFAULT_AGENT


@contextmanager
def llm_endpoint(mode: str | None, console: Console, *, quiet: bool = False) -> Iterator[dict[str, str]]:
    """For `local`, start llama.cpp's server with the local model and point LLM negotiators at it
    (through the environment, as for any OpenAI-compatible endpoint); stop it afterwards. For
    `env`, use the environment's endpoint. Prints each model call as it happens unless `quiet`.
    Yields where the model is (`endpoint_note`), for reports."""
    from agents.llm import format_event, progress

    def show(event: str, data: dict[str, Any]) -> None:
        if event in ("request", "repair", "retry", "done"):
            console.print(f"          [dim]{escape(format_event(event, data))}[/]")

    unsubscribe = progress.subscribe(show) if not quiet and mode else None
    try:
        if mode != "local":
            yield endpoint_note("env")
            return
        from agents.llm import LocalModelServer, endpoint_environment
        from agents.llm.local_server import local_model_path

        with console.status("starting the local model server (llama.cpp, Gemma 3 270M)…"):
            server = LocalModelServer().start()
        try:
            console.print(f"  local model: {server.model} at {server.base_url} (ready in {server.startup_s:.1f} s)")
            with endpoint_environment(server.base_url, server.model):
                yield endpoint_note("local", server.model_path or local_model_path())
        finally:
            server.stop()
    finally:
        if unsubscribe is not None:
            unsubscribe()


def refuse_unready(
    mode: str | None, tables: Iterable[tuple[Scenario, Mapping[str, str]]], *, mediator: bool = False
) -> None:
    """Before anything runs: with LLM seats (or the LLM mediator) and no usable model, raise BadInput (exit 2)
    naming the seats and the fix (`agents.llm_readiness`). With `--llm local` the local server brings the model."""
    if mode == "local":
        return
    from agents.llm_readiness import check_ready

    check_ready(tables, mediator=mediator)


def endpoint_note(mode: str, model_file: Path | None = None) -> dict[str, str]:
    """Where LLM seats find their model, for reports: the mode, the model's name, its endpoint's host, and for a
    local GGUF its file and SHA-256. Read from the environment the seats read (never the API key)."""
    from urllib.parse import urlsplit

    note = {"mode": mode, "model": os.environ.get("PACTLAB_LLM_MODEL") or os.environ.get("OPENAI_MODEL") or "?"}
    base = os.environ.get("OPENAI_BASE_URL")
    if base:
        note["host"] = urlsplit(base).netloc
    if model_file is not None:
        digest = hashlib.sha256()
        with model_file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        note.update(file=model_file.name, sha256=digest.hexdigest())
    return note
