"""`chat_parse_async`: `chat_parse` on httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_parse import Parsed, parse_response, prepare_parse
from openrouter_funcs._chat_send_async import chat_send_async, whole_reply_async

__all__ = ["chat_parse_async"]

T = TypeVar("T")


async def chat_parse_async(
    core: OpenRouterCore,
    request: ChatGenerationParams | Mapping[str, Any],
    schema: type[T],
    *,
    name: str | None = None,
    strict: bool = True,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Result[Parsed[T], OpenRouterError]:
    """Ask for a reply shaped like `schema` and decode it: `Ok(Parsed(value, response))` or `Err(error)`."""
    try:
        prepared = prepare_parse(request, schema, name, strict)
        if not prepared.ok:
            return prepared
        params, plan = prepared.value
        res = await whole_reply_async(
            await chat_send_async(
                core, params, retries=retries, timeout_ms=timeout_ms, headers=headers, extra_body=extra_body
            )
        )
        if not res.ok:
            return res
        raw = res.raw
        parsed = parse_response(res.value, schema, plan, raw.status_code if raw is not None else None)
        if parsed.ok:
            return Ok(parsed.value, raw)
        return Err(parsed.error, raw)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
