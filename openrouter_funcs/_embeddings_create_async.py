"""`embeddings_create_async`: `POST /embeddings` with httpx's async client, returned as a Result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._embeddings import EmbeddingsRequest, EmbeddingsResponse
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Result
from openrouter_funcs._embeddings_create import decode_embeddings, prepare_embeddings

__all__ = ["embeddings_create_async"]


async def embeddings_create_async(
    core: OpenRouterCore,
    request: EmbeddingsRequest | Mapping[str, Any],
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Result[EmbeddingsResponse, OpenRouterError]:
    """Embed texts, tokens or multimodal inputs: `Ok(EmbeddingsResponse)` or `Err(error)`."""
    try:
        prepared = prepare_embeddings(core, request, retries, timeout_ms, headers, extra_body)
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_embeddings)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
