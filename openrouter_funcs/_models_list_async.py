"""`models_list_async`: `GET /models` with httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import ModelsListResponse
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._models_list import ModelsListFilters, QueryValue, decode_models, prepare_models_list

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["models_list_async"]


async def models_list_async(
    core: OpenRouterCore,
    *,
    extra_query: Mapping[str, QueryValue] | None = None,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    **filters: Unpack[ModelsListFilters],
) -> Result[ModelsListResponse, OpenRouterError]:
    """List models (`GET /models`): `Ok(ModelsListResponse)` or `Err(error)`; filters as in `models_list`."""
    try:
        prepared = prepare_models_list(core, filters, extra_query, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_models)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
