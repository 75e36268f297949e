# Every target sets itself up: `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: venv demo test lint typecheck pytest integration fuzz bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(PY) examples/demo.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	$(VENV)/bin/pytest --ignore=tests/integration

# Real third-party servers on loopback (Prism, LiteLLM proxy, llama.cpp); installs what they need, cached.
integration: venv
	-$(PY) tests/integration/peers.py install
	$(VENV)/bin/pytest tests/integration -rs

# The long hostile-server run; `make test` runs a fixed-seed slice of the same suite.
fuzz: venv
	$(VENV)/bin/pytest tests/hostile --hypothesis-profile=fuzz -p no:randomly

# Side by side with httpx, openai and the official openrouter SDK; table to stdout, JSON to bench/results.json.
bench: venv
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/run.py

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
