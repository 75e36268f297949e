"""Sending a `Prepared` request with httpx (sync), retrying, and the one place httpx errors are translated."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TypeVar

import httpx

from openrouter_core._core import OpenRouterCore
from openrouter_core._deadline import attempt_deadline
from openrouter_core._errors import (
    APIConnectionError,
    InvalidRequestError,
    OpenRouterError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ResponseValidationError,
    UnexpectedClientError,
)
from openrouter_core._hooks import run_after_response, run_before_request, run_on_error
from openrouter_core._log import log_request, log_response
from openrouter_core._prepare import Prepared
from openrouter_core._raw import RawResponse
from openrouter_core._retries import RetryPlan
from openrouter_core._watchdog import watchdog
from openrouter_core.result import Err, Ok, Result

__all__ = [
    "BodyBuffer",
    "Decode",
    "OpenStream",
    "body_bytes",
    "body_bytes_async",
    "build_request",
    "close_quietly",
    "is_stream",
    "map_exception",
    "outcome_result",
    "send",
    "start_stream_reads",
    "total_timeout",
]

T = TypeVar("T")
S = TypeVar("S")
Decode = Callable[[int, Mapping[str, str], bytes], "T | OpenRouterError"]
"""Turns a finished response into the model, or the error its status and body call for."""
OpenStream = Callable[[httpx.Response], S]

_TIMEOUTS: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
    (httpx.ConnectTimeout, "connect"),
    (httpx.ReadTimeout, "read"),
    (httpx.WriteTimeout, "write"),
    (httpx.PoolTimeout, "pool"),
)

# Most specific first, as httpx's own map_httpcore_exceptions does.
_TABLE: tuple[tuple[type[Exception], Callable[[Exception], OpenRouterError]], ...] = (
    (httpx.TimeoutException, lambda exc: _timeout(exc)),
    (httpx.UnsupportedProtocol, lambda exc: InvalidRequestError(f"Unusable server URL: {exc}")),
    (httpx.InvalidURL, lambda exc: InvalidRequestError(f"Unusable server URL: {exc}")),
    (httpx.DecodingError, lambda exc: ResponseValidationError(f"Response body could not be decoded: {exc}")),
    (httpx.NetworkError, lambda exc: APIConnectionError(f"Unable to make request: {exc!r}")),
    (httpx.RemoteProtocolError, lambda exc: APIConnectionError(f"Connection broke: {exc!r}")),
    (httpx.ProxyError, lambda exc: APIConnectionError(f"Proxy failed: {exc!r}")),
    (OSError, lambda exc: APIConnectionError(f"Unable to make request: {exc!r}")),
)


def total_timeout(timeout_s: float) -> RequestTimeoutError:
    """The error of an attempt that overran its `timeout_ms`."""
    return RequestTimeoutError(
        f"Request timed out (total): no response within {timeout_s:g} s", deadline="total"
    )


def _timeout(exc: Exception) -> RequestTimeoutError:
    deadline = next((name for cls, name in _TIMEOUTS if isinstance(exc, cls)), "read")
    return RequestTimeoutError(f"Request timed out ({deadline}): {exc!r}", deadline=deadline)


def map_exception(exc: Exception) -> OpenRouterError:
    """Our error for an exception from httpx (or from a hook), with the original chained as `__cause__`."""
    if isinstance(exc, OpenRouterError):
        return exc
    for cls, make in _TABLE:
        if isinstance(exc, cls):
            error = make(exc)
            break
    else:
        if isinstance(exc, (httpx.LocalProtocolError, UnicodeError)):
            # Their text quotes the offending value, which may be the API key: name the type only.
            return UnexpectedClientError(
                f"Unexpected client error: {type(exc).__name__} while building the request"
            )
        error = UnexpectedClientError(f"Unexpected client error: {exc!r}")
    error.__cause__ = exc
    return error


def _check_size(size: int, limit: int) -> None:
    """Raise `ResponseTooLargeError` once a body passes `limit` bytes."""
    if size > limit:
        raise ResponseTooLargeError(f"Response body is larger than max_response_bytes={limit}")


def start_stream_reads(response: httpx.Response, idle_timeout_s: float) -> None:
    """Let a stream's body reads wait up to the idle timeout (the call deadline only covered its headers)."""
    # httpcore reads the read timeout from this dict when body iteration starts (httpcore/_sync/http11.py).
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = idle_timeout_s


def outcome_result(
    core: OpenRouterCore,
    outcome: T | OpenRouterError,
    response: httpx.Response | None,
    started: float,
    now: float,
    attempts: int,
) -> Result[T, OpenRouterError]:
    """The call's Result: the last attempt's outcome as `Ok` or `Err`, with its `RawResponse` if any."""
    raw = None
    if response is not None:
        raw = RawResponse(
            status_code=response.status_code,
            headers=response.headers,
            url=str(response.request.url),
            elapsed_ms=(now - started) * 1000,
            attempts=attempts,
        )
    if isinstance(outcome, OpenRouterError):
        return Err(core.scrub(outcome), raw)
    return Ok(outcome, raw)


