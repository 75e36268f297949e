"""Issue 10 items 7 and 8: hostile objects handed to the SDK never make a call raise.

Item 8: exceptions whose `__repr__` and `__str__` raise, coming from a custom transport, a stream's bytes, a
request mapping, a hook, or a requests sequence's `len()`, still end as an `Err` (or `stream.error`).
Item 7: `chat_send_many(resume=True)` used to open and then close fd 1 (`open(True)` is `open(1)`); a
`resume` that is not a str or path-like is refused before anything is opened or sent.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import pytest

from openrouter_core import AsyncChatStream, ChatStream, Err, Hooks, Ok, OpenRouterCore, errors
from openrouter_core.testing import MockServer
from openrouter_funcs import chat_send, chat_send_async, chat_send_many, chat_send_many_async

from ._support import KEY, NO_RETRY, PATIENT, REQUEST, STREAM_REQUEST, guarded, make_core


class Unprintable(Exception):
    """An exception that cannot be turned into text."""

    def __repr__(self) -> str:
        raise RuntimeError("repr refused")

    def __str__(self) -> str:
        raise RuntimeError("str refused")


class HostileMapping(Mapping[str, Any]):
    """A request mapping whose every read raises an `Unprintable`."""

    def __getitem__(self, key: str) -> Any:
        raise Unprintable

    def __iter__(self) -> Iterator[str]:
        raise Unprintable

    def __len__(self) -> int:
        return 2


class HostileRequests(list[Any]):
    """A requests list whose `len()` raises an `Unprintable`."""

    def __len__(self) -> int:
        raise Unprintable


def raising(request: httpx.Request) -> httpx.Response:
    raise Unprintable


class SyncBytes(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        yield b'data: {"id": "x", "choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n'
        raise Unprintable


class AsyncBytes(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'data: {"id": "x", "choices": [{"index": 0, "delta": {"content": "a"}}]}\n\n'
        raise Unprintable


def streaming(request: httpx.Request) -> httpx.Response:
    stream: Any = AsyncBytes() if "async" in request.url.path else SyncBytes()
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=stream)


def core_with(handler: Any, path: str = "") -> OpenRouterCore:
    transport = httpx.MockTransport(handler)
    return OpenRouterCore(
        api_key=KEY,
        server_url=f"http://127.0.0.1:9/{path}",
        retry_config=NO_RETRY,
        client=httpx.Client(transport=transport),
        async_client=httpx.AsyncClient(transport=transport),
    )


async def _close(core: OpenRouterCore) -> None:
    await core.async_client.aclose()
    core.client.close()


def test_a_transport_raising_an_unprintable_exception_gives_an_err() -> None:
    core = core_with(raising)
    res = guarded(lambda: chat_send(core, REQUEST))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res
    assert "Unprintable" in str(res.error)
    asyncio.run(_close(core))


def test_a_transport_raising_an_unprintable_exception_gives_an_err_async() -> None:
    async def run() -> Any:
        core = core_with(raising)
        try:
            return await chat_send_async(core, REQUEST)
        finally:
            await _close(core)

    res = guarded(lambda: asyncio.run(run()))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res


def test_a_stream_whose_bytes_raise_an_unprintable_exception_ends_with_an_error() -> None:
    core = core_with(streaming, "sync")

    def run() -> ChatStream:
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream), res
        list(res.value)
        return res.value

    stream = guarded(run)
    assert [c.choices[0].delta.content for c in stream.chunks] == ["a"]
    assert isinstance(stream.error, errors.UnexpectedClientError), stream.error
    asyncio.run(_close(core))


def test_a_stream_whose_bytes_raise_an_unprintable_exception_ends_with_an_error_async() -> None:
    async def run() -> AsyncChatStream:
        core = core_with(streaming, "async")
        try:
            res = await chat_send_async(core, STREAM_REQUEST)
            assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream), res
            async for _ in res.value:
                pass
            return res.value
        finally:
            await _close(core)

    stream = guarded(lambda: asyncio.run(run()))
    assert isinstance(stream.error, errors.UnexpectedClientError), stream.error


def test_a_request_mapping_raising_unprintable_exceptions_gives_an_err(mock: MockServer) -> None:
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        res = guarded(lambda: chat_send(core, HostileMapping()))
        results = guarded(lambda: chat_send_many(core, [HostileMapping(), REQUEST], progress=False))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res
    assert isinstance(results[0], Err) and isinstance(results[1], Ok), results
    assert len(mock.requests) == 1, "only the good request of the batch is sent"


def test_a_request_mapping_raising_unprintable_exceptions_gives_an_err_async(mock: MockServer) -> None:
    mock.reset()

    async def run() -> tuple[Any, Any]:
        async with make_core(mock.base_url, **PATIENT) as core:
            one = await chat_send_async(core, HostileMapping())
            many = await chat_send_many_async(core, [HostileMapping(), REQUEST], progress=False)
            return one, many

    res, results = guarded(lambda: asyncio.run(run()))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res
    assert isinstance(results[0], Err) and isinstance(results[1], Ok), results


def test_a_hook_raising_an_unprintable_exception_gives_an_err(mock: MockServer) -> None:
    mock.reset()

    def hook(request: httpx.Request) -> None:
        raise Unprintable

    with make_core(mock.base_url, hooks=Hooks(before_request=[hook])) as core:
        res = guarded(lambda: chat_send(core, REQUEST))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res
    assert "Unprintable" in str(res.error)


def test_a_requests_sequence_whose_len_raises_gives_errs(mock: MockServer) -> None:
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        results = guarded(lambda: chat_send_many(core, HostileRequests([REQUEST]), progress=False))
    assert results and all(isinstance(res, Err) for res in results), results


def test_a_requests_sequence_whose_len_raises_gives_errs_async(mock: MockServer) -> None:
    mock.reset()

    async def run() -> list[Any]:
        async with make_core(mock.base_url, **PATIENT) as core:
            return await chat_send_many_async(core, HostileRequests([REQUEST]), progress=False)

    results = guarded(lambda: asyncio.run(run()))
    assert results and all(isinstance(res, Err) for res in results), results


@pytest.fixture
def stdout_fd() -> Iterator[None]:
    """Fd 1 restored after the test, whatever the code under test did to it."""
    saved = os.dup(1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _fd1_is_open() -> bool:
    try:
        os.fstat(1)
    except OSError:
        return False
    return True


@pytest.mark.parametrize("resume", [True, False, 1, 0, b"results.jsonl", 2.5])
def test_resume_that_is_not_a_file_name_is_refused(mock: MockServer, stdout_fd: None, resume: Any) -> None:
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        results = chat_send_many(core, [REQUEST, REQUEST], resume=resume, progress=False)
    assert _fd1_is_open(), "fd 1 (stdout) was closed"
    assert len(results) == 2
    for res in results:
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
        assert res.error.path == "resume"
    assert mock.requests == [], "nothing may be sent"


@pytest.mark.parametrize("resume", [True, 1, b"results.jsonl"])
def test_resume_that_is_not_a_file_name_is_refused_async(
    mock: MockServer, stdout_fd: None, resume: Any
) -> None:
    mock.reset()

    async def run() -> list[Any]:
        async with make_core(mock.base_url, **PATIENT) as core:
            return await chat_send_many_async(core, [REQUEST], resume=resume, progress=False)

    results = asyncio.run(run())
    assert _fd1_is_open(), "fd 1 (stdout) was closed"
    assert isinstance(results[0], Err) and isinstance(results[0].error, errors.SDKValidationError), results
    assert mock.requests == [], "nothing may be sent"


@pytest.mark.parametrize("concurrency", [True, 2.0, float("nan"), -1])
def test_concurrency_that_is_not_a_positive_int_is_refused(mock: MockServer, concurrency: Any) -> None:
    mock.reset()
    with make_core(mock.base_url, **PATIENT) as core:
        results = chat_send_many(core, [REQUEST], concurrency=concurrency, progress=False)
    assert isinstance(results[0], Err) and isinstance(results[0].error, errors.SDKValidationError), results
    assert mock.requests == [], "nothing may be sent"
