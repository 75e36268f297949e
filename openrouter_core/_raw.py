"""`RawResponse`: the HTTP side of a result (status, headers, URL, timing, attempts, cache and route)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec

if TYPE_CHECKING:
    from openrouter_core._models._response import ChatResponse, OpenRouterMetadata

__all__ = ["RawResponse"]


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and value.strip().isdigit() else None


class RawResponse(msgspec.Struct, frozen=True):
    """What came back over HTTP for a result: `res.raw.headers["x-generation-id"]`, `res.raw.attempts`..."""

    status_code: int
    headers: Mapping[str, str]
    url: str
    elapsed_ms: float
    """From the first attempt's start to the end of the last one (for a stream: until its headers)."""
    attempts: int
    requested_model: str | None = None
    """The model asked for: `openrouter_metadata.requested` when the server sent it, else the request's."""
    served_model: str | None = None
    """The model that answered (the reply's `model`); set on chat results once the reply is whole."""
    served_provider: str | None = None
    """The provider that answered (the reply's `provider`); set on chat results once the reply is whole."""
    route: OpenRouterMetadata | None = None
    """The reply's `openrouter_metadata`, when asked for with `openrouter_headers(route_metadata=True)`."""

    @property
    def generation_id(self) -> str | None:
        """OpenRouter's generation id, for `generation_get` cost lookups."""
        return self.headers.get("x-generation-id")

    @property
    def rate_limit(self) -> dict[str, str]:
        """The `x-ratelimit-*` headers, by name."""
        return {
            name: value for name, value in self.headers.items() if name.lower().startswith("x-ratelimit-")
        }

    @property
    def cache_status(self) -> str | None:
        """`X-OpenRouter-Cache-Status`: `HIT` or `MISS` when the response cache was asked for, else None."""
        return self.headers.get("x-openrouter-cache-status")

    @property
    def cache_hit(self) -> bool:
        """Whether the reply came from OpenRouter's response cache (and so was billed 0)."""
        status = self.cache_status
        return status is not None and status.upper() == "HIT"

    @property
    def cache_age_s(self) -> int | None:
        """`X-OpenRouter-Cache-Age`: seconds since the cached reply was stored."""
        return _int_header(self.headers, "x-openrouter-cache-age")

    @property
    def cache_ttl_s(self) -> int | None:
        """`X-OpenRouter-Cache-TTL`: seconds the cache entry lives."""
        return _int_header(self.headers, "x-openrouter-cache-ttl")

    @property
    def cache_source_id(self) -> str | None:
        """`X-OpenRouter-Cache-Source-Id`: the generation id of the call whose reply was cached."""
        return self.headers.get("x-openrouter-cache-source-id")

    def with_request(self, model: str | None) -> RawResponse:
        """This with the request's model as `requested_model` (unless the server already named it)."""
        if self.requested_model is not None or model is None:
            return self
        return msgspec.structs.replace(self, requested_model=model)

    def with_reply(self, reply: ChatResponse) -> RawResponse:
        """This with what the whole reply says about the model and provider that served it."""
        route = reply.openrouter_metadata
        requested = route.requested if route is not None and route.requested else self.requested_model
        return msgspec.structs.replace(
            self,
            requested_model=requested,
            served_model=reply.model or None,
            served_provider=reply.provider or None,
            route=route,
        )
