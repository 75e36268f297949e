"""`credits_get`: `GET /credits`, credits purchased and used, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._endpoints import CreditsResponse
from openrouter_core._prepare import Prepared, prepare_get
from openrouter_core._transport import send
from openrouter_core.result import Err, Result

__all__ = ["credits_get", "prepare_credits"]

decode_credits = ResponseDecoder(CreditsResponse)


def prepare_credits(
    core: OpenRouterCore,
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
) -> Result[Prepared, OpenRouterError]:
    """Build the request (shared by `credits_get` and `credits_get_async`)."""
    return prepare_get(core, core.server_url + "/credits", retries, timeout_ms, headers)


def credits_get(
    core: OpenRouterCore,
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Result[CreditsResponse, OpenRouterError]:
    """Total credits purchased and used, in USD: `Ok(CreditsResponse)` or `Err(error)`.

    OpenRouter documents this endpoint as needing a management key; other keys may get `403`.
    """
    try:
        prepared = prepare_credits(core, retries, timeout_ms, headers)
        if not prepared.ok:
            return prepared
        return send(core, prepared.value, decode_credits)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
