"""A scenario file's bytes, checked: size, UTF-8, YAML bounds, then the same loader and messages as the CLI.

Whether the bytes come from a scenario folder or an upload, they go through one function, so the
page shows exactly the lines ``pactlab scenario validate FILE`` prints (``file:line:col: field:
message``). The loader parses with PyYAML's safe loader only: a file is data, never code; it
first refuses (`pactlab.domain.yaml_bounds`) what it would otherwise build without bound
(aliases that expand to millions of values, deep nesting) or choke on, so nothing a file holds
can crash the server: whatever goes wrong is one problem line, never a traceback.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pactlab.domain.loader import FileError, Problem, parse_model
from pactlab.domain.scenario import Scenario

MAX_BYTES = 256 * 1024
"""How large a scenario file may be (the shipped ones are under 20 KiB)."""


@dataclass(frozen=True)
class ScenarioCheck:
    """What a scenario file holds: the scenario, or the problems that keep it from being one."""

    scenario: Scenario | None
    problems: tuple[str, ...]  # each as the CLI prints it: file:line:col: field: message
    sha256: str  # of the file's bytes

    @property
    def valid(self) -> bool:
        return self.scenario is not None


def check_scenario(data: bytes, source: str) -> ScenarioCheck:
    """Check a scenario file's bytes; `source` names the file in the problems (a path, or an upload's name)."""
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > MAX_BYTES:
        return too_large(len(data), source, digest)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _refused(digest, source, f"not UTF-8 text (byte {exc.start}): a scenario file is YAML text")
    try:
        scenario = parse_model(text, Scenario, source=source)
    except FileError as exc:
        return ScenarioCheck(None, tuple(str(p) for p in exc.problems), digest)
    return ScenarioCheck(scenario, (), digest)


def too_large(size: int, source: str, digest: str = "") -> ScenarioCheck:
    """The check of a file over `MAX_BYTES` (read no further)."""
    return _refused(digest, source, f"the file is too large ({size:,} bytes): at most {MAX_BYTES // 1024} KiB")


def _refused(digest: str, source: str, message: str) -> ScenarioCheck:
    return ScenarioCheck(None, (str(Problem(source, None, None, "", message)),), digest)
