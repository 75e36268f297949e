"""The thin client: `OpenRouter(...).chat.send` returns the value or raises the error, sync and async."""

from __future__ import annotations

import httpx
import pytest
from conftest import USER_HELLO, chat_body, chunk, sse

from openrouter_core import AsyncChatStream, ChatStream, RetryConfig, errors, models
from openrouter_funcs import OpenRouter

NO_RETRY = RetryConfig(strategy="none")


def client_for(handler: object) -> OpenRouter:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    return OpenRouter(
        api_key="sk-client",
        server_url="https://openrouter.test/api/v1",
        retry_config=NO_RETRY,
        client=httpx.Client(transport=transport),
        async_client=httpx.AsyncClient(transport=transport),
    )


def test_send_returns_the_response() -> None:
    with client_for(lambda r: httpx.Response(200, json=chat_body("thin"))) as client:
        response = client.chat.send(USER_HELLO)
        assert isinstance(response, models.ChatResponse)
        assert response.choices[0].message.content == "thin"


def test_send_raises_the_typed_error() -> None:
    with client_for(
        lambda r: httpx.Response(402, json={"error": {"code": 402, "message": "Insufficient credits"}})
    ) as client:
        with pytest.raises(errors.PaymentRequiredResponseError, match="Insufficient credits") as caught:
            client.chat.send(USER_HELLO)
        assert caught.value.status_code == 402
        with pytest.raises(errors.SDKValidationError):
            client.chat.send({"messages": "nope"})


def test_send_streams() -> None:
    body = sse(chunk("a"), chunk("b", finish="stop"))
    with client_for(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
    ) as client:
        stream = client.chat.send({**USER_HELLO, "stream": True})
        assert isinstance(stream, ChatStream)
        assert [c.choices[0].delta.content for c in stream] == ["a", "b"]


async def test_send_async() -> None:
    body = sse(chunk("a", finish="stop"))
    answers = [
        httpx.Response(200, json=chat_body("async thin")),
        httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}),
        httpx.Response(500, json={"error": {"code": 500, "message": "boom"}}),
    ]
    async with client_for(lambda r: answers.pop(0)) as client:
        response = await client.chat.send_async(USER_HELLO)
        assert isinstance(response, models.ChatResponse)
        stream = await client.chat.send_async({**USER_HELLO, "stream": True})
        assert isinstance(stream, AsyncChatStream)
        assert [c.choices[0].delta.content async for c in stream] == ["a"]
        with pytest.raises(errors.InternalServerResponseError):
            await client.chat.send_async(USER_HELLO)


def test_client_takes_the_core_arguments_and_hides_the_key() -> None:
    client = OpenRouter(api_key="sk-hidden", app_title="T", timeout_ms=5)
    assert client.core.timeout_ms == 5
    assert "sk-hidden" not in repr(client)
    client.close()


def test_endpoint_namespaces_unwrap_their_functions() -> None:
    from openrouter_core.testing import MockServer

    with MockServer() as server, OpenRouter(api_key="sk-client", server_url=server.base_url) as client:
        assert any(model.id == "openrouter/mock" for model in client.models.list().data)
        assert client.credits.get().data.total_credits >= 0
        assert client.embeddings.create({"model": "openrouter/mock-embed", "input": "hi"}).data
        with pytest.raises(errors.NotFoundResponseError):
            client.generations.get("nope")
