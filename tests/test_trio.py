"""The async functions under trio: the transport, a stream, the batch and the tool loop all run on anyio."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import trio

from openrouter_core import AsyncChatStream, OpenRouterCore, models
from openrouter_core.testing import MockServer, error_reply, stream_reply, text_reply
from openrouter_funcs import ToolRun, chat_run_tools_async, chat_send_async, chat_send_many_async

REQUEST: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture(scope="module")
def running_server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def server(running_server: MockServer) -> MockServer:
    running_server.reset()
    return running_server


def _on_trio(server: MockServer, body: Any) -> Any:
    """Run `body(core)` under trio with a fresh core, and return what it returns."""

    async def main() -> Any:
        assert anyio.get_current_task() is not None and trio.lowlevel.current_task() is not None
        async with OpenRouterCore(api_key="sk-test", server_url=server.base_url) as core:
            return await body(core)

    return trio.run(main)


def test_chat_send_async_runs_on_trio(server: MockServer) -> None:
    server.enqueue(text_reply("hello from trio"))
    res = _on_trio(server, lambda core: chat_send_async(core, REQUEST))
    assert res.ok and isinstance(res.value, models.ChatResponse), res
    assert res.value.choices[0].message.content == "hello from trio"


def test_a_stream_runs_on_trio(server: MockServer) -> None:
    server.enqueue(stream_reply("streamed on trio", chunk_size=4))

    async def body(core: OpenRouterCore) -> tuple[str, object]:
        res = await chat_send_async(core, {**REQUEST, "stream": True})
        stream = res.unwrap()
        assert isinstance(stream, AsyncChatStream)
        text = ""
        async with stream:
            async for chunk in stream:
                text += chunk.choices[0].delta.content or "" if chunk.choices else ""
        return text, stream.error

    with warnings.catch_warnings():
        # Closing a stream at [DONE] leaves the inner async generators of httpx and httpcore (their streams
        # `__aiter__`) to the event loop's finalizer: asyncio's is silent, trio's warns.
        warnings.filterwarnings("ignore", r"Async generator '(httpx|httpcore)\._", ResourceWarning)
        assert _on_trio(server, body) == ("streamed on trio", None)


def test_chat_send_many_async_runs_on_trio_through_a_rate_limit_pause(server: MockServer) -> None:
    # The 429 pauses the batch (an anyio sleep under trio), then every request gets through.
    server.enqueue(error_reply(429, "slow down", headers={"Retry-After": "0.2"}))
    requests = [{**REQUEST, "messages": [{"role": "user", "content": f"n{n}"}]} for n in range(6)]
    results = _on_trio(server, lambda core: chat_send_many_async(core, requests, concurrency=3))
    assert len(results) == 6 and all(res.ok for res in results), results
    assert len(server.requests) == 7


def test_chat_run_tools_async_runs_on_trio(server: MockServer) -> None:
    async def slow_double(n: int) -> int:
        """Double a number, slowly."""
        await anyio.sleep(0.01)
        return 2 * n

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    server.enqueue(
        text_reply(None, tool_calls=[("slow_double", '{"n": 4}'), ("add", '{"a": 1, "b": 2}')]),
        text_reply("8 and 3"),
    )
    res = _on_trio(server, lambda core: chat_run_tools_async(core, REQUEST, [slow_double, add]))
    run = res.unwrap()
    assert isinstance(run, ToolRun) and run.turns == 2 and run.content == "8 and 3"
    replies = [m.content for m in run.messages if isinstance(m, models.ChatToolMessage)]
    assert replies == ["8", "3"]
