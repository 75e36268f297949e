"""`generation_get_async`: `GET /generation?id=` with httpx's async client, returned as a Result."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import GenerationResponse
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._generation_get import decode_generation, prepare_generation

__all__ = ["generation_get_async"]


async def generation_get_async(
    core: OpenRouterCore,
    id: str,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[GenerationResponse, OpenRouterError]:
    """Look up a finished generation by the `id` of its response: `Ok(GenerationResponse)` or `Err(error)`."""
    try:
        prepared = prepare_generation(core, id, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_generation)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
