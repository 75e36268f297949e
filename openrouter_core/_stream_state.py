"""What a chat stream has seen so far, shared by the sync and async streams. No I/O."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from openrouter_core._decode import chat_error
from openrouter_core._errors import (
    OpenRouterError,
    RequestAbortedError,
    ResponseValidationError,
    StreamTruncatedError,
)
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core._sse import SSEDecoder

__all__ = ["StreamState"]

_CHUNK_DECODER = msgspec.json.Decoder(ChatStreamingResponseChunk)
_DONE = b"[DONE]"


class StreamState:
    """Turns SSE payloads into chunks, and records the end of the stream and its first error."""

    __slots__ = ("_headers", "chunks", "done", "ended", "error", "finished", "pending", "sse")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = headers
        self.sse = SSEDecoder()
        self.pending: list[bytes] = []
        self.chunks: list[ChatStreamingResponseChunk] = []
        self.done = False
        self.ended = False
        self.finished = False
        self.error: OpenRouterError | None = None

    def fail(self, error: OpenRouterError) -> None:
        """End the stream with `error`, unless an earlier error already explains the end."""
        if self.error is None:
            self.error = error
        self.done = True

    @staticmethod
    def aborted(exc: Exception) -> RequestAbortedError:
        """The error of a read that failed because the caller closed the stream meanwhile."""
        error = RequestAbortedError("The stream was closed by the caller while a read was waiting")
        error.__cause__ = exc
        return error

    def payload(self, data: bytes) -> ChatStreamingResponseChunk | None:
        """The chunk an SSE payload holds, or None when it ends the stream or carries no chunk."""
        if data == _DONE:
            self.done = True
            return None
        try:
            chunk = _CHUNK_DECODER.decode(data)
        except msgspec.DecodeError as exc:
            text = data.decode("utf-8", "replace")
            self.fail(ResponseValidationError(f"Malformed stream event: {exc}", body=text, status_code=200))
            return None
        error = chunk.error
        if error is not None:
            self.error = self.error or chat_error(
                200, error.code, error.message, error.metadata, body=data, headers=self._headers
            )
            if not chunk.choices and not chunk.id:
                # A bare `{"error": ...}` event: nothing to deliver, and nothing more will come.
                self.done = True
                return None
        if not self.finished:
            for choice in chunk.choices:
                if choice.finish_reason is not None:
                    self.finished = True
        self.chunks.append(chunk)
        return chunk

    def feed(self, raw: bytes) -> None:
        """Queue the payloads completed by a piece of the body."""
        self.pending.extend(self.sse.feed(raw))

    def eof(self) -> None:
        """The body ended: queue a last event that had no blank line after it."""
        self.ended = True
        self.pending.extend(self.sse.flush())

    def next_chunk(self) -> ChatStreamingResponseChunk | None:
        """The next queued chunk, or None when more bytes are needed or the stream is done."""
        pending = self.pending
        while pending and not self.done:
            chunk = self.payload(pending.pop(0))
            if chunk is not None:
                return chunk
        if self.ended and not self.done:
            self.done = True
            if not self.finished and self.error is None:
                self.error = StreamTruncatedError(
                    "The stream ended without [DONE] or a finish_reason: the reply may be incomplete"
                )
        return None
