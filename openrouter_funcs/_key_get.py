"""`key_get`: `GET /key`, the limits and usage of the current API key, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import KeyResponse
from openrouter_core._prepare import Prepared, prepare_get
from openrouter_core._transport import send
from openrouter_core.result import Err, Result

__all__ = ["key_get", "prepare_key"]

decode_key = ResponseDecoder(KeyResponse)


def prepare_key(
    core: OpenRouterCore,
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
) -> Result[Prepared, OpenRouterError]:
    """Build the request (shared by `key_get` and `key_get_async`)."""
    return prepare_get(core, core.server_url + "/key", retries, timeout_ms, headers)


def key_get(
    core: OpenRouterCore,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[KeyResponse, OpenRouterError]:
    """The current API key's limit, what remains of it and its usage: `Ok(KeyResponse)` or `Err(error)`."""
    try:
        prepared = prepare_key(core, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return send(core, prepared.value, decode_key)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
