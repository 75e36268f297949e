"""`AsyncChatStream`: the chunks of a streamed chat, iterated with `async for` without ever raising."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING

import httpx

from openrouter_core._errors import OpenRouterError
from openrouter_core._models._response import ChatResponse
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core._stream_state import StreamState
from openrouter_core._transport import body_bytes_async, map_exception
from openrouter_core.result import Result

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["AsyncChatStream", "aclose_quietly"]


async def aclose_quietly(response: httpx.Response) -> None:
    """Close a response whose outcome is already decided; a failure to close changes nothing."""
    with contextlib.suppress(Exception):
        await response.aclose()


class AsyncChatStream:
    """`async for` over `ChatStreamingResponseChunk`s; afterwards `.error` says whether the stream failed.

    Iteration never raises (cancellation propagates): failures end the loop and set `.error`. Leaving the
    loop early, `aclose()`, or an `async with` block releases the connection.
    """

    __slots__ = ("_bytes", "_state", "response")

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._state = StreamState(response.headers)
        self._bytes: AsyncIterator[bytes] | None = None

    @property
    def error(self) -> OpenRouterError | None:
        """Why the stream failed, or None while it is fine (check it after the loop)."""
        return self._state.error

    @property
    def chunks(self) -> list[ChatStreamingResponseChunk]:
        """Every chunk delivered so far."""
        return self._state.chunks

    async def _next(self) -> ChatStreamingResponseChunk | None:
        state = self._state
        while True:
            try:
                chunk = state.next_chunk()
                if chunk is not None:
                    return chunk
                if state.done:
                    break
                byte_iterator = self._bytes
                if byte_iterator is None:
                    byte_iterator = self._bytes = body_bytes_async(self.response)
                state.feed(await byte_iterator.__anext__())
            except StopAsyncIteration:
                state.eof()
            except Exception as exc:
                state.fail(state.aborted(exc) if state.done else map_exception(exc))
        await self.aclose()
        return None

    async def __aiter__(self) -> AsyncIterator[ChatStreamingResponseChunk]:
        try:
            while (chunk := await self._next()) is not None:
                yield chunk
        finally:
            await self.aclose()

    async def collect(self) -> Result[ChatResponse, OpenRouterError]:
        """Read the rest of the stream and return the whole reply, assembled from every chunk."""
        from openrouter_core._collect import assemble

        try:
            while await self._next() is not None:
                pass
        finally:
            await self.aclose()
        return assemble(self._state.chunks, self._state.collect_error())

    async def aclose(self) -> None:
        """Release the connection; the loop ends at the next chunk."""
        state = self._state
        if not state.done:
            state.done = state.closed_early = True
        if self._bytes is not None:
            byte_iterator, self._bytes = self._bytes, None
            if isinstance(byte_iterator, AsyncGenerator):
                with contextlib.suppress(RuntimeError):  # still running in the task being woken
                    await byte_iterator.aclose()
        await aclose_quietly(self.response)

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        status = self.response.status_code
        return f"<AsyncChatStream status={status} chunks={len(self.chunks)} error={self.error!r}>"
