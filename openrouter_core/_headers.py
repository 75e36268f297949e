"""Header checks and merging shared by the core and each call."""

from __future__ import annotations

import re
from collections.abc import Mapping

from openrouter_core._errors import SDKValidationError

__all__ = ["FRAMING_HEADERS", "check_headers", "merge_headers"]

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
