"""`RawResponse`: the HTTP side of a result (status, headers, URL, timing, attempts)."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

__all__ = ["RawResponse"]


class RawResponse(msgspec.Struct, frozen=True):
    """What came back over HTTP for a result: `res.raw.headers["x-generation-id"]`, `res.raw.attempts`..."""

    status_code: int
    headers: Mapping[str, str]
    url: str
    elapsed_ms: float
    """From the first attempt's start to the end of the last one (for a stream: until its headers)."""
    attempts: int

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
