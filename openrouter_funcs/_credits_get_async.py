"""`credits_get_async`: `GET /credits` with httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import CreditsResponse
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._credits_get import decode_credits, prepare_credits

__all__ = ["credits_get_async"]


async def credits_get_async(
    core: OpenRouterCore,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[CreditsResponse, OpenRouterError]:
    """Total credits purchased and used, in USD: `Ok(CreditsResponse)` or `Err(error)`."""
    try:
        prepared = prepare_credits(core, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_credits)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
