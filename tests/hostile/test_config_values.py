"""Issue 10 items 9 and 13: hostile configuration values and non-finite numbers are refused, nothing sent.

Item 9: `timeout_ms=nan` used to disable the sync deadline (async: `UnexpectedClientError`), `True` was 1 ms,
a core `timeout_ms=0` made every call an instant timeout, negative or NaN backoff values turned a real 503
into `UnexpectedClientError`, `max_attempts=nan` made 104 attempts, and the CLI's `--timeout nan` gave a
traceback. Now a per-call value is an `Err(SDKValidationError)`, a core's is the same error on every call, a
`RetryConfig`/`BackoffStrategy` raises `TypeError`/`ValueError` when made, and the CLI exits 2 (usage).
Item 13: `temperature=nan` or `extra_body={"x": inf}` used to be sent as `null`; it is `SDKValidationError`.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from openrouter_core import BackoffStrategy, Err, Ok, RetryConfig, errors, models
from openrouter_core.testing import MockServer, error_reply
from openrouter_funcs import (
    chat_run_tools,
    chat_run_tools_async,
    chat_send,
    chat_send_async,
    chat_send_many,
    embeddings_create,
)
from openrouter_funcs._cli import main as cli_main

from ._support import KEY, PATIENT, REQUEST, make_core

NAN = math.nan
INF = math.inf
BAD_TIMEOUTS: list[Any] = [NAN, INF, -INF, 0, -1, 0.0, True, False, "100", b"100", 1e308, 10**400]


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def both(core_options: dict[str, Any], request: Any = REQUEST, **call: Any) -> list[Any]:
    """The same call made sync and async, each with a fresh core."""
    with make_core(**{**PATIENT, **core_options}) as core:
        sync = chat_send(core, request, **call)

    async def run() -> Any:
        async with make_core(**{**PATIENT, **core_options}) as core:
            return await chat_send_async(core, request, **call)

    return [sync, asyncio.run(run())]


def assert_refused(results: list[Any], path: str, server: MockServer) -> None:
    for res in results:
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
        assert res.error.path == path, res.error.path
    assert server.requests == [], "nothing may be sent"


@pytest.mark.parametrize("value", BAD_TIMEOUTS, ids=repr)
def test_a_bad_per_call_timeout_is_refused(server: MockServer, value: Any) -> None:
    assert_refused(both({"url": server.base_url}, timeout_ms=value), "timeout_ms", server)


@pytest.mark.parametrize("option", ["timeout_ms", "connect_timeout_ms", "idle_timeout_ms"])
@pytest.mark.parametrize("value", [NAN, INF, 0, -5, True, "100", 1e308], ids=repr)
def test_a_bad_core_timeout_is_refused_on_every_call(server: MockServer, option: str, value: Any) -> None:
    assert_refused(both({"url": server.base_url, option: value}), option, server)


@pytest.mark.parametrize("value", [0, -1, 1.5, NAN, True, "1024"], ids=repr)
def test_a_bad_max_response_bytes_is_refused_on_every_call(server: MockServer, value: Any) -> None:
    assert_refused(both({"url": server.base_url, "max_response_bytes": value}), "max_response_bytes", server)


def test_a_retry_config_of_the_wrong_type_is_refused(server: MockServer) -> None:
    assert_refused(both({"url": server.base_url}, retries={"strategy": "none"}), "retries", server)
    assert_refused(both({"url": server.base_url, "retry_config": "none"}), "retry_config", server)


def test_good_edge_values_still_work(server: MockServer) -> None:
    for res in both(
        {"url": server.base_url, "timeout_ms": 1e9, "max_response_bytes": 10**6}, timeout_ms=5000.5
    ):
        assert isinstance(res, Ok), res


@pytest.mark.parametrize(
    "options",
    [
        {"initial_interval": -1},
        {"initial_interval": NAN},
        {"max_interval": NAN},
        {"max_interval": -1},
        {"exponent": NAN},
        {"exponent": INF},
        {"exponent": 0.5},
        {"exponent": -2.0},
        {"max_elapsed_time": NAN},
        {"max_elapsed_time": -1},
        {"initial_interval": "500"},
        {"exponent": True},
    ],
    ids=repr,
)
def test_a_bad_backoff_value_is_refused_when_made(options: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        BackoffStrategy(**options)


@pytest.mark.parametrize(
    "options",
    [
        {"max_attempts": NAN},
        {"max_attempts": 0},
        {"max_attempts": -3},
        {"max_attempts": 2.5},
        {"max_attempts": True},
        {"strategy": "sometimes"},
        {"retry_connection_errors": "yes"},
        {"status_codes": frozenset({True})},
        {"status_codes": frozenset({1000})},
        {"status_codes": [429]},
        {"backoff": {"initial_interval": 1}},
    ],
    ids=repr,
)
def test_a_bad_retry_value_is_refused_when_made(options: dict[str, Any]) -> None:
    with pytest.raises((TypeError, ValueError)):
        RetryConfig(**options)


def test_a_steep_backoff_still_gives_the_servers_error(server: MockServer) -> None:
    """An exponent whose power overflows a float caps the wait at max_interval instead of failing."""
    attempts = 110  # 1000.0 ** 103 overflows
    retry = RetryConfig(
        backoff=BackoffStrategy(initial_interval=1000, max_interval=0, exponent=1000, max_elapsed_time=10**9),
        max_attempts=attempts,
        status_codes=frozenset({503}),
    )
    server.set_handler(lambda request: error_reply(503, "busy"))
    options = {"url": server.base_url, "retry_config": retry, "sleep": lambda s: None}
    for res in both(options):
        assert isinstance(res, Err) and isinstance(res.error, errors.ServiceUnavailableResponseError), res
        assert res.raw is not None and res.raw.attempts == attempts
    server.set_handler(None)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e308", "abc", "-inf"])
def test_cli_answers_a_bad_timeout_with_a_usage_error(
    server: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["--base-url", server.base_url, "--timeout", value, "hi"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "--timeout" in err and "Traceback" not in err, err
    assert server.requests == []


NON_FINITE: list[tuple[str, Any, dict[str, Any], str]] = [
    ("temperature", {**REQUEST, "temperature": NAN}, {}, "$.temperature"),
    ("top_p", {**REQUEST, "top_p": INF}, {}, "$.top_p"),
    (
        "struct",
        models.ChatGenerationParams(
            model="m", messages=[models.ChatUserMessage(content="hi")], temperature=-INF
        ),
        {},
        "$.temperature",
    ),
    ("extra_body", REQUEST, {"extra_body": {"x": INF}}, "$.x"),
    ("nested", REQUEST, {"extra_body": {"a": [1, {"b": NAN}]}}, "$.a[1].b"),
    (
        "tool_schema",
        {
            **REQUEST,
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "f", "parameters": {"type": "number", "maximum": INF}},
                }
            ],
        },
        {},
        "$.tools[0].function.parameters.maximum",
    ),
]


@pytest.mark.parametrize(
    ("request_", "call", "path"), [case[1:] for case in NON_FINITE], ids=[c[0] for c in NON_FINITE]
)
def test_non_finite_numbers_are_refused(
    server: MockServer, request_: Any, call: dict[str, Any], path: str
) -> None:
    assert_refused(both({"url": server.base_url}, request_, **call), path, server)


def test_non_finite_numbers_fail_only_their_request_in_a_batch(server: MockServer) -> None:
    with make_core(server.base_url, **PATIENT) as core:
        results = chat_send_many(core, [REQUEST, {**REQUEST, "temperature": NAN}], progress=False)
    assert isinstance(results[0], Ok), results
    assert isinstance(results[1], Err) and isinstance(results[1].error, errors.SDKValidationError), results
    assert len(server.requests) == 1


def test_non_finite_numbers_are_refused_by_other_endpoints(server: MockServer) -> None:
    with make_core(server.base_url, **PATIENT) as core:
        res = embeddings_create(core, {"model": "e", "input": "hi"}, extra_body={"scale": NAN})
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
    assert server.requests == []


def test_a_null_sent_on_purpose_still_goes(server: MockServer) -> None:
    for res in both({"url": server.base_url}, extra_body={"seed": None, "x": 1.5}):
        assert isinstance(res, Ok), res
    assert all(b'"seed":null' in request.body for request in server.requests)


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@pytest.mark.parametrize("value", [NAN, INF, True, 2.5, "3", 0, -1], ids=repr)
def test_a_bad_max_turns_is_refused(server: MockServer, value: Any) -> None:
    """`max_turns=nan` used to be accepted (the turn count never equals NaN: no limit at all)."""
    with make_core(server.base_url) as core:
        res = chat_run_tools(core, REQUEST, [add], max_turns=value)

    async def run() -> Any:
        async with make_core(server.base_url) as core:
            return await chat_run_tools_async(core, REQUEST, [add], max_turns=value)

    assert_refused([res, asyncio.run(run())], "max_turns", server)
