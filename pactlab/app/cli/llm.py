"""`--llm`: where LLM negotiators find their model, and live progress of each model call."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
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
def llm_endpoint(mode: str | None, console: Console, *, quiet: bool = False) -> Iterator[None]:
    """For `local`, start llama.cpp's server with the local model and point LLM negotiators at it
    (through the environment, as for any OpenAI-compatible endpoint); stop it afterwards. For
    `env`, use the environment's endpoint. Prints each model call as it happens unless `quiet`."""
    from agents.llm import format_event, progress

    def show(event: str, data: dict[str, Any]) -> None:
        if event in ("request", "repair", "retry", "done"):
            console.print(f"          [dim]{escape(format_event(event, data))}[/]")

    unsubscribe = progress.subscribe(show) if not quiet and mode else None
    try:
        if mode != "local":
            yield
            return
        from agents.llm import LocalModelServer, endpoint_environment

        with console.status("starting the local model server (llama.cpp, Gemma 3 270M)…"):
            server = LocalModelServer().start()
        try:
            console.print(f"  local model: {server.model} at {server.base_url} (ready in {server.startup_s:.1f} s)")
            with endpoint_environment(server.base_url, server.model):
                yield
        finally:
            server.stop()
    finally:
        if unsubscribe is not None:
            unsubscribe()


def refuse_unready(
    mode: str | None, tables: Iterable[tuple[Scenario, Mapping[str, str]]], *, mediator: bool = False
) -> None:
    """Before anything runs: with LLM seats (or the LLM mediator) and no usable model, raise BadInput (exit 2)
    naming the seats and the fix (`agents.llm.readiness`). With `--llm local` the local server brings the model."""
    if mode == "local":
        return
    from agents.llm.readiness import check_ready

    check_ready(tables, mediator=mediator)
