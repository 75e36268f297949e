"""Item 5: thousands of requests and abandoned streams leave sockets, fds, threads and memory where they were;
cancelling an async call or stream propagates `CancelledError` and closes the connection.

Counts: the "ci" profile runs 1,000 sequential requests and 200 abandoned streams; `make fuzz` runs the
issue's 5,000 and 1,000. Memory is compared with tracemalloc after a warm-up (bound: 1 MiB).
"""

from __future__ import annotations

import asyncio
import gc
import os
import threading
import time
import tracemalloc

import pytest

from openrouter_core import AsyncChatStream, ChatStream, Ok, OpenRouterCore
from openrouter_core._aiohttp_transport import AiohttpTransport
from openrouter_core.testing import MockServer, stall_at, stall_before_headers, stream_reply, text_reply
from openrouter_funcs import chat_send, chat_send_async

from . import _support
from ._support import REQUEST, STREAM_REQUEST, make_core, scale

MEMORY_BOUND = 1024 * 1024


def pooled_connections(core: OpenRouterCore) -> int:
    """How many idle connections the core's own aiohttp-backed async client keeps for reuse."""
    transport = core.async_client._transport  # type: ignore[attr-defined]
    assert isinstance(transport, AiohttpTransport)
    session = transport._session
    if session is None or session.connector is None:
        return 0
    return sum(len(idle) for idle in session.connector._conns.values())  # type: ignore[attr-defined]


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def sockets() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


def snapshot() -> tuple[int, int, int]:
    return fds(), sockets(), threading.active_count()


def within(now: tuple[int, int, int], baseline: tuple[int, int, int]) -> bool:
    return all(value <= base for value, base in zip(now, baseline, strict=True))


def settle(baseline: tuple[int, int, int], timeout: float = 5.0) -> tuple[int, int, int]:
    """Wait for the server thread to notice closed connections, then return the counts."""
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        now = snapshot()
        if within(now, baseline) or time.monotonic() > deadline:
            return now
        time.sleep(0.02)


def quiet(timeout: float = 5.0) -> int:
    """The socket count once sockets left by earlier tests have closed (stable 1.2 s > the 1 s stalls)."""
    deadline = time.monotonic() + timeout
    last, stable_since = sockets(), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - stable_since < 1.2:
        time.sleep(0.05)
        now = sockets()
        if now != last:
            last, stable_since = now, time.monotonic()
    return last


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def _sequential_sync(core: OpenRouterCore, server: MockServer, count: int) -> None:
    for i in range(count):
        if i % 200 == 0:
            server.reset()  # the mock records every request; keep its memory out of the figure
        res = chat_send(core, REQUEST)
        assert isinstance(res, Ok)


def test_sequential_requests_leak_nothing(server: MockServer) -> None:
    count = scale(1_000, 5_000)
    with make_core(server.base_url) as core:
        _sequential_sync(core, server, 200)  # warm-up: pool, caches, lazy imports
        baseline = settle((10**9, 10**9, 10**9), 0)
        tracemalloc.start()
        try:
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            started = time.monotonic()
            _sequential_sync(core, server, count)
            seconds = time.monotonic() - started
            server.reset()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        now = settle(baseline)
    _support.FIGURES["sync sequential"] = (
        f"{count} requests in {seconds:.1f} s: fds/sockets/threads {baseline} -> {now}, "
        f"memory {after - before:+d} B"
    )
    assert within(now, baseline), f"fds, sockets, threads: {baseline} -> {now}"
    assert after - before < MEMORY_BOUND, f"memory grew by {after - before} bytes"


async def test_sequential_requests_leak_nothing_async(server: MockServer) -> None:
    count = scale(1_000, 5_000)
    async with make_core(server.base_url) as core:
        for _ in range(200):
            assert (await chat_send_async(core, REQUEST)).ok
        baseline = settle((10**9, 10**9, 10**9), 0)
        tasks = len(asyncio.all_tasks())
        tracemalloc.start()
        try:
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for i in range(count):
                if i % 200 == 0:
                    server.reset()
                assert (await chat_send_async(core, REQUEST)).ok
            server.reset()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        tasks_after = len(asyncio.all_tasks())
    now = settle(baseline)
    _support.FIGURES["async sequential"] = (
        f"{count} requests: {baseline} -> {now}, tasks {tasks} -> {tasks_after}, memory {after - before:+d} B"
    )
    assert within(now, baseline)
    assert tasks_after <= tasks, f"asyncio tasks: {tasks} -> {tasks_after}"
    assert after - before < MEMORY_BOUND, f"memory grew by {after - before} bytes"


