"""Sending a `Prepared` request with httpx's async client, retrying: the async I/O shell of `_exchange`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

import anyio
import httpx

from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import (
    BodyBuffer,
    Decode,
    Exchange,
    OpenStream,
    aclose_quietly,
    body_bytes_async,
    build_request,
    map_exception,
    total_timeout,
)
from openrouter_core._hooks import CallObserver
from openrouter_core._prepare import Prepared
from openrouter_core.result import Result

__all__ = ["send_async"]

T = TypeVar("T")
S = TypeVar("S")


async def _read(core: OpenRouterCore, response: httpx.Response, deadline: float) -> bytes:
    buffer = BodyBuffer(core, response, deadline)
    async for chunk in body_bytes_async(response, core.max_response_bytes):
        buffer.add(chunk)
    return buffer.body()


async def _attempt(exchange: Exchange[T, S]) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    # An event-loop deadline is exact even against a server that drips one byte at a time.
    arrived: list[httpx.Response] = []  # the response, if its headers came before the deadline (for res.raw)
    with anyio.move_on_after(exchange.prepared.timeout_s):
        return await _round_trip(exchange, arrived)
    return total_timeout(exchange.prepared), arrived[0] if arrived else None


class _Releasing(httpx.AsyncByteStream):
    """A response body that gives its client back to the core when the response closes."""

    __slots__ = ("_release", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], Awaitable[None]]) -> None:
        self._stream = stream
        self._release: Callable[[], Awaitable[None]] | None = release

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._stream.__aiter__()

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                await release()


async def _send(core: OpenRouterCore, prepared: Prepared) -> httpx.Response:
    """Send on the loop's client, which the response gives back when it closes (or at once on failure)."""
    client, release = core.acquire_async_client()
    if release is None:
        return await client.send(build_request(core, client, prepared), stream=True)
    try:
        response = await client.send(build_request(core, client, prepared), stream=True)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await release()
        raise
    if isinstance(response.stream, httpx.AsyncByteStream):
        response.stream = _Releasing(response.stream, release)
    else:
        with anyio.CancelScope(shield=True):
            await release()
    return response


async def _round_trip(
    exchange: Exchange[T, S], arrived: list[httpx.Response]
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    core = exchange.core
    deadline = exchange.sending()
    try:
        response = await _send(core, exchange.prepared)
    except Exception as exc:
        return map_exception(exc), None
    arrived.append(response)
    stream: S | None = None
    try:
        stream = exchange.opened(response)
        if stream is not None:
            return stream, response  # the stream owns the response now (a failed open_stream closes it)
        body = await _read(core, response, deadline)
    except Exception as exc:
        return map_exception(exc), response
    finally:
        if stream is None:
            with anyio.CancelScope(shield=True):
                await aclose_quietly(response)
    return exchange.decoded(response, body), response


async def send_async(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None = None,
    observer: CallObserver | None = None,
) -> Result[T | S, OpenRouterError]:
    """`send` on the running loop's async client, pausing with the core's `async_sleep` (or anyio's)."""
    exchange = Exchange(core, prepared, decode, open_stream, observer)
    sleep = core.async_sleep or anyio.sleep
    while isinstance(step := exchange.after(*await _attempt(exchange)), float):
        await sleep(step)
    return step
