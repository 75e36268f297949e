"""Header checks and merging shared by the core and each call."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._errors import SDKValidationError

__all__ = ["check_headers", "merge_headers"]


def _check(name: str, text: str) -> None:
    # CR or LF in a header would let a caller inject headers or split the request (RFC 9110 §5.5).
    if "\r" in text or "\n" in text or "\0" in text:
        raise SDKValidationError(f"header {name!r} contains CR, LF or NUL", path=f"headers.{name}")


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise `SDKValidationError` for a header name or value that could split or inject headers."""
    for name, value in headers.items():
        _check(name, name)
        _check(name, value)


def merge_headers(base: Mapping[str, str], extra: Mapping[str, str]) -> dict[str, str]:
    """`base` updated by `extra`, matching header names case-insensitively so each is sent once."""
    merged = dict(base)
    lowered = {name.lower(): name for name in merged}
    for name, value in extra.items():
        old = lowered.pop(name.lower(), None)
        if old is not None:
            del merged[old]
        merged[name] = value
        lowered[name.lower()] = name
    return merged
