# Every target sets itself up: `make demo` and `make test` work on a fresh clone.
# Tools run as `python -m tool` from this checkout's venv, never through console-script shebangs, and a venv
# that is not this checkout's own (missing interpreter, or openrouter_funcs resolving elsewhere) is rebuilt.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: venv venv-test venv-ray demo test lint typecheck pytest integration fuzz soak bench bench-ray clean

# Stamps only record which extras were installed against which pyproject.toml; the ownership check runs always.
venv:
	@$(PYTHON) .ci/venv_check.py $(VENV) || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@[ $(VENV)/.stamp-base -nt pyproject.toml ] || { $(PIP) -e . && touch $(VENV)/.stamp-base; }

venv-test: venv
	@[ $(VENV)/.stamp-test -nt pyproject.toml ] || { $(PIP) -e '.[test]' && touch $(VENV)/.stamp-test; }
	@$(MAKE) --no-print-directory venv-ray || echo "note: the [ray] extra could not be installed here; the Ray tests will be skipped"

# The Ray Data adapter's extra (ray[data], pyarrow): `make test` runs the Ray tests when it installs.
venv-ray: venv
	@[ $(VENV)/.stamp-ray -nt pyproject.toml ] || { $(PIP) --retries 1 --timeout 30 -e '.[ray]' && touch $(VENV)/.stamp-ray; }

demo: venv
	$(PY) examples/demo.py

lint: venv-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: venv-test
	$(PY) -m mypy

# -rs prints why a test was skipped (the Ray tests, when Ray could not be installed).
pytest: venv-test
	$(PY) -m pytest --ignore=tests/integration -rs

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

# 100,000 rows over 4 Ray actors against the loopback server, and ray.data.llm's HTTP processor on the same
# rows: rows/s and peak driver memory side by side; table to stdout, JSON to bench/results-ray.json.
bench-ray: venv-ray
	$(PIP) -e '.[ray,bench-ray]'
	$(PY) bench/ray_scale.py

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
