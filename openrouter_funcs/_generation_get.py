"""`generation_get`: `GET /generation?id=`, the cost and provider of a finished request, never raised."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import OpenRouterError, SDKValidationError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import GenerationResponse
from openrouter_core._prepare import Prepared, prepare_get
from openrouter_core._transport import send
from openrouter_core.result import Err, Result

__all__ = ["generation_get", "prepare_generation"]

decode_generation = ResponseDecoder(GenerationResponse)


def prepare_generation(
    core: OpenRouterCore,
    id: str,
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
) -> Result[Prepared, OpenRouterError]:
    """Check the id and build the request (shared by `generation_get` and `generation_get_async`)."""
    if not isinstance(id, str) or not id:
        return Err(SDKValidationError(f"invalid id: expected a non-empty string, got {id!r}", path="$.id"))
    url = str(httpx.URL(core.server_url + "/generation").copy_merge_params({"id": id}))
    return prepare_get(core, url, retries, timeout_ms, headers)


def generation_get(
    core: OpenRouterCore,
    id: str,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[GenerationResponse, OpenRouterError]:
    """Look up a finished generation by the `id` of its response: `Ok(GenerationResponse)` or `Err(error)`.

    `res.value.data` holds its cost (`total_cost`), the provider that served it (`provider_name`),
    token counts and timings. The API may answer `404` for a few seconds after the generation ends.
    """
    try:
        prepared = prepare_generation(core, id, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return send(core, prepared.value, decode_generation)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
