"""Sending a `Prepared` request with httpx's sync client, retrying: the sync I/O shell around `_exchange`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TypeVar

import httpx

from openrouter_core._core import OpenRouterCore
from openrouter_core._deadline import attempt_deadline
from openrouter_core._errors import OpenRouterError, RequestTimeoutError
from openrouter_core._exchange import (
    BodyBuffer,
    Decode,
    Exchange,
    OpenStream,
    body_bytes,
    build_request,
    close_quietly,
    map_exception,
    total_timeout,
)
from openrouter_core._hooks import CallObserver
from openrouter_core._prepare import Prepared
from openrouter_core._watchdog import watchdog
from openrouter_core.result import Result

__all__ = ["send"]

T = TypeVar("T")
S = TypeVar("S")


def _read(core: OpenRouterCore, response: httpx.Response, deadline: float) -> bytes:
    buffer = BodyBuffer(core, response, deadline)
    for chunk in body_bytes(response, core.max_response_bytes):
        buffer.add(chunk)
    return buffer.body()


def _attempt(exchange: Exchange[T, S]) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    core, prepared = exchange.core, exchange.prepared
    try:
        # Created on first use, before the clock starts: setting up TLS is not the server's time.
        client, exact_deadlines = core.acquire_client()
    except Exception as exc:
        return map_exception(exc), None
    real_deadline = time.monotonic() + prepared.timeout_s
    token = attempt_deadline.set(real_deadline)
    try:
        sent = _round_trip(exchange, client, exact_deadlines, real_deadline)
    finally:
        attempt_deadline.reset(token)  # a stream's later reads answer to the idle timeout only
    outcome, response = sent
    if isinstance(outcome, RequestTimeoutError) and time.monotonic() >= real_deadline:
        return total_timeout(prepared), response
    return sent


class _Releasing(httpx.SyncByteStream):
    """A response body that gives its client back to the core when the response closes."""

    __slots__ = ("_client", "_core", "_stream")

    def __init__(self, stream: httpx.SyncByteStream, core: OpenRouterCore, client: httpx.Client) -> None:
        self._stream = stream
        self._core: OpenRouterCore | None = core
        self._client = client

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._stream)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            core, self._core = self._core, None
            if core is not None:
                core.release_client(self._client)


def _send(core: OpenRouterCore, client: httpx.Client, prepared: Prepared) -> httpx.Response:
    """Send on `client`, which the response gives back to the core when it closes (or at once on failure)."""
    try:
        response = client.send(build_request(core, client, prepared), stream=True)
    except BaseException:
        core.release_client(client)
        raise
    if isinstance(response.stream, httpx.SyncByteStream):
        response.stream = _Releasing(response.stream, core, client)
    else:
        core.release_client(client)
    return response


def _round_trip(
    exchange: Exchange[T, S], client: httpx.Client, exact_deadlines: bool, real_deadline: float
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    core = exchange.core
    deadline = exchange.sending()
    try:
        response = _send(core, client, exchange.prepared)
    except Exception as exc:
        return map_exception(exc), None
    stream: S | None = None
    watch = None
    try:
        stream = exchange.opened(response)
        if stream is not None:
            return stream, response  # the stream owns the response now (a failed open_stream closes it)
        if not exact_deadlines:  # a user's client: its reads know no deadline, so watch the socket
            watch = watchdog.arm(real_deadline, response)
        body = _read(core, response, deadline)
    except Exception as exc:
        if watch is not None and watch.fired:
            return total_timeout(exchange.prepared), response
        return map_exception(exc), response
    finally:
        watchdog.disarm(watch)
        if stream is None:
            close_quietly(response)
    return exchange.decoded(response, body), response


def send(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None = None,
    observer: CallObserver | None = None,
) -> Result[T | S, OpenRouterError]:
    """Send with retries; a 200 event stream becomes `open_stream(response)`, anything else is decoded.

    `observer` hears of each retry and its pause.
    """
    exchange = Exchange(core, prepared, decode, open_stream, observer)
    while isinstance(step := exchange.after(*_attempt(exchange)), float):
        core.sleep(step)
    return step
