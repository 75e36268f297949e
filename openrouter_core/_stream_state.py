"""What a chat stream has seen so far, and the part of a stream object that does no I/O: shared by the sync
and async streams."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

from openrouter_core._decode import chat_error
from openrouter_core._errors import (
    ChatError,
    OpenRouterError,
    RequestAbortedError,
    ResponseTooLargeError,
    ResponseValidationError,
    StreamTruncatedError,
    mid_stream,
)
from openrouter_core._exchange import event_limit, map_exception
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core._scrub import scrub, secrets_of
from openrouter_core._sse import SSEDecoder

if TYPE_CHECKING:
    import httpx

    from openrouter_core._hooks import CallObserver
    from openrouter_core._models._response import ChatResponse
    from openrouter_core.result import Result

__all__ = ["StreamState", "StreamView"]

_decode_chunk = msgspec.json.Decoder(ChatStreamingResponseChunk).decode
_DONE = b"[DONE]"


def _sent_headers(response: httpx.Response) -> Mapping[str, str] | None:
    """The headers of the request behind `response`, if it has one."""
    try:
        return response.request.headers
    except RuntimeError:  # a response built by hand, with no request
        return None


class StreamState:
    """Turns SSE payloads into chunks, and records the end of the stream and its first error."""

    __slots__ = (
        "_event_limit",
        "_feed",
        "_headers",
        "_sent_headers",
        "chunks",
        "closed_early",
        "done",
        "ended",
        "error",
        "observer",
        "pending",
        "sse",
    )

    def __init__(
        self,
        headers: Mapping[str, str],
        sent_headers: Mapping[str, str] | None = None,
        observer: CallObserver | None = None,
        event_limit: int | None = None,
    ) -> None:
        self._headers = headers
        self._sent_headers = sent_headers  # the request's, to find the key a server might echo
        self.observer = observer
        self._event_limit = event_limit
        self.sse = SSEDecoder()
        self._feed = self.sse.feed
        self.pending: deque[bytes] = deque()
        self.chunks: list[ChatStreamingResponseChunk] = []
        self.done = False
        self.closed_early = False
        self.ended = False
        self.error: OpenRouterError | None = None

    def fail(self, error: OpenRouterError) -> None:
        """End the stream with `error`, unless an earlier error already explains the end."""
        if self.error is None:
            self.error = self._scrubbed(self._mid_stream(error))
        self.done = True

    def _scrubbed(self, error: OpenRouterError) -> OpenRouterError:
        sent = self._sent_headers
        return scrub(error, secrets_of(sent)) if sent else error

    def _mid_stream(self, error: OpenRouterError) -> OpenRouterError:
        """`error`, saying that the stream (whose status was a 200) failed after so many chunks."""
        count = len(self.chunks)
        if isinstance(error, ChatError):
            error.chunks_before = count
        elif not isinstance(error, RequestAbortedError):
            error.message = f"{mid_stream(count)}: {error.message}"
            error.args = (error.message,)
        return error

    @staticmethod
    def core_closed(exc: Exception) -> RequestAbortedError:
        """The error of a read that failed because the stream's core (its HTTP client) was closed."""
        error = RequestAbortedError(
            "The stream was read after its core was closed (core.close(), the end of the core's with block,"
            " or closing the HTTP client passed in), which closed its connection: finish reading a stream"
            " before closing its core"
        )
        error.__cause__ = exc
        return error

    @staticmethod
    def aborted(exc: Exception) -> RequestAbortedError:
        """The error of a read that failed because the caller closed the stream meanwhile."""
        error = RequestAbortedError("The stream was closed by the caller while a read was waiting")
        error.__cause__ = exc
        return error

    def release(self) -> None:
        """Tell the observer, once, how the stream ended (called when the stream closes)."""
        observer = self.observer
        if observer is not None:
            self.observer = None
            observer.stream_end(self.error, self.closed_early)

    def collect_error(self) -> OpenRouterError | None:
        """Why `collect()` cannot give the whole reply: the stream's error, or an early close."""
        if self.error is None and self.closed_early:
            return RequestAbortedError("The stream was closed before its end, so the reply is incomplete")
        return self.error

    def feed(self, raw: bytes) -> None:
        """Queue the payloads completed by a piece of the body; raise once one event outgrows its limit."""
        self.pending.extend(self._feed(raw))
        limit = self._event_limit
        if limit is not None and self.sse.buffered > limit:
            raise ResponseTooLargeError(f"A stream event is larger than max_response_bytes={limit}")

    def eof(self) -> None:
        """The body ended: queue a last event that had no blank line after it."""
        self.ended = True
        self.pending.extend(self.sse.flush())

    def next_chunk(self) -> ChatStreamingResponseChunk | None:
        """The next queued chunk, or None when more bytes are needed or the stream is done."""
        pending = self.pending
        while pending and not self.done:
            data = pending.popleft()
            if data == _DONE:
                self.done = True
                break
            try:
                chunk = _decode_chunk(data)
            except (msgspec.DecodeError, RecursionError) as exc:
                text = data.decode("utf-8", "replace")
                self.fail(
                    ResponseValidationError(f"Malformed stream event: {exc}", body=text, status_code=200)
                )
                break
            if chunk.error is not None and self._error_chunk(chunk, data):
                continue
            self.chunks.append(chunk)
            if self.observer is not None:
                self.observer.chunk(chunk)
            return chunk
        if self.ended and not self.done:
            self.done = True
            if self.error is None and not self._finished():
                self.error = self._mid_stream(
                    StreamTruncatedError(
                        "the stream ended without [DONE] or a finish_reason: the reply may be incomplete"
                    )
                )
        return None

    def _error_chunk(self, chunk: ChatStreamingResponseChunk, data: bytes) -> bool:
        """Record an error event; True when it is a bare `{"error": ...}` that carries no chunk."""
        error = chunk.error
        assert error is not None
        if self.error is None:
            failure = chat_error(
                200,
                error.code,
                error.message,
                error.metadata,
                body=data,
                headers=self._headers,
                availability=error.availability,
            )
            self.error = self._scrubbed(self._mid_stream(failure))
        if chunk.choices or chunk.id:
            return False
        self.done = True
        return True

    def _finished(self) -> bool:
        # Checked once, at the end, rather than on every chunk: the last chunks carry the finish_reason.
        return any(
            choice.finish_reason is not None for chunk in reversed(self.chunks) for choice in chunk.choices
        )


