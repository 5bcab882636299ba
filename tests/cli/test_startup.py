"""A fast, conventional CLI: the light commands leave the heavy libraries unloaded; benchmarks answer --help.

Behaviour, not timing (benchmarks/cli_startup.py measures the time): each check runs in a fresh
interpreter and looks at what got imported.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import benchmarks
from pactlab.app.cli import run as run_command
from pactlab.domain.catalog import shipped_scenarios
from pactlab.workflow.runner import DEFAULT_ROUNDS_PER_STEP

HEAVY = ("langgraph", "matplotlib", "fastapi", "openai", "evals", "pactlab.workflow", "agents")
BARE = (*HEAVY, "pactlab.domain", "pydantic")
"""Not even the domain (pydantic models) for the help and the version."""
"""Loaded by the commands that run negotiations, sweeps, rehearsals or the web app; never at start-up."""

ROOT = Path(__file__).parents[2]


def loaded_after(*args: str, watched: tuple[str, ...] = HEAVY) -> tuple[int, list[str]]:
    """Exit code of `pactlab ARGS` run in-process in a fresh interpreter, and the heavy modules then loaded."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from typer.testing import CliRunner
        from pactlab.app.cli import app
        result = CliRunner().invoke(app, {list(args)!r})
        heavy = sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in {watched!r}))
        print(json.dumps([result.exit_code, heavy]))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    exit_code, heavy = json.loads(done.stdout.strip().splitlines()[-1])
    return exit_code, heavy


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--help"], 0),
        (["--version"], 0),
        (["scenario", "list"], 0),
        (["scenario", "validate", str(shipped_scenarios()["ecosystem"])], 0),
        (["run", "--help"], 0),
        (["rehearse", "--help"], 0),
        (["run", "no_such_scenario"], 2),  # a bad scenario is reported before the workflow loads
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_light_commands_do_not_load_the_heavy_libraries(args: list[str], code: int) -> None:
    exit_code, heavy = loaded_after(*args)
    assert exit_code == code
    assert heavy == []


@pytest.mark.parametrize("args", [["--help"], ["--version"]], ids=["--help", "--version"])
def test_help_and_version_load_not_even_the_domain(args: list[str]) -> None:
    exit_code, loaded = loaded_after(*args, watched=BARE)
    assert exit_code == 0
    assert loaded == []


def test_the_console_script_answers_help_and_version() -> None:
    for args in (["--help"], ["--version"]):
        done = subprocess.run([sys.executable, "-m", "pactlab", *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("pactlab ")


def test_the_help_text_names_the_workflow_default() -> None:
    assert run_command.DEFAULT_ROUNDS_PER_STEP == DEFAULT_ROUNDS_PER_STEP


BENCHMARK_MODULES = sorted(
    f"benchmarks.{m.name}" for m in pkgutil.iter_modules(benchmarks.__path__) if m.name != "__main__"
)


@pytest.mark.parametrize("module", ["benchmarks", *BENCHMARK_MODULES])
def test_every_benchmark_answers_help_without_running(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m {module} ")
    assert done.stderr == ""


def test_python_m_benchmarks_help_imports_no_benchmark() -> None:
    code = textwrap.dedent(
        """
        import runpy, sys
        sys.argv = ["benchmarks", "--help"]
        try:
            runpy.run_module("benchmarks", run_name="__main__")
        except SystemExit as exit:
            assert exit.code == 0
        print(sorted(m for m in sys.modules if m.startswith(("benchmarks.", "langgraph", "pactlab.workflow"))))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
