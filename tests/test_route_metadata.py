"""Router metadata: asked for per call or per core, typed on replies and collected streams, on `res.raw`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from openrouter_core import OpenRouterCore, RetryConfig, openrouter_headers
from openrouter_core.models import OpenRouterMetadata
from openrouter_core.testing import MockServer, route_metadata, stream_reply, text_reply
from openrouter_funcs import chat_run_tools, chat_send

HELLO = {"model": "a/x", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    with OpenRouterCore(
        api_key="sk-test", server_url=server.base_url, retry_config=RetryConfig(strategy="none")
    ) as made:
        yield made


def test_per_call_metadata_is_typed_and_on_raw(server: MockServer, core: OpenRouterCore) -> None:
    res = chat_send(core, HELLO, headers=openrouter_headers(route_metadata=True))
    assert server.last_request.headers["x-openrouter-metadata"] == "enabled"
    reply = res.unwrap()
    assert isinstance(reply.openrouter_metadata, OpenRouterMetadata)
    assert reply.openrouter_metadata.requested == "a/x"
    assert res.raw is not None
    assert (res.raw.requested_model, res.raw.served_model, res.raw.served_provider) == (
        "a/x",
        "a/x",
        "MockProvider",
    )
    assert res.raw.route == reply.openrouter_metadata


def test_without_the_header_there_is_no_metadata(server: MockServer, core: OpenRouterCore) -> None:
    res = chat_send(core, {**HELLO, "models": ["a/x", "b/y"]})
    assert "x-openrouter-metadata" not in server.last_request.headers
    assert res.unwrap().openrouter_metadata is None
    assert res.raw is not None and res.raw.route is None
    assert (res.raw.requested_model, res.raw.served_model) == ("a/x", "a/x")


def test_a_fallback_shows_requested_and_served(server: MockServer) -> None:
    route = route_metadata("b/y", "Second", requested="a/x", failed=[("First", 503)])
    server.enqueue(text_reply("ok", model="b/y", provider="Second", openrouter_metadata=route))
    with OpenRouterCore(
        server_url=server.base_url, default_headers=openrouter_headers(route_metadata=True)
    ) as core:
        res = chat_send(core, {"models": ["a/x", "b/y"], "messages": HELLO["messages"]})
    assert server.last_request.headers["x-openrouter-metadata"] == "enabled"
    assert res.raw is not None and res.raw.route is not None
    assert (res.raw.requested_model, res.raw.served_model, res.raw.served_provider) == (
        "a/x",
        "b/y",
        "Second",
    )
    assert [(a.provider, a.status) for a in res.raw.route.attempts or []] == [("First", 503), ("Second", 200)]
    assert res.raw.route.strategy == "fallback"


def test_a_collected_stream_carries_the_metadata_of_its_last_chunk(
    server: MockServer, core: OpenRouterCore
) -> None:
    res = chat_send(core, {**HELLO, "stream": True}, headers=openrouter_headers(route_metadata=True))
    assert res.ok and res.raw is not None
    assert res.raw.requested_model == "a/x" and res.raw.served_model is None  # not known at the headers
    with res.value as stream:  # type: ignore[union-attr]
        whole = stream.collect().unwrap()
    assert isinstance(whole.openrouter_metadata, OpenRouterMetadata)
    assert whole.openrouter_metadata.requested == "a/x"


def test_a_composite_call_reports_the_served_model_of_a_stream(
    server: MockServer, core: OpenRouterCore
) -> None:
    server.enqueue(
        stream_reply(
            "done", model="b/y", provider="P", openrouter_metadata=route_metadata("b/y", "P", requested="a/x")
        )
    )
    res = chat_run_tools(core, {**HELLO, "stream": True}, [])
    assert res.raw is not None
    assert (res.raw.requested_model, res.raw.served_model, res.raw.served_provider) == ("a/x", "b/y", "P")
    assert res.raw.route is not None and res.raw.route.summary.startswith("available=1")
