"""Decoding a response body's Content-Encoding in bounded steps, so a compression bomb cannot blow up memory.

The SDK offers `Accept-Encoding: gzip, deflate`. A reply in any other coding, or in several stacked ones
(`gzip, gzip` turns a kilobyte into gigabytes), is refused before its body is read. An offered coding is
inflated at most `STEP` bytes at a time, so the size cap is checked long before a bomb has gone off.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator, Iterable, Iterator

import httpx

from openrouter_core._errors import ResponseTooLargeError, ResponseValidationError

__all__ = ["STEP", "Inflater", "refused_encoding"]

STEP = 256 * 1024
"""Most bytes one inflate step produces."""

_GZIP = 16 + zlib.MAX_WBITS
_ZLIB = zlib.MAX_WBITS
_RAW = -zlib.MAX_WBITS
_OFFERED = {"gzip": _GZIP, "x-gzip": _GZIP, "deflate": _ZLIB}


def _codings(response: httpx.Response) -> list[str]:
    value = response.headers.get("content-encoding", "")
    tokens = (part.strip().lower() for part in value.split(","))
    return [token for token in tokens if token and token != "identity"]


def refused_encoding(response: httpx.Response) -> ResponseValidationError | None:
    """The error of a body in a coding the SDK did not offer, or in stacked codings; None if it is fine."""
    codings = _codings(response)
    if len(codings) > 1:
        return ResponseValidationError(
            f"Refused a response in stacked content codings {', '.join(codings)!r}: only one of gzip or "
            "deflate was offered",
            status_code=response.status_code,
        )
    if codings and codings[0] not in _OFFERED:
        return ResponseValidationError(
            f"Refused a response in content coding {codings[0]!r}: only gzip or deflate was offered",
            status_code=response.status_code,
        )
    return None


class Inflater:
    """Turns the raw body into decoded pieces of at most `STEP` bytes, refusing more than `limit` in all."""

    __slots__ = ("_decoder", "_fallback", "_limit", "_size")

    def __init__(self, response: httpx.Response, limit: int | None) -> None:
        codings = _codings(response)
        wbits = _OFFERED.get(codings[0]) if len(codings) == 1 else None
        self._decoder = zlib.decompressobj(wbits) if wbits is not None else None
        # "deflate" should be zlib-wrapped, but some servers send raw deflate: retry that way once.
        self._fallback = wbits == _ZLIB
        self._limit = limit
        self._size = 0

    @property
    def identity(self) -> bool:
        """Whether the body needs no decoding at all."""
        return self._decoder is None

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw bytes."""
        decoder = self._decoder
        if decoder is None:
            yield data
            return
        try:
            piece = decoder.decompress(data, self._step())
        except zlib.error as exc:
            if not self._fallback:
                raise httpx.DecodingError(f"compressed body is corrupt: {exc}") from None
            self._fallback = False
            decoder = self._decoder = zlib.decompressobj(_RAW)
            try:
                piece = decoder.decompress(data, self._step())
            except zlib.error as exc2:
                raise httpx.DecodingError(f"compressed body is corrupt: {exc2}") from None
        self._fallback = False
        while True:
            if piece:
                self._count(len(piece))
                yield piece
            tail = decoder.unconsumed_tail
            if not tail:
                return
            try:
                piece = decoder.decompress(tail, self._step())
            except zlib.error as exc:
                raise httpx.DecodingError(f"compressed body is corrupt: {exc}") from None

    def _step(self) -> int:
        if self._limit is None:
            return STEP
        return max(1, min(STEP, self._limit - self._size + 1))

    def _count(self, size: int) -> None:
        self._size += size
        if self._limit is not None and self._size > self._limit:
            raise ResponseTooLargeError(f"Response body is larger than max_response_bytes={self._limit}")

    def body(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        """Every decoded piece of a raw body."""
        for data in raw:
            yield from self.pieces(data)

    async def abody(self, raw: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """The async twin of `body`."""
        async for data in raw:
            for piece in self.pieces(data):
                yield piece
