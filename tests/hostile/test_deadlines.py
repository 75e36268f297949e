"""Item 4: a `timeout_ms` deadline holds within +10% (or +50 ms, whichever is larger) against slow
servers and across retries; an idle stream is cut by the idle timeout; a steady long stream is not.

These are the only timing assertions of the suite; the tolerance is the issue's.
"""

from __future__ import annotations

import time

import pytest

from openrouter_core import AsyncChatStream, BackoffStrategy, ChatStream, Err, Ok, RetryConfig, errors
from openrouter_core.testing import (
    MockServer,
    Reply,
    drip_reply,
    stall_at,
    stall_before_headers,
    stream_reply,
    text_reply,
)
from openrouter_funcs import chat_send, chat_send_async

from . import _support
from ._support import REQUEST, STREAM_REQUEST, make_core

DEADLINE_MS = 300
IDLE_MS = 200


def bound(seconds: float) -> float:
    return seconds + max(0.1 * seconds, 0.05)


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def _timed_sync(server: MockServer, name: str, reply: Reply, *, warm: bool) -> tuple[object, float]:
    with make_core(server.base_url, timeout_ms=DEADLINE_MS, idle_timeout_ms=120_000) as made:
        if warm:  # the pooled client exists and a connection is open: only the slow reply is timed
            assert chat_send(made, REQUEST).ok
        server.enqueue(reply)
        started = time.monotonic()
        res = chat_send(made, REQUEST)
        elapsed = time.monotonic() - started
    _support.OVERSHOOTS[name] = elapsed - DEADLINE_MS / 1000
    return res, elapsed


async def _timed_async(server: MockServer, name: str, reply: Reply, *, warm: bool) -> tuple[object, float]:
    async with make_core(server.base_url, timeout_ms=DEADLINE_MS, idle_timeout_ms=120_000) as made:
        if warm:
            assert (await chat_send_async(made, REQUEST)).ok
        server.enqueue(reply)
        started = time.monotonic()
        res = await chat_send_async(made, REQUEST)
        elapsed = time.monotonic() - started
    _support.OVERSHOOTS[name] = elapsed - DEADLINE_MS / 1000
    return res, elapsed


SLOW = {
    "before_headers": stall_before_headers(text_reply("late"), 3.0),
    "mid_body": stall_at(text_reply("x" * 200), 40, 3.0),
    # A server that drips bytes: each read succeeds before the read timeout, the whole body never does.
    "drip_20pct": drip_reply(text_reply("x" * 300), piece=8, interval=0.06),
    "drip_50pct": drip_reply(text_reply("x" * 300), piece=8, interval=0.15),
    "drip_70pct": drip_reply(text_reply("x" * 300), piece=8, interval=0.21),
    "drip_90pct": drip_reply(text_reply("x" * 300), piece=8, interval=0.27),
}


@pytest.mark.parametrize("name", list(SLOW))
def test_deadline_holds_against_slow_servers_sync(server: MockServer, name: str) -> None:
    res, elapsed = _timed_sync(server, f"sync:{name}", SLOW[name], warm=True)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError), res
    assert elapsed <= bound(DEADLINE_MS / 1000), (
        f"{name}: {elapsed * 1000:.0f} ms for a {DEADLINE_MS} ms deadline"
    )


@pytest.mark.parametrize("name", list(SLOW))
async def test_deadline_holds_against_slow_servers_async(server: MockServer, name: str) -> None:
    res, elapsed = await _timed_async(server, f"async:{name}", SLOW[name], warm=True)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError), res
    assert elapsed <= bound(DEADLINE_MS / 1000), (
        f"{name}: {elapsed * 1000:.0f} ms for a {DEADLINE_MS} ms deadline"
    )


def test_deadline_holds_on_the_first_call_of_a_core_sync(server: MockServer) -> None:
    """The first call also creates the pooled client (TLS context included): that time counts too."""
    res, elapsed = _timed_sync(server, "sync:cold_before_headers", SLOW["before_headers"], warm=False)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError), res
    assert elapsed <= bound(DEADLINE_MS / 1000), f"{elapsed * 1000:.0f} ms for a {DEADLINE_MS} ms deadline"


