"""Issue 10 item 1: a core used before `os.fork()` works in both processes.

The child drops (never closes) the clients, pools and locks it inherited and makes its own; the parent keeps
its pooled keep-alive connection. Every call on both sides must get its own echo back (a reply that went to
the other process, or a request mixed with the other's on a shared socket, shows up as a wrong text or an
`Err`), no call may hang, and the parent's next call reuses its connection from before the fork.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from openrouter_core import OpenRouterCore
from openrouter_core.testing import MockServer

from ._fork import fork, join
from ._support import echo_async, echo_sync, guarded, make_core, scale

CALLS = 6
PATIENT = {"timeout_ms": 5_000, "idle_timeout_ms": 5_000, "connect_timeout_ms": 2_000}


def _connection_of(mock: MockServer, tag: str) -> int:
    ids = [r.connection_id for r in mock.requests if tag.encode() in r.body]
    assert len(ids) == 1, (tag, ids)
    return ids[0]


def _calls(core: OpenRouterCore, tag: str, stream: bool) -> list[str | None]:
    return [echo_sync(core, f"{tag}/{i}", stream) for i in range(CALLS)]


@pytest.mark.parametrize("stream", [False, True])
def test_sync_core_used_before_fork_serves_parent_and_child(mock: MockServer, stream: bool) -> None:
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        for round_ in range(scale(5, 20)):
            warm = f"parent warm {round_}"
            assert echo_sync(core, warm, False) is None  # leaves a pooled keep-alive connection
            pid, read = fork(lambda r=round_: _calls(core, f"child {r}", stream))
            after = f"parent after {round_}"
            assert echo_sync(core, after, False) is None
            assert _connection_of(mock, after) == _connection_of(mock, warm), "the parent lost its connection"
            parent = guarded(lambda r=round_: _calls(core, f"parent {r}", stream))
            child = join(pid, read, timeout=30)
            assert child == {"value": [None] * CALLS}, child
            assert parent == [None] * CALLS, parent
    assert mock.errors == []


def _in_new_loop(calls: int, tag: str, core: OpenRouterCore, stream: bool) -> list[str | None]:
    """Run `calls` concurrent async calls in a fresh event loop on a fresh thread (the forked child's)."""
    out: list[Any] = []

    async def main() -> list[str | None]:
        return list(await asyncio.gather(*(echo_async(core, f"{tag}/{i}", stream) for i in range(calls))))

    thread = threading.Thread(target=lambda: out.append(asyncio.run(main())))
    thread.start()
    thread.join()
    return out[0] if out else ["the child's loop failed"]


@pytest.mark.parametrize("stream", [False, True])
def test_async_core_used_before_fork_serves_parent_and_child(mock: MockServer, stream: bool) -> None:
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)

    async def main() -> None:
        for round_ in range(scale(3, 10)):
            assert await echo_async(core, f"parent warm {round_}", stream) is None
            pid, read = fork(lambda r=round_: _in_new_loop(CALLS, f"child {r}", core, stream))
            parent = await asyncio.gather(
                *(echo_async(core, f"parent {round_}/{i}", stream) for i in range(CALLS))
            )
            child = await asyncio.to_thread(join, pid, read, 30)
            assert child == {"value": [None] * CALLS}, child
            assert parent == [None] * CALLS, parent
        await core.aclose()

    asyncio.run(main())
    assert mock.errors == []


def test_a_sync_call_in_flight_in_another_thread_at_fork_does_not_block_the_child(mock: MockServer) -> None:
    """The fork may land while another thread holds the core's lock: the child must not wait on it."""
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        stop = threading.Event()

        def busy() -> None:
            while not stop.is_set():
                echo_sync(core, "busy", False)

        thread = threading.Thread(target=busy)
        thread.start()
        try:
            for round_ in range(scale(10, 40)):
                pid, read = fork(lambda r=round_: echo_sync(core, f"child {r}", False))
                assert join(pid, read, timeout=30) == {"value": None}
        finally:
            stop.set()
            thread.join()
