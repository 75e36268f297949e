"""Checked by mypy in test_typing.py: each `reveal_type` must match the comment after it."""

from __future__ import annotations

from typing import Any

from openrouter_core import AsyncChatStream, ChatStream, Err, Ok, OpenRouterCore, Result, errors, models
from openrouter_funcs import OpenRouter, chat_send, chat_send_async

core = OpenRouterCore()
reveal_type(chat_send(core, {"model": "m", "messages": []}))  # Ok[ChatResponse] | Err[OpenRouterError]
streamed = chat_send(core, {"model": "m", "messages": [], "stream": True})
reveal_type(streamed)  # Ok[ChatStream] | Err[OpenRouterError]
untyped: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
res = chat_send(core, untyped)
reveal_type(res)  # Ok[ChatResponse | ChatStream] | Err[OpenRouterError]

if res.ok:
    reveal_type(res)  # Ok[ChatResponse | ChatStream]
    reveal_type(res.value)  # ChatResponse | ChatStream
    if isinstance(res.value, ChatStream):
        for chunk in res.value:
            reveal_type(chunk)  # ChatStreamingResponseChunk
        reveal_type(res.value.error)  # OpenRouterError | None
        reveal_type(res.value.collect())  # Ok[ChatResponse] | Err[OpenRouterError]
else:
    reveal_type(res)  # Err[OpenRouterError]
    reveal_type(res.error)  # OpenRouterError

match res:
    case Ok(value):
        reveal_type(value)  # ChatResponse | ChatStream
    case Err(errors.TooManyRequestsResponseError() as limited):
        reveal_type(limited.headers)  # Mapping[str, str]
    case Err(error):
        reveal_type(error)  # OpenRouterError

reveal_type(res.unwrap())  # ChatResponse | ChatStream


def parse(text: str) -> Result[int, ValueError]:
    return Ok(int(text)) if text.isdigit() else Err(ValueError(text))


reveal_type(parse("1"))  # Ok[int] | Err[ValueError]
reveal_type(parse("1").unwrap_or(0))  # int

request = models.ChatGenerationParams(messages=[models.ChatUserMessage(content="hi")], model="m")
reveal_type(chat_send(core, request))  # Ok[ChatResponse | ChatStream] | Err[OpenRouterError]


async def use_async() -> None:
    ares = await chat_send_async(core, request)
    reveal_type(ares)  # Ok[ChatResponse | AsyncChatStream] | Err[OpenRouterError]
    if ares.ok and isinstance(ares.value, AsyncChatStream):
        async for chunk in ares.value:
            reveal_type(chunk)  # ChatStreamingResponseChunk


client = OpenRouter()
reveal_type(client.chat.send(request))  # ChatResponse | RaisingChatStream
reveal_type(client.chat.send({"messages": []}))  # ChatResponse
reveal_type(client.chat.send({"messages": [], "stream": True}))  # RaisingChatStream

# The thin client takes exactly the core's arguments: a misspelt one is a type error (this ignore is used).
OpenRouter(api_kye="sk-typo")  # type: ignore[call-arg]
with OpenRouter() as typed_client:
    reveal_type(typed_client)  # OpenRouter
