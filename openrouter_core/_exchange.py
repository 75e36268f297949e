"""What the sync and async transports and streams share, none of it doing I/O of its own: the request of an
attempt, the one place httpx errors are translated, the body buffer, stream detection and the call's Result.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Generic, TypeVar

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
from openrouter_core._hooks import CallObserver, run_after_response, run_before_request, run_on_error
from openrouter_core._inflate import Inflater, refused_encoding
from openrouter_core._log import log_request, log_response, redact_url
from openrouter_core._prepare import Prepared
from openrouter_core._raw import RawResponse
from openrouter_core._retries import RetryPlan
from openrouter_core._safe_text import safe_repr, safe_str, type_name
from openrouter_core._scrub import clean, scrub, secrets_of
from openrouter_core.result import Err, Ok, Result

__all__ = [
    "EVENT_LIMIT",
    "BodyBuffer",
    "Decode",
    "Exchange",
    "OpenStream",
    "aclose_quietly",
    "body_bytes",
    "body_bytes_async",
    "build_request",
    "close_quietly",
    "describe_request",
    "event_limit",
    "map_exception",
    "open_if_stream",
    "outcome_result",
    "settle",
    "total_timeout",
]

T = TypeVar("T")
S = TypeVar("S")
Decode = Callable[[int, Mapping[str, str], bytes], "T | OpenRouterError"]
"""Turns a finished response into the model, or the error its status and body call for."""
OpenStream = Callable[[httpx.Response], S]
EVENT_LIMIT = "openrouter.max_event_bytes"
"""The response extension that tells a stream its largest event."""

_TIMEOUTS: tuple[tuple[type[httpx.TimeoutException], str], ...] = (
    (httpx.ConnectTimeout, "connect"),
    (httpx.ReadTimeout, "read"),
    (httpx.WriteTimeout, "write"),
    (httpx.PoolTimeout, "pool"),
)

# Most specific first, as httpx's own map_httpcore_exceptions does.
_TABLE: tuple[tuple[type[Exception], Callable[[Exception, str], OpenRouterError]], ...] = (
    (httpx.TimeoutException, lambda exc, where: _timeout(exc, where)),
    (
        httpx.UnsupportedProtocol,
        lambda exc, where: InvalidRequestError(f"Unusable server URL{where}: {safe_str(exc)}"),
    ),
    (
        httpx.InvalidURL,
        lambda exc, where: InvalidRequestError(f"Unusable server URL{where}: {safe_str(exc)}"),
    ),
    (
        httpx.DecodingError,
        lambda exc, where: ResponseValidationError(
            f"Response body could not be decoded{where}: {safe_str(exc)}"
        ),
    ),
    (
        httpx.NetworkError,
        lambda exc, where: APIConnectionError(f"Unable to make request{where}: {safe_repr(exc)}"),
    ),
    (
        httpx.RemoteProtocolError,
        lambda exc, where: APIConnectionError(f"Connection broke{where}: {safe_repr(exc)}"),
    ),
    (httpx.ProxyError, lambda exc, where: APIConnectionError(f"Proxy failed{where}: {safe_repr(exc)}")),
    (OSError, lambda exc, where: APIConnectionError(f"Unable to make request{where}: {safe_repr(exc)}")),
)


def describe_request(method: str, url: object) -> str:
    """` (POST https://...)`: the request an error is about, credentials redacted."""
    return f" ({method} {redact_url(url)})"


def _where(exc: Exception) -> str:
    try:
        request = exc.request  # type: ignore[attr-defined]  # httpx.RequestError, when httpx set it
    except (AttributeError, RuntimeError):
        return ""
    return describe_request(request.method, request.url) if isinstance(request, httpx.Request) else ""


def total_timeout(prepared: Prepared) -> RequestTimeoutError:
    """The error of an attempt that overran its `timeout_ms`."""
    where = describe_request(prepared.method, prepared.url)
    return RequestTimeoutError(
        f"Request timed out (total){where}: no response within {prepared.timeout_s:g} s", deadline="total"
    )


def _timeout(exc: Exception, where: str) -> RequestTimeoutError:
    deadline = next((name for cls, name in _TIMEOUTS if isinstance(exc, cls)), "read")
    return RequestTimeoutError(f"Request timed out ({deadline}){where}: {safe_repr(exc)}", deadline=deadline)


def map_exception(exc: Exception) -> OpenRouterError:
    """Our error for an exception from httpx (or from a hook), with the original chained as `__cause__`."""
    if isinstance(exc, OpenRouterError):
        return exc
    for cls, make in _TABLE:
        if isinstance(exc, cls):
            error = make(exc, _where(exc))
            break
    else:
        if isinstance(exc, (httpx.LocalProtocolError, UnicodeError)):
            # Their text quotes the offending value, which may be the API key: name the type only.
            return UnexpectedClientError(
                f"Unexpected client error: {type_name(exc)} while building the request"
            )
        error = UnexpectedClientError(f"Unexpected client error: {safe_repr(exc)}")
    error.__cause__ = exc
    return error


def _check_size(size: int, limit: int) -> None:
    """Raise `ResponseTooLargeError` once a body passes `limit` bytes."""
    if size > limit:
        raise ResponseTooLargeError(f"Response body is larger than max_response_bytes={limit}")


def outcome_result(
    core: OpenRouterCore,
    outcome: T | OpenRouterError,
    response: httpx.Response | None,
    started: float,
    now: float,
    attempts: int,
) -> Result[T, OpenRouterError]:
    """The call's Result: the last attempt's outcome as `Ok` or `Err`, with its `RawResponse` if any (an
    `Err`'s raw headers without the key: a server may echo it in a header)."""
    raw = None
    if response is not None:
        headers: Mapping[str, str] = response.headers
        if isinstance(outcome, OpenRouterError):
            headers = clean(headers, secrets_of(response.request.headers))
        raw = RawResponse(
            status_code=response.status_code,
            headers=headers,
            url=str(response.request.url),
            elapsed_ms=(now - started) * 1000,
            attempts=attempts,
        )
    if isinstance(outcome, OpenRouterError):
        return Err(outcome, raw)
    return Ok(outcome, raw)


def settle(
    core: OpenRouterCore,
    plan: RetryPlan,
    prepared: Prepared,
    outcome: T | OpenRouterError,
    response: httpx.Response | None,
    observer: CallObserver | None = None,
) -> tuple[T | OpenRouterError, float | None]:
    """An attempt's outcome after the `on_error` hook, and the pause before the next try (None: no more).

    An error has the key cut out (`_scrub`) before any hook sees it, and again after a hook replaced it.
    `observer` hears of each retry and its pause.
    """
    if not isinstance(outcome, OpenRouterError):
        return outcome, None
    secrets = secrets_of(prepared.headers, response.request.headers if response is not None else {})
    outcome = scrub(outcome, secrets)
    if core.hooks.on_error:
        outcome = scrub(run_on_error(core.hooks, outcome), secrets)
    delay = plan.delay_after(outcome)
    if delay is not None and observer is not None:
        observer.retrying(outcome, delay)
    return outcome, delay


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


def open_if_stream(
    core: OpenRouterCore, response: httpx.Response, open_stream: OpenStream[S] | None
) -> S | None:
    """Run the after-response hook; a 200 event stream becomes `open_stream(response)`, anything else None.

    Raises `ResponseValidationError` for a body in a content coding the SDK did not offer, or stacked ones.

    A stream's body reads then wait up to the idle timeout (the call's deadline only covered its headers).
    """
    if core.hooks.after_response:
        run_after_response(core.hooks, response)
    refused = refused_encoding(response)
    if refused is not None:
        raise refused
    if open_stream is None or response.status_code != 200:
        return None
    if not response.headers.get("content-type", "").startswith("text/event-stream"):
        return None
    # httpcore reads the read timeout from this dict when body iteration starts (httpcore/_sync/http11.py).
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = core.idle_timeout_ms / 1000
    response.extensions[EVENT_LIMIT] = core.max_response_bytes  # one SSE event may buffer no more
    return open_stream(response)


def body_bytes(response: httpx.Response, limit: int | None = None) -> Iterator[bytes]:
    """The body as it arrives, inflated in bounded steps if a Content-Encoding asks for it.

    `limit` caps the decoded size (`ResponseTooLargeError`), checked before each step, not after a whole
    read has been inflated.
    """
    if response.is_stream_consumed:  # an after_response hook read it: httpx holds it decoded
        return response.iter_bytes()
    inflater = Inflater(response, limit)
    if inflater.identity:
        return response.iter_raw()
    return inflater.body(response.iter_raw())


def body_bytes_async(response: httpx.Response, limit: int | None = None) -> AsyncIterator[bytes]:
    """`body_bytes` for a response of the async client."""
    if response.is_stream_consumed:
        return response.aiter_bytes()
    inflater = Inflater(response, limit)
    if inflater.identity:
        return response.aiter_raw()
    return inflater.abody(response.aiter_raw())


def event_limit(response: httpx.Response) -> int | None:
    """The largest SSE event a stream over `response` may buffer, as `open_if_stream` recorded it."""
    limit = response.extensions.get(EVENT_LIMIT)
    return limit if isinstance(limit, int) else None


def close_quietly(response: httpx.Response) -> None:
    """Close a response whose outcome is already decided; a failure to close changes nothing."""
    with contextlib.suppress(Exception):
        response.close()


async def aclose_quietly(response: httpx.Response) -> None:
    """`close_quietly` for a response of the async client."""
    with contextlib.suppress(Exception):
        await response.aclose()


class BodyBuffer:
    """Collects a body as it arrives, enforcing `max_response_bytes` and the attempt's clock deadline."""

    __slots__ = ("_chunks", "_clock", "_deadline", "_limit", "_request", "_size")

    def __init__(self, core: OpenRouterCore, response: httpx.Response, deadline: float) -> None:
        self._limit = core.max_response_bytes
        self._clock = core.clock
        self._deadline = deadline
        self._chunks: list[bytes] = []
        self._size = 0
        self._request = response.request
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit():
            _check_size(int(declared), self._limit)

    def add(self, chunk: bytes) -> None:
        """Keep one more piece; raise once the body is too large or too late."""
        self._size += len(chunk)
        _check_size(self._size, self._limit)
        if self._clock() > self._deadline:
            where = describe_request(self._request.method, self._request.url)
            raise RequestTimeoutError(
                f"Request timed out (total){where}: the body took too long", deadline="total"
            )
        self._chunks.append(chunk)

    def body(self) -> bytes:
        """Everything kept, in one piece."""
        return b"".join(self._chunks)


class Exchange(Generic[T, S]):
    """One call as both transports send it, minus their I/O: each attempt's log, what a response becomes
    (a stream, or a decoded body), and the retry decision that ends in the call's Result."""

    __slots__ = ("core", "decode", "observer", "open_stream", "plan", "prepared", "started")

    def __init__(
        self,
        core: OpenRouterCore,
        prepared: Prepared,
        decode: Decode[T],
        open_stream: OpenStream[S] | None,
        observer: CallObserver | None,
    ) -> None:
        self.core = core
        self.prepared = prepared
        self.decode = decode
        self.open_stream = open_stream
        self.observer = observer
        self.plan = RetryPlan(prepared.retry, core.clock, core.rng)
        self.started = core.clock()

    def sending(self) -> float:
        """Log the next attempt's request; the deadline of its body on the core's clock."""
        prepared = self.prepared
        log_request(prepared.method, prepared.url, prepared.headers, self.plan.attempts)
        return self.core.clock() + prepared.timeout_s

    def opened(self, response: httpx.Response) -> S | None:
        """Log `response`; the stream it is (a 200 event stream, which then owns it), else None."""
        log_response(response.status_code, response.headers, self.prepared.headers)
        return open_if_stream(self.core, response, self.open_stream)

    def decoded(self, response: httpx.Response, body: bytes) -> T | OpenRouterError:
        """What a whole response is: the model, or the error its status and body call for."""
        return self.decode(response.status_code, response.headers, body)

    def after(
        self, outcome: T | S | OpenRouterError, response: httpx.Response | None
    ) -> Result[T | S, OpenRouterError] | float:
        """The pause in seconds before the next attempt, or the call's Result when there is none."""
        outcome, delay = settle(self.core, self.plan, self.prepared, outcome, response, self.observer)
        if delay is not None:
            return float(delay)
        return outcome_result(
            self.core, outcome, response, self.started, self.core.clock(), self.plan.attempts
        )
