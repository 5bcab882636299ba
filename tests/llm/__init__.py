"""Tests of the LLM client layer (fakes) and of the real local model (marked llm)."""
