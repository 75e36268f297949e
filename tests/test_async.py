"""chat_send_async and AsyncChatStream: the same contract as the sync path, plus cancellation."""

from __future__ import annotations

import asyncio
import gc
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from conftest import USER_HELLO, FakeTime, chat_body, chunk, sse

from openrouter_core import AsyncChatStream, Err, Ok, OpenRouterCore, RetryConfig, errors, models
from openrouter_funcs import chat_send_async

MakeCore = Callable[..., OpenRouterCore]
STREAM = {**USER_HELLO, "stream": True}


class AsyncBody(httpx.AsyncByteStream):
    """An async body in pieces, optionally failing or waiting forever after them; records closing."""

    def __init__(self, pieces: list[bytes], fail: Exception | None = None, hang: bool = False) -> None:
        self.pieces = pieces
        self.fail = fail
        self.hang = hang
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece
        if self.hang:
            await asyncio.Event().wait()
        if self.fail is not None:
            raise self.fail

    async def aclose(self) -> None:
        self.closed = True


async def open_stream(make_core: MakeCore, body: AsyncBody) -> AsyncChatStream:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    res = await chat_send_async(make_core(handler), STREAM)
    assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
    return res.value


async def test_async_ok_response(make_core: MakeCore) -> None:
    res = await chat_send_async(
        make_core(lambda r: httpx.Response(200, json=chat_body("async hi"))), USER_HELLO
    )
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "async hi"


async def test_async_error_statuses_and_validation(make_core: MakeCore) -> None:
    core = make_core(lambda r: httpx.Response(429, json={"error": {"code": 429, "message": "slow"}}))
    res = await chat_send_async(core, USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.TooManyRequestsResponseError)
    res = await chat_send_async(core, {"model": "m"})
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)


async def test_async_transport_failure(make_core: MakeCore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    res = await chat_send_async(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)


async def test_async_retries_use_the_async_sleep(make_core: MakeCore, fake_time: FakeTime) -> None:
    answers = [
        httpx.Response(503, json={"error": {"code": 503, "message": "x"}}),
        httpx.Response(200, json=chat_body()),
    ]
    core = make_core(lambda r: answers.pop(0), retry_config=RetryConfig(), rng=random.Random(1))
    assert (await chat_send_async(core, USER_HELLO)).ok
    assert fake_time.sleeps == [random.Random(1).uniform(0, 0.5)]


async def test_async_stream_and_collect(make_core: MakeCore) -> None:
    stream = await open_stream(make_core, AsyncBody([sse(chunk("a"), chunk("b"), chunk(finish="stop"))]))
    got = [c.choices[0].delta.content async for c in stream if c.choices]
    assert got == ["a", "b", None]
    assert stream.error is None
    res = await (
        await open_stream(make_core, AsyncBody([sse(chunk("x"), chunk("y", finish="stop"))]))
    ).collect()
    assert isinstance(res, Ok) and res.value.choices[0].message.content == "xy"


async def test_async_stream_errors_are_set_not_raised(make_core: MakeCore) -> None:
    body = AsyncBody([sse(chunk("a"), done=False)], fail=httpx.ReadError("reset"))
    stream = await open_stream(make_core, body)
    assert [c.choices[0].delta.content async for c in stream] == ["a"]
    assert isinstance(stream.error, errors.APIConnectionError)
    assert body.closed
    stream = await open_stream(
        make_core, AsyncBody([sse(chunk("a"), {"error": {"code": 502, "message": "gone"}})])
    )
    assert len([c async for c in stream]) == 1
    assert isinstance(stream.error, errors.BadGatewayResponseError)
    stream = await open_stream(make_core, AsyncBody([sse(chunk("a"), done=False)]))
    assert len([c async for c in stream]) == 1
    assert isinstance(stream.error, errors.StreamTruncatedError)


async def test_async_break_and_context_manager_release_the_connection(make_core: MakeCore) -> None:
    body = AsyncBody([sse(chunk("a")), sse(chunk("b", finish="stop"))])
    stream = await open_stream(make_core, body)
    async for _ in stream:
        break
    gc.collect()
    for _ in range(5):  # asyncio finalizes an abandoned async generator in a task of its own
        await asyncio.sleep(0)
    assert body.closed
    body = AsyncBody([sse(chunk("a")), sse(chunk("b", finish="stop"))])
    async with await open_stream(make_core, body) as stream:
        pass
    assert body.closed


async def test_cancelling_a_stream_propagates_and_closes(make_core: MakeCore) -> None:
    body = AsyncBody([sse(chunk("a"), done=False)], hang=True)
    stream = await open_stream(make_core, body)
    got: list[Any] = []

    async def consume() -> None:
        async for c in stream:
            got.append(c)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(got) == 1
    assert body.closed
    assert stream.error is None


async def test_cancelling_a_call_propagates(make_core: MakeCore) -> None:
    started = asyncio.Event()

    async def slow_handler(request: httpx.Request) -> httpx.Response:
        started.set()
        await asyncio.sleep(10)
        return httpx.Response(200, json=chat_body())

    core = make_core(slow_handler)  # type: ignore[arg-type]
    task = asyncio.create_task(chat_send_async(core, USER_HELLO))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
