"""`generation_get` and `generation_get_async`: `GET /generation?id=`, the cost and provider of a finished
request, as a Result."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from openrouter_core._call import Planned, planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import SDKValidationError
from openrouter_core._models._endpoints import GenerationResponse
from openrouter_core._prepare import prepare_get
from openrouter_core.result import Err

__all__ = ["generation_get", "generation_get_async"]

decode_generation = ResponseDecoder(GenerationResponse)


def _generation_get(
    core: OpenRouterCore,
    id: str,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Planned[GenerationResponse]:
    """Look up a finished generation by the `id` of its response: `Ok(GenerationResponse)` or `Err(error)`.

    `res.value.data` holds its cost (`total_cost`), the provider that served it (`provider_name`),
    token counts and timings. The API may answer `404` for a few seconds after the generation ends.
    """
    if not isinstance(id, str) or not id:
        return Err(SDKValidationError(f"invalid id: expected a non-empty string, got {id!r}", path="$.id"))
    url = str(httpx.URL(core.server_url + "/generation").copy_merge_params({"id": id}))
    return planned(prepare_get(core, url, retries, timeout_ms, headers), decode_generation)


generation_get = run(_generation_get)
generation_get_async = run_async(_generation_get)
