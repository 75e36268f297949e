"""Minimal HTTP/1.1 wire handling: parse requests and write scripted replies byte-exactly."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Mapping
from http import HTTPStatus

from ._script import Close, Delay, HeaderItems, Reply

__all__ = [
    "BadRequest",
    "ConnectionDone",
    "ParsedRequest",
    "build_head",
    "close_connection",
    "header_items",
    "read_request",
    "write_reply",
]

_REASONS = {status.value: status.phrase for status in HTTPStatus}
_CRLF = b"\r\n"
_HEAD_END = b"\r\n\r\n"
_CHUNK_END = b"0\r\n\r\n"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_LINGER_RESET = struct.pack("ii", 1, 0)


class BadRequest(Exception):
    """The client sent something that is not a valid HTTP/1.x request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ConnectionDone(Exception):
    """The reply script closed the connection; stop serving it."""


ParsedRequest = tuple[str, str, str, dict[str, str], bytes]


async def read_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> ParsedRequest | None:
    """Read one request; ``None`` when the client closed the connection cleanly between requests."""
    try:
        head = await reader.readuntil(_HEAD_END)
    except asyncio.IncompleteReadError as exc:
        if exc.partial.strip():
            raise BadRequest(400, "Truncated request head") from None
        return None
    except asyncio.LimitOverrunError:
        raise BadRequest(431, "Request head too large") from None
    lines = head[:-4].split(_CRLF)
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise BadRequest(400, "Malformed request line")
    method, target, version = (part.decode("latin-1") for part in parts)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "Malformed header line")
        key = name.lower().decode("latin-1")
        text = value.strip().decode("latin-1")
        previous = headers.get(key)
        headers[key] = text if previous is None else f"{previous}, {text}"
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(_CONTINUE)
    transfer_encoding = headers.get("transfer-encoding")
    if transfer_encoding is not None:
        if transfer_encoding.lower().rsplit(",", 1)[-1].strip() != "chunked":
            raise BadRequest(501, f"Unsupported Transfer-Encoding: {transfer_encoding}")
        body = await _read_chunked(reader)
    else:
        length_text = headers.get("content-length")
        if length_text is None:
            body = b""
        else:
            if not length_text.isdigit():
                raise BadRequest(400, f"Invalid Content-Length: {length_text}")
            length = int(length_text)
            body = await reader.readexactly(length) if length else b""
    return method, target, version, headers, body


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(_CRLF)
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest(400, "Malformed chunk size") from None
        if size == 0:
            break
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != _CRLF:
            raise BadRequest(400, "Missing CRLF after chunk data")
    while await reader.readuntil(_CRLF) != _CRLF:
        pass  # trailers are accepted and dropped
    return b"".join(parts)


def header_items(headers: HeaderItems) -> list[tuple[str, str]]:
    """Normalise a header mapping or pair sequence into a list of pairs."""
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


def build_head(reply: Reply, *, keep_alive: bool, chunked: bool, length: int) -> bytes:
    """Render the status line and headers, adding framing headers the script did not set."""
    reason = reply.reason if reply.reason is not None else _REASONS.get(reply.status, "Unknown")
    items = header_items(reply.headers)
    names = {name.lower() for name, _ in items}
    lines = [f"HTTP/1.1 {reply.status} {reason}"]
    if reply.content_type is not None and "content-type" not in names:
        lines.append(f"Content-Type: {reply.content_type}")
    if not reply.raw and "content-length" not in names and "transfer-encoding" not in names:
        lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    if not keep_alive and "connection" not in names:
        lines.append("Connection: close")
    lines.extend(f"{name}: {value}" for name, value in items)
    lines.append("\r\n")
    return "\r\n".join(lines).encode()


async def close_connection(writer: asyncio.StreamWriter, *, reset: bool) -> None:
    """Close (FIN) or reset (RST via SO_LINGER 0) the connection, then stop serving it."""
    if reset:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
        writer.transport.abort()
    else:
        writer.close()
    raise ConnectionDone


class _Body:
    """Writes body bytes, enforcing ``close_after_bytes`` across writes."""

    __slots__ = ("budget", "writer")

    def __init__(self, writer: asyncio.StreamWriter, budget: int | None) -> None:
        self.writer = writer
        self.budget = budget

    async def send(self, data: bytes) -> None:
        budget = self.budget
        if budget is not None:
            if len(data) >= budget:
                if budget:
                    self.writer.write(data[:budget])
                    await self.writer.drain()
                await close_connection(self.writer, reset=False)
            self.budget = budget - len(data)
        self.writer.write(data)
        await self.writer.drain()


async def write_reply(
    writer: asyncio.StreamWriter, reply: Reply, *, keep_alive: bool, head_only: bool
) -> None:
    """Write ``reply``; raises :class:`ConnectionDone` if the script closed the connection."""
    if reply.delay_before_headers:
        await asyncio.sleep(reply.delay_before_headers)
    chunks = reply.chunks
    chunked = chunks is not None and not reply.raw
    body = reply.body or b""
    head = build_head(reply, keep_alive=keep_alive, chunked=chunked, length=len(body))
    if reply.close_in_head is not None:
        if reply.close_in_head:
            writer.write(head[: reply.close_in_head])
            await writer.drain()
        await close_connection(writer, reset=False)
    if head_only:
        writer.write(head)
        await writer.drain()
        return
    if chunks is None and reply.close_after_bytes is None:
        writer.write(head + body)
        await writer.drain()
        return
    writer.write(head)
    await writer.drain()
    out = _Body(writer, reply.close_after_bytes)
    if chunks is None:
        if body:
            await out.send(body)
    else:
        for item in chunks:
            if isinstance(item, Delay):
                await asyncio.sleep(item.seconds)
            elif isinstance(item, Close):
                await close_connection(writer, reset=item.reset)
            elif not item:
                continue  # an empty chunk would terminate chunked framing early
            elif chunked:
                await out.send(b"%x\r\n%b\r\n" % (len(item), item))
            else:
                await out.send(bytes(item))
        if chunked:
            await out.send(_CHUNK_END)
