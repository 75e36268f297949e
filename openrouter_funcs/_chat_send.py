"""`chat_send` and `chat_send_async`: one chat completion, returned as a Result, never raised.

The two share the request's preparation; they differ in the stream they return (`ChatStream` or
`AsyncChatStream`), whose machinery loads with the first stream, not at import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, overload

import httpx
from typing_extensions import Unpack

from openrouter_core._call import Observed, guarded, guarded_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._errors import OpenRouterError, SDKValidationError
from openrouter_core._hooks import CallObserver, CallStart, start_call
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_core._prepare import Prepared, prepare, to_struct
from openrouter_core._raw import RawResponse
from openrouter_core._transport import send
from openrouter_core.result import Err, Ok, Result

if TYPE_CHECKING:
    from openrouter_core._models._request_input import ChatRequestInput
    from openrouter_core._models._request_types import ChatRequestNonStreaming, ChatRequestStreaming
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream

__all__ = [
    "ChatOptions",
    "SendOptions",
    "chat_send",
    "chat_send_async",
    "prepare_chat",
    "whole_reply",
    "whole_reply_async",
]

T = TypeVar("T")
S = TypeVar("S")

decode_chat = ResponseDecoder(ChatResponse)


class SendOptions(TypedDict, total=False):
    """The per-call options of `chat_send` and `chat_send_async` (each optional: the core's when left out)."""

    retries: RetryConfig | None
    """The retry policy of this call instead of the core's."""
    timeout_ms: int | None
    """This call's time limit per attempt, in milliseconds, instead of the core's."""
    headers: Mapping[str, str] | None
    """Extra request headers for this call (framing headers such as `Host` are refused)."""
    extra_body: Mapping[str, Any] | None
    """Raw fields merged into the JSON body, for API fields newer than this SDK."""


def open_stream(
    response: httpx.Response, observer: CallObserver | None = None, client: httpx.Client | None = None
) -> ChatStream:
    """A `ChatStream` over `response` (the stream machinery loads on the first stream, not at import).

    `client` is the client that sent it: a read after it was closed says the core was closed.
    """
    from openrouter_core._stream import ChatStream

    return ChatStream(response, observer, client)


def open_async_stream(
    response: httpx.Response, observer: CallObserver | None = None, client: httpx.AsyncClient | None = None
) -> AsyncChatStream:
    """An `AsyncChatStream` over `response` (loaded on the first async stream)."""
    from openrouter_core._stream_async import AsyncChatStream

    return AsyncChatStream(response, observer, client)


def requested_model(request: ChatGenerationParams | Mapping[str, Any]) -> str | None:
    """The model a chat request asks for first: its `model`, else the first of its `models`."""
    model: object
    models: object
    if isinstance(request, ChatGenerationParams):
        model, models = request.model, request.models
    else:
        model, models = request.get("model"), request.get("models")
    if isinstance(model, str) and model:
        return model
    if isinstance(models, list) and models and isinstance(models[0], str):
        return models[0]
    return None


def served(
    res: Result[T, OpenRouterError], request: ChatGenerationParams | Mapping[str, Any]
) -> Result[T, OpenRouterError]:
    """`res` whose `raw` names the requested model, and the served model and provider of a whole reply."""
    raw = res.raw
    if raw is None:
        return res
    raw = raw.with_request(requested_model(request))
    if res.ok:
        if isinstance(res.value, ChatResponse):
            raw = raw.with_reply(res.value)
        return Ok(res.value, raw)
    return Err(res.error, raw)


def prepare_chat(
    core: OpenRouterCore, request: ChatRequestInput, options: SendOptions
) -> tuple[Result[Prepared, OpenRouterError], CallObserver | None]:
    """Validate and encode a chat request, and start its `on_call` observers (shared by both `chat_send`s)."""
    unknown = sorted(map(str, options.keys() - SendOptions.__optional_keys__))
    if unknown:
        return Err(SDKValidationError(f"unknown option {unknown[0]!r}", path=unknown[0])), None
    params = to_struct(request, ChatGenerationParams)
    if not params.ok:
        return params, None
    value = params.value
    observer = None
    if core.hooks.on_call:
        observer = start_call(core.hooks, CallStart("chat", core.server_url, params=value))
        if observer is not None:
            value = observer.request(value)
    extra_body = options.get("extra_body")
    stream = value.stream is True or (isinstance(extra_body, Mapping) and extra_body.get("stream") is True)
    prepared = prepare(
        core,
        "POST",
        core.chat_url,
        value,
        stream=stream,
        retries=options.get("retries"),
        timeout_ms=options.get("timeout_ms"),
        headers=options.get("headers"),
        extra_body=extra_body,
    )
    return prepared, observer


@overload
def chat_send(
    core: OpenRouterCore, request: ChatRequestStreaming, **options: Unpack[SendOptions]
) -> Result[ChatStream, OpenRouterError]: ...


@overload
def chat_send(
    core: OpenRouterCore, request: ChatRequestNonStreaming, **options: Unpack[SendOptions]
) -> Result[ChatResponse, OpenRouterError]: ...


@overload
def chat_send(
    core: OpenRouterCore, request: ChatRequestInput, **options: Unpack[SendOptions]
) -> Result[ChatResponse | ChatStream, OpenRouterError]: ...


@guarded
def chat_send(
    core: OpenRouterCore, request: ChatRequestInput, **options: Unpack[SendOptions]
) -> Result[ChatResponse | ChatStream, OpenRouterError]:
    """Send a chat completion request: `Ok(ChatResponse)`, `Ok(ChatStream)` when streaming, or `Err(error)`.

    Ask for a stream with `"stream": True`. The result's type follows the request: a typed dict literal
    or `ChatRequestNonStreaming` gives `Result[ChatResponse, ...]`, one with `"stream": True` (or a
    `ChatRequestStreaming`) gives `Result[ChatStream, ...]`, anything else (a Struct, a `dict[str, Any]`)
    the union. The value always matches the request: a server that streams unasked is collected into a
    `ChatResponse`, one that answers a stream request with a whole JSON reply is replayed as a one-chunk
    `ChatStream`. `extra_body` merges raw fields into the JSON body, for API fields newer than this SDK.
    """
    prepared, observer = prepare_chat(core, request, options)
    call: Observed[ChatResponse | ChatStream] = Observed(observer)
    with call:
        if not prepared.ok:
            call.result = prepared
        else:
            opener = partial(open_stream, observer=observer, client=core.client)
            sent = send(core, prepared.value, decode_chat, opener, observer)
            # The value matches the request, as the overloads type it: an unasked stream is collected.
            reply = replayed(sent, opener) if prepared.value.stream else whole_reply(sent)
            call.result = served(reply, request)
    return call.result


@overload
async def chat_send_async(
    core: OpenRouterCore, request: ChatRequestStreaming, **options: Unpack[SendOptions]
) -> Result[AsyncChatStream, OpenRouterError]: ...


@overload
async def chat_send_async(
    core: OpenRouterCore, request: ChatRequestNonStreaming, **options: Unpack[SendOptions]
) -> Result[ChatResponse, OpenRouterError]: ...


@overload
async def chat_send_async(
    core: OpenRouterCore, request: ChatRequestInput, **options: Unpack[SendOptions]
) -> Result[ChatResponse | AsyncChatStream, OpenRouterError]: ...


@guarded_async
async def chat_send_async(
    core: OpenRouterCore, request: ChatRequestInput, **options: Unpack[SendOptions]
) -> Result[ChatResponse | AsyncChatStream, OpenRouterError]:
    """Send a chat completion request: `Ok(ChatResponse)`, `Ok(AsyncChatStream)` when streaming, or `Err`.

    The result's type follows the request exactly as for `chat_send`.
    """
    from openrouter_core._transport_async import send_async

    prepared, observer = prepare_chat(core, request, options)
    call: Observed[ChatResponse | AsyncChatStream] = Observed(observer)
    with call:
        if not prepared.ok:
            call.result = prepared
        else:
            opener = partial(open_async_stream, observer=observer, client=core.async_client)
            sent = await send_async(core, prepared.value, decode_chat, opener, observer)
            reply = replayed(sent, opener) if prepared.value.stream else await whole_reply_async(sent)
            call.result = served(reply, request)
    return call.result


def whole_reply(
    res: Result[ChatResponse | ChatStream, OpenRouterError],
) -> Result[ChatResponse, OpenRouterError]:
    """`res` as one `ChatResponse`: a stream is collected (and closed), keeping `res.raw`."""
    reply = settled(res)
    if isinstance(reply, Ok | Err):
        return reply
    return collected(reply.collect(), res.raw)  # collect() closes the stream, however it ends


async def whole_reply_async(
    res: Result[ChatResponse | AsyncChatStream, OpenRouterError],
) -> Result[ChatResponse, OpenRouterError]:
    """`whole_reply` for the result of `chat_send_async`."""
    reply = settled(res)
    if isinstance(reply, Ok | Err):
        return reply
    return collected(await reply.collect(), res.raw)


def settled(res: Result[ChatResponse | S, OpenRouterError]) -> Result[ChatResponse, OpenRouterError] | S:
    """`res` when it needs no more reading (an error or a whole reply), else the stream to collect."""
    if not res.ok:
        return res
    if isinstance(res.value, ChatResponse):
        return Ok(res.value, res.raw)
    return res.value


def collected(
    whole: Result[ChatResponse, OpenRouterError], raw: RawResponse | None
) -> Result[ChatResponse, OpenRouterError]:
    """A collected stream's reply, with the `raw` of the response that carried it."""
    if not whole.ok:
        return Err(whole.error, raw)
    return Ok(whole.value, raw.with_reply(whole.value) if raw is not None else None)


def replayed(
    res: Result[ChatResponse | S, OpenRouterError], opener: Callable[[httpx.Response], S]
) -> Result[ChatResponse | S, OpenRouterError]:
    """`res` for a stream request: a whole reply (the server ignored `"stream": true`) as a one-chunk
    stream."""
    if res.ok and isinstance(res.value, ChatResponse):
        from openrouter_core._replay import as_event_stream

        return Ok(opener(as_event_stream(res.value)), res.raw)
    return res


class ChatOptions:
    """The per-call options that a call made of chat requests (parse, tool loop, batch) passes to each one."""

    __slots__ = ("options",)

    def __init__(self, options: SendOptions) -> None:
        self.options = options

    def reply(
        self, core: OpenRouterCore, params: ChatGenerationParams
    ) -> Result[ChatResponse, OpenRouterError]:
        """`chat_send` with these options, a stream collected into the whole reply."""
        return whole_reply(chat_send(core, params, **self.options))

    async def reply_async(
        self, core: OpenRouterCore, params: ChatGenerationParams
    ) -> Result[ChatResponse, OpenRouterError]:
        """`reply` on the async client."""
        return await whole_reply_async(await chat_send_async(core, params, **self.options))

    def with_retries(self, retries: RetryConfig) -> ChatOptions:
        """These options with other retries."""
        options = self.options.copy()
        options["retries"] = retries
        return ChatOptions(options)
