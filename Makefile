# Every target sets itself up: `make demo` and `make test` work on a fresh clone.
# Tools run as `python -m tool` from this checkout's venv, never through console-script shebangs, and a venv
# that is not this checkout's own (missing interpreter, or openrouter_funcs resolving elsewhere) is rebuilt.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: venv venv-test demo test lint typecheck pytest integration fuzz soak bench clean

# Stamps only record which extras were installed against which pyproject.toml; the ownership check runs always.
venv:
	@$(PYTHON) .ci/venv_check.py $(VENV) || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@[ $(VENV)/.stamp-base -nt pyproject.toml ] || { $(PIP) -e . && touch $(VENV)/.stamp-base; }

venv-test: venv
	@[ $(VENV)/.stamp-test -nt pyproject.toml ] || { $(PIP) -e '.[test]' && touch $(VENV)/.stamp-test; }

demo: venv
	$(PY) examples/demo.py

lint: venv-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: venv-test
	$(PY) -m mypy

pytest: venv-test
	$(PY) -m pytest --ignore=tests/integration

# Real third-party servers on loopback (Prism, LiteLLM proxy, llama.cpp); installs what they need, cached.
integration: venv-test
	-$(PY) tests/integration/peers.py install
	$(PY) -m pytest tests/integration -rs

# The long hostile-server run; `make test` runs a fixed-seed slice of the same suite.
fuzz: venv-test
	$(PY) -m pytest tests/hostile --hypothesis-profile=fuzz -p no:randomly

# The hostile suite's property tests in SOAK_PROCS processes, up to SOAK_CASES cases in all, stopping at
# SOAK_MINUTES (not in CI). Prints cases, escapes, wrong outcomes, peak RSS and leaked fds/threads.
SOAK_CASES ?= 100000
SOAK_PROCS ?= 6
SOAK_MINUTES ?= 60
soak: venv-test
	SOAK_CASES=$(SOAK_CASES) SOAK_PROCS=$(SOAK_PROCS) SOAK_MINUTES=$(SOAK_MINUTES) $(PY) tests/hostile/soak.py

# Side by side with httpx, openai and the official openrouter SDK; table to stdout, JSON to bench/results.json.
bench: venv-test
	$(PIP) -e '.[bench]'
	$(PY) bench/run.py

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
