"""`credits_get` and `credits_get_async`: `GET /credits`, credits purchased and used, as a Result."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._call import Planned, planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._models._endpoints import CreditsResponse
from openrouter_core._prepare import prepare_get

__all__ = ["credits_get", "credits_get_async"]

decode_credits = ResponseDecoder(CreditsResponse)


def _credits_get(
    core: OpenRouterCore,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Planned[CreditsResponse]:
    """Total credits purchased and used, in USD: `Ok(CreditsResponse)` or `Err(error)`.

    OpenRouter documents this endpoint as needing a management key; other keys may get `403`.
    """
    url = core.server_url + "/credits"
    return planned(prepare_get(core, url, retries, timeout_ms, headers), decode_credits)


credits_get = run(_credits_get)
credits_get_async = run_async(_credits_get)
