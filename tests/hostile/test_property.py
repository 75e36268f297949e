"""Item 2: hypothesis draws hostile server behaviours; every call returns the right `Ok`/`Err`, never raises.

For sync and async, plain and streaming: no exception escapes, every outcome is `Ok` of the right model or
`Err` of the exact `errors` class the behaviour calls for, chunks already yielded stay delivered, and
`.error` is set exactly when the stream failed. The API key appears in no repr, str or traceback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import given

from openrouter_core import OpenRouterCore
from openrouter_core.testing import MockServer, refused_url

from ._support import Case, cases, check, guarded, make_core, profile, run_async, run_sync

Targets = dict[str, str]


@pytest.fixture(scope="module")
def targets(mock: MockServer, slow_short: MockServer, slow_long: MockServer) -> Targets:
    return {
        "mock": mock.base_url,
        "slow_short": slow_short.base_url,
        "slow_long": slow_long.base_url,
        "refused": refused_url(),
    }


@pytest.fixture(scope="module")
def cores(targets: Targets) -> Iterator[dict[str, OpenRouterCore]]:
    made = {name: make_core(url) for name, url in targets.items()}
    yield made
    for core in made.values():
        core.close()


def _script(case: Case, mock: MockServer) -> None:
    mock.reset()
    if case.reply is not None:
        mock.enqueue(case.reply)


@profile()
@given(case=cases(stream=False))
def test_sync_plain(case: Case, mock: MockServer, cores: dict[str, OpenRouterCore]) -> None:
    _script(case, mock)
    outcome = guarded(lambda: run_sync(cores[case.target], stream=False))
    check(case, outcome, stream=False)


@profile()
@given(case=cases(stream=True))
def test_sync_stream(case: Case, mock: MockServer, cores: dict[str, OpenRouterCore]) -> None:
    _script(case, mock)
    outcome = guarded(lambda: run_sync(cores[case.target], stream=True))
    check(case, outcome, stream=True)


@profile()
@given(case=cases(stream=False))
def test_async_plain(case: Case, mock: MockServer, targets: Targets) -> None:
    _script(case, mock)
    outcome = guarded(lambda: asyncio.run(run_async(targets[case.target], stream=False)))
    check(case, outcome, stream=False)


@profile()
@given(case=cases(stream=True))
def test_async_stream(case: Case, mock: MockServer, targets: Targets) -> None:
    _script(case, mock)
    outcome = guarded(lambda: asyncio.run(run_async(targets[case.target], stream=True)))
    check(case, outcome, stream=True)
