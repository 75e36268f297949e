"""A fast keep-alive HTTP/1.1 loopback server with pre-built replies, chosen by the first path segment.

`/small/...` answers the 1.7 KB reply, `/large/...` the 61 KB one, `/stream/...` a 2,000-chunk SSE stream.
Run `python bench/server.py` to serve on a free port (printed on stdout), `--ceiling` to measure its req/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from payloads import large_body, small_body, sse_events

STREAM_CHUNKS = 2000


def _response(body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n"
        "x-generation-id: gen-1732700000-AbCdEfGhIjKlMnOpQrSt\r\n\r\n"
    )
    return head.encode() + body


def _chunked(events: list[bytes]) -> bytes:
    """An SSE response in chunked transfer-encoding, one HTTP chunk per event, as real servers stream it."""
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n"
        "transfer-encoding: chunked\r\nx-generation-id: gen-1732700000-AbCdEfGhIjKlMnOpQrSt\r\n\r\n"
    )
    body = b"".join(b"%x\r\n%s\r\n" % (len(event), event) for event in events)
    return head.encode() + body + b"0\r\n\r\n"


def build_routes() -> dict[bytes, bytes]:
    """Each route's complete response bytes, built once."""
    return {
        b"small": _response(small_body(), "application/json"),
        b"large": _response(large_body(), "application/json"),
        b"stream": _chunked(sse_events(STREAM_CHUNKS)),
    }


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nnot found"


class Http(asyncio.Protocol):
    """Parses pipelined keep-alive requests and writes the pre-built reply of each one's route."""

    routes: dict[bytes, bytes] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            length = _content_length(head)
            if len(buf) < end + 4 + length:
                break
            buf = buf[end + 4 + length :]
            path = head[head.find(b" ") + 1 : head.find(b"\r\n")]
            route = path.split(b"/", 2)[1] if path.startswith(b"/") else b""
            self.transport.write(self.routes.get(route, _NOT_FOUND))  # type: ignore[attr-defined]
        self.buf = buf


def _content_length(head: bytes) -> int:
    lower = head.lower()
    at = lower.find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = lower.find(b"\r\n", at + 2)
    return int(lower[at + 17 : end if end > 0 else None].strip())


async def serve(port: int) -> None:
    """Serve forever, printing the bound port once listening."""
    Http.routes = build_routes()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Http, "127.0.0.1", port, backlog=4096, reuse_address=True)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def _read_response(sock: socket.socket, buf: bytes) -> bytes:
    while (end := buf.find(b"\r\n\r\n")) < 0:
        buf += sock.recv(262144)
    if b"chunked" in buf[:end]:
        while (last := buf.find(b"\r\n0\r\n\r\n", end)) < 0:
            buf += sock.recv(262144)
        return buf[last + 7 :]
    total = end + 4 + _content_length(buf[:end])
    while len(buf) < total:
        buf += sock.recv(262144)
    return buf[total:]


def raw_sequential(port: int, route: str, seconds: float) -> float:
    """Requests per second of one raw-socket keep-alive client, one request at a time."""
    request = (
        f"POST /{route}/v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
        "content-length: 2\r\n\r\n{}"
    ).encode()
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buf, count, start = b"", 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            sock.sendall(request)
            buf = _read_response(sock, buf)
            count += 1
        return count / (time.perf_counter() - start)


def main() -> None:
    """Serve, or with `--ceiling PORT` measure a running server's ceiling and print it as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ceiling", type=int, help="measure the server on this port")
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    if args.ceiling:
        small = raw_sequential(args.ceiling, "small", args.seconds)
        stream = raw_sequential(args.ceiling, "stream", args.seconds)
        print(f'{{"small_rps": {small:.1f}, "stream_chunks_per_s": {stream * STREAM_CHUNKS:.1f}}}')
        return
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port))


if __name__ == "__main__":
    main()
