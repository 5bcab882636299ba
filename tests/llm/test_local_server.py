"""The local server launcher: errors, the command line, the chat template, and that it never outlives its run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from agents.llm import LLMConfigError, LocalModelServer, LocalServerError, local_config
from agents.llm import local_server as ls


def test_missing_extra_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert not ls.local_model_available()
    with pytest.raises(LLMConfigError, match=r"pip install 'pactlab\[llm\]'"):
        ls.local_model_path()


def test_server_that_dies_reports_its_log(tmp_path: Path) -> None:
    bogus = tmp_path / "missing.gguf"
    server = LocalModelServer(model_path=bogus, startup_timeout=60, log_path=tmp_path / "server.log")
    with pytest.raises(LocalServerError, match="exited with code") as info:
        server.start()
    assert str(info.value).count("\n") >= 1  # the log tail follows
    assert not server.running
    server.close()


def test_command_line(tmp_path: Path) -> None:
    server = LocalModelServer(n_threads=2, n_ctx=2048)
    cmd = server.command(tmp_path / "m.gguf", 4321)
    assert cmd[1:3] == ["-m", "agents.llm._llama_server"]
    flags = dict(zip(cmd[3::2], cmd[4::2], strict=True))
    assert flags["--host"] == "127.0.0.1" and flags["--port"] == "4321" and flags["--n_ctx"] == "2048"
    assert flags["--chat_format"] == "hf-tokenizer-config" and Path(flags["--hf_tokenizer_config_path"]).is_file()
    assert flags["--logits_all"] == "False"
    server.close()


def test_free_port_is_bindable() -> None:
    assert 1024 <= ls.free_port() <= 65535


def test_gemma_template_keeps_the_system_prompt() -> None:
    template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(ls.GEMMA_CHAT_TEMPLATE)
    messages = [
        {"role": "system", "content": "You are party A."},
        {"role": "user", "content": "Your move."},
        {"role": "assistant", "content": '{"x": 1}'},
        {"role": "user", "content": "Invalid, again."},
        {"role": "assistant", "content": ""},  # llama-cpp-python's generation prompt
    ]
    assert template.render(messages=messages, bos_token="<bos>") == (
        "<bos><start_of_turn>user\nYou are party A.\n\nYour move.<end_of_turn>\n"
        '<start_of_turn>model\n{"x": 1}<end_of_turn>\n'
        "<start_of_turn>user\nInvalid, again.<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_local_config() -> None:
    config = local_config(base_url="http://127.0.0.1:1/v1", seed=3)
    assert (config.provider, config.model, config.effective_output_mode, config.seed) == (
        "llamacpp",
        "gemma-3-270m",
        "json_object",
        3,
    )
    with pytest.raises(LocalServerError, match="not started"):
        LocalModelServer().config()


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.llm
@pytest.mark.skipif(not ls.local_model_available(), reason=ls.INSTALL_HINT)
@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_the_server_dies_with_the_process_that_started_it() -> None:
    script = (
        "import time\nfrom agents.llm import LocalModelServer\n"
        "server = LocalModelServer().start()\nprint(server._proc.pid, flush=True)\ntime.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert _alive(pid)
    parent.kill()  # SIGKILL: no cleanup code runs in the parent
    parent.wait()
    for _ in range(300):
        if not _alive(pid):
            break
        time.sleep(0.1)
    assert not _alive(pid), "the local model server outlived the process that started it"
