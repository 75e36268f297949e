"""Incremental Server-Sent Events decoder that yields raw ``data`` payloads as bytes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

__all__ = ["SSEDecoder", "decode_all"]

_BOM = b"\xef\xbb\xbf"


class SSEDecoder:
    """Incremental SSE decoder: feed raw bytes, get the data payloads of complete events."""

    __slots__ = (
        "_bom_buf",
        "_parts",
        "_parts_size",
        "_skip_lf",
        "_tail",
        "_tail_nl",
        "event_type",
        "last_event_id",
        "retry",
    )

    last_event_id: str
    event_type: str
    retry: int | None
    _tail: bytes
    _parts: list[bytes]
    _parts_size: int
    _tail_nl: bool
    _skip_lf: bool
    _bom_buf: bytes | None

    def __init__(self) -> None:
        self.last_event_id = ""
        self.event_type = ""
        self.retry = None
        self._reset()

    def _reset(self) -> None:
        # Invariant: the pending bytes (_tail followed by _parts) start at the beginning of an event, never
        # contain b"\n\n", and have already been normalised to LF line endings.
        self._tail = b""
        self._parts = []
        self._parts_size = 0
        self._tail_nl = False
        self._skip_lf = False
        # None once the start of the stream has been checked for a BOM.
        self._bom_buf = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        """Consume a chunk of the stream; return the data payloads of the events it completes, in order."""
        if self._bom_buf is not None:
            chunk = self._bom_buf + chunk
            if len(chunk) < 3 and _BOM.startswith(chunk):
                self._bom_buf = chunk
                return []
            self._bom_buf = None
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
        if self._skip_lf and chunk:
            # The previous chunk ended in CR: an LF here completes that CRLF, it is not a second line end.
            self._skip_lf = False
            if chunk[0] == 10:
                chunk = chunk[1:]
        # `13 in chunk` rather than `b"\r" in chunk`: the int form skips a costly failed int conversion.
        if 13 in chunk:
            # CRLF, CR and LF are equivalent line ends (§9.2.6), so rewrite to LF and parse LF only.
            # A trailing CR may be the first half of a CRLF whose LF is in the next chunk.
            self._skip_lf = chunk[-1] == 13
            chunk = chunk.replace(b"\r\n", b"\n")
            if 13 in chunk:
                chunk = chunk.replace(b"\r", b"\n")
        if not chunk:
            return []

        if self._tail:
            # Only the new chunk is scanned, and pending chunks are joined once, when the event completes.
            nl = chunk.find(b"\n")
            if nl < 0 or (not (nl == 0 and self._tail_nl) and chunk.find(b"\n\n", nl) < 0):
                self._parts.append(chunk)
                self._parts_size += len(chunk)
                self._tail_nl = chunk[-1] == 10
                return []
            if self._parts:
                self._parts.append(chunk)
                buf = self._tail + b"".join(self._parts)
                self._parts = []
                self._parts_size = 0
            else:
                buf = self._tail + chunk
        else:
            buf = chunk

        n = len(buf)
        nl = buf.find(b"\n")
        if nl < 0:
            self._tail = buf
            self._tail_nl = False
            return []
        if nl == n - 2 and buf[-1] == 10 and buf.startswith(b"data: "):
            self._tail = b""
            self.event_type = ""
            return [buf[6:nl]]
        out: list[bytes] = []
        append = out.append
        find = buf.find
        startswith = buf.startswith
        p = 0
        fast_last = False
        while nl >= 0:
            if nl == p:
                p += 1
                nl = find(b"\n", p)
                continue
            if nl + 1 < n and buf[nl + 1] == 10:
                # A single-line event: the payload of `data: ...` is a plain slice.
                end = nl
                if startswith(b"data: ", p):
                    append(buf[p + 6 : end])
                    fast_last = True
                    p = end + 2
                    nl = find(b"\n", p)
                    continue
            else:
                end = find(b"\n\n", nl + 1)
                if end < 0:
                    break
            payload = self._dispatch(buf[p:end])
            if payload is not None:
                append(payload)
                fast_last = False
            p = end + 2
            nl = find(b"\n", p)

        if fast_last:
            self.event_type = ""
        if p < n:
            self._tail = buf[p:] if p else buf
            self._tail_nl = buf[-1] == 10
        else:
            self._tail = b""
        return out

    @property
    def buffered(self) -> int:
        """Bytes held for an event that has not ended yet."""
        return len(self._tail) + self._parts_size

    def flush(self) -> list[bytes]:
        """End the stream: return the payload of an unterminated final event, if any, and reset the parser."""
        out: list[bytes] = []
        if self._bom_buf:
            # A stream shorter than a BOM that is a prefix of one: it is ordinary content.
            pending, self._bom_buf = self._bom_buf, None
            out = self.feed(pending)
        block = self._tail + b"".join(self._parts)
        self._reset()
        # Deliberately more lenient than §9.2.6, which discards an event not followed by a blank line: servers
        # often close the stream right after the last event's final line.
        if block:
            payload = self._dispatch(block)
            if payload is not None:
                out.append(payload)
        return out

    def _dispatch(self, block: bytes) -> bytes | None:
        data: list[bytes] | None = None
        event = b""
        for line in block.split(b"\n"):
            if not line or line[0] == 58:
                continue
            colon = line.find(b":")
            if colon < 0:
                name = line
                value = b""
            else:
                name = line[:colon]
                value = line[colon + 1 :]
                if value[:1] == b" ":
                    value = value[1:]
            if name == b"data":
                if data is None:
                    data = [value]
                else:
                    data.append(value)
            elif name == b"event":
                event = value
            elif name == b"id":
                # The last event ID is updated at every blank line, even when no event is dispatched.
                if 0 not in value:
                    self.last_event_id = value.decode("utf-8", "replace")
            elif name == b"retry" and value.isdigit():
                # int() refuses absurdly long digit strings (sys.int_max_str_digits); such a value is ignored.
                with contextlib.suppress(ValueError):
                    self.retry = int(value)
        if data is None:
            return None
        self.event_type = event.decode("utf-8", "replace")
        return b"\n".join(data)


def decode_all(chunks: Iterable[bytes]) -> list[bytes]:
    """Decode a whole stream given as chunks: feed each one, then flush."""
    decoder = SSEDecoder()
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    out.extend(decoder.flush())
    return out
