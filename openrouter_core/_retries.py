"""The retry decision: given the error of an attempt, how long to wait before the next one, if at all."""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable, Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._errors import (
    APIConnectionError,
    ChatError,
    OpenRouterDefaultError,
    OpenRouterError,
    RequestTimeoutError,
    seconds,
)

__all__ = ["FINAL_ERROR_TYPES", "RetryPlan", "is_final", "parse_retry_after", "server_delay"]

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
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            ms = float(value)
        except ValueError:
            pass
        else:
            if ms >= 0 and ms == ms:
                return ms / 1000
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
        return max(0.0, date.timestamp() - now())
    return seconds if seconds >= 0 and seconds == seconds else None


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
        else:
            delay = self._random.uniform(0, backoff.ceiling_ms(self.attempts) / 1000)
        if self._clock() - self._started + delay > backoff.max_elapsed_time / 1000:
            return None
        self.attempts += 1
        return delay
