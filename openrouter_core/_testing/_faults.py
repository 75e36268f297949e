"""Fault builders: hostile replies and servers for testing code that must survive a misbehaving API.

Every builder returns a :class:`Reply` (or wraps one), so faults compose: ``cut_at(split_writes(
garbage_sse_reply("hi"), 3), 120)`` sends a stream with garbage lines, three bytes per TCP write, and
drops the connection after 120 body bytes. Offsets count *payload* bytes (what the client's body
iterator yields), never chunk framing.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import random
import socket
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import msgspec

from ._builders import sse_event, stream_reply, text_reply
from ._http import header_items
from ._script import Chunk, Close, Delay, HeaderItems, Reply
from ._server import MockServer

__all__ = [
    "SlowAcceptServer",
    "bare_error_event_reply",
    "cut_at",
    "cut_in_head",
    "drip_reply",
    "empty_reply",
    "error_chunk_stream_reply",
    "garbage_body_reply",
    "garbage_sse_reply",
    "html_reply",
    "huge_reply",
    "lying_gzip_reply",
    "no_done_stream_reply",
    "payload_of",
    "refused_url",
    "sse_events_reply",
    "split_writes",
    "stall_at",
    "stall_before_headers",
    "status_reply",
    "truncated_json_reply",
    "unaccepted_listener",
    "wrong_types_reply",
]

_SSE = "text/event-stream"
_SSE_HEADERS = [("Cache-Control", "no-cache")]


# -- whole replies ---------------------------------------------------------------------------------


def status_reply(
    status: int,
    body: bytes = b"",
    *,
    headers: HeaderItems | None = None,
    content_type: str | None = "application/json",
) -> Reply:
    """Any status with any headers (``Retry-After``, ``retry-after-ms``...) and any body bytes."""
    return Reply(
        status=status, headers={} if headers is None else headers, body=body, content_type=content_type
    )


def truncated_json_reply(
    at: int | None = None,
    *,
    content: str = "cut short",
    status: int = 200,
    headers: HeaderItems | None = None,
) -> Reply:
    """A valid chat completion body cut to its first ``at`` bytes (default: half), correctly framed."""
    body = text_reply(content).body or b""
    cut = len(body) // 2 if at is None else max(0, min(at, len(body) - 1))
    return status_reply(status, body[:cut], headers=headers)


def wrong_types_reply(status: int = 200, *, variant: int = 0) -> Reply:
    """Well-formed JSON whose fields have the wrong types (``variant`` picks one of several shapes)."""
    shapes: list[Any] = [
        {"id": 1, "object": "chat.completion", "created": "yesterday", "model": None, "choices": "none"},
        {"id": "gen-1", "created": 1, "model": "m", "choices": [{"index": "0", "message": 42}]},
        {"id": "gen-1", "created": 1, "model": "m", "choices": [{"index": 0, "message": {"role": 7}}]},
        {"id": "gen-1", "created": 1, "model": "m", "choices": [], "usage": {"prompt_tokens": "many"}},
        [1, 2, 3],
        "a string",
        None,
        {"error": "not an object"},
    ]
    return status_reply(status, msgspec.json.encode(shapes[variant % len(shapes)]))


def garbage_body_reply(
    size: int = 256, *, seed: int = 0, status: int = 200, content_type: str | None = "application/json"
) -> Reply:
    """``size`` random bytes (reproducible from ``seed``) under a JSON Content-Type by default."""
    data = random.Random(seed).randbytes(size)
    return status_reply(status, data, content_type=content_type)


_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>\n"
)


def html_reply(status: int = 502, *, body: bytes = _HTML) -> Reply:
    """An HTML error page, as a proxy or CDN in front of the API sends it."""
    return status_reply(status, body, content_type="text/html; charset=utf-8")


def empty_reply(status: int = 200, *, content_type: str | None = "application/json") -> Reply:
    """A reply with an empty body (``Content-Length: 0``)."""
    return status_reply(status, b"", content_type=content_type)


def lying_gzip_reply(
    body: bytes | None = None,
    *,
    status: int = 200,
    truncated: bool = False,
    content_type: str = "application/json",
) -> Reply:
    """``Content-Encoding: gzip`` over bytes that are not gzip (``truncated``: a third of a gzip stream)."""
    payload = body if body is not None else text_reply("compressed?").body or b""
    data = gzip.compress(payload)[: max(1, len(payload) // 3)] if truncated else payload
    return status_reply(status, data, headers={"Content-Encoding": "gzip"}, content_type=content_type)


def huge_reply(
    size: int, *, declare_length: bool = False, piece: int = 64 * 1024, status: int = 200
) -> Reply:
    """A JSON-looking body of ``size`` bytes, sent in ``piece``-sized writes without building it in memory.

    With ``declare_length`` the size is announced in ``Content-Length`` up front; otherwise the body is
    chunked, so the client only learns its size by reading it.
    """
    head = b'{"id": "gen-huge", "padding": "'
    block = b"x" * piece
    remaining = max(0, size - len(head))
    chunks: list[Chunk] = [head]
    chunks.extend([block] * (remaining // piece))  # the same object repeated: no memory per piece
    if remaining % piece:
        chunks.append(block[: remaining % piece])
    if declare_length:
        return Reply(
            status=status, headers=[("Content-Length", str(len(head) + remaining))], chunks=chunks, raw=True
        )
    return Reply(status=status, chunks=chunks)


# -- SSE streams -----------------------------------------------------------------------------------


def sse_events_reply(
    events: Sequence[bytes], *, status: int = 200, headers: HeaderItems | None = None
) -> Reply:
    """A 200 ``text/event-stream`` whose body is exactly ``events``, one write each."""
    extra = header_items(headers) if headers is not None else []
    return Reply(status=status, headers=_SSE_HEADERS + extra, chunks=list(events), content_type=_SSE)


_NOISE = (
    b": OPENROUTER PROCESSING\n\n",
    b":\n\n",
    b"event: ping\n\n",
    b"id: 42\n\n",
    b"retry: 1000\n\n",
    b"retry: soon\n\n",
    b"x-garbage: \x00\xff\xfe binary\n\n",
    b"no colon at all\n\n",
    b": \xc3\x28 invalid utf-8 in a comment\n\n",
    b"\r\n",
    b"   \n\n",
    b"event: \n: two lines\n\n",
)


def _stream_events(reply: Reply) -> list[bytes]:
    return [bytes(item) for item in reply.chunks or () if isinstance(item, (bytes, bytearray, memoryview))]


def garbage_sse_reply(
    content: str = "noisy", *, seed: int = 0, per_event: int = 1, done: bool = True
) -> Reply:
    """A valid stream with SSE lines a client must ignore (comments, unknown fields, bad bytes) around it."""
    rng = random.Random(seed)
    events: list[bytes] = []
    for event in _stream_events(stream_reply(content, chunk_size=4, done=done, keepalive_comments=False)):
        events.extend(rng.choice(_NOISE) for _ in range(per_event))
        events.append(event)
    return sse_events_reply(events)


def bare_error_event_reply(code: int | str = 502, message: str = "Provider returned error") -> Reply:
    """A 200 stream whose only event is ``data: {"error": {...}}`` (no id, no choices)."""
    return sse_events_reply([sse_event({"error": {"code": code, "message": message}})])


def error_chunk_stream_reply(
    content: str = "partial", code: int | str = 502, message: str = "upstream died"
) -> Reply:
    """Some content, then an in-band error chunk (``error`` plus ``finish_reason: "error"``)."""
    return stream_reply(content, chunk_size=4, error={"code": code, "message": message})


def no_done_stream_reply(content: str = "no done", *, finish: bool = True) -> Reply:
    """A stream without ``[DONE]``; with ``finish=False`` also without any ``finish_reason`` (truncated)."""
    if finish:
        return stream_reply(content, chunk_size=4, done=False)
    events = _stream_events(stream_reply(content, chunk_size=4, done=False, keepalive_comments=False))
    return sse_events_reply(events[:-2])  # drop the finish chunk and the usage chunk


# -- transformations of any reply ------------------------------------------------------------------


def payload_of(reply: Reply) -> bytes:
    """The body bytes a client reads from ``reply`` when nothing goes wrong."""
    if reply.chunks is None:
        return reply.body or b""
    return b"".join(bytes(item) for item in reply.chunks if not isinstance(item, (Delay, Close)))


def _as_chunks(reply: Reply) -> tuple[Reply, list[Chunk]]:
    """``reply`` with its body turned into writable chunks, keeping Content-Length framing for a body."""
    if reply.chunks is not None:
        return reply, list(reply.chunks)
    body = reply.body or b""
    items = header_items(reply.headers)
    if not any(name.lower() in ("content-length", "transfer-encoding") for name, _ in items):
        items.append(("Content-Length", str(len(body))))
    return replace(reply, headers=items, body=None, chunks=[], raw=True), [body]


def _insert(reply: Reply, offset: int, marker: Chunk) -> Reply:
    base, chunks = _as_chunks(reply)
    out: list[Chunk] = []
    seen = 0
    placed = False
    for item in chunks:
        if placed or isinstance(item, (Delay, Close)):
            out.append(item)
            continue
        data = bytes(item)
        if seen + len(data) >= offset:
            cut = offset - seen
            out.extend(part for part in (data[:cut],) if part)
            out.append(marker)
            out.extend(part for part in (data[cut:],) if part)
            placed = True
        else:
            out.append(data)
        seen += len(data)
    if not placed:
        out.append(marker)
    return replace(base, chunks=out)


def cut_at(reply: Reply, offset: int, *, reset: bool = False) -> Reply:
    """Close the connection (``reset=True``: TCP RST) after ``offset`` body bytes, with the rest unsent."""
    return _insert(reply, offset, Close(reset=reset))


def cut_in_head(reply: Reply, offset: int = 0) -> Reply:
    """Close the connection after ``offset`` bytes of the status line and headers (0: before any byte)."""
    return replace(reply, close_in_head=offset)


def stall_at(reply: Reply, offset: int, seconds: float) -> Reply:
    """Stall for ``seconds`` after ``offset`` body bytes (mid-body, or mid-stream for an SSE reply)."""
    return _insert(reply, offset, Delay(seconds))


def stall_before_headers(reply: Reply, seconds: float) -> Reply:
    """Stall for ``seconds`` before the status line."""
    return replace(reply, delay_before_headers=seconds)


def split_writes(reply: Reply, size: int) -> Reply:
    """Send the body in writes of at most ``size`` bytes, splitting events, lines and UTF-8 sequences."""
    if size < 1:
        raise ValueError("size must be >= 1")
    base, chunks = _as_chunks(reply)
    out: list[Chunk] = []
    for item in chunks:
        if isinstance(item, (Delay, Close)):
            out.append(item)
            continue
        data = bytes(item)
        out.extend(data[i : i + size] for i in range(0, len(data), size))
    return replace(base, chunks=out)


def drip_reply(reply: Reply, *, piece: int = 1, interval: float = 0.01) -> Reply:
    """Send the body ``piece`` bytes at a time with ``interval`` seconds between writes (a slow server)."""
    split = split_writes(reply, piece)
    out: list[Chunk] = []
    for item in split.chunks or ():
        if out and not isinstance(item, (Delay, Close)):
            out.append(Delay(interval))
        out.append(item)
    return replace(split, chunks=out)


# -- connections -----------------------------------------------------------------------------------


def refused_url(host: str = "127.0.0.1", prefix: str = "/api/v1") -> str:
    """A base URL on a loopback port that nothing listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}{prefix}"