async def test_deadline_holds_on_the_first_call_of_a_core_async(server: MockServer) -> None:
    res, elapsed = await _timed_async(server, "async:cold_before_headers", SLOW["before_headers"], warm=False)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError), res
    assert elapsed <= bound(DEADLINE_MS / 1000), f"{elapsed * 1000:.0f} ms for a {DEADLINE_MS} ms deadline"


def test_deadline_holds_across_retries(server: MockServer) -> None:
    """Each attempt is cut at `timeout_ms`; no retry starts past `max_elapsed_time`, so the call ends by
    max_elapsed_time + timeout_ms (the last attempt may start just before the budget ends)."""
    retry = RetryConfig(
        backoff=BackoffStrategy(initial_interval=50, max_interval=100, exponent=1.0, max_elapsed_time=1_000),
        max_attempts=50,
    )
    server.enqueue(*[stall_before_headers(text_reply("late"), 3.0) for _ in range(20)])
    with make_core(server.base_url, timeout_ms=DEADLINE_MS, retry_config=retry) as core:
        started = time.monotonic()
        res = chat_send(core, REQUEST)
        elapsed = time.monotonic() - started
    _support.OVERSHOOTS["sync:across_retries"] = elapsed - 1.3
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.raw is None or res.raw.attempts >= 3
    assert len(server.requests) >= 3
    assert elapsed <= bound(1.0 + DEADLINE_MS / 1000), f"{elapsed:.3f} s"


def test_idle_stream_is_cut_by_the_idle_timeout_sync(server: MockServer) -> None:
    server.enqueue(stall_at(stream_reply("abcdefgh", chunk_size=2), 400, 3.0))
    with make_core(server.base_url, timeout_ms=60_000, idle_timeout_ms=IDLE_MS) as core:
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
        delivered = []
        last = time.monotonic()
        for chunk in res.value:
            delivered.append(chunk)
            last = time.monotonic()
        silence = time.monotonic() - last
    _support.OVERSHOOTS["sync:idle_stream"] = silence - IDLE_MS / 1000
    assert delivered and isinstance(res.value.error, errors.RequestTimeoutError)
    assert silence <= bound(IDLE_MS / 1000), f"cut after {silence * 1000:.0f} ms of silence"


async def test_idle_stream_is_cut_by_the_idle_timeout_async(server: MockServer) -> None:
    server.enqueue(stall_at(stream_reply("abcdefgh", chunk_size=2), 400, 3.0))
    async with make_core(server.base_url, timeout_ms=60_000, idle_timeout_ms=IDLE_MS) as core:
        res = await chat_send_async(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
        delivered = []
        last = time.monotonic()
        async for chunk in res.value:
            delivered.append(chunk)
            last = time.monotonic()
        silence = time.monotonic() - last
    _support.OVERSHOOTS["async:idle_stream"] = silence - IDLE_MS / 1000
    assert delivered and isinstance(res.value.error, errors.RequestTimeoutError)
    assert silence <= bound(IDLE_MS / 1000), f"cut after {silence * 1000:.0f} ms of silence"


STEADY = {"content": "steady stream " * 2, "chunk_size": 1, "event_delay": 0.04}


def test_steady_long_stream_is_not_cut_sync(server: MockServer) -> None:
    server.enqueue(stream_reply(**STEADY))  # type: ignore[arg-type]
    with make_core(server.base_url, timeout_ms=DEADLINE_MS, idle_timeout_ms=IDLE_MS) as core:
        started = time.monotonic()
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
        whole = res.value.collect()
        elapsed = time.monotonic() - started
    assert isinstance(whole, Ok), whole
    assert whole.value.choices[0].message.content == STEADY["content"]
    assert elapsed > 3 * DEADLINE_MS / 1000


async def test_steady_long_stream_is_not_cut_async(server: MockServer) -> None:
    server.enqueue(stream_reply(**STEADY))  # type: ignore[arg-type]
    async with make_core(server.base_url, timeout_ms=DEADLINE_MS, idle_timeout_ms=IDLE_MS) as core:
        started = time.monotonic()
        res = await chat_send_async(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
        whole = await res.value.collect()
        elapsed = time.monotonic() - started
    assert isinstance(whole, Ok), whole
    assert whole.value.choices[0].message.content == STEADY["content"]
    assert elapsed > 3 * DEADLINE_MS / 1000
