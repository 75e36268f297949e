"""The hostile-server suite: hypothesis profiles, shared servers and the case/escape counters.

`make test` runs the fixed-seed "ci" slice (the default); `make fuzz` passes `--hypothesis-profile=fuzz`
for the long run. Either way the terminal summary ends with one line: cases, escapes, wrong outcomes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from openrouter_core.testing import MockServer, SlowAcceptServer

from . import _support

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=_support.CI_EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "fuzz",
    max_examples=_support.FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=_HEALTH,
)


def pytest_configure(config: pytest.Config) -> None:
    _support.STATS.fuzz = config.getoption("hypothesis_profile", None) == "fuzz"
    _support.STATS.started = time.monotonic()
    _support.STATS.resources_at_start = _support.open_resources()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, over in sorted(_support.OVERSHOOTS.items()):
        terminalreporter.write_line(f"deadline overshoot {name}: {over * 1000:+.0f} ms")
    for name, text in sorted(_support.FIGURES.items()):
        terminalreporter.write_line(f"resources {name}: {text}")
    stats = _support.STATS
    if stats.cases:
        terminalreporter.write_line(stats.summary(time.monotonic() - stats.started))
    if _support.SOAK_REPORT:
        stats.report(_support.settled_resources(stats.resources_at_start))


@pytest.fixture(scope="session")
def mock() -> Iterator[MockServer]:
    with MockServer() as server:
        yield server


@pytest.fixture(scope="session")
def slow_short() -> Iterator[MockServer]:
    with SlowAcceptServer(_support.SHORT_STALL) as server:
        yield server


@pytest.fixture(scope="session")
def slow_long() -> Iterator[MockServer]:
    with SlowAcceptServer(_support.LONG_STALL) as server:
        yield server
