"""`chat_send_async`: one chat completion with httpx's async client, returned as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_core._stream_async import AsyncChatStream
from openrouter_core._transport_async import send_async
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_send import decode_chat, prepare_chat

__all__ = ["chat_send_async", "whole_reply_async"]


async def chat_send_async(
    core: OpenRouterCore,
    request: ChatGenerationParams | Mapping[str, Any],
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Result[ChatResponse | AsyncChatStream, OpenRouterError]:
    """Send a chat completion request: `Ok(ChatResponse)`, `Ok(AsyncChatStream)` when streaming, or `Err`."""
    try:
        prepared = prepare_chat(core, request, retries, timeout_ms, headers, extra_body)
        if not prepared.ok:
            return prepared
        return await send_async(core, prepared.value, decode_chat, AsyncChatStream)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))


async def whole_reply_async(
    res: Result[ChatResponse | AsyncChatStream, OpenRouterError],
) -> Result[ChatResponse, OpenRouterError]:
    """`res` as one `ChatResponse`: a stream is collected (and closed), keeping `res.raw`."""
    if not res.ok:
        return res
    reply = res.value
    if isinstance(reply, ChatResponse):
        return Ok(reply, res.raw)
    async with reply:
        whole = await reply.collect()
    return Ok(whole.value, res.raw) if whole.ok else Err(whole.error, res.raw)
