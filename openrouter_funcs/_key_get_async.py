"""`key_get_async`: `GET /key` with httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import KeyResponse
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._key_get import decode_key, prepare_key

__all__ = ["key_get_async"]


async def key_get_async(
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
        return await send_async(core, prepared.value, decode_key)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
