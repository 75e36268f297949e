"""`models_list_async`: `GET /models` with httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._models._endpoints import ModelCategory, ModelsListResponse, ModelSort
from openrouter_core._transport import map_exception
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._models_list import QueryValue, decode_models, prepare_models_list

__all__ = ["models_list_async"]


async def models_list_async(
    core: OpenRouterCore,
    *,
    category: ModelCategory | str | None = None,
    supported_parameters: str | Sequence[str] | None = None,
    input_modalities: str | Sequence[str] | None = None,
    output_modalities: str | Sequence[str] | None = None,
    sort: ModelSort | str | None = None,
    q: str | None = None,
    context: int | None = None,
    min_price: float | None = None,
    max_price: float | None = None,
    min_output_price: float | None = None,
    max_output_price: float | None = None,
    arch: str | None = None,
    model_authors: str | Sequence[str] | None = None,
    providers: str | Sequence[str] | None = None,
    distillable: bool | None = None,
    zdr: bool | None = None,
    region: str | None = None,
    min_age_days: int | None = None,
    max_age_days: int | None = None,
    min_intelligence_index: float | None = None,
    max_intelligence_index: float | None = None,
    min_coding_index: float | None = None,
    max_coding_index: float | None = None,
    min_agentic_index: float | None = None,
    max_agentic_index: float | None = None,
    min_tool_success_rate: float | None = None,
    max_tool_success_rate: float | None = None,
    offset: int | None = None,
    limit: int | None = None,
    extra_query: Mapping[str, QueryValue] | None = None,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[ModelsListResponse, OpenRouterError]:
    """List models (`GET /models`): `Ok(ModelsListResponse)` or `Err(error)`; filters as in `models_list`."""
    try:
        prepared = prepare_models_list(
            core,
            {
                "category": category,
                "supported_parameters": supported_parameters,
                "input_modalities": input_modalities,
                "output_modalities": output_modalities,
                "sort": sort,
                "q": q,
                "context": context,
                "min_price": min_price,
                "max_price": max_price,
                "min_output_price": min_output_price,
                "max_output_price": max_output_price,
                "arch": arch,
                "model_authors": model_authors,
                "providers": providers,
                "distillable": distillable,
                "zdr": zdr,
                "region": region,
                "min_age_days": min_age_days,
                "max_age_days": max_age_days,
                "min_intelligence_index": min_intelligence_index,
                "max_intelligence_index": max_intelligence_index,
                "min_coding_index": min_coding_index,
                "max_coding_index": max_coding_index,
                "min_agentic_index": min_agentic_index,
                "max_agentic_index": max_agentic_index,
                "min_tool_success_rate": min_tool_success_rate,
                "max_tool_success_rate": max_tool_success_rate,
                "offset": offset,
                "limit": limit,
            },
            extra_query,
            retries,
            timeout_ms,
            headers,
        )
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_models)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
