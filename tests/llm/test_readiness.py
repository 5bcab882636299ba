"""Refuse early: runs, sweeps, leagues and rehearsals with LLM seats and no usable model stop before anything
runs (exit 2, the fix named), instead of failing run after run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.llm.config import LLMConfigError
from agents.llm.local_server import free_port
from agents.llm_readiness import check_ready, is_llm_spec
from pactlab.app.cli import app, exit_codes
from pactlab.domain.catalog import load_scenario
from tests.llm.endpoint import scripted_server

ROOT = Path(__file__).resolve().parents[2]
LLM_SWEEP = ROOT / "sweeps" / "llm_vs_strategies_sweep.yaml"
runner = CliRunner()


@pytest.fixture
def no_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PACTLAB_LLM_MODEL", "OPENAI_MODEL", "PACTLAB_LLM_PROVIDER", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def _refused(output: str) -> None:
    assert "nothing was run" in output and "--llm local" in output and "PACTLAB_LLM_MODEL" in output, output
    assert "Traceback" not in output


def test_the_shipped_llm_sweep_without_a_model_is_refused_before_any_run(no_endpoint: None, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["explore", str(LLM_SWEEP), "--out", str(out)])
    assert result.exit_code == exit_codes.BAD_INPUT
    _refused(result.output)
    assert "no model configured" in result.output
    assert not out.exists()  # no store, no run folder: nothing ran


def test_a_run_whose_endpoint_nobody_listens_on_is_refused(no_endpoint: None, monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setenv("PACTLAB_LLM_MODEL", "some-model")
    monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "compatible")
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    result = runner.invoke(app, ["run", "boost_converter", "--llm", "env", "--out", str(tmp_path), "-q"])
    assert result.exit_code == exit_codes.BAD_INPUT
    _refused(result.output)
    assert "nothing answers at http://127.0.0.1:" in result.output
    assert not any(tmp_path.iterdir())


def test_the_llm_mediator_without_a_model_is_refused(no_endpoint: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", "boost_converter", "--mediator", "llm", "--out", str(tmp_path), "-q"])
    assert result.exit_code == exit_codes.BAD_INPUT
    _refused(result.output)
    assert "the LLM mediator" in result.output


def test_a_league_with_llm_types_and_no_model_is_refused(no_endpoint: None, tmp_path: Path) -> None:
    league = tmp_path / "league.yaml"
    league.write_text(
        textwrap.dedent(
            """\
            name: llm-check
            negotiators: [boulware, "llm(advisor=choose)"]
            scenarios: [boost_converter]
            """
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["league", str(league), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == exit_codes.BAD_INPUT
    _refused(result.output)
    assert "llm(advisor=choose)" in result.output
    assert not (tmp_path / "out").exists()


def test_a_rehearsal_with_an_llm_agent_and_no_model_is_refused(no_endpoint: None, tmp_path: Path) -> None:
    scenario, _ = load_scenario("boost_converter")
    me, other = scenario.party_ids[0], scenario.party_ids[1]
    result = runner.invoke(
        app, ["rehearse", "boost_converter", "--as", me, "--agent", f"{other}=llm", "--out", str(tmp_path)], input=""
    )
    assert result.exit_code == exit_codes.BAD_INPUT
    _refused(result.output)


def test_reachable_endpoints_and_strategy_only_tables_pass(no_endpoint: None, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario, _ = load_scenario("boost_converter")
    strategies = {p: "boulware" for p in scenario.party_ids}
    check_ready([(scenario, strategies)])  # no LLM seat: nothing to check, no network
    llm = {p: "llm(advisor=choose)" for p in scenario.party_ids}
    with pytest.raises(LLMConfigError, match="no model configured"):
        check_ready([(scenario, llm)])
    with scripted_server() as url:
        monkeypatch.setenv("OPENAI_BASE_URL", url)
        monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "compatible")
        monkeypatch.setenv("PACTLAB_LLM_MODEL", "good")
        check_ready([(scenario, llm)], mediator=True)
        # a spec's own provider is checked as the negotiator would use it: OpenAI needs a key
        with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
            check_ready([(scenario, {scenario.party_ids[0]: "llm(provider=openai)"})])


def test_llm_specs_are_told_from_strategy_specs() -> None:
    assert is_llm_spec("llm") and is_llm_spec("llm(advisor=choose)") and is_llm_spec(" LLM (temperature=0.2)")
    assert not is_llm_spec("boulware") and not is_llm_spec("pareto(e=0.5)") and not is_llm_spec("llmish")
