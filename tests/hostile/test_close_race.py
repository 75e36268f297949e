"""Issue 10 item 12: `close()` while other threads call (and `aclose()` while other tasks call).

8 threads call one core, plain and streaming, while another thread runs `close()` every 20 ms. Each caller
must get `Ok` with its own echo or a prompt `Err` (well inside the 5 s deadline); nothing may hang, and the
server must receive only well-formed requests (a socket closed under a caller and its fd reused by another
connection would mix two requests on the wire).
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from openrouter_core import Err, errors
from openrouter_core.testing import MockServer

from ._support import echo_async, echo_sync, guarded, make_core, scale, tagged

PATIENT = {"timeout_ms": 5_000, "idle_timeout_ms": 5_000, "connect_timeout_ms": 2_000}
PROMPT = 2.5  # seconds: half the 5 s deadline a hung call reaches (a loaded 2-core machine can take 1 s)


def _well_formed(mock: MockServer) -> list[str]:
    bad = []
    for request in mock.requests:
        try:
            body = request.json()
            assert body == tagged(body["messages"][0]["content"], body["stream"])
        except Exception as exc:
            bad.append(f"{request.body[:80]!r}: {exc!r}")
    return bad


def test_close_every_20_ms_while_eight_threads_call(mock: MockServer) -> None:
    mock.reset()
    seconds = scale(3, 15)
    core = make_core(mock.base_url, **PATIENT)
    stop = threading.Event()
    slow: list[str] = []
    calls = 0

    def caller(thread: int) -> list[str | None]:
        nonlocal calls
        wrong: list[str | None] = []
        i = 0
        while not stop.is_set():
            tag = f"thread {thread} call {i}"
            started = time.monotonic()
            outcome = guarded(lambda tag=tag, i=i: echo_sync(core, tag, i % 3 == 0))
            if time.monotonic() - started > PROMPT:
                slow.append(f"{tag}: {time.monotonic() - started:.2f} s")
            if outcome is not None:
                wrong.append(outcome)
            calls += 1
            i += 1
        return wrong

    def closer() -> int:
        closes = 0
        while not stop.wait(0.02):
            core.close()
            closes += 1
        return closes

    with ThreadPoolExecutor(9) as pool:
        closing = pool.submit(closer)
        callers = [pool.submit(caller, t) for t in range(8)]
        time.sleep(seconds)
        stop.set()
        wrong = [w for future in callers for w in future.result()]
        closes = closing.result()
    core.close()
    # Calls in flight finish on the client close() retired, so every one of them is Ok.
    assert not wrong, wrong[:5]
    assert not slow, slow[:5]
    assert _well_formed(mock) == []
    assert mock.errors == []
    assert closes > 10 and calls > 40, f"too little traffic to tell: {closes} closes, {calls} calls"


def test_a_closed_cores_retired_client_is_closed_by_its_last_caller(mock: MockServer) -> None:
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)
    client, _ = core.acquire_client()
    core.close()
    assert not client.is_closed  # a call still uses it
    assert echo_sync(core, "after close", False) is None  # a fresh client
    assert core.client is not client
    core.release_client(client)
    assert client.is_closed
    core.close()


def test_aclose_every_20_ms_while_tasks_call(mock: MockServer) -> None:
    """On one loop, `aclose()` during traffic gives each task `Ok` or a prompt connection error."""
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)

    async def main() -> list[str]:
        stop = asyncio.Event()
        problems: list[str] = []

        async def caller(task: int) -> None:
            i = 0
            while not stop.is_set():
                tag = f"task {task} call {i}"
                started = time.monotonic()
                outcome = await echo_async(core, tag, i % 3 == 0)
                took = time.monotonic() - started
                if took > PROMPT:
                    problems.append(f"{tag}: {took:.2f} s")
                if outcome is not None and not _clean_error(outcome):
                    problems.append(outcome)
                i += 1

        async def closer() -> None:
            while not stop.is_set():
                await asyncio.sleep(0.02)
                await core.aclose()

        tasks = [asyncio.ensure_future(caller(t)) for t in range(8)]
        closing = asyncio.ensure_future(closer())
        await asyncio.sleep(scale(3, 15))
        stop.set()
        await asyncio.gather(*tasks, closing)
        await core.aclose()
        return problems

    problems = guarded(lambda: asyncio.run(main()))
    assert not problems, problems[:5]
    assert _well_formed(mock) == []
    assert mock.errors == []


def _clean_error(outcome: str) -> bool:
    """Whether a failed call's outcome is an `Err` saying the connection closed (not an unexpected error)."""
    return outcome.split(": ", 1)[1].startswith(
        (f"Err({errors.APIConnectionError.__name__}(", f"Err({errors.RequestAbortedError.__name__}(")
    ) or isinstance(outcome, Err)
