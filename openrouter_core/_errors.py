"""Every failure a call can return, in one tree. Errors are returned inside `Err`, never raised by a call.

* OpenRouterError
  + ChatError                         the server answered with an OpenRouter JSON error body
    - BadRequestResponseError          400
    - UnauthorizedResponseError        401
    - PaymentRequiredResponseError     402
    - ForbiddenResponseError           403
    - NotFoundResponseError            404
    - RequestTimeoutResponseError      408
    - PayloadTooLargeResponseError     413
    - UnprocessableEntityResponseError 422
    - TooManyRequestsResponseError     429
    - InternalServerResponseError      500
    - BadGatewayResponseError          502
    - ServiceUnavailableResponseError  503
    - EdgeNetworkTimeoutResponseError  524
    - ProviderOverloadedResponseError  529
  + OpenRouterDefaultError            any other error status, or an error status without a JSON error body
  + ResponseValidationError           a body that is not JSON or does not decode into the model
    - ResponseTooLargeError            a body larger than the core's `max_response_bytes`
  + StreamTruncatedError              a stream that ended with neither `[DONE]` nor a `finish_reason`
  + ToolLoopLimitError                the model still called tools after `max_turns` model calls
  + BudgetExceededError               a cost limit was reached, so the request was not sent
  + SDKValidationError                the request is invalid; nothing was sent
  + InvalidRequestError               no usable server URL
  + APIConnectionError                connecting failed, or the connection dropped
  + RequestTimeoutError               a deadline of ours or a timeout of httpx expired
  + RequestAbortedError               the caller closed the request or stream
  + UnexpectedClientError             anything else from the HTTP layer or a hook

A `ChatError` is chosen by HTTP status, or, for a 200 body or stream event made of `{"error": ...}`, by
the error's `code`. `status_code` is always the HTTP status actually received. Its `error_type` is the body's
`error.metadata.error_type` (the spec's `ApiErrorType`, an open str) and `availability` the body's
`error.availability`, decoded leniently; the retry decision reads both (docs/retries-and-timeouts.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

__all__ = [
    "APIConnectionError",
    "Availability",
    "BadGatewayResponseError",
    "BadRequestResponseError",
    "BudgetExceededError",
    "ChatError",
    "EdgeNetworkTimeoutResponseError",
    "ForbiddenResponseError",
    "InternalServerResponseError",
    "InvalidRequestError",
    "NotFoundResponseError",
    "OpenRouterDefaultError",
    "OpenRouterError",
    "PayloadTooLargeResponseError",
    "PaymentRequiredResponseError",
    "ProviderOverloadedResponseError",
    "RequestAbortedError",
    "RequestTimeoutError",
    "RequestTimeoutResponseError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SDKValidationError",
    "ServiceUnavailableResponseError",
    "StreamTruncatedError",
    "ToolLoopLimitError",
    "TooManyRequestsResponseError",
    "UnauthorizedResponseError",
    "UnexpectedClientError",
    "UnprocessableEntityResponseError",
    "chat_error_class",
]

BODY_LIMIT = 10_000
"""Longest body text kept in an error message."""

UPSTREAM_LIMIT = 500
"""Longest upstream provider message shown by `str()` of a `ChatError`."""


def _rebuild(cls: type[OpenRouterError], kwargs: dict[str, Any]) -> OpenRouterError:
    return cls(**kwargs)


class OpenRouterError(Exception):
    """Base class of every error this SDK returns."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors defeat Exception's default pickling; rebuild from the attributes.
        kwargs = {k: v for k, v in vars(self).items() if not k.startswith("_")}
        return (_rebuild, (type(self), kwargs))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


def _cut(body: str) -> str:
    if len(body) <= BODY_LIMIT:
        return body
    return f"{body[:BODY_LIMIT]}...and {len(body) - BODY_LIMIT} more chars"


class Availability(msgspec.Struct, frozen=True, kw_only=True):
    """An error body's `availability`: why no endpoint served, whether a retry can help, and when."""

    code: str | None = None
    retryable: bool | None = None
    retry_after: float | None = None
    """Seconds the server asks us to wait before trying again."""
    fallback_models: tuple[str, ...] = ()
    raw: dict[str, Any] = msgspec.field(default_factory=dict)
    """The object as received, keys this SDK does not know included."""

    @classmethod
    def from_body(cls, value: object) -> Availability | None:
        """Leniently decoded: a field of the wrong type is dropped, a non-object gives None."""
        if not isinstance(value, Mapping):
            return None
        code = value.get("code")
        retryable = value.get("retryable")
        models = value.get("fallback_models")
        return cls(
            code=code if isinstance(code, str) else None,
            retryable=retryable if isinstance(retryable, bool) else None,
            retry_after=seconds(value.get("retry_after")),
            fallback_models=tuple(m for m in models if isinstance(m, str))
            if isinstance(models, list)
            else (),
            raw={str(k): v for k, v in value.items()},
        )

    def __str__(self) -> str:
        parts = [self.code or "availability"]
        if self.retryable is not None:
            parts.append("retryable" if self.retryable else "not retryable")
        if self.retry_after is not None:
            parts.append(f"retry after {self.retry_after:g} s")
        if self.fallback_models:
            parts.append(f"fallbacks {', '.join(self.fallback_models)}")
        return ", ".join(parts)


