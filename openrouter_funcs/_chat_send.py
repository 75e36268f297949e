"""`chat_send` and `chat_send_async`: one chat completion, returned as a Result, never raised.

The two share the request's preparation; they differ in the stream they return (`ChatStream` or
`AsyncChatStream`), whose machinery loads with the first stream, not at import.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx

from openrouter_core._call import guarded, guarded_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import OpenRouterError, RequestAbortedError
from openrouter_core._exchange import map_exception
from openrouter_core._hooks import CallObserver, CallStart, start_call
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_core._prepare import Prepared, prepare, to_struct
from openrouter_core._transport import send
from openrouter_core.result import Err, Ok, Result

if TYPE_CHECKING:
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream

__all__ = [
    "INTERRUPTED",
    "ChatOptions",
    "chat_send",
    "chat_send_async",
    "prepare_chat",
    "whole_reply",
    "whole_reply_async",
]

decode_chat = ResponseDecoder(ChatResponse)

INTERRUPTED: Result[Any, OpenRouterError] = Err(RequestAbortedError("the call was interrupted"))
"""What observers hear when a call ends by KeyboardInterrupt or cancellation instead of a result."""


def open_stream(response: httpx.Response, observer: CallObserver | None = None) -> ChatStream:
    """A `ChatStream` over `response` (the stream machinery loads on the first stream, not at import)."""
    from openrouter_core._stream import ChatStream

    return ChatStream(response, observer)


def open_async_stream(response: httpx.Response, observer: CallObserver | None = None) -> AsyncChatStream:
    """An `AsyncChatStream` over `response` (loaded on the first async stream)."""
    from openrouter_core._stream_async import AsyncChatStream

    return AsyncChatStream(response, observer)


def prepare_chat(
    core: OpenRouterCore,
    request: ChatGenerationParams | Mapping[str, Any],
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
    extra_body: Mapping[str, Any] | None,
) -> tuple[Result[Prepared, OpenRouterError], CallObserver | None]:
    """Validate and encode a chat request, and start its `on_call` observers (shared by both `chat_send`s)."""
    params = to_struct(request, ChatGenerationParams)
    if not params.ok:
        return params, None
    value = params.value
    observer = None
    if core.hooks.on_call:
        observer = start_call(core.hooks, CallStart("chat", core.server_url, params=value))
        if observer is not None:
            value = observer.request(value)
    stream = value.stream is True or (isinstance(extra_body, Mapping) and extra_body.get("stream") is True)
    prepared = prepare(
        core,
        "POST",
        core.chat_url,
        value,
        stream=stream,
        retries=retries,
        timeout_ms=timeout_ms,
        headers=headers,
        extra_body=extra_body,
    )
    return prepared, observer


@guarded
def chat_send(
    core: OpenRouterCore,
    request: ChatGenerationParams | Mapping[str, Any],
    *,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Result[ChatResponse | ChatStream, OpenRouterError]:
    """Send a chat completion request: `Ok(ChatResponse)`, `Ok(ChatStream)` when streaming, or `Err(error)`.

    Streaming is decided by the response's Content-Type, as in OpenRouter's TypeScript SDK: ask for it with
    `"stream": True`. `extra_body` merges raw fields into the JSON body, for API fields newer than this SDK.
    """
    observer = None
    res: Result[ChatResponse | ChatStream, OpenRouterError] = INTERRUPTED
    try:
        prepared, observer = prepare_chat(core, request, retries, timeout_ms, headers, extra_body)
        if not prepared.ok:
            res = prepared
        elif observer is None:
            res = send(core, prepared.value, decode_chat, open_stream)
        else:
            res = send(core, prepared.value, decode_chat, partial(open_stream, observer=observer), observer)
    except Exception as exc:  # a bug of ours must still come back as a value (and be heard)
        res = Err(map_exception(exc))
    finally:
        if observer is not None:
            observer.finished(res)
    return res


@guarded_async
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
    from openrouter_core._transport_async import send_async

    observer = None
    res: Result[ChatResponse | AsyncChatStream, OpenRouterError] = INTERRUPTED
    try:
        prepared, observer = prepare_chat(core, request, retries, timeout_ms, headers, extra_body)
        if not prepared.ok:
            res = prepared
        elif observer is None:
            res = await send_async(core, prepared.value, decode_chat, open_async_stream)
        else:
            opener = partial(open_async_stream, observer=observer)
            res = await send_async(core, prepared.value, decode_chat, opener, observer)
    except Exception as exc:  # a bug of ours must still come back as a value (and be heard)
        res = Err(map_exception(exc))
    finally:
        if observer is not None:
            observer.finished(res)
    return res


def whole_reply(
    res: Result[ChatResponse | ChatStream, OpenRouterError],
) -> Result[ChatResponse, OpenRouterError]:
    """`res` as one `ChatResponse`: a stream is collected (and closed), keeping `res.raw`."""
    if not res.ok:
        return res
    reply = res.value
    if isinstance(reply, ChatResponse):
        return Ok(reply, res.raw)
    with reply:
        whole = reply.collect()
    return Ok(whole.value, res.raw) if whole.ok else Err(whole.error, res.raw)


async def whole_reply_async(
    res: Result[ChatResponse | AsyncChatStream, OpenRouterError],
) -> Result[ChatResponse, OpenRouterError]:
    """`whole_reply` for the result of `chat_send_async`."""
    if not res.ok:
        return res
    reply = res.value
    if isinstance(reply, ChatResponse):
        return Ok(reply, res.raw)
    async with reply:
        whole = await reply.collect()
    return Ok(whole.value, res.raw) if whole.ok else Err(whole.error, res.raw)


class ChatOptions:
    """The per-call options that a call made of chat requests (parse, tool loop, batch) passes to each one."""

    __slots__ = ("extra_body", "headers", "retries", "timeout_ms")

    def __init__(
        self,
        retries: RetryConfig | None,
        timeout_ms: int | None,
        headers: Mapping[str, str] | None,
        extra_body: Mapping[str, Any] | None,
    ) -> None:
        self.retries = retries
        self.timeout_ms = timeout_ms
        self.headers = headers
        self.extra_body = extra_body

    def reply(
        self, core: OpenRouterCore, params: ChatGenerationParams
    ) -> Result[ChatResponse, OpenRouterError]:
        """`chat_send` with these options, a stream collected into the whole reply."""
        return whole_reply(chat_send(core, params, **self._keywords()))

    async def reply_async(
        self, core: OpenRouterCore, params: ChatGenerationParams
    ) -> Result[ChatResponse, OpenRouterError]:
        """`reply` on the async client."""
        return await whole_reply_async(await chat_send_async(core, params, **self._keywords()))

    def with_retries(self, retries: RetryConfig) -> ChatOptions:
        """These options with other retries."""
        return ChatOptions(retries, self.timeout_ms, self.headers, self.extra_body)

    def _keywords(self) -> dict[str, Any]:
        return {
            "retries": self.retries,
            "timeout_ms": self.timeout_ms,
            "headers": self.headers,
            "extra_body": self.extra_body,
        }
