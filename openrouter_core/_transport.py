"""Sending a `Prepared` request with httpx (sync), retrying, and the one place httpx errors are translated."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import httpx

from openrouter_core._core import OpenRouterCore
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
    "Decode",
    "OpenStream",
    "check_size",
    "close_quietly",
    "is_stream",
    "map_exception",
    "send",
    "start_stream_reads",
    "total_timeout",
    "with_raw",
]

T = TypeVar("T")
S = TypeVar("S")
Decode = Callable[[int, Mapping[str, str], bytes], Result[T, OpenRouterError]]
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
        error = UnexpectedClientError(f"Unexpected HTTP client error: {exc!r}")
    error.__cause__ = exc
    return error


def check_size(size: int, limit: int) -> None:
    """Raise `ResponseTooLargeError` once a body passes `limit` bytes."""
    if size > limit:
        raise ResponseTooLargeError(f"Response body is larger than max_response_bytes={limit}")


def start_stream_reads(response: httpx.Response, idle_timeout_s: float) -> None:
    """Let a stream's body reads wait up to the idle timeout (the call deadline only covered its headers)."""
    # httpcore reads the read timeout from this dict when body iteration starts (httpcore/_sync/http11.py).
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = idle_timeout_s


def with_raw(
    result: Result[T, OpenRouterError],
    response: httpx.Response | None,
    started: float,
    now: float,
    attempts: int,
) -> Result[T, OpenRouterError]:
    """`result` carrying the `RawResponse` of the last attempt (None when no response arrived)."""
    if response is None:
        return result
    raw = RawResponse(
        status_code=response.status_code,
        headers=response.headers,
        url=str(response.request.url),
        elapsed_ms=(now - started) * 1000,
        attempts=attempts,
    )
    if result.ok:
        return Ok(result.value, raw)
    return Err(result.error, raw)


def close_quietly(response: httpx.Response) -> None:
    """Close a response whose outcome is already decided; a failure to close changes nothing."""
    with contextlib.suppress(Exception):
        response.close()


def is_stream(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.headers.get("content-type", "").startswith(
        "text/event-stream"
    )


def _read(core: OpenRouterCore, response: httpx.Response, deadline: float) -> bytes:
    limit = core.max_response_bytes
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit():
        check_size(int(declared), limit)
    chunks = []
    size = 0
    clock = core.clock
    for chunk in response.iter_bytes():
        size += len(chunk)
        check_size(size, limit)
        if clock() > deadline:
            raise RequestTimeoutError(
                "Request timed out (total): the response took too long", deadline="total"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _attempt(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None,
    attempt: int,
) -> tuple[Result[T | S, OpenRouterError], httpx.Response | None]:
    hooks = core.hooks
    deadline = core.clock() + prepared.timeout_s
    real_deadline = time.monotonic() + prepared.timeout_s
    log_request(prepared.method, prepared.url, prepared.headers, attempt)
    try:
        client = core.client
        request = client.build_request(
            prepared.method,
            prepared.url,
            content=prepared.body,
            headers=prepared.headers,
            timeout=core.timeout(prepared.timeout_s),
        )
        if hooks.before_request:
            request = run_before_request(hooks, request)
        response = client.send(request, stream=True)
    except Exception as exc:
        return Err(map_exception(exc)), None
    log_response(response.status_code, response.headers)
    streaming = False
    watch = None
    try:
        if hooks.after_response:
            run_after_response(hooks, response)
        if open_stream is not None and is_stream(response):
            start_stream_reads(response, core.idle_timeout_ms / 1000)
            streaming = True
            return Ok(open_stream(response)), response
        watch = watchdog.arm(real_deadline, response)
        body = _read(core, response, deadline)
    except Exception as exc:
        if watch is not None and watch.fired:
            return Err(total_timeout(prepared.timeout_s)), response
        return Err(map_exception(exc)), response
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
        result, response = _attempt(core, prepared, decode, open_stream, plan.attempts)
        if not result.ok and core.hooks.on_error:
            result = Err(run_on_error(core.hooks, result.error))
        delay = None if result.ok else plan.delay_after(result.error)
        if delay is None:
            return with_raw(result, response, started, core.clock(), plan.attempts)
        core.sleep(delay)
