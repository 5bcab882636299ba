# pactlab lives in its own virtual environment: `agents` and `evals` are common top-level
# import names, so installing it next to other projects could shadow theirs.
VENV   ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
LLM_STAMP := $(VENV)/.llm-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test check lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pactlab needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

## demo: four organisations negotiate the ecosystem deal with strategy agents under fair-and-open; prints the scorecard
demo: $(STAMP)
	$(VENV)/bin/pactlab run ecosystem --seed 7 --pace 0.03

# The test extras: llm (builds llama.cpp, about 4 minutes once; pip caches the wheel), ray and negmas.
$(LLM_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,llm,ray,negmas]"
	@rm -f $(VENV)/.llm-*
	@touch $(LLM_STAMP)

## test: the whole test suite; then the tests against the local model, in one process (one server, two cores)
test: $(LLM_STAMP)
	$(VENV)/bin/pytest -q -n 2 -m "not llm"
	$(VENV)/bin/pytest -q -m llm

## check: the developer loop for changes that do not touch the LLM seats: lint, then every test
## that needs neither the llm extra nor the local model (about 3 minutes)
check: lint
	$(VENV)/bin/pytest -q -n 2 -m "not llm"

## lint: ruff, mypy (strict) and the layer contracts (import-linter, see .importlinter)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## bench: throughput and outcome-space benchmarks, with NegMAS for comparison (installs the bench extra)
bench: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
