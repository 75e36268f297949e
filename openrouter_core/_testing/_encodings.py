"""Compressed replies: honest, stacked and lying Content-Encodings, and compression bombs."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace

from ._http import header_items
from ._script import Chunk, Delay, Reply

__all__ = ["bomb_reply", "encoded_reply"]

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
_SSE = "text/event-stream"


def _compress(pieces: Iterator[bytes], coding: str) -> Iterator[bytes]:
    wbits = _WBITS.get(coding)
    if wbits is None:  # a coding we cannot apply: the label lies about the bytes
        yield from pieces
        return
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    for piece in pieces:
        out = compressor.compress(piece)
        if out:
            yield out
    yield compressor.flush()


def _encode(data: Iterator[bytes], codings: tuple[str, ...]) -> bytes:
    for coding in codings:
        data = _compress(data, coding)
    return b"".join(data)


def encoded_reply(reply: Reply, *codings: str) -> Reply:
    """``reply`` with its body compressed by each of ``codings`` in turn and ``Content-Encoding`` saying so.

    gzip, x-gzip and deflate are really applied; any other name (``br``, ``zstd``, ``x-bogus``) is only
    declared, so the header lies about the bytes. Delays and closes in a chunked reply are dropped.
    """
    if reply.chunks is None:
        payload = reply.body or b""
    else:
        payload = b"".join(bytes(item) for item in reply.chunks if isinstance(item, (bytes, bytearray)))
    items = [(n, v) for n, v in header_items(reply.headers) if n.lower() != "content-length"]
    items.append(("Content-Encoding", ", ".join(codings)))
    return replace(reply, headers=items, body=_encode(iter([payload]), codings), chunks=None, raw=False)


def _inflating(size: int, coding: str, prefix: bytes, fill: bytes) -> bytes:
    """``prefix`` then ``fill`` bytes up to ``size``, compressed without ever building them.

    Each 1 MiB block is compressed after a full flush, so every block compresses to the same bytes and the
    body is one block's output repeated. Its trailer checksum is not that of the whole: a client meant to
    stop at its size cap never gets there.
    """
    wbits = _WBITS.get(coding)
    if wbits is None:
        raise ValueError(f"a bomb needs gzip, x-gzip or deflate innermost, not {coding!r}")
    block = fill * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = compressor.compress(prefix) + compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks = max(0, (size - len(prefix)) // len(block) - 1)
    return head + repeat * blocks + compressor.flush()


def bomb_reply(
    inflated: int, *codings: str, stream: bool = False, status: int = 200, piece: int = 64 * 1024
) -> Reply:
    """A compression bomb: a small body inflating to ``inflated`` bytes through ``codings`` (default gzip).

    Plain: zeros under a JSON Content-Type. ``stream=True``: a 200 ``text/event-stream`` holding one event
    that never ends (``data: aaaa...`` without a blank line). The compressed body is sent in ``piece``-sized
    writes and built in about a millisecond per inflated GiB, without holding the inflated bytes.
    """
    codings = codings or ("gzip",)
    inner = _inflating(inflated, codings[0], b"data: " if stream else b"", b"a" if stream else b"\0")
    body = _encode(iter([inner]), codings[1:])
    chunks: list[Chunk] = [body[i : i + piece] for i in range(0, len(body), piece)]
    if not chunks:
        chunks = [Delay(0)]
    headers = [("Content-Encoding", ", ".join(codings))]
    if stream:
        headers.append(("Cache-Control", "no-cache"))
    return Reply(
        status=status,
        headers=headers,
        chunks=chunks,
        content_type=_SSE if stream else "application/json",
    )
