"""Header checks and merging shared by the core and each call, and the headers of OpenRouter's features."""

from __future__ import annotations

import re
from collections.abc import Mapping

from openrouter_core._errors import SDKValidationError

__all__ = ["CACHE_TTL_RANGE_S", "FRAMING_HEADERS", "check_headers", "merge_headers", "openrouter_headers"]

CACHE_TTL_RANGE_S = (1, 86_400)
"""The response cache TTLs OpenRouter accepts, in seconds."""

# RFC 9110 §5.1 and §5.5: a token for the name; for the value, visible ASCII with inner spaces or tabs only.
# Anything else (CR/LF above all) could split the request, and would make the HTTP layer's error quote it.
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"(?:[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?)?")
# Headers that frame or route the message (RFC 9110 §7.2, §7.6.1, §8.6, §10.1.1; RFC 9112 §6.1, §7.4;
# RFC 9113 §8.2.2): the HTTP layer sets them from the request itself. Overriding them could desynchronise
# the body from its framing (request smuggling: Content-Length beside Transfer-Encoding) or reroute it.
FRAMING_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "expect",
        "host",
        "http2-settings",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


def check_headers(headers: Mapping[str, str]) -> None:
    """Raise `SDKValidationError` for a header that is not valid HTTP, or one of `FRAMING_HEADERS`; the
    message never quotes the value."""
    for name, value in headers.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise SDKValidationError(f"header name {name!r} is not a valid HTTP token", path="headers")
        if name.lower() in FRAMING_HEADERS:
            raise SDKValidationError(
                f"header {name!r} frames or routes the request: the HTTP layer sets it, a caller cannot",
                path=f"headers.{name}",
            )
        if not isinstance(value, str) or not _VALUE.fullmatch(value):
            raise SDKValidationError(
                f"header {name!r} must be a str of visible ASCII (no CR, LF, NUL, other control characters, "
                "leading or trailing whitespace)",
                path=f"headers.{name}",
            )


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


def openrouter_headers(
    *,
    cache: bool | None = None,
    cache_ttl_s: int | None = None,
    cache_clear: bool = False,
    route_metadata: bool = False,
) -> dict[str, str]:
    """The request headers that turn on OpenRouter's response cache and router metadata.

    Pass them per call (`headers=`) or per core (`default_headers=`); a call's headers win over the core's,
    so `openrouter_headers(cache=False)` turns a core's cache off for one call. `cache=True` asks for a
    cached response (billed 0 on a hit); `cache_ttl_s` (1 to 86,400) keeps a new entry that long and
    implies `cache=True`; `cache_clear=True` drops the entry first. `route_metadata=True` asks for
    `openrouter_metadata` (the providers tried, in order, with their status). Raises `ValueError` for a
    TTL out of range: these are built once, like a `RetryConfig`, before any call.
    """
    headers: dict[str, str] = {}
    if cache_ttl_s is not None:
        low, high = CACHE_TTL_RANGE_S
        if (
            isinstance(cache_ttl_s, bool)
            or not isinstance(cache_ttl_s, int)
            or not low <= cache_ttl_s <= high
        ):
            raise ValueError(
                f"cache_ttl_s must be an int of seconds from {low} to {high}, not {cache_ttl_s!r}"
            )
        cache = True if cache is None else cache
    if cache is not None:
        headers["X-OpenRouter-Cache"] = "true" if cache else "false"
    if cache_ttl_s is not None and cache:
        headers["X-OpenRouter-Cache-TTL"] = str(cache_ttl_s)
    if cache_clear:
        headers["X-OpenRouter-Cache-Clear"] = "true"
    if route_metadata:
        headers["X-OpenRouter-Metadata"] = "enabled"
    return headers
