"""Retry and timeout settings, with their documented defaults (all times in milliseconds)."""

from __future__ import annotations

import math
import sys
from typing import Literal

import msgspec

from openrouter_core._numbers import MAX_TIMEOUT_MS, check_number
from openrouter_core._safe_text import safe_repr, type_name

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT_MS",
    "DEFAULT_IDLE_TIMEOUT_MS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_NOT_FOUND_WAIT_MS",
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

DEFAULT_NOT_FOUND_WAIT_MS = 5_000
"""How long `generation_get` keeps asking while the API answers 404 for a generation that just ended."""

DEFAULT_RETRY_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504, 524, 529})
"""Statuses worth another attempt: timeouts, rate limits and server or provider failures."""


class BackoffStrategy(msgspec.Struct, frozen=True):
    """Backoff: retry n (from 1) waits at random up to min(max_interval, initial * exponent**(n-1)).

    Raises `TypeError` or `ValueError` when made with a value that is not a finite number in range.
    """

    initial_interval: int = 500
    max_interval: int = 30_000
    exponent: float = 2.0
    max_elapsed_time: int = 120_000

    def __post_init__(self) -> None:
        check_number("initial_interval", self.initial_interval, low=0, high=MAX_TIMEOUT_MS)
        check_number("max_interval", self.max_interval, low=0, high=MAX_TIMEOUT_MS)
        check_number("exponent", self.exponent, low=1, high=1000)
        check_number("max_elapsed_time", self.max_elapsed_time, low=0, high=MAX_TIMEOUT_MS)

    def ceiling_ms(self, n: int) -> float:
        """The cap in ms on the wait before retry n (from 1): min(max_interval, initial * exponent**(n-1))."""
        try:
            grown = self.initial_interval * float(self.exponent) ** (n - 1)
        except OverflowError:
            grown = math.inf
        return min(self.max_interval, grown)


class RetryConfig(msgspec.Struct, frozen=True):
    """When and how to retry: `strategy="none"` turns retries off."""

    strategy: Literal["backoff", "none"] = "backoff"
    backoff: BackoffStrategy = BackoffStrategy()
    retry_connection_errors: bool = True
    max_attempts: int = 4
    status_codes: frozenset[int] = DEFAULT_RETRY_STATUS_CODES

    def __post_init__(self) -> None:
        if self.strategy not in ("backoff", "none"):
            raise ValueError(f'strategy must be "backoff" or "none", not {safe_repr(self.strategy)}')
        if not isinstance(self.backoff, BackoffStrategy):
            raise TypeError(f"backoff must be a BackoffStrategy, not {type_name(self.backoff)}")
        if not isinstance(self.retry_connection_errors, bool):
            raise TypeError(
                f"retry_connection_errors must be a bool, not {type_name(self.retry_connection_errors)}"
            )
        check_number("max_attempts", self.max_attempts, low=1, high=sys.maxsize, integer=True)
        if not isinstance(self.status_codes, (set, frozenset)):
            raise TypeError(f"status_codes must be a frozenset of ints, not {type_name(self.status_codes)}")
        for code in self.status_codes:
            check_number("each of status_codes", code, low=100, high=599, integer=True)
