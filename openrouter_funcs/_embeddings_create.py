"""`embeddings_create` and `embeddings_create_async`: `POST /embeddings`, as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openrouter_core._call import Planned, planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import SDKValidationError
from openrouter_core._models._embeddings import EmbeddingsRequest, EmbeddingsResponse
from openrouter_core._prepare import prepare, to_struct
from openrouter_core.result import Err

__all__ = ["embeddings_create", "embeddings_create_async"]

decode_embeddings = ResponseDecoder(EmbeddingsResponse)


def _kind(item: object) -> str:
    if isinstance(item, str):
        return "texts"
    if isinstance(item, (int, float)):
        return "tokens"
    if isinstance(item, list):
        return "token lists"
    return "multimodal inputs"


def _mixed_input(params: EmbeddingsRequest) -> SDKValidationError | None:
    """The API takes a list `input` of one kind only: texts, tokens, token lists or multimodal inputs."""
    items = params.input
    if isinstance(items, str) or not items:
        return None
    first = _kind(items[0])
    for index, item in enumerate(items):
        kind = _kind(item)
        if kind != first:
            return SDKValidationError(
                f"invalid request: input mixes {first} and {kind}; a list input holds one kind only",
                path=f"$.input[{index}]",
            )
    return None


def _embeddings_create(
    core: OpenRouterCore,
    request: EmbeddingsRequest | Mapping[str, Any],
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Planned[EmbeddingsResponse]:
    """Embed texts, tokens or multimodal inputs: `Ok(EmbeddingsResponse)` or `Err(error)`.

    `request` is a `models.EmbeddingsRequest` or a mapping with the same fields; an unknown key, a
    wrong type, an empty input or a list input mixing kinds gives `Err(SDKValidationError)` naming
    the field, and nothing is sent. `extra_body` merges raw fields into the JSON body.
    """
    params = to_struct(request, EmbeddingsRequest)
    if not params.ok:
        return params
    mixed = _mixed_input(params.value)
    if mixed is not None:
        return Err(mixed)
    prepared = prepare(
        core,
        "POST",
        core.server_url + "/embeddings",
        params.value,
        stream=False,
        retries=retries,
        timeout_ms=timeout_ms,
        headers=headers,
        extra_body=extra_body,
    )
    return planned(prepared, decode_embeddings)


embeddings_create = run(_embeddings_create)
embeddings_create_async = run_async(_embeddings_create)
