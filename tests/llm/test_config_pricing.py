"""LLMConfig defaults and resolution; the price table and cost estimates."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from agents.llm import CallParams, LLMCallRecord, LLMConfig, LLMConfigError, PriceTable, cost, load_price_table
from agents.llm.config import NO_KEY


@pytest.mark.parametrize(
    ("provider", "mode"),
    [
        ("openai", "json_schema"),
        ("vllm", "json_schema"),
        ("ollama", "json_schema"),
        ("llamacpp", "json_object"),
        ("lmstudio", "json_schema"),
        ("compatible", "prompt"),
    ],
)
def test_default_output_mode_per_provider(provider: str, mode: str) -> None:
    config = LLMConfig.model_validate({"provider": provider, "model": "m"})
    assert config.effective_output_mode == mode
    chosen = LLMConfig.model_validate({"provider": provider, "model": "m", "output_mode": "tools"})
    assert chosen.effective_output_mode == "tools"


def test_repair_style_defaults() -> None:
    assert LLMConfig(model="m").effective_repair_style == "conversation"
    assert LLMConfig(provider="llamacpp", model="m").effective_repair_style == "restate"
    chosen = LLMConfig(provider="llamacpp", model="m", repair_style="conversation")
    assert chosen.effective_repair_style == "conversation"


def test_config_is_frozen_and_strict() -> None:
    config = LLMConfig(model="m")
    with pytest.raises(ValidationError):
        config.temperature = 1.0  # type: ignore[misc]
    with pytest.raises(ValidationError):
        LLMConfig.model_validate({"model": "m", "api_key": "sk-oops"})  # keys never go in a config
    with pytest.raises(ValidationError):
        LLMConfig(model="m", max_attempts=0)


def test_base_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert LLMConfig(model="m").resolved_base_url() is None  # the SDK's OpenAI default
    assert LLMConfig(provider="ollama", model="m").resolved_base_url() == "http://localhost:11434/v1"
    with pytest.raises(LLMConfigError, match="base_url"):
        LLMConfig(provider="compatible", model="m").resolved_base_url()
    monkeypatch.setenv("OPENAI_BASE_URL", "http://env.example/v1")
    assert LLMConfig(provider="ollama", model="m").resolved_base_url() == "http://env.example/v1"
    assert LLMConfig(model="m", base_url="http://own/v1").resolved_base_url() == "http://own/v1"


def test_api_key_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert LLMConfig(provider="llamacpp", model="m").resolve_api_key() == NO_KEY
    with pytest.raises(LLMConfigError, match="OPENAI_API_KEY"):
        LLMConfig(model="m").resolve_api_key()
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x")
    assert LLMConfig(model="m").resolve_api_key() == "sk-x"
    assert "sk-x" not in LLMConfig(model="m").model_dump_json()


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACTLAB_LLM_PROVIDER", "ollama")
    monkeypatch.setenv("PACTLAB_LLM_MODEL", "qwen3:4b")
    config = LLMConfig.from_env(temperature=0.0)
    assert (config.provider, config.model, config.temperature) == ("ollama", "qwen3:4b", 0.0)
    monkeypatch.delenv("PACTLAB_LLM_MODEL")
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    with pytest.raises(LLMConfigError, match="model"):
        LLMConfig.from_env()


def record(provider: str, model: str, prompt: int, completion: int, cached: int) -> LLMCallRecord:
    return LLMCallRecord(
        purpose="",
        provider=provider,
        base_url_host="h",
        model_requested=model,
        model_answered=None,
        params=CallParams(temperature=0, seed=None, max_tokens=1, output_mode="json_schema", strict=True),
        schema_name="X",
        messages_sha256="0" * 64,
        messages=None,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cached_tokens=cached,
    )


def test_cost_from_the_shipped_table() -> None:
    table = load_price_table()
    price = table.models["gpt-4o-mini"]
    rec = record("openai", "gpt-4o-mini", 1_000_000, 1_000_000, 400_000)
    expected = 0.6 * price.prompt + 0.4 * price.cached_prompt + price.completion
    assert table.cost(rec) == pytest.approx(expected)
    assert cost(rec, table) == pytest.approx(expected)


def test_dated_snapshot_uses_the_longest_matching_entry() -> None:
    table = PriceTable.model_validate(
        {
            "models": {
                "gpt-4o": {"prompt": 10, "cached_prompt": 5, "completion": 40},
                "gpt-4o-mini": {"prompt": 2, "cached_prompt": 1, "completion": 4},
            }
        }
    )
    rec = record("openai", "gpt-4o-mini-2024-07-18", 1_000_000, 0, 0)
    assert table.cost(rec) == pytest.approx(2.0)


def test_local_models_are_free_and_unknown_models_have_no_price() -> None:
    table = load_price_table()
    assert table.cost(record("llamacpp", "whatever-local", 5000, 500, 0)) == 0.0
    assert table.cost(record("openai", "no-such-model", 5000, 500, 0)) is None


def test_price_table_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "prices.yaml"
    path.write_text("models:\n  house-model: {prompt: 1, cached_prompt: 0.5, completion: 2}\n", encoding="utf-8")
    monkeypatch.setenv("PACTLAB_PRICES", str(path))
    assert cost(record("compatible", "house-model", 2_000_000, 1_000_000, 0)) == pytest.approx(4.0)
