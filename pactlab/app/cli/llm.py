"""`--llm`: where LLM negotiators find their model, and live progress of each model call."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from pactlab.errors import BadInput

if TYPE_CHECKING:
    from pactlab.domain.scenario import Scenario

LLM_MODES = ("local", "env")
LOCAL_DEFAULT_AGENT = "llm(advisor=choose)"
"""The tiny local model copes best when it picks among the utility advisor's candidates."""
ENV_DEFAULT_AGENT = "llm"


def default_agent(mode: str) -> str:
    return LOCAL_DEFAULT_AGENT if mode == "local" else ENV_DEFAULT_AGENT


ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="With --llm local: a GGUF file to serve instead of the bundled Gemma 3 270M (its own chat template).",
    ),
]
NCtxOption = Annotated[int, typer.Option("--n-ctx", min=512, help="With --llm local: the context window in tokens.")]
ThreadsOption = Annotated[
    int | None, typer.Option("--threads", min=1, help="With --llm local: CPU threads (default: up to 4).")
]
MaxTokensOption = Annotated[
    int | None, typer.Option("--llm-max-tokens", min=16, help="Output tokens per model reply (default 512).")
]


@dataclass(frozen=True)
class LocalOptions:
    """How `--llm local` serves its model: which GGUF, the context window, threads; and the reply limit."""

    model: Path | None = None
    n_ctx: int = 4096
    threads: int | None = None
    max_tokens: int | None = None

    def check(self, mode: str | None) -> None:
        """BadInput (exit 2) for options that cannot apply: a local-only option without `--llm local`, or a
        model file that is not a readable GGUF."""
        if mode != "local" and (self.model is not None or self.threads is not None or self.n_ctx != 4096):
            raise BadInput("--model, --n-ctx and --threads apply to --llm local only; add --llm local")
        if self.model is not None:
            if not self.model.is_file():
                raise BadInput(f"--model {self.model}: no such file; give the path of a .gguf model file")
            with self.model.open("rb") as handle:
                if handle.read(4) != b"GGUF":
                    raise BadInput(f"--model {self.model}: not a GGUF file (llama.cpp serves GGUF models only)")


@contextmanager
def llm_endpoint(
    mode: str | None, console: Console, *, quiet: bool = False, local: LocalOptions | None = None
) -> Iterator[dict[str, str]]:
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
        options = local or LocalOptions()
        if mode != "local":
            with _max_tokens(options.max_tokens):
                yield endpoint_note("env")
            return
        from agents.llm import LocalModelServer, endpoint_environment
        from agents.llm.local_server import local_model_path

        what = options.model.name if options.model else "Gemma 3 270M"
        with console.status(f"starting the local model server (llama.cpp, {what})…"):
            server = LocalModelServer(model_path=options.model, n_ctx=options.n_ctx, n_threads=options.threads)
            server.start()
        try:
            console.print(f"  local model: {server.model} at {server.base_url} (ready in {server.startup_s:.1f} s)")
            with endpoint_environment(server.base_url, server.model, max_tokens=options.max_tokens):
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
    if base and model_file is None:  # a local server's port is of no interest once it has stopped
        note["host"] = urlsplit(base).netloc
    if model_file is not None:
        digest = hashlib.sha256()
        with model_file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        note.update(file=model_file.name, sha256=digest.hexdigest())
    return note


@contextmanager
def _max_tokens(limit: int | None) -> Iterator[None]:
    """PACTLAB_LLM_MAX_TOKENS set to `limit` inside the block (if given), restored afterwards."""
    if limit is None:
        yield
        return
    saved = os.environ.get("PACTLAB_LLM_MAX_TOKENS")
    os.environ["PACTLAB_LLM_MAX_TOKENS"] = str(limit)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PACTLAB_LLM_MAX_TOKENS", None)
        else:
            os.environ["PACTLAB_LLM_MAX_TOKENS"] = saved
