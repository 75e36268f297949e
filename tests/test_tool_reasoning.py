"""Tool loops that keep reasoning: each assistant turn goes back unchanged, on one session and one route,
against the embedded server in its Gemini-3-like mode (a tool turn without reasoning details is refused)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from openrouter_core import OpenRouterCore, RetryConfig, errors
from openrouter_core.testing import MockServer, RecordedRequest, stream_reply, text_reply
from openrouter_funcs import chat_run_tools, chat_run_tools_async, chat_send

ROUTE = {
    "model": "google/gemini-3-pro",
    "models": ["google/gemini-3-pro", "google/gemini-3-flash"],
    "provider": {"order": ["Google", "Vertex"], "allow_fallbacks": False},
    "reasoning": {"effort": "high"},
    "messages": [{"role": "user", "content": "what is 1 + 2?"}],
}


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(require_reasoning_details=True) as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    with OpenRouterCore(
        api_key="sk-test", server_url=server.base_url, retry_config=RetryConfig(strategy="none")
    ) as made:
        yield made


def _assistant(request: RecordedRequest) -> dict[str, Any]:
    return next(m for m in request.json()["messages"] if m["role"] == "assistant")


def test_the_server_refuses_a_tool_turn_that_lost_its_reasoning(core: OpenRouterCore) -> None:
    lost = [
        *ROUTE["messages"],  # type: ignore[misc]
        {
            "role": "assistant",
            "content": None,
            "reasoning": "add them",
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "3"},
    ]
    res = chat_send(core, {**ROUTE, "messages": lost})
    assert isinstance(res.error, errors.BadRequestResponseError)
    assert res.error.error_type == "invalid_request"
    assert "reasoning details must be preserved" in res.error.message


def test_each_turn_goes_back_with_its_reasoning_on_one_session(
    server: MockServer, core: OpenRouterCore
) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}')], reasoning="I should add 1 and 2."),
        text_reply(None, tool_calls=[("add", '{"a": 3, "b": 3}')], reasoning="Now double it."),
        text_reply("6"),
    )
    res = chat_run_tools(core, ROUTE, [add])
    assert res.ok, res
    assert res.value.content == "6"
    first, second, third = (request.json() for request in server.requests)
    sent_back = [m for m in third["messages"] if m["role"] == "assistant"]
    replies = [server.requests[0], server.requests[1]]  # what the model said is in the next request
    assert [m["reasoning"] for m in sent_back] == ["I should add 1 and 2.", "Now double it."]
    assert [m["reasoning_details"] for m in sent_back] == [
        [{"type": "reasoning.text", "text": "I should add 1 and 2.", "format": "unknown", "index": 0}],
        [{"type": "reasoning.text", "text": "Now double it.", "format": "unknown", "index": 0}],
    ]
    assert _assistant(server.requests[1]) == sent_back[0]
    assert len(replies) == 2
    sessions = {request["session_id"] for request in (first, second, third)}
    assert len(sessions) == 1 and sessions.pop().startswith("tools-")
    for request in (second, third):
        assert (request["model"], request["models"], request["provider"], request["reasoning"]) == (
            first["model"],
            first["models"],
            first["provider"],
            first["reasoning"],
        )


def test_a_session_the_caller_gave_is_kept(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}')], reasoning="add"), text_reply("3")
    )
    assert chat_run_tools(core, {**ROUTE, "session_id": "mine"}, [add]).ok
    assert [r.json()["session_id"] for r in server.requests] == ["mine", "mine"]
    server.reset()
    server.enqueue(text_reply("3"))
    assert chat_run_tools(core, ROUTE, [add], headers={"X-Session-Id": "hdr"}).ok
    assert "session_id" not in server.last_request.json()


def test_a_streamed_loop_keeps_the_reasoning_too(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        stream_reply(tool_calls=[("add", '{"a": 1, "b": 2}')], reasoning="Adding one and two.", chunk_size=4),
        stream_reply("3"),
    )
    res = chat_run_tools(core, {**ROUTE, "stream": True}, [add])
    assert res.ok, res
    sent_back = _assistant(server.requests[1])
    assert sent_back["reasoning"] == "Adding one and two."
    assert "".join(d["text"] for d in sent_back["reasoning_details"]) == "Adding one and two."


def test_the_async_loop_keeps_the_reasoning(server: MockServer) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}')], reasoning="sum"), text_reply("3")
    )

    async def main() -> Any:
        async with OpenRouterCore(api_key="sk-test", server_url=server.base_url) as core:
            return await chat_run_tools_async(core, ROUTE, [add])

    res = anyio.run(main)
    assert res.ok, res
    assert _assistant(server.requests[1])["reasoning_details"][0]["text"] == "sum"
    assert server.requests[0].json()["session_id"] == server.requests[1].json()["session_id"]
