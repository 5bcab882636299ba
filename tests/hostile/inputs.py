"""Hostile and careless input files, and a check that `pactlab` refuses each one as bad input.

Every case of issue 13's "hostile or careless input" list is built here from a small valid
scenario (`tests/fixtures/two_party.yaml`); the tests run the real command in a subprocess and
expect exit 2, the file's name with a line number on stderr, and no traceback. The subprocess
timeout is a guard against a hang, not a speed requirement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "two_party.yaml"
HANG_GUARD = 120
"""Seconds before a command counts as hung (each refusal takes well under a second here)."""


def base_scenario() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def edited(old: str, new: str, text: str | None = None) -> str:
    """The fixture (or `text`) with `old` replaced by `new` exactly once."""
    text = base_scenario() if text is None else text
    assert text.count(old) == 1, f"{old!r} is not unique in the fixture"
    return text.replace(old, new)


def uncertain(line: str) -> str:
    """The fixture with an uncertainty block of one `line` (YAML, e.g. ``reservation_value: [0.2, 0.4]``) on beta."""
    anchor = "        - exclusivity_months <= 24\n"
    return edited(anchor, f"{anchor}    uncertainty:\n      {line}\n")


def alias_bomb() -> str:
    """A billion laughs: nine levels of nine aliases each, 9**9 strings once expanded."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def pactlab(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m pactlab ARGS` in `cwd`; fails the test if it does not end within `HANG_GUARD` seconds."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "COLUMNS": "400", **(env or {})}
    try:
        return subprocess.run(
            [sys.executable, "-m", "pactlab", *map(str, args)],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"pactlab {' '.join(map(str, args))} hung (no exit within {HANG_GUARD} s)") from None


def assert_bad_input(result: subprocess.CompletedProcess[str], file: str, *expected: str) -> str:
    """Exit 2, `file:LINE` on stderr, no traceback, and each of `expected` in stderr; returns stderr."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == 2, f"exit {result.returncode}, not 2:\n{output}"
    assert re.search(rf"{re.escape(file)}:\d+", result.stderr), f"no {file}:LINE in:\n{result.stderr}"
    for text in expected:
        assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"
    return result.stderr
