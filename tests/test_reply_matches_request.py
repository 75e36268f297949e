"""The value's type always matches the request, as the overloads promise, whatever the server sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from conftest import chat_body, chunk, sse

from openrouter_core import AsyncChatStream, ChatStream, Ok, OpenRouterCore, models
from openrouter_funcs import OpenRouter, chat_send, chat_send_async

MakeCore = Callable[..., OpenRouterCore]
ASK = [{"role": "user", "content": "hi"}]
TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
}


def _json_reply(_: httpx.Request) -> httpx.Response:
    body: dict[str, Any] = chat_body("whole")
    body["choices"][0]["message"]["tool_calls"] = [TOOL_CALL]
    body["choices"][0]["finish_reason"] = "tool_calls"
    return httpx.Response(200, json=body)


def _sse_reply(_: httpx.Request) -> httpx.Response:
    body = sse(chunk("str"), chunk("eamed", finish="stop"))
    return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})


def test_a_stream_request_answered_with_json_is_a_one_chunk_stream(make_core: MakeCore) -> None:
    res = chat_send(make_core(_json_reply), {"model": "m", "messages": ASK, "stream": True})
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
    assert res.raw is not None and res.raw.status_code == 200
    with res.value as stream:
        chunks = list(stream)
    assert stream.error is None
    assert len(chunks) == 1
    assert chunks[0].choices[0].delta.content == "whole"
    whole = stream.collect()
    assert whole.ok
    message = whole.value.choices[0].message
    assert message.content == "whole"
    assert isinstance(message.tool_calls, list)
    assert [(call.id, call.function.name, call.function.arguments) for call in message.tool_calls] == [
        ("call_1", "weather", '{"city":"Paris"}')
    ]
    assert whole.value.choices[0].finish_reason == "tool_calls"
    assert whole.value.usage is not None and whole.value.usage.total_tokens == 3


def test_a_plain_request_answered_with_a_stream_is_collected(make_core: MakeCore) -> None:
    res = chat_send(make_core(_sse_reply), {"model": "m", "messages": ASK})
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "streamed"


def test_the_thin_client_gets_the_type_it_asked_for(make_core: MakeCore) -> None:
    core = make_core(_sse_reply)
    client = OpenRouter(api_key="sk-or-test", client=core.client, server_url="https://openrouter.test/api/v1")
    assert isinstance(client.chat.send({"model": "m", "messages": ASK}), models.ChatResponse)


async def test_async_replies_match_the_request_too(make_core: MakeCore) -> None:
    streamed = await chat_send_async(make_core(_json_reply), {"model": "m", "messages": ASK, "stream": True})
    assert isinstance(streamed, Ok) and isinstance(streamed.value, AsyncChatStream)
    async with streamed.value as stream:
        contents = [c.choices[0].delta.content async for c in stream]
    assert contents == ["whole"] and stream.error is None
    whole = await chat_send_async(make_core(_sse_reply), {"model": "m", "messages": ASK})
    assert isinstance(whole, Ok) and isinstance(whole.value, models.ChatResponse)
    assert whole.value.choices[0].message.content == "streamed"
