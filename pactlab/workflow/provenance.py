"""What code ran: the package version and a SHA-256 over its source, for the audit trail."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

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