class StreamView:
    """What `ChatStream` and `AsyncChatStream` share: the response, the state, and how a failed read ends."""

    __slots__ = ("_client", "_state", "response")

    def __init__(
        self,
        response: httpx.Response,
        observer: CallObserver | None = None,
        client: httpx.Client | httpx.AsyncClient | None = None,
    ) -> None:
        self.response = response
        self._client = client  # the client that sent it: reads fail once it is closed
        self._state = StreamState(response.headers, _sent_headers(response), observer, event_limit(response))
        self._open(response)

    def _open(self, response: httpx.Response) -> None:
        """Get ready to read `response`'s body, the sync or the async way."""
        raise NotImplementedError

    @property
    def error(self) -> OpenRouterError | None:
        """Why the stream failed, or None while it is fine (check it after the loop)."""
        return self._state.error

    @property
    def chunks(self) -> list[ChatStreamingResponseChunk]:
        """Every chunk delivered so far."""
        return self._state.chunks

    def _failed(self, exc: Exception) -> None:
        """End the stream on a read that raised `exc`: closed by the caller or with its core, or failed."""
        state = self._state
        if state.done:
            state.fail(state.aborted(exc))
        elif self._client is not None and self._client.is_closed:
            state.fail(state.core_closed(exc))
        else:
            state.fail(map_exception(exc))

    def _whole(self) -> Result[ChatResponse, OpenRouterError]:
        """The reply assembled from every chunk, or why it cannot be."""
        from openrouter_core._collect import assemble

        return assemble(self._state.chunks, self._state.collect_error())

    def __repr__(self) -> str:
        status = self.response.status_code
        return f"<{type(self).__name__} status={status} chunks={len(self.chunks)} error={self.error!r}>"
