"""Item 6: one core shared by 16 threads (sync) and by 500 concurrent tasks (async): every caller gets its
own answer (the mock echoes each caller's unique message back), streams included."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from openrouter_core import AsyncChatStream, ChatStream, Ok
from openrouter_core.testing import MockServer
from openrouter_funcs import chat_send, chat_send_async

from ._support import make_core, scale


def _request(tag: str, stream: bool) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": tag}], "stream": stream}


def test_sixteen_threads_share_one_core(mock: MockServer) -> None:
    mock.reset()
    per_thread = scale(25, 100)
    wrong: list[str] = []
    start = threading.Barrier(16)
    with make_core(
        mock.base_url, timeout_ms=30_000, idle_timeout_ms=30_000, connect_timeout_ms=10_000
    ) as core:

        def worker(thread: int) -> int:
            start.wait()
            done = 0
            for i in range(per_thread):
                tag = f"thread {thread} call {i}"
                stream = i % 3 == 0
                res = chat_send(core, _request(tag, stream))
                if stream:
                    if not (isinstance(res, Ok) and isinstance(res.value, ChatStream)):
                        wrong.append(f"{tag}: {res!r}")
                        continue
                    whole = res.value.collect()
                    text = whole.value.choices[0].message.content if isinstance(whole, Ok) else repr(whole)
                else:
                    text = res.value.choices[0].message.content if isinstance(res, Ok) else repr(res)  # type: ignore[union-attr]
                if text != f"You said: {tag}":
                    wrong.append(f"{tag}: {text!r}")
                done += 1
            return done

        with ThreadPoolExecutor(16) as pool:
            counts = list(pool.map(worker, range(16)))
    assert not wrong, wrong[:5]
    assert sum(counts) == 16 * per_thread


async def test_five_hundred_tasks_share_one_core(mock: MockServer) -> None:
    mock.reset()
    tasks = 500

    async with make_core(
        mock.base_url, timeout_ms=60_000, idle_timeout_ms=60_000, connect_timeout_ms=10_000
    ) as core:

        async def call(i: int) -> str | None:
            tag = f"task {i}"
            stream = i % 4 == 0
            res = await chat_send_async(core, _request(tag, stream))
            if stream:
                if not (isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)):
                    return f"{tag}: {res!r}"
                whole = await res.value.collect()
                text = whole.value.choices[0].message.content if isinstance(whole, Ok) else repr(whole)
            else:
                text = res.value.choices[0].message.content if isinstance(res, Ok) else repr(res)  # type: ignore[union-attr]
            return None if text == f"You said: {tag}" else f"{tag}: {text!r}"

        results = await asyncio.gather(*(call(i) for i in range(tasks)))
    wrong = [r for r in results if r is not None]
    assert not wrong, wrong[:5]
    assert len(mock.requests) == tasks
