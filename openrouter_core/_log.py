"""Debug logging through `logging.getLogger("openrouter")`, with secrets redacted."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["log_request", "log_response", "logger", "redact", "redact_url", "warn_plain_http"]

logger = logging.getLogger("openrouter")

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
_SECRET_PARAMS = ("key", "token", "secret", "password", "auth", "sig")

if os.environ.get("OPENROUTER_DEBUG", "").lower() in ("1", "true", "yes", "on") and not logger.handlers:
    # Opt-in debugging touches only our own logger, never the root logger's configuration.
    logger.addHandler(logging.StreamHandler())
    logger.setLevel(logging.DEBUG)


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of `headers` with credentials replaced by `<redacted>`."""
    return {k: ("<redacted>" if k.lower() in _SECRET_HEADERS else v) for k, v in headers.items()}


def redact_url(url: object) -> str:
    """`url` as text, with its user info and the query values that look like credentials `<redacted>`."""
    import httpx  # loaded already by whoever has a URL to show

    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
    except Exception:
        return "<unparsable URL>"
    if parsed.userinfo:
        parsed = parsed.copy_with(userinfo=b"redacted")
    if parsed.query:
        params = [
            (name, "<redacted>" if any(word in name.lower() for word in _SECRET_PARAMS) else value)
            for name, value in parsed.params.multi_items()
        ]
        parsed = parsed.copy_with(params=params)
    text = str(parsed).replace("%3Credacted%3E", "<redacted>")
    return text.replace("://redacted@", "://<redacted>@", 1)


def log_request(method: str, url: str, headers: Mapping[str, str], attempt: int) -> None:
    """Log one attempt of a request at DEBUG, credentials redacted."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("%s %s attempt=%d headers=%s", method, url, attempt, redact(headers))


def log_response(status: int, headers: Mapping[str, str], sent: Mapping[str, str]) -> None:
    """Log a response's status and headers at DEBUG, without the key of `sent` (the request's headers) if a
    server echoed it."""
    if logger.isEnabledFor(logging.DEBUG):
        from openrouter_core._scrub import clean, secrets_of

        logger.debug("response status=%d headers=%s", status, clean(redact(headers), secrets_of(sent)))


def _loopback(host: str) -> bool:
    import ipaddress  # only for a plain-http URL, once per core

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def warn_plain_http(host: str) -> None:
    """Warn that the API key would cross the network unencrypted."""
    if not _loopback(host):
        logger.warning("sending the API key over plain http:// to %s; use https://", host)
