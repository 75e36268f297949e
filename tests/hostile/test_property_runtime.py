"""Hypothesis draws how a core is used across processes and event loops (issue 10 items 1 and 2).

Fork: a core warmed (or not) in the parent, sync or async, with or without a busy thread, forked; child and
parent then call it, plain and streaming. Event loops: a core shared by threads, each running several
`asyncio.run` rounds of concurrent tasks, sometimes closing the loop's client mid-way. Every call must get its
own echo back: no escape, no wrong reply, no hang.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given
from hypothesis import strategies as st

from openrouter_core import OpenRouterCore
from openrouter_core.testing import MockServer

from ._fork import fork, join
from ._support import STATS, echo_async, echo_sync, guarded, make_core, profile, wrong

PATIENT = {"timeout_ms": 10_000, "idle_timeout_ms": 10_000, "connect_timeout_ms": 5_000}


def _wrong(label: str, results: list[str | None]) -> None:
    bad = [r for r in results if r is not None]
    if bad:
        wrong(f"{label}: {bad[:3]}")


def _async_calls(core: OpenRouterCore, tag: str, streams: list[bool]) -> list[str | None]:
    async def main() -> list[str | None]:
        calls = (echo_async(core, f"{tag}/{i}", stream) for i, stream in enumerate(streams))
        return list(await asyncio.gather(*calls))

    out: list[list[str | None]] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(main())))
    thread.start()
    thread.join()
    return out[0] if out else ["the loop failed"]


def _sync_calls(core: OpenRouterCore, tag: str, streams: list[bool]) -> list[str | None]:
    return [echo_sync(core, f"{tag}/{i}", stream) for i, stream in enumerate(streams)]


@profile(slow=True)
@given(
    warm=st.sampled_from(["none", "sync", "async"]),
    child_async=st.booleans(),
    child=st.lists(st.booleans(), min_size=1, max_size=4),
    parent=st.lists(st.booleans(), max_size=4),
    busy=st.booleans(),
)
def test_fork(
    mock: MockServer, warm: str, child_async: bool, child: list[bool], parent: list[bool], busy: bool
) -> None:
    label = f"fork warm={warm} child_async={child_async} child={child} parent={parent} busy={busy}"
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)
    stop = threading.Event()
    worker = threading.Thread(
        target=lambda: [echo_sync(core, "busy", False) for _ in iter(stop.is_set, True)]
    )
    try:
        if warm == "sync":
            _wrong(label, _sync_calls(core, "warm", [False]))
        elif warm == "async":
            _wrong(label, _async_calls(core, "warm", [False]))
        if busy:
            worker.start()
        calls = _async_calls if child_async else _sync_calls

        def run() -> dict[str, object]:
            pid, read = fork(lambda: calls(core, "child", child))
            mine = _sync_calls(core, "parent", parent)
            return {"child": join(pid, read, timeout=30), "parent": mine}

        outcome = guarded(run)
    finally:
        stop.set()
        if worker.is_alive():
            worker.join()
        core.close()
    answer = outcome["child"]
    assert isinstance(answer, dict)
    if "escaped" in answer:
        with STATS.lock:
            STATS.escapes += 1
            STATS.escaped.append(f"{label}: the child {answer}"[:600])
        raise AssertionError(f"{label}: the child {answer}")
    if "value" not in answer:
        wrong(f"{label}: the child {answer}")
        return
    _wrong(label, [*answer["value"], *outcome["parent"]])  # type: ignore[misc]


@profile(slow=True)
@given(
    threads=st.integers(1, 3),
    rounds=st.integers(1, 3),
    streams=st.lists(st.booleans(), min_size=1, max_size=6),
    aclose_every=st.integers(0, 3),
)
def test_event_loops(
    mock: MockServer, threads: int, rounds: int, streams: list[bool], aclose_every: int
) -> None:
    label = f"loops threads={threads} rounds={rounds} streams={streams} aclose_every={aclose_every}"
    mock.reset()
    core = make_core(mock.base_url, **PATIENT)

    async def round_of(thread: int, round_: int) -> list[str | None]:
        calls = (echo_async(core, f"t{thread} r{round_} c{i}", s) for i, s in enumerate(streams))
        out = list(await asyncio.gather(*calls))
        if aclose_every and round_ % aclose_every == 0:
            await core.aclose()
            out.append(await echo_async(core, f"t{thread} r{round_} after aclose", False))
        return out

    def worker(thread: int) -> list[str | None]:
        return [r for round_ in range(rounds) for r in asyncio.run(round_of(thread, round_))]

    def run() -> list[str | None]:
        with ThreadPoolExecutor(threads) as pool:
            return [r for part in pool.map(worker, range(threads)) for r in part]

    try:
        results = guarded(run)
    finally:
        core.close()
    _wrong(label, results)
