"""The retry decision: given the error of an attempt, how long to wait before the next one, if at all."""

from __future__ import annotations

import logging
import random as _random
import time
from collections.abc import Callable, Mapping
from typing import NamedTuple

from openrouter_core._config import RetryConfig
from openrouter_core._errors import (
    APIConnectionError,
    ChatError,
    OpenRouterDefaultError,
    OpenRouterError,
    RequestTimeoutError,
    seconds,
)
from openrouter_core._log import logger

__all__ = [
    "FINAL_ERROR_TYPES",
    "RetryNotice",
    "RetryPlan",
    "is_final",
    "log_retry",
    "parse_retry_after",
    "retry_after",
    "server_delay",
]

FINAL_ERROR_TYPES = frozenset(
    {
        "context_length_exceeded",
        "max_tokens_exceeded",
        "token_limit_exceeded",
        "string_too_long",
        "authentication",
        "permission_denied",
        "payment_required",
        "invalid_request",
        "invalid_prompt",
        "payload_too_large",
        "unprocessable",
        "content_policy_violation",
        "refusal",
        "invalid_image",
        "image_too_large",
        "image_too_small",
        "unsupported_image_format",
    }
)
"""`error_type` values that no retry can fix, whatever the HTTP status says (a 429 or 503 included)."""


def parse_retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds the server asks us to wait, from `retry-after-ms` or `Retry-After` (seconds or HTTP date)."""
    found = retry_after(headers, now)
    return found[0] if found is not None else None


def retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> tuple[float, str] | None:
    """The server's wait in seconds and the header it came from."""
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            ms = float(value)
        except ValueError:
            pass
        else:
            if ms >= 0 and ms == ms:
                return ms / 1000, "the retry-after-ms header"
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        import email.utils  # only an HTTP-date Retry-After needs the email package

        try:
            date = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return max(0.0, date.timestamp() - now()), "the Retry-After header (a date)"
    return (seconds, "the Retry-After header") if seconds >= 0 and seconds == seconds else None


def _reason(error: OpenRouterError) -> str:
    """What failed, for the retry log: the status (or error code), else the error's class."""
    status = _retryable_status(error)
    return str(status) if status is not None else type(error).__name__


def log_retry(attempt: int, max_attempts: int, delay: float, reason: str, source: str) -> None:
    """Log one coming retry at INFO on the `openrouter` logger, with a `RetryNotice` on the record."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "retrying in %.1f s (%s, attempt %d/%d); the wait comes from %s",
            delay,
            reason,
            attempt,
            max_attempts,
            source,
            extra={"openrouter_retry": RetryNotice(attempt, max_attempts, delay, reason, source)},
        )


class RetryNotice(NamedTuple):
    """One retry, as logged at INFO on the `openrouter` logger (the record's `openrouter_retry`)."""

    attempt: int
    """The attempt about to be made, the first one being 1."""
    max_attempts: int
    delay: float
    """Seconds of wait before it."""
    reason: str
    """The failed attempt's status or error code (`"429"`), else its error class."""
    source: str
    """Where the wait came from: a Retry-After header, or the backoff."""


def is_final(error: OpenRouterError) -> bool:
    """Whether the body says no retry can succeed: `availability.retryable` false or a final `error_type`."""
    if not isinstance(error, ChatError):
        return False
    if error.availability is not None and error.availability.retryable is False:
        return True
    return error.error_type in FINAL_ERROR_TYPES


def server_delay(error: OpenRouterError) -> float | None:
    """Seconds the server asks us to wait (uncapped), from the body's hints first, then the headers.

    In order: `error.availability.retry_after`, `error.metadata.retry_after` (seconds) or `retry_after_ms`,
    then the `retry-after-ms` and `Retry-After` headers.
    """
    if isinstance(error, ChatError):
        if error.availability is not None and error.availability.retry_after is not None:
            return error.availability.retry_after
        metadata = error.metadata
        if isinstance(metadata, Mapping):
            hint = seconds(metadata.get("retry_after"))
            if hint is None:
                ms = seconds(metadata.get("retry_after_ms"))
                hint = None if ms is None else ms / 1000
            if hint is not None:
                return hint
    headers = getattr(error, "headers", None)
    return parse_retry_after(headers) if headers else None


def _retryable_status(error: OpenRouterError) -> int | None:
    if isinstance(error, ChatError):
        # A 200 whose body is `{"error": {"code": 429}}` is a rate limit too (litellm #8448).
        code = error.code if isinstance(error.code, int) else None
        return error.status_code if error.status_code >= 400 else code
    if isinstance(error, OpenRouterDefaultError):
        return error.status_code
    return None


class RetryPlan:
    """Tracks one call's attempts and decides, after each failure, whether and how long to wait."""

    __slots__ = ("_clock", "_config", "_random", "_started", "attempts")

    def __init__(
        self,
        config: RetryConfig,
        clock: Callable[[], float],
        rng: _random.Random | None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._random = rng if rng is not None else _random
        self._started = clock()
        self.attempts = 1

    def delay_after(self, error: OpenRouterError) -> float | None:
        """Seconds to sleep before retrying after `error`, or None when the call should return it."""
        config = self._config
        if config.strategy == "none" or self.attempts >= config.max_attempts:
            return None
        asked: float | None = None
        if isinstance(error, (APIConnectionError, RequestTimeoutError)):
            if not config.retry_connection_errors:
                return None
        else:
            status = _retryable_status(error)
            if status is None or status not in config.status_codes or is_final(error):
                return None
            asked = server_delay(error)
        backoff = config.backoff
        cap = backoff.max_interval / 1000
        if asked is not None:
            delay = min(asked, cap)
            headers = getattr(error, "headers", {})
            found = retry_after(headers) if headers else None
            origin = found[1] if found is not None and found[0] == asked else "the error body's retry_after"
            source = origin if asked <= cap else f"{origin}, capped by max_interval"
        else:
            ceiling = backoff.ceiling_ms(self.attempts) / 1000
            delay = self._random.uniform(0, ceiling)
            source = f"the backoff (random in [0, {ceiling:g}] s)"
        if self._clock() - self._started + delay > backoff.max_elapsed_time / 1000:
            return None
        self.attempts += 1
        log_retry(self.attempts, config.max_attempts, delay, _reason(error), source)
        return delay
