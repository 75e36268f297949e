"""The thin client: `OpenRouter(...).chat.send` returns the value or raises the error, sync and async."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from conftest import USER_HELLO, chat_body, chunk, sse

from openrouter_core import RetryConfig, errors, models
from openrouter_core.testing import MockServer, cut_at, payload_of, stream_reply
from openrouter_funcs import AsyncRaisingChatStream, OpenRouter, RaisingChatStream

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
        assert isinstance(stream, RaisingChatStream)
        assert [c.choices[0].delta.content for c in stream] == ["a", "b"]
        assert stream.error is None and len(stream.chunks) == 2


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
        assert isinstance(stream, AsyncRaisingChatStream)
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


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def mid_stream_failures() -> list[tuple[object, type[errors.OpenRouterError], str]]:
    whole = stream_reply("one two three", chunk_size=4)
    return [
        (
            stream_reply("one two", chunk_size=4, error={"code": 502, "message": "Provider died"}),
            errors.BadGatewayResponseError,
            "Stream failed mid-way after 3 chunks (error event, code 502): Provider died",
        ),
        (cut_at(whole, len(payload_of(whole)) // 2), errors.APIConnectionError, "Stream failed mid-way"),
    ]


@pytest.mark.parametrize(("reply", "kind", "text"), mid_stream_failures())
def test_a_stream_that_fails_mid_way_raises_after_the_last_good_chunk(
    server: MockServer, reply: object, kind: type[errors.OpenRouterError], text: str
) -> None:
    server.reset()
    with OpenRouter(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as client:
        server.enqueue(reply)  # type: ignore[arg-type]
        stream = client.chat.send({**USER_HELLO, "stream": True})
        assert isinstance(stream, RaisingChatStream)
        seen: list[str] = []

        def read_all() -> None:
            for chunk in stream:
                seen.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

        with pytest.raises(kind) as caught:
            read_all()
        assert str(caught.value).startswith(text), str(caught.value)
        assert "".join(seen).startswith("one"), seen  # the good chunks came first
        assert caught.value is stream.error
        server.enqueue(reply)  # type: ignore[arg-type]
        again = client.chat.send({**USER_HELLO, "stream": True})
        assert isinstance(again, RaisingChatStream)
        with pytest.raises(kind):
            again.collect()


async def test_an_async_stream_that_fails_mid_way_raises(server: MockServer) -> None:
    server.reset()
    reply = stream_reply("one two", chunk_size=4, error={"code": 502, "message": "Provider died"})
    async with OpenRouter(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as client:
        server.enqueue(reply, reply)
        stream = await client.chat.send_async({**USER_HELLO, "stream": True})
        assert isinstance(stream, AsyncRaisingChatStream)
        seen: list[object] = []

        async def read_all() -> None:
            async for chunk in stream:
                seen.append(chunk)

        with pytest.raises(errors.BadGatewayResponseError, match="after 3 chunks"):
            await read_all()
        assert len(seen) == 4  # three good chunks, then the in-band error chunk itself
        again = await client.chat.send_async({**USER_HELLO, "stream": True})
        assert isinstance(again, AsyncRaisingChatStream)
        with pytest.raises(errors.BadGatewayResponseError):
            await again.collect()


def test_a_whole_stream_and_an_early_break_do_not_raise(server: MockServer) -> None:
    server.reset()
    with OpenRouter(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as client:
        reply = stream_reply("one two three", chunk_size=4)
        server.enqueue(reply, reply)
        stream = client.chat.send({**USER_HELLO, "stream": True})
        assert isinstance(stream, RaisingChatStream)
        with stream:
            for _ in stream:
                break
        assert stream.error is None
        whole = client.chat.send({**USER_HELLO, "stream": True})
        assert isinstance(whole, RaisingChatStream)
        assert whole.collect().choices[0].message.content == "one two three"
