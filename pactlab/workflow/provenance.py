"""What code ran: the package version and a SHA-256 over its source, and the LLM settings taken from the
environment, for the audit trail."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

_ROOT = Path(__file__).resolve().parents[2]
_PACKAGES = ("pactlab", "agents", "policies", "evals")


@cache
def code_version() -> dict[str, str]:
    """`{"version": ..., "sha256": ...}`: the hash covers every .py file of the four packages."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for path in sorted((_ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(_ROOT)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
    try:
        installed = version("pactlab")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        installed = "unknown"
    return {"version": installed, "sha256": digest.hexdigest()}


LLM_SETTING_VARIABLES = (
    "PACTLAB_LLM_PROVIDER",
    "PACTLAB_LLM_MODEL",
    "OPENAI_MODEL",
    "PACTLAB_LLM_OUTPUT_MODE",
    "PACTLAB_LLM_MAX_TOKENS",
    "OPENAI_BASE_URL",
)
"""The environment variables LLM agents read their settings from (`agents.llm.config.LLMConfig.from_env`)."""


def llm_environment() -> dict[str, str]:
    """The LLM settings this process's environment gives LLM agents, for the run start: a replay rebuilds the
    same agents from them. Never a key; the endpoint only as scheme://host:port (no credentials, no path)."""
    found: dict[str, str] = {}
    for name in LLM_SETTING_VARIABLES:
        value = os.environ.get(name)
        if not value:
            continue
        if name == "OPENAI_BASE_URL":
            parts = urlsplit(value)
            port = f":{parts.port}" if parts.port else ""
            value = f"{parts.scheme}://{parts.hostname or ''}{port}"
        found[name] = value
    return found