@contextlib.contextmanager
def unaccepted_listener(host: str = "127.0.0.1", prefix: str = "/api/v1") -> Iterator[str]:
    """A base URL whose listen backlog is full and never accepted: connecting hangs (a connect timeout)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind((host, 0))
        listener.listen(0)
        address = listener.getsockname()
        for _ in range(8):  # fill the accept queue; further SYNs are dropped by the kernel
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            fillers.append(filler)
            with contextlib.suppress(BlockingIOError, OSError):
                filler.connect(address)
        yield f"http://{host}:{address[1]}{prefix}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


class SlowAcceptServer(MockServer):
    """A :class:`MockServer` that takes ``accept_delay`` seconds to pick up each new connection.

    The kernel completes the TCP handshake (the connection waits in the listen backlog), but nothing is
    read or answered until the delay has passed, as with a server whose accept loop is overloaded.
    """

    def __init__(
        self, accept_delay: float, host: str = "127.0.0.1", port: int = 0, prefix: str = "/api/v1"
    ) -> None:
        if accept_delay < 0:
            raise ValueError("accept_delay must be >= 0")
        super().__init__(host, port, prefix)
        self.accept_delay = accept_delay

    async def _connection(
        self, connection_id: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await asyncio.sleep(self.accept_delay)
        await super()._connection(connection_id, reader, writer)
