"""An exact sync deadline: every socket read, write and connect of the core's own client waits at most the
time the current attempt has left (loaded with the core's own sync client, not at import).

httpx's sync timeouts bound each wait for bytes, not the whole exchange: a server that drips one byte just
before every read timeout, headers included, could hold a call forever. The core's own transport gets a
network backend whose streams cap each wait by the deadline in `attempt_deadline` (set around one attempt).
"""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpcore
import httpx

from openrouter_core._deadline import attempt_deadline

__all__ = ["KNOWN_HTTPCORE", "KNOWN_HTTPX", "deadline_transport"]

# The releases whose private `HTTPTransport._pool._network_backend` this hook was written against and
# checked on (tests/test_deadline_backend.py fails on any other, so a new release is looked at, not assumed).
KNOWN_HTTPX = ("0.27", "0.28")
KNOWN_HTTPCORE = ("1.0",)


def _capped(timeout: float | None, exc: type[Exception]) -> float | None:
    deadline = attempt_deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise exc("the attempt's deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A network stream whose every wait ends by the attempt's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        tls = self._stream.start_tls(ssl_context, server_hostname, _capped(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections whose streams honour the attempt's deadline."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        timeout = _capped(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def deadline_transport(
    limits: httpx.Limits, proxy: str | None = None, verify: ssl.SSLContext | bool = True
) -> tuple[httpx.HTTPTransport, bool]:
    """The core's own sync transport (through `proxy` if given), and whether its reads honour
    `attempt_deadline`.

    httpx has no public way to hand its connection pool a network backend; if its internals ever move,
    the transport stays plain and the watchdog (`_watchdog`) guards bodies as it does for a user's client.
    """
    transport = httpx.HTTPTransport(limits=limits, proxy=proxy, verify=verify)
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if not isinstance(backend, httpcore.NetworkBackend):
        return transport, False
    pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]
    return transport, True
