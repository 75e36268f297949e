"""Item 3 over the real wire (tests/test_retries.py covers the plan itself with MockTransport).

Exact delays for a seed, Retry-After in seconds / HTTP date / ms end to end, the cap, the attempt and elapsed
bounds, dropped-connection retries, no retry once a stream's body started, no retry of 4xx client errors,
and every discarded response closed (its keep-alive connection goes back to the pool and is reused).
"""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import formatdate

import pytest

from openrouter_core import AsyncChatStream, BackoffStrategy, ChatStream, Err, Ok, RetryConfig, errors
from openrouter_core.testing import MockServer, cut_at, cut_in_head, error_reply, stream_reply, text_reply
from openrouter_funcs import chat_send, chat_send_async

from ._support import REQUEST, STREAM_REQUEST, make_core

RETRY = RetryConfig(
    backoff=BackoffStrategy(
        initial_interval=500, max_interval=30_000, exponent=2.0, max_elapsed_time=120_000
    ),
    max_attempts=4,
)


class Sleeps:
    """A fake clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.log: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.log.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


@pytest.mark.parametrize("seed", [0, 7, 12345])
def test_exact_delays_for_a_seed_and_discarded_responses_closed(server: MockServer, seed: int) -> None:
    sleeps = Sleeps()
    server.enqueue(error_reply(503, "a"), error_reply(502, "b"), error_reply(500, "c"), text_reply("finally"))
    opened = server.connections_opened
    with make_core(
        server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep, rng=random.Random(seed)
    ) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Ok) and res.raw is not None and res.raw.attempts == 4
    expected = random.Random(seed)
    assert sleeps.log == [expected.uniform(0, 0.5), expected.uniform(0, 1.0), expected.uniform(0, 2.0)]
    assert len(server.requests) == 4
    # Every discarded 5xx response was read and closed: its keep-alive connection was reused each time.
    assert server.connections_opened - opened == 1


async def test_exact_delays_async_and_discarded_responses_closed(server: MockServer) -> None:
    sleeps = Sleeps()
    server.enqueue(error_reply(429, "a"), error_reply(529, "b"), text_reply("finally"))
    opened = server.connections_opened
    async with make_core(
        server.base_url,
        retry_config=RETRY,
        clock=sleeps.clock,
        async_sleep=sleeps.async_sleep,
        rng=random.Random(3),
    ) as core:
        res = await chat_send_async(core, REQUEST)
    assert isinstance(res, Ok)
    expected = random.Random(3)
    assert sleeps.log == [expected.uniform(0, 0.5), expected.uniform(0, 1.0)]
    assert server.connections_opened - opened == 1


@pytest.mark.parametrize(
    ("headers", "low", "high"),
    [
        ({"Retry-After": "3"}, 3.0, 3.0),
        ({"Retry-After": "0.25"}, 0.25, 0.25),
        ({"retry-after-ms": "1500"}, 1.5, 1.5),
        ({"retry-after-ms": "40", "Retry-After": "9"}, 0.04, 0.04),
        ({"Retry-After": "3600"}, 30.0, 30.0),  # capped by max_interval
        ({"retry-after-ms": "9999999"}, 30.0, 30.0),
    ],
)
def test_retry_after_end_to_end(server: MockServer, headers: dict[str, str], low: float, high: float) -> None:
    sleeps = Sleeps()
    server.enqueue(error_reply(429, "slow down", headers=headers), text_reply("ok"))
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        assert chat_send(core, REQUEST).ok
    assert len(sleeps.log) == 1 and low <= sleeps.log[0] <= high


def test_retry_after_http_date_end_to_end(server: MockServer) -> None:
    sleeps = Sleeps()
    when = int(time.time()) + 6
    server.enqueue(
        error_reply(503, "later", headers={"Retry-After": formatdate(when, usegmt=True)}), text_reply("ok")
    )
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        assert chat_send(core, REQUEST).ok
    assert len(sleeps.log) == 1 and 4.0 < sleeps.log[0] <= 6.0


def test_attempt_bound(server: MockServer) -> None:
    sleeps = Sleeps()
    server.enqueue(*[error_reply(502, f"n{i}") for i in range(6)])
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err) and isinstance(res.error, errors.BadGatewayResponseError)
    assert res.raw is not None and res.raw.attempts == 4
    assert len(server.requests) == 4 and len(sleeps.log) == 3


def test_elapsed_bound(server: MockServer) -> None:
    sleeps = Sleeps()
    retry = RetryConfig(backoff=BackoffStrategy(max_interval=30_000, max_elapsed_time=1_000), max_attempts=10)
    server.enqueue(*[error_reply(503, "x", headers={"retry-after-ms": "400"}) for _ in range(6)])
    with make_core(server.base_url, retry_config=retry, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err)
    assert sleeps.log == [0.4, 0.4]  # a third wait would end at 1.2 s > max_elapsed_time
    assert len(server.requests) == 3


@pytest.mark.parametrize("where", ["head", "body", "reset"])
def test_connection_errors_are_retried(server: MockServer, where: str) -> None:
    sleeps = Sleeps()
    broken = {
        "head": cut_in_head(text_reply("x"), 5),
        "body": cut_at(text_reply("x" * 100), 30),
        "reset": cut_at(text_reply("x" * 100), 30, reset=True),
    }[where]
    server.enqueue(broken, text_reply("recovered"))
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Ok), res
    assert len(server.requests) == 2 and len(sleeps.log) == 1


def test_connection_errors_not_retried_when_disabled(server: MockServer) -> None:
    sleeps = Sleeps()
    server.enqueue(cut_in_head(text_reply("x"), 0), text_reply("unused"))
    retry = RetryConfig(retry_connection_errors=False)
    with make_core(server.base_url, retry_config=retry, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)
    assert len(server.requests) == 1 and sleeps.log == []


def test_stream_retried_before_its_body_never_after(server: MockServer) -> None:
    sleeps = Sleeps()
    events = stream_reply("abcdefghijklmnop", chunk_size=2)
    server.enqueue(error_reply(503, "warming up"), cut_at(events, 400), stream_reply("never sent"))
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
        delivered = list(res.value)
    assert delivered, "the part of the stream before the drop was delivered"
    assert isinstance(res.value.error, errors.APIConnectionError)
    assert len(server.requests) == 2 and len(sleeps.log) == 1
    assert server.pending == 1


async def test_async_stream_never_retried_after_body(server: MockServer) -> None:
    sleeps = Sleeps()
    server.enqueue(cut_at(stream_reply("abcdefghijklmnop", chunk_size=2), 400), stream_reply("never sent"))
    async with make_core(
        server.base_url, retry_config=RETRY, clock=sleeps.clock, async_sleep=sleeps.async_sleep
    ) as core:
        res = await chat_send_async(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
        delivered = [chunk async for chunk in res.value]
    assert delivered and isinstance(res.value.error, errors.APIConnectionError)
    assert len(server.requests) == 1 and sleeps.log == []


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422])
def test_client_errors_are_not_retried(server: MockServer, status: int) -> None:
    sleeps = Sleeps()
    server.enqueue(error_reply(status, "no", headers={"Retry-After": "1"}), text_reply("unused"))
    with make_core(server.base_url, retry_config=RETRY, clock=sleeps.clock, sleep=sleeps.sleep) as core:
        res = chat_send(core, REQUEST)
        assert isinstance(res, Err) and isinstance(res.error, errors.chat_error_class(status))
        assert len(server.requests) == 1 and sleeps.log == []
        # The rejected response was closed: the next call reuses the same connection.
        opened = server.connections_opened
        assert chat_send(core, REQUEST).ok
        assert server.connections_opened == opened


def test_async_client_errors_are_not_retried(server: MockServer) -> None:
    async def main() -> None:
        sleeps = Sleeps()
        for status in (400, 401, 402, 403, 404, 413, 422):
            server.reset()
            server.enqueue(error_reply(status, "no"))
            async with make_core(
                server.base_url, retry_config=RETRY, clock=sleeps.clock, async_sleep=sleeps.async_sleep
            ) as core:
                res = await chat_send_async(core, REQUEST)
            assert isinstance(res, Err) and type(res.error) is errors.chat_error_class(status)
            assert len(server.requests) == 1
        assert sleeps.log == []

    asyncio.run(main())
