"""Before anything runs: can every LLM seat reach a model? Refuse early, with the fix, if not.

A run, sweep or league whose LLM seats (agent specs ``llm(...)``, or the LLM mediator) have no
model configured, no endpoint, no API key for a hosted API, or an endpoint nobody listens on,
would otherwise start and fail at the first model call, one run after another. `check_ready`
builds each seat's configuration exactly as the negotiator does (spec parameters over the
scenario's ``llm`` settings over the environment) and checks that the endpoint accepts a TCP
connection; it never sends a request to the model.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from pydantic import ValidationError

from agents.llm.config import LLMConfig, LLMConfigError
from agents.registry import parse_spec
from pactlab.domain.scenario import Scenario

CONNECT_TIMEOUT_S = 3.0
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
FIX = (
    "pass --llm local to run them on the bundled local model (extra pactlab[llm]), or --llm env with "
    "PACTLAB_LLM_MODEL (the model's name) and OPENAI_BASE_URL (any OpenAI-compatible endpoint: vLLM, Ollama, "
    "llama.cpp, a hosted API; OPENAI_API_KEY for one that needs a key) set"
)


def is_llm_spec(spec: str) -> bool:
    """Whether an agent spec names the LLM negotiator (``llm`` or ``llm(...)``)."""
    head = spec.strip().split("(", 1)[0].strip().lower()
    return head == "llm"


def seat_config(scenario: Scenario, party: str, spec: str) -> LLMConfig:
    """The configuration an ``llm(...)`` seat would use (spec over the scenario's settings over the environment);
    LLMConfigError when it cannot be built."""
    _, params = parse_spec(spec)
    overrides: dict[str, object] = {}
    settings = next((p.llm for p in scenario.parties if p.id == party), None)
    if settings is not None:
        overrides.update(settings.model_dump(exclude_none=True))
    for key in ("model", "provider", "output_mode"):
        value = params.get(key)
        if isinstance(value, str) and value:
            overrides[key] = value
    try:
        return LLMConfig.from_env(**overrides)
    except ValidationError as exc:
        raise LLMConfigError(str(exc.errors()[0]["msg"])) from None


def endpoint_problem(config: LLMConfig) -> str | None:
    """Why `config` cannot reach its model (no endpoint, no key, nothing listening), or None."""
    try:
        url = config.resolved_base_url() or "https://api.openai.com/v1"
        config.resolve_api_key()
    except LLMConfigError as exc:
        return str(exc)
    if any(os.environ.get(v) for v in PROXY_VARIABLES):
        return None  # the SDK goes through the proxy: a direct connection says nothing
    parts = urlsplit(url)
    host = parts.hostname
    if host is None:
        return f"endpoint {url!r} has no host; set OPENAI_BASE_URL to e.g. http://localhost:8000/v1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S):
            return None
    except OSError as exc:
        return f"nothing answers at {parts.scheme}://{host}:{port} ({exc.strerror or exc.__class__.__name__})"


def check_ready(tables: Iterable[tuple[Scenario, Mapping[str, str]]], *, mediator: bool = False) -> None:
    """Raise LLMConfigError (exit 2), naming the seats and the fix, unless every LLM seat of every table
    (a scenario and its party → agent spec) and the LLM mediator (if `mediator`) can reach a model."""
    problems: dict[str, list[str]] = {}  # problem -> seats
    checked: dict[tuple[str, ...], str | None] = {}
    for scenario, agents in tables:
        for party, spec in agents.items():
            if not is_llm_spec(spec):
                continue
            try:
                config = seat_config(scenario, party, spec)
            except LLMConfigError as exc:
                problem: str | None = str(exc)
            else:
                key = (config.provider, config.base_url or "", config.api_key_env, config.model)
                if key not in checked:
                    checked[key] = endpoint_problem(config)
                problem = checked[key]
            if problem is not None:
                seats = problems.setdefault(problem, [])
                if f"{party}={spec}" not in seats:
                    seats.append(f"{party}={spec}")
    if mediator:
        try:
            problem = endpoint_problem(LLMConfig.from_env())
        except (LLMConfigError, ValidationError) as exc:
            problem = str(exc)
        if problem is not None:
            problems.setdefault(problem, []).append("the LLM mediator")
    if not problems:
        return
    lines = []
    for problem, seats in problems.items():
        shown = ", ".join(seats[:4]) + (f" and {len(seats) - 4} more" if len(seats) > 4 else "")
        lines.append(f"{shown}: {problem}")
    raise LLMConfigError(
        "LLM seats cannot reach a model, so nothing was run: " + "; ".join(lines) + ". Fix: " + FIX + "."
    )


__all__ = ["FIX", "check_ready", "endpoint_problem", "is_llm_spec", "seat_config"]
