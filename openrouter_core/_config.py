"""Retry and timeout settings, with their documented defaults (all times in milliseconds)."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT_MS",
    "DEFAULT_IDLE_TIMEOUT_MS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_RETRY_STATUS_CODES",
    "DEFAULT_TIMEOUT_MS",
    "BackoffStrategy",
    "RetryConfig",
]

DEFAULT_TIMEOUT_MS = 600_000
"""Per attempt: the whole non-streaming response, or a stream's headers, must arrive within 10 minutes."""

DEFAULT_CONNECT_TIMEOUT_MS = 10_000
"""Opening a TCP (and TLS) connection."""

DEFAULT_IDLE_TIMEOUT_MS = 120_000
"""Longest silence between two reads. OpenRouter sends keep-alive comments and whitespace far more often."""

DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""Largest non-streaming body read before giving up with `ResponseTooLargeError`."""

DEFAULT_RETRY_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504, 524, 529})
"""Statuses worth another attempt: timeouts, rate limits and server or provider failures."""


class BackoffStrategy(msgspec.Struct, frozen=True):
    """Backoff: retry n (from 1) waits at random up to min(max_interval, initial * exponent**(n-1))."""

    initial_interval: int = 500
    max_interval: int = 30_000
    exponent: float = 2.0
    max_elapsed_time: int = 120_000


class RetryConfig(msgspec.Struct, frozen=True):
    """When and how to retry: `strategy="none"` turns retries off."""

    strategy: Literal["backoff", "none"] = "backoff"
    backoff: BackoffStrategy = BackoffStrategy()
    retry_connection_errors: bool = True
    max_attempts: int = 4
    status_codes: frozenset[int] = DEFAULT_RETRY_STATUS_CODES
