"""`key_get` and `key_get_async`: `GET /key`, the limits and usage of the current API key, as a Result."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._call import Planned, planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._models._endpoints import KeyResponse
from openrouter_core._prepare import prepare_get

__all__ = ["key_get", "key_get_async"]

decode_key = ResponseDecoder(KeyResponse)


def _key_get(
    core: OpenRouterCore,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Planned[KeyResponse]:
    """The current API key's limit, what remains of it and its usage: `Ok(KeyResponse)` or `Err(error)`."""
    return planned(prepare_get(core, core.server_url + "/key", retries, timeout_ms, headers), decode_key)


key_get = run(_key_get)
key_get_async = run_async(_key_get)