def seconds(value: object) -> float | None:
    """A non-negative finite number of seconds from a JSON number or numeric string, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 <= number < float("inf") else None


def _upstream_message(raw: object) -> str | None:
    """The provider's own message in `metadata.raw`: its `error.message` if it is JSON, else the text."""
    if raw is None or raw == "":
        return None
    found: object = raw
    if isinstance(raw, str) and raw.lstrip()[:1] == "{":
        import json  # only for an error that carries a provider's raw body

        try:
            found = json.loads(raw)
        except (ValueError, RecursionError):
            found = raw
    if isinstance(found, dict):
        inner = found.get("error")
        message = inner.get("message") if isinstance(inner, dict) else found.get("message")
        if isinstance(inner, str):
            message = inner
        found = message if isinstance(message, str) and message else raw
    text = " ".join((found if isinstance(found, str) else repr(found)).split())
    return text if len(text) <= UPSTREAM_LIMIT else text[: UPSTREAM_LIMIT - 3] + "..."


def _chunks(count: int) -> str:
    return f"{count} chunk" if count == 1 else f"{count} chunks"


def mid_stream(count: int) -> str:
    """The prefix of an error that ended a stream after `count` chunks."""
    return f"Stream failed mid-way after {_chunks(count)}"


class ChatError(OpenRouterError):
    """The server answered with an OpenRouter error body `{"error": {code, message, metadata}}`.

    `str()` names the provider and quotes its own message (`metadata.raw`, cut at 500 chars) when the
    body carries them; `chunks_before` is set when the error came as an event of a stream.
    """

    status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: int | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        openrouter_metadata: Mapping[str, Any] | None = None,
        user_id: str | None = None,
        body: str = "",
        headers: Mapping[str, str] | None = None,
        error_type: str | None = None,
        availability: Availability | None = None,
        chunks_before: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.metadata = metadata
        self.error_type = error_type
        """`error.metadata.error_type`: `rate_limit_exceeded`, `context_length_exceeded`, ... (open)."""
        self.availability = availability
        self.openrouter_metadata = openrouter_metadata
        self.user_id = user_id
        self.body = _cut(body)
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.chunks_before = chunks_before

    @property
    def provider_name(self) -> str | None:
        """The upstream provider that failed (`metadata.provider_name`), when the body names it."""
        name = self.metadata.get("provider_name") if self.metadata else None
        return name if isinstance(name, str) and name else None

    @property
    def upstream_message(self) -> str | None:
        """The provider's own error text from `metadata.raw`, whitespace folded and cut at 500 chars."""
        return _upstream_message(self.metadata.get("raw")) if self.metadata else None

    def __str__(self) -> str:
        kind = [self.error_type] if self.error_type else []
        if self.availability is not None:
            kind.append(f"availability: {self.availability}")
        detail = f" [{'; '.join(kind)}]" if kind else ""
        if self.chunks_before is not None:
            code = f"error event, code {self.code}" if self.code is not None else "error event"
            head = f"{mid_stream(self.chunks_before)} ({code}){detail}: {self.message}"
        else:
            code = f" (code {self.code})" if self.code is not None and self.code != self.status_code else ""
            head = f"{self.status_code}{code}{detail}: {self.message}"
        provider, upstream = self.provider_name, self.upstream_message
        if provider and upstream:
            return f"{head} (provider {provider}: {upstream})"
        if provider:
            return f"{head} (provider {provider})"
        if upstream:
            return f"{head} (upstream: {upstream})"
        return head


class BadRequestResponseError(ChatError):
    """400: the request was malformed or had invalid parameters."""

    status = 400


class UnauthorizedResponseError(ChatError):
    """401: the API key is missing, invalid or disabled."""

    status = 401


class PaymentRequiredResponseError(ChatError):
    """402: the account or key has too few credits."""

    status = 402


class ForbiddenResponseError(ChatError):
    """403: blocked, for example by a guardrail or moderation."""

    status = 403


