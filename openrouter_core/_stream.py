"""`ChatStream`: the chunks of a streamed chat, iterated without ever raising."""

from __future__ import annotations

import contextlib
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING

import httpx

from openrouter_core._exchange import body_bytes, close_quietly
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core._stream_state import StreamView
from openrouter_core._watchdog import shutdown_socket

if TYPE_CHECKING:
    from types import TracebackType

    from openrouter_core._errors import OpenRouterError
    from openrouter_core._models._response import ChatResponse
    from openrouter_core.result import Result

__all__ = ["ChatStream"]


class ChatStream(StreamView):
    """Iterate for `ChatStreamingResponseChunk`s; afterwards `.error` says whether the stream failed.

    Iteration never raises: a dropped connection, a malformed event or an error event ends the loop and
    sets `.error`. Leaving the loop early, `close()`, or a `with` block releases the connection.
    """

    __slots__ = ("_bytes",)

    def _open(self, response: httpx.Response) -> None:
        # A generator object only: nothing is read before the first chunk is asked for.
        self._bytes: Iterator[bytes] = body_bytes(response)

    def _next(self) -> ChatStreamingResponseChunk | None:
        state = self._state
        while True:
            try:
                chunk = state.next_chunk()
                if chunk is not None:
                    return chunk
                if state.done:
                    break
                state.feed(next(self._bytes))
            except StopIteration:
                state.eof()
            except Exception as exc:
                self._failed(exc)
        self.close()
        return None

    def __iter__(self) -> Iterator[ChatStreamingResponseChunk]:
        try:
            while (chunk := self._next()) is not None:
                yield chunk
        finally:
            self.close()

    def collect(self) -> Result[ChatResponse, OpenRouterError]:
        """Read the rest of the stream and return the whole reply, assembled from every chunk."""
        try:
            while self._next() is not None:
                pass
        finally:
            self.close()
        return self._whole()

    def close(self) -> None:
        """Release the connection; the loop ends at the next chunk (a read blocked in another thread too)."""
        state = self._state
        if not state.done:
            state.done = state.closed_early = True
            shutdown_socket(self.response)
        byte_iterator, self._bytes = self._bytes, iter(())
        if isinstance(byte_iterator, Generator):
            with contextlib.suppress(ValueError):  # still running in the thread we just woke
                byte_iterator.close()
        close_quietly(self.response)
        state.release()

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
