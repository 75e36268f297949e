"""The thin client's streams: a `ChatStream` whose loop and `collect()` raise the stream's error."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import TracebackType

    import httpx

    from openrouter_core._errors import OpenRouterError
    from openrouter_core._models._response import ChatResponse
    from openrouter_core._models._stream import ChatStreamingResponseChunk
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream

__all__ = ["AsyncRaisingChatStream", "RaisingChatStream"]


class RaisingChatStream:
    """What `client.chat.send` returns for a stream: the loop raises the stream's error after the last chunk.

    Every good chunk is yielded first, so a reply cut short mid-way is still on screen when the error is
    raised; leaving the loop early is not an error. `collect()` returns the whole reply or raises.
    """

    __slots__ = ("stream",)

    def __init__(self, stream: ChatStream) -> None:
        self.stream = stream
        """The underlying `ChatStream`, whose loop never raises."""

    @property
    def error(self) -> OpenRouterError | None:
        """Why the stream failed, or None while it is fine."""
        return self.stream.error

    @property
    def chunks(self) -> list[ChatStreamingResponseChunk]:
        """Every chunk delivered so far."""
        return self.stream.chunks

    @property
    def response(self) -> httpx.Response:
        """The HTTP response the chunks are read from."""
        return self.stream.response

    def __iter__(self) -> Iterator[ChatStreamingResponseChunk]:
        yield from self.stream
        if self.stream.error is not None:
            raise self.stream.error

    def collect(self) -> ChatResponse:
        """Read the rest of the stream and return the whole reply, or raise why it is incomplete."""
        return self.stream.collect().unwrap()

    def close(self) -> None:
        """Release the connection."""
        self.stream.close()

    def __enter__(self) -> RaisingChatStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stream.close()

    def __repr__(self) -> str:
        return f"<RaisingChatStream of {self.stream!r}>"


class AsyncRaisingChatStream:
    """What `client.chat.send_async` returns for a stream: `async for` raises the error after the chunks."""

    __slots__ = ("stream",)

    def __init__(self, stream: AsyncChatStream) -> None:
        self.stream = stream
        """The underlying `AsyncChatStream`, whose loop never raises."""

    @property
    def error(self) -> OpenRouterError | None:
        """Why the stream failed, or None while it is fine."""
        return self.stream.error

    @property
    def chunks(self) -> list[ChatStreamingResponseChunk]:
        """Every chunk delivered so far."""
        return self.stream.chunks

    @property
    def response(self) -> httpx.Response:
        """The HTTP response the chunks are read from."""
        return self.stream.response

    async def __aiter__(self) -> AsyncIterator[ChatStreamingResponseChunk]:
        async for chunk in self.stream:
            yield chunk
        if self.stream.error is not None:
            raise self.stream.error

    async def collect(self) -> ChatResponse:
        """Read the rest of the stream and return the whole reply, or raise why it is incomplete."""
        return (await self.stream.collect()).unwrap()

    async def aclose(self) -> None:
        """Release the connection."""
        await self.stream.aclose()

    async def __aenter__(self) -> AsyncRaisingChatStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stream.aclose()

    def __repr__(self) -> str:
        return f"<AsyncRaisingChatStream of {self.stream!r}>"