class NotFoundResponseError(ChatError):
    """404: no such model or endpoint."""

    status = 404


class RequestTimeoutResponseError(ChatError):
    """408: the server timed out waiting for the request."""

    status = 408


class PayloadTooLargeResponseError(ChatError):
    """413: the request body is too large."""

    status = 413


class UnprocessableEntityResponseError(ChatError):
    """422: the request was well-formed but semantically invalid."""

    status = 422


class TooManyRequestsResponseError(ChatError):
    """429: rate limited; see `headers` for Retry-After."""

    status = 429


class InternalServerResponseError(ChatError):
    """500: the server failed."""

    status = 500


class BadGatewayResponseError(ChatError):
    """502: the upstream provider failed or returned an invalid response."""

    status = 502


class ServiceUnavailableResponseError(ChatError):
    """503: no provider is available for the request."""

    status = 503


class EdgeNetworkTimeoutResponseError(ChatError):
    """524: the edge network timed out waiting for the origin."""

    status = 524


class ProviderOverloadedResponseError(ChatError):
    """529: the provider is overloaded."""

    status = 529


_BY_STATUS: dict[int, type[ChatError]] = {
    cls.status: cls
    for cls in (
        BadRequestResponseError,
        UnauthorizedResponseError,
        PaymentRequiredResponseError,
        ForbiddenResponseError,
        NotFoundResponseError,
        RequestTimeoutResponseError,
        PayloadTooLargeResponseError,
        UnprocessableEntityResponseError,
        TooManyRequestsResponseError,
        InternalServerResponseError,
        BadGatewayResponseError,
        ServiceUnavailableResponseError,
        EdgeNetworkTimeoutResponseError,
        ProviderOverloadedResponseError,
    )
    if cls.status is not None
}


def chat_error_class(status: int | str | None) -> type[ChatError]:
    """The `ChatError` subclass for a status or error code (`ChatError` itself when none is documented)."""
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if isinstance(status, int):
        return _BY_STATUS.get(status, ChatError)
    return ChatError


class OpenRouterDefaultError(OpenRouterError):
    """An error status with no documented class, or whose body is not an OpenRouter JSON error."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str = "",
        headers: Mapping[str, str] | None = None,
        content_type: str = "",
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = _cut(body)
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.content_type = content_type

    def __str__(self) -> str:
        ctype = f" Content-Type {self.content_type}" if self.content_type else ""
        return f"{self.message}: Status {self.status_code}{ctype}. Body: {self.body}"


class ResponseValidationError(OpenRouterError):
    """The body was not valid JSON or did not decode into the expected model."""

    def __init__(self, message: str, *, body: str = "", status_code: int | None = None) -> None:
        super().__init__(message)
        self.body = _cut(body)
        self.status_code = status_code


class ResponseTooLargeError(ResponseValidationError):
    """The body passed the core's `max_response_bytes` cap, so reading it stopped."""


class StreamTruncatedError(OpenRouterError):
    """The stream ended with neither `[DONE]` nor a `finish_reason`: the reply may be incomplete."""


class ToolLoopLimitError(OpenRouterError):
    """The model still called tools after `max_turns` model calls; `messages` is the transcript so far."""

    def __init__(self, message: str, *, max_turns: int, messages: list[Any] | None = None) -> None:
        super().__init__(message)
        self.max_turns = max_turns
        self.messages = messages if messages is not None else []


class BudgetExceededError(OpenRouterError):
    """A cost limit was reached (`budget_usd`, `max_cost_usd`), so this request was not sent.

    `spent_usd` is what the calls before it cost; `messages` is a tool loop's transcript so far.
    """

    def __init__(
        self, message: str, *, budget_usd: float, spent_usd: float, messages: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.budget_usd = budget_usd
        self.spent_usd = spent_usd
        self.messages = messages if messages is not None else []


class SDKValidationError(OpenRouterError):
    """The request was invalid, so nothing was sent; `path` names the field (e.g. `$.messages[0]`)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class InvalidRequestError(OpenRouterError):
    """There is no usable server URL."""


class APIConnectionError(OpenRouterError):
    """Connecting failed (refused, DNS, TLS) or the connection dropped; `__cause__` is the httpx error."""


class RequestTimeoutError(OpenRouterError):
    """Timed out; `deadline` names it: connect, read (a stream's idle cut too), write, pool or total."""

    def __init__(self, message: str, *, deadline: str) -> None:
        super().__init__(message)
        self.deadline = deadline


class RequestAbortedError(OpenRouterError):
    """The caller closed the request or stream before it finished."""


class UnexpectedClientError(OpenRouterError):
    """Anything else the HTTP layer or a hook raised; `__cause__` is the original exception."""
