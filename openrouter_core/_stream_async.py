"""`AsyncChatStream`: the chunks of a streamed chat, iterated with `async for` without ever raising."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING

import httpx

from openrouter_core._exchange import aclose_quietly, body_bytes_async
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core._stream_state import StreamView

if TYPE_CHECKING:
    from types import TracebackType

    from openrouter_core._errors import OpenRouterError
    from openrouter_core._models._response import ChatResponse
    from openrouter_core.result import Result

__all__ = ["AsyncChatStream"]


class AsyncChatStream(StreamView):
    """`async for` over `ChatStreamingResponseChunk`s; afterwards `.error` says whether the stream failed.

    Iteration never raises (cancellation propagates): failures end the loop and set `.error`. Leaving the
    loop early, `aclose()`, or an `async with` block releases the connection.
    """

    __slots__ = ("_bytes",)

    def _open(self, response: httpx.Response) -> None:
        # A generator object only: nothing is read before the first chunk is asked for.
        self._bytes: AsyncIterator[bytes] | None = body_bytes_async(response)

    async def _next(self) -> ChatStreamingResponseChunk | None:
        state = self._state
        while True:
            try:
                chunk = state.next_chunk()
                if chunk is not None:
                    return chunk
                if state.done:
                    break
                if self._bytes is None:  # closed meanwhile
                    break
                state.feed(await self._bytes.__anext__())
            except StopAsyncIteration:
                state.eof()
            except Exception as exc:
                self._failed(exc)
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
        try:
            while await self._next() is not None:
                pass
        finally:
            await self.aclose()
        return self._whole()

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
        state.release()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
