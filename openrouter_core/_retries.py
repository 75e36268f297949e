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
)

__all__ = ["RetryPlan", "parse_retry_after"]


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
        server_delay: float | None = None
        if isinstance(error, (APIConnectionError, RequestTimeoutError)):
            if not config.retry_connection_errors:
                return None
        else:
            status = _retryable_status(error)
            if status is None or status not in config.status_codes:
                return None
            headers = getattr(error, "headers", {})
            server_delay = parse_retry_after(headers) if headers else None
        backoff = config.backoff
        cap = backoff.max_interval / 1000
        if server_delay is not None:
            delay = min(server_delay, cap)
        else:
            delay = self._random.uniform(0, backoff.ceiling_ms(self.attempts) / 1000)
        if self._clock() - self._started + delay > backoff.max_elapsed_time / 1000:
            return None
        self.attempts += 1
        return delay
