"""`--llm local --model PATH.gguf` with the context window, threads and reply limit settable; a bad option is
refused before anything starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agents.llm import LLMConfig, endpoint_environment
from agents.llm.local_server import LOCAL_MODEL_ALIAS, LocalModelServer
from pactlab.app.cli import app, exit_codes

runner = CliRunner()


def test_another_gguf_is_served_under_its_own_name_with_its_own_chat_template(tmp_path: Path) -> None:
    gguf = tmp_path / "qwen2.5-0.5b-instruct-q4_k_m.gguf"
    server = LocalModelServer(model_path=gguf, n_ctx=8192, n_threads=3)
    cmd = server.command(gguf, 4321)
    flags = dict(zip(cmd[3::2], cmd[4::2], strict=True))
    assert flags["--model"] == str(gguf) and flags["--model_alias"] == "qwen2.5-0.5b-instruct-q4_k_m"
    assert flags["--n_ctx"] == "8192" and flags["--n_threads"] == "3"
    assert "--chat_format" not in flags, "the GGUF's own chat template, not the bundled model's"
    assert server.model == "qwen2.5-0.5b-instruct-q4_k_m"
    server.close()
    bundled = LocalModelServer()
    assert bundled.model == LOCAL_MODEL_ALIAS
    assert "--chat_format" in bundled.command(tmp_path / "gemma.gguf", 4321)
    bundled.close()


def test_the_reply_limit_reaches_every_seat_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PACTLAB_LLM_MAX_TOKENS", raising=False)
    with endpoint_environment("http://127.0.0.1:1/v1", "m", max_tokens=1024):
        assert LLMConfig.from_env().max_tokens == 1024
        assert LLMConfig.from_env(max_tokens=64).max_tokens == 64  # a spec's own limit wins
    assert "PACTLAB_LLM_MAX_TOKENS" not in os.environ
    with endpoint_environment("http://127.0.0.1:1/v1", "m"):
        assert LLMConfig.from_env().max_tokens == 512


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "{missing}", "--llm", "local"], "no such file"),
        (["--model", "{notgguf}", "--llm", "local"], "not a GGUF file"),
        (["--model", "{gguf}"], "apply to --llm local only"),
        (["--threads", "2", "--llm", "env"], "apply to --llm local only"),
    ],
)
def test_bad_local_options_are_refused_before_anything_runs(tmp_path: Path, extra: list[str], message: str) -> None:
    (tmp_path / "notgguf.gguf").write_bytes(b"not a model")
    (tmp_path / "model.gguf").write_bytes(b"GGUF\x03\x00\x00\x00")
    paths = {
        "missing": tmp_path / "missing.gguf",
        "notgguf": tmp_path / "notgguf.gguf",
        "gguf": tmp_path / "model.gguf",
    }
    args = [a.format(**paths) for a in extra]
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", "boost_converter", "--out", str(out), "-q", *args])
    assert result.exit_code == exit_codes.BAD_INPUT, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