def build_request(
    core: OpenRouterCore, client: httpx.Client | httpx.AsyncClient, prepared: Prepared
) -> httpx.Request:
    """The attempt's request, with every hook applied."""
    timeout = core.timeout_extension(prepared.timeout_s)
    if core.owns_clients:
        # Our own client has no cookies, auth or default headers to merge: skip build_request's merging.
        request = httpx.Request(
            prepared.method,
            prepared.url,
            content=prepared.body,
            headers=prepared.headers,
            extensions={"timeout": timeout},
        )
    else:
        request = client.build_request(
            prepared.method,
            prepared.url,
            content=prepared.body,
            headers=prepared.headers,
            extensions={"timeout": timeout},
        )
    if core.hooks.before_request:
        request = run_before_request(core.hooks, request)
    return request


def body_bytes(response: httpx.Response) -> Iterator[bytes]:
    """The body as it arrives, decoded only if a Content-Encoding asks for it."""
    if _raw_body_is_final(response):
        return response.iter_raw()
    return response.iter_bytes()


def body_bytes_async(response: httpx.Response) -> AsyncIterator[bytes]:
    """The async twin of `body_bytes`."""
    if _raw_body_is_final(response):
        return response.aiter_raw()
    return response.aiter_bytes()


def _raw_body_is_final(response: httpx.Response) -> bool:
    """Whether the body is unread and needs no decoding, so `iter_raw` can skip httpx's decoders."""
    return "content-encoding" not in response.headers and not response.is_stream_consumed


def close_quietly(response: httpx.Response) -> None:
    """Close a response whose outcome is already decided; a failure to close changes nothing."""
    with contextlib.suppress(Exception):
        response.close()


def is_stream(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers.get("content-type", "").startswith(
        "text/event-stream"
    )


class BodyBuffer:
    """Collects a body as it arrives, enforcing `max_response_bytes` and the attempt's clock deadline."""

    __slots__ = ("_chunks", "_clock", "_deadline", "_limit", "_size")

    def __init__(self, core: OpenRouterCore, response: httpx.Response, deadline: float) -> None:
        self._limit = core.max_response_bytes
        self._clock = core.clock
        self._deadline = deadline
        self._chunks: list[bytes] = []
        self._size = 0
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit():
            _check_size(int(declared), self._limit)

    def add(self, chunk: bytes) -> None:
        """Keep one more piece; raise once the body is too large or too late."""
        self._size += len(chunk)
        _check_size(self._size, self._limit)
        if self._clock() > self._deadline:
            raise RequestTimeoutError("Request timed out (total): the body took too long", deadline="total")
        self._chunks.append(chunk)

    def body(self) -> bytes:
        """Everything kept, in one piece."""
        return b"".join(self._chunks)


def _read(core: OpenRouterCore, response: httpx.Response, deadline: float) -> bytes:
    buffer = BodyBuffer(core, response, deadline)
    for chunk in body_bytes(response):
        buffer.add(chunk)
    return buffer.body()


def _attempt(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None,
    attempt: int,
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    try:
        # Created on first use, before the clock starts: setting up TLS is not the server's time.
        client = core.client
    except Exception as exc:
        return map_exception(exc), None
    real_deadline = time.monotonic() + prepared.timeout_s
    token = attempt_deadline.set(real_deadline)
    try:
        outcome, response = _exchange(core, client, prepared, decode, open_stream, attempt, real_deadline)
    finally:
        attempt_deadline.reset(token)  # a stream's later reads answer to the idle timeout only
    if isinstance(outcome, RequestTimeoutError) and time.monotonic() >= real_deadline:
        outcome = total_timeout(prepared.timeout_s)
    return outcome, response


def _exchange(
    core: OpenRouterCore,
    client: httpx.Client,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None,
    attempt: int,
    real_deadline: float,
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    deadline = core.clock() + prepared.timeout_s
    log_request(prepared.method, prepared.url, prepared.headers, attempt)
    try:
        response = client.send(build_request(core, client, prepared), stream=True)
    except Exception as exc:
        return map_exception(exc), None
    log_response(response.status_code, response.headers)
    streaming = False
    watch = None
    try:
        if core.hooks.after_response:
            run_after_response(core.hooks, response)
        if open_stream is not None and is_stream(response):
            start_stream_reads(response, core.idle_timeout_ms / 1000)
            stream = open_stream(response)
            streaming = True  # only now does the stream own the response (a failed open_stream closes it)
            return stream, response
        if not core.exact_deadlines:  # a user's client: its reads know no deadline, so watch the socket
            watch = watchdog.arm(real_deadline, response)
        body = _read(core, response, deadline)
    except Exception as exc:
        if watch is not None and watch.fired:
            return total_timeout(prepared.timeout_s), response
        return map_exception(exc), response
    finally:
        watchdog.disarm(watch)
        if not streaming:
            close_quietly(response)
    return decode(response.status_code, response.headers, body), response


def send(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None = None,
) -> Result[T | S, OpenRouterError]:
    """Send with retries; a 200 event stream becomes `open_stream(response)`, anything else is decoded."""
    plan = RetryPlan(prepared.retry, core.clock, core.rng)
    started = core.clock()
    while True:
        outcome, response = _attempt(core, prepared, decode, open_stream, plan.attempts)
        delay = None
        if isinstance(outcome, OpenRouterError):
            if core.hooks.on_error:
                outcome = run_on_error(core.hooks, outcome)
            delay = plan.delay_after(outcome)
        if delay is None:
            return outcome_result(core, outcome, response, started, core.clock(), plan.attempts)
        core.sleep(delay)
