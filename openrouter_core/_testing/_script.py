"""Scripting primitives: what the mock server writes, and what it recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import msgspec

__all__ = ["Chunk", "Close", "Delay", "Handler", "HeaderItems", "RecordedRequest", "Reply"]


@dataclass(frozen=True, slots=True)
class Delay:
    """Stall for ``seconds`` before the next write of a scripted reply."""

    seconds: float

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"Delay must be >= 0 seconds, got {self.seconds!r}")


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connection at this point of a scripted reply (``reset=True`` sends a TCP RST)."""

    reset: bool = False


Chunk: TypeAlias = bytes | Delay | Close
"""One item of ``Reply.chunks``: bytes to write, a stall, or a connection close."""
HeaderItems: TypeAlias = Mapping[str, str] | Sequence[tuple[str, str]]
"""Response headers as a mapping, or as ``(name, value)`` pairs to send duplicates in order."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted HTTP response, written byte-exactly by the mock server.

    Exactly one of ``body`` (sent with ``Content-Length`` in a single write) or ``chunks`` (each
    ``bytes`` item in its own write, framed with chunked transfer encoding) may be given; with
    neither the body is empty. ``Delay`` items stall between writes and ``Close`` items close the
    connection on the spot. With ``raw=True`` no framing header is added and the body is delimited by
    closing the connection. ``close_after_bytes`` closes the connection once that many body bytes
    (counted on the wire after the header block, chunk framing included) have been written.
    Framing headers the script sets itself (``Content-Length``, ``Transfer-Encoding``) are sent
    verbatim and replace the automatic ones, which allows lying about the body on purpose.
    """

    status: int = 200
    headers: HeaderItems = field(default_factory=dict)
    body: bytes | None = None
    chunks: Sequence[Chunk] | None = None
    delay_before_headers: float = 0.0
    close_after_bytes: int | None = None
    content_type: str | None = "application/json"
    raw: bool = False
    keep_alive: bool = True
    reason: str | None = None
    close_in_head: int | None = None
    """Close the connection after this many bytes of the status line and headers (0: before any byte)."""

    def __post_init__(self) -> None:
        if self.body is not None and self.chunks is not None:
            raise ValueError("Reply takes either body or chunks, not both")
        if self.delay_before_headers < 0:
            raise ValueError("delay_before_headers must be >= 0")
        if self.close_after_bytes is not None and self.close_after_bytes < 0:
            raise ValueError("close_after_bytes must be >= 0")
        if self.close_in_head is not None and self.close_in_head < 0:
            raise ValueError("close_in_head must be >= 0")
        if not 100 <= self.status <= 999:
            raise ValueError(f"status must be a 3-digit code, got {self.status!r}")
        if self.chunks is not None:
            for item in self.chunks:
                if not isinstance(item, (bytes, bytearray, memoryview, Delay, Close)):
                    raise TypeError(f"chunks items must be bytes, Delay or Close, got {item!r}")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as received by the mock server (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: str = ""
    http_version: str = "HTTP/1.1"
    connection_id: int = 0

    def json(self) -> Any:
        """Decode the body as JSON."""
        return msgspec.json.decode(self.body)


Handler: TypeAlias = Callable[[RecordedRequest], Reply | None]
"""A request handler for ``MockServer.set_handler``; returning ``None`` falls back to the defaults."""
