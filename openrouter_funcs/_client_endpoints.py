"""The thin client's namespaces for the endpoints around chat; each method unwraps a standalone function.

`OpenRouter` wires them as `client.models`, `client.generations`, `client.credits`, `client.key` and
`client.embeddings`. Sync methods import their function on first use and async ones too, so the
client loads neither asyncio machinery nor an endpoint nobody calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from openrouter_core._models._embeddings import EmbeddingsRequest, EmbeddingsResponse
    from openrouter_core._models._endpoints import (
        CreditsResponse,
        GenerationResponse,
        KeyResponse,
        ModelsListResponse,
    )
    from openrouter_funcs._models_list import ModelsListFilters, QueryValue

__all__ = ["Credits", "Embeddings", "Generations", "Key", "Models"]


class _Namespace:
    __slots__ = ("_core",)

    def __init__(self, core: OpenRouterCore) -> None:
        self._core = core


class Models(_Namespace):
    """`client.models`: `list` and `list_async`, returning the listing or raising the error."""

    __slots__ = ()

    def list(
        self,
        *,
        extra_query: Mapping[str, QueryValue] | None = None,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        **filters: Unpack[ModelsListFilters],
    ) -> ModelsListResponse:
        """`models_list`, unwrapped: the listing, or the error raised."""
        from openrouter_funcs._models_list import models_list

        result = models_list(
            self._core,
            extra_query=extra_query,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            **filters,
        )
        return result.unwrap()

    async def list_async(
        self,
        *,
        extra_query: Mapping[str, QueryValue] | None = None,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        **filters: Unpack[ModelsListFilters],
    ) -> ModelsListResponse:
        """`models_list_async`, unwrapped: the listing, or the error raised."""
        from openrouter_funcs._models_list_async import models_list_async

        result = await models_list_async(
            self._core,
            extra_query=extra_query,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            **filters,
        )
        return result.unwrap()


class Generations(_Namespace):
    """`client.generations`: `get` and `get_async`, returning a generation's metadata or raising."""

    __slots__ = ()

    def get(
        self,
        id: str,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GenerationResponse:
        """`generation_get`, unwrapped: the generation's metadata, or the error raised."""
        from openrouter_funcs._generation_get import generation_get

        return generation_get(
            self._core, id, retries=retries, timeout_ms=timeout_ms, headers=headers
        ).unwrap()

    async def get_async(
        self,
        id: str,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> GenerationResponse:
        """`generation_get_async`, unwrapped: the generation's metadata, or the error raised."""
        from openrouter_funcs._generation_get_async import generation_get_async

        result = await generation_get_async(
            self._core, id, retries=retries, timeout_ms=timeout_ms, headers=headers
        )
        return result.unwrap()


class Credits(_Namespace):
    """`client.credits`: `get` and `get_async`, returning the credits or raising the error."""

    __slots__ = ()

    def get(
        self,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CreditsResponse:
        """`credits_get`, unwrapped: the credits, or the error raised."""
        from openrouter_funcs._credits_get import credits_get

        return credits_get(self._core, retries=retries, timeout_ms=timeout_ms, headers=headers).unwrap()

    async def get_async(
        self,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> CreditsResponse:
        """`credits_get_async`, unwrapped: the credits, or the error raised."""
        from openrouter_funcs._credits_get_async import credits_get_async

        result = await credits_get_async(self._core, retries=retries, timeout_ms=timeout_ms, headers=headers)
        return result.unwrap()


class Key(_Namespace):
    """`client.key`: `get` and `get_async`, returning the current key's limits and usage or raising."""

    __slots__ = ()

    def get(
        self,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> KeyResponse:
        """`key_get`, unwrapped: the key's limits and usage, or the error raised."""
        from openrouter_funcs._key_get import key_get

        return key_get(self._core, retries=retries, timeout_ms=timeout_ms, headers=headers).unwrap()

    async def get_async(
        self,
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> KeyResponse:
        """`key_get_async`, unwrapped: the key's limits and usage, or the error raised."""
        from openrouter_funcs._key_get_async import key_get_async

        result = await key_get_async(self._core, retries=retries, timeout_ms=timeout_ms, headers=headers)
        return result.unwrap()


class Embeddings(_Namespace):
    """`client.embeddings`: `create` and `create_async`, returning the vectors or raising the error."""

    __slots__ = ()

    def create(
        self,
        request: EmbeddingsRequest | Mapping[str, Any],
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> EmbeddingsResponse:
        """`embeddings_create`, unwrapped: the embeddings, or the error raised."""
        from openrouter_funcs._embeddings_create import embeddings_create

        return embeddings_create(
            self._core,
            request,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        ).unwrap()

    async def create_async(
        self,
        request: EmbeddingsRequest | Mapping[str, Any],
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> EmbeddingsResponse:
        """`embeddings_create_async`, unwrapped: the embeddings, or the error raised."""
        from openrouter_funcs._embeddings_create_async import embeddings_create_async

        result = await embeddings_create_async(
            self._core,
            request,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )
        return result.unwrap()
