"""Issue 10 item 2: one core used from several event loops, one after another and at once.

A core keeps one async client per running loop and the loop's shutdown (`asyncio.run`) closes it: every call
gets its own echo back, none fails with "Event loop is closed" or "bound to a different event loop", none
hangs, and no client is left open behind a closed loop (pytest turns an unclosed socket into an error).
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from openrouter_core import OpenRouterCore
from openrouter_core.testing import MockServer

from ._support import echo_async, guarded, make_core, scale

PATIENT = {"timeout_ms": 10_000, "idle_timeout_ms": 10_000, "connect_timeout_ms": 5_000}


@pytest.mark.parametrize("stream", [False, True])
def test_repeated_asyncio_run_on_one_core(mock: MockServer, stream: bool) -> None:
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)
    clients: list[httpx.AsyncClient] = []

    async def one(i: int) -> str | None:
        wrong = await echo_async(core, f"run {i}", stream)
        clients.append(core.async_client)
        return wrong

    results = [guarded(lambda i=i: asyncio.run(one(i))) for i in range(scale(8, 40))]
    assert results == [None] * len(results), [r for r in results if r]
    assert len(mock.requests) == len(results), "a request was sent twice or not at all"
    assert all(client.is_closed for client in clients), "a loop's client outlived its loop"
    core.close()


def test_threads_each_with_their_own_loops(mock: MockServer) -> None:
    """The issue's shape: 4 threads x 3 rounds of `asyncio.run` x 8 concurrent tasks, streams mixed in."""
    mock.reset()
    threads, rounds, tasks = 4, scale(3, 6), 8
    start = threading.Barrier(threads)
    core = make_core(mock.base_url, **PATIENT)

    async def round_of(thread: int, round_: int) -> list[str | None]:
        calls = (echo_async(core, f"t{thread} r{round_} c{i}", i % 3 == 0) for i in range(tasks))
        return list(await asyncio.gather(*calls))

    def worker(thread: int) -> list[str | None]:
        start.wait()
        out: list[str | None] = []
        for round_ in range(rounds):
            out.extend(asyncio.run(round_of(thread, round_)))
        return out

    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        results = [r for chunk in pool.map(worker, range(threads)) for r in chunk]
    elapsed = time.monotonic() - started
    core.close()
    wrong = [r for r in results if r is not None]
    assert not wrong, wrong[:5]
    assert len(results) == threads * rounds * tasks
    assert elapsed < 10, f"{elapsed:.1f} s: some calls waited for their deadline"


def test_a_loop_that_is_still_running_keeps_its_client(mock: MockServer) -> None:
    """Two loops alive at once in two threads: each has its own client, and both stay usable."""
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)
    ready = threading.Barrier(2)
    seen: dict[int, httpx.AsyncClient] = {}

    async def main(thread: int) -> list[str | None]:
        first = await echo_async(core, f"t{thread} first", False)
        seen[thread] = core.async_client
        await asyncio.to_thread(ready.wait)  # both loops are alive here
        second = await echo_async(core, f"t{thread} second", True)
        return [first, second]

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda t: asyncio.run(main(t)), range(2)))
    assert results == [[None, None], [None, None]]
    assert seen[0] is not seen[1]
    assert seen[0].is_closed and seen[1].is_closed
    core.close()


def test_aclose_closes_only_the_running_loops_client(mock: MockServer) -> None:
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)

    async def main() -> httpx.AsyncClient:
        assert await echo_async(core, "before aclose", False) is None
        client = core.async_client
        await core.aclose()
        assert client.is_closed
        assert await echo_async(core, "after aclose", False) is None  # a fresh client for this loop
        assert core.async_client is not client
        return core.async_client

    later = asyncio.run(main())
    assert later.is_closed  # closed by the loop's shutdown
    core.close()


def test_a_client_you_pass_in_is_used_as_is(mock: MockServer) -> None:
    """A client passed in is the caller's to manage: the core neither replaces nor closes it."""
    mock.reset()

    async def main() -> None:
        async with httpx.AsyncClient() as client:
            core = OpenRouterCore(api_key="k", server_url=mock.base_url, async_client=client)
            assert core.async_client is client
            assert await echo_async(core, "passed in", False) is None
            await core.aclose()
            assert not client.is_closed

    asyncio.run(main())
