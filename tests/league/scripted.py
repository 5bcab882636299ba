"""A league run against the scripted OpenAI-compatible server (tests/llm/endpoint.py), for the LLM harness tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pactlab.app.cli import app
from tests.llm.endpoint import scripted_server


def run_scripted_league(tmp_path_factory: pytest.TempPathFactory, name: str, league: str) -> tuple[Path, str]:
    """Run the league file text `league` with `--llm env` on the scripted server; its output folder and CLI output."""
    folder = tmp_path_factory.mktemp(name)
    path = folder / "league.yaml"
    path.write_text(textwrap.dedent(league), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, scripted_server() as url:
        patch.setenv("OPENAI_BASE_URL", url)
        patch.setenv("PACTLAB_LLM_PROVIDER", "compatible")
        patch.setenv("PACTLAB_LLM_MODEL", "good")
        result = CliRunner().invoke(app, ["league", str(path), "--out", str(folder / "out"), "--llm", "env", "-q"])
    assert result.exit_code == 0, result.output
    return folder / "out", result.output