def _abandon_sync(core: OpenRouterCore, how: str) -> None:
    res = chat_send(core, STREAM_REQUEST)
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
    stream = res.value
    if how == "break":
        for _ in stream:
            break
    elif how == "close":
        iterator = iter(stream)
        next(iterator)
        stream.close()
    elif how == "with":
        with stream:
            next(iter(stream))
    else:  # "gc": dropped mid-iteration without close, left to the garbage collector
        iterator = iter(stream)
        next(iterator)
        del iterator, stream, res


@pytest.mark.parametrize("how", ["break", "close", "with", "gc"])
def test_abandoned_streams_leak_nothing(server: MockServer, how: str) -> None:
    count = scale(200, 1_000) // 4
    long_stream = stream_reply("a long answer " * 40, chunk_size=4)
    with make_core(server.base_url) as core:
        for _ in range(20):
            server.enqueue(long_stream)
            _abandon_sync(core, how)
        server.reset()
        baseline = settle((10**9, 10**9, 10**9), 0)
        tracemalloc.start()
        try:
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(count):
                server.reset()
                server.enqueue(long_stream)
                _abandon_sync(core, how)
            server.reset()
            gc.collect()
            after = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
        now = settle(baseline)
    _support.FIGURES[f"sync abandoned ({how})"] = (
        f"{count} streams: {baseline} -> {now}, memory {after - before:+d} B"
    )
    assert within(now, baseline), f"fds, sockets, threads: {baseline} -> {now}"
    assert after - before < MEMORY_BOUND, f"memory grew by {after - before} bytes"


async def _abandon_async(core: OpenRouterCore, how: str, server: MockServer) -> None:
    if how == "cancel_call":
        task = asyncio.ensure_future(chat_send_async(core, STREAM_REQUEST))
        # Cancel only once the server holds the request: a request cancelled on its way could still arrive
        # after the next reset and take the reply queued for the next call. A loaded machine can take
        # seconds to deliver it, so wait long, and fail plainly rather than cancel early.
        deadline = time.monotonic() + 30
        while not server.requests and time.monotonic() < deadline:
            await asyncio.sleep(0.001)
        assert server.requests, "the request never reached the server"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return
    res = await chat_send_async(core, STREAM_REQUEST)
    assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
    stream = res.value
    if how == "break":
        async for _ in stream:
            break
    elif how == "aclose":
        iterator = aiter(stream)
        await anext(iterator)
        await stream.aclose()
    elif how == "async_with":
        async with stream:
            await anext(aiter(stream))
    elif how == "cancel_stream":

        async def consume() -> None:
            async for _ in stream:
                pass

        consumer = asyncio.ensure_future(consume())
        await asyncio.sleep(0.005)
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer


@pytest.mark.parametrize("how", ["break", "aclose", "async_with", "cancel_stream", "cancel_call"])
async def test_abandoned_async_streams_leak_nothing(server: MockServer, how: str) -> None:
    count = scale(200, 1_000) // 5
    # A stream that stalls after its first event: cancellation always lands mid-stream.
    # The server notices a closed connection at its next write, after the stall: keep the stall short.
    slow = stall_at(stream_reply("a long answer " * 40, chunk_size=4), 1000, 1.0)
    stalled = stall_before_headers(stream_reply("late"), 1.0)
    reply = stalled if how == "cancel_call" else slow
    async with make_core(server.base_url, idle_timeout_ms=60_000, timeout_ms=60_000) as core:
        for _ in range(10):
            server.enqueue(reply)
            await _abandon_async(core, how, server)
        server.reset()
        await asyncio.sleep(0.05)
        baseline = settle((10**9, 10**9, 10**9), 0)
        tasks = len(asyncio.all_tasks())
        for _ in range(count):
            server.reset()
            server.enqueue(reply)
            await _abandon_async(core, how, server)
        await asyncio.sleep(0.05)
        # Every abandoned stream closed its connection: none went back to the pool half-read.
        assert pooled_connections(core) == 0
        tasks_after = len(asyncio.all_tasks())
    now = settle(baseline)
    _support.FIGURES[f"async abandoned ({how})"] = (
        f"{count} streams: {baseline} -> {now}, tasks {tasks} -> {tasks_after}"
    )
    assert within(now, baseline), f"fds, sockets, threads: {baseline} -> {now}"
    assert tasks_after <= tasks, f"asyncio tasks: {tasks} -> {tasks_after}"


def test_cancelling_an_async_call_closes_its_connection(server: MockServer) -> None:
    async def main() -> None:
        async with make_core(server.base_url, timeout_ms=60_000) as core:
            baseline = quiet()
            # The server sees the closed connection when it writes after its 1 s stall.
            server.enqueue(stall_before_headers(text_reply("late"), 1.0))
            task = asyncio.ensure_future(chat_send_async(core, REQUEST))
            await asyncio.sleep(0.1)
            assert sockets() > baseline  # the request is in flight
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            deadline = time.monotonic() + 4
            while sockets() > baseline and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert sockets() <= baseline, "the cancelled call's connection is still open"

    asyncio.run(main())
