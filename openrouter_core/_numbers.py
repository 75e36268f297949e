"""Checks of numeric options (timeouts, sizes, retry settings): the right type, finite, in range."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from typing import Any

from openrouter_core._safe_text import safe_repr, type_name

__all__ = ["MAX_TIMEOUT_MS", "check_number", "non_finite_path"]

MAX_TIMEOUT_MS = 1_000_000_000
"""Longest timeout taken (about 11.6 days): well inside what the OS's timed waits accept (poll: 2**31 ms)."""


def _shown(value: object) -> str:
    text = safe_repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def check_number(
    name: str,
    value: object,
    *,
    low: float,
    high: float = math.inf,
    low_open: bool = False,
    integer: bool = False,
) -> None:
    """Raise `TypeError` unless `value` is a real number (an integer if `integer`; never a bool), and
    `ValueError` unless it is finite and within `low` (excluded if `low_open`) and `high`."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        wanted = "an int" if integer else "a number"
        raise TypeError(f"{name} must be {wanted}, not {type_name(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float is out of every range we take
        number = math.inf
    above = number > low if low_open else number >= low
    if math.isnan(number) or not above or number > high or math.isinf(number):
        bound = f"> {low:g}" if low_open else f">= {low:g}"
        limit = f" and <= {high:g}" if high != math.inf else ""
        raise ValueError(f"{name} must be a finite number {bound}{limit}, not {_shown(value)}")


def non_finite_path(value: Any, path: str = "$") -> str | None:
    """The path of the first NaN or infinite float inside `value` (JSON has neither), or None."""
    for where, number in _floats(value, path):
        if not math.isfinite(number):
            return where
    return None


def _floats(value: Any, path: str) -> Iterator[tuple[str, float]]:
    if isinstance(value, float):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _floats(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _floats(item, f"{path}[{index}]")
