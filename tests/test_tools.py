"""`chat_run_tools`: the model -> tool -> model loop against the embedded server."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypedDict

import msgspec
import pytest

from openrouter_core import OpenRouterCore, errors, models
from openrouter_core.testing import MockServer, error_reply, stream_reply, text_reply
from openrouter_funcs import ToolRun, chat_run_tools, chat_run_tools_async, function_tool

REQUEST: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "Weather in Paris?"}]}


def get_weather(
    city: Annotated[str, msgspec.Meta(description="The city's name")], unit: Literal["C", "F"] = "C"
) -> dict[str, Any]:
    """Current weather in a city."""
    if city == "Atlantis":
        raise LookupError("no such city")
    return {"city": city, "temp": 21, "unit": unit}


class Sum(msgspec.Struct):
    a: int
    b: int


def add(numbers: Sum) -> int:
    """Add two numbers."""
    return numbers.a + numbers.b


@dataclasses.dataclass
class Greeting:
    name: str


def greet(greeting: Greeting) -> str:
    """Greet someone."""
    return f"hello {greeting.name}"


class Query(TypedDict):
    text: str


def search(query: Query) -> list[str]:
    """Search."""
    return [query["text"], "more"]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    server.reset()
    with OpenRouterCore(api_key="sk-test", server_url=server.base_url) as made:
        yield made


def test_the_loop_runs_tools_and_returns_the_transcript(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("get_weather", '{"city": "Paris"}'), ("add", '{"a": 2, "b": 3}')]),
        text_reply("21C in Paris, and 2+3=5."),
    )
    res = chat_run_tools(core, REQUEST, {"get_weather": get_weather, "add": add})
    assert res.ok, res
    run = res.value
    assert isinstance(run, ToolRun)
    assert run.turns == 2
    assert run.content == "21C in Paris, and 2+3=5."
    kinds = [type(message).__name__ for message in run.messages]
    assert kinds == [
        "ChatUserMessage",
        "ChatAssistantMessage",
        "ChatToolMessage",
        "ChatToolMessage",
        "ChatAssistantMessage",
    ]
    first, second = run.messages[2], run.messages[3]
    assert isinstance(first, models.ChatToolMessage) and isinstance(second, models.ChatToolMessage)
    assert msgspec.json.decode(first.content) == {"city": "Paris", "temp": 21, "unit": "C"}
    assert second.content == "5"
    assistant = run.messages[1]
    assert isinstance(assistant, models.ChatAssistantMessage) and isinstance(assistant.tool_calls, list)
    assert first.tool_call_id == assistant.tool_calls[0].id
    # The second request carried the whole transcript and the tool definitions.
    sent = server.requests[1].json()
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "tool", "tool"]
    tools = {tool["function"]["name"]: tool["function"] for tool in sent["tools"]}
    assert tools["get_weather"]["description"] == "Current weather in a city."
    assert tools["get_weather"]["parameters"] == {
        "type": "object",
        "properties": {
            "city": {"description": "The city's name", "type": "string"},
            "unit": {"enum": ["C", "F"], "default": "C"},
        },
        "required": ["city"],
        "additionalProperties": False,
    }
    assert tools["add"]["parameters"]["required"] == ["a", "b"]
    assert res.raw is not None


def test_tool_failures_go_back_to_the_model(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        text_reply(
            None,
            tool_calls=[
                ("get_weather", '{"city": "Atlantis"}'),
                ("get_weather", '{"city": 7}'),
                ("get_weather", "{not json"),
                ("get_weather", '{"city": "Oslo", "extra": 1}'),
                ("launch_rockets", "{}"),
            ],
        ),
        text_reply("Sorry, I could not find that."),
    )
    run = chat_run_tools(core, REQUEST, [get_weather]).unwrap()
    replies = [m.content for m in run.messages if isinstance(m, models.ChatToolMessage)]
    assert replies[0] == "error: get_weather raised LookupError: no such city"
    assert replies[1] == "error: invalid arguments for get_weather: Expected `str`, got `int` - at `$.city`"
    assert isinstance(replies[2], str) and replies[2].startswith(
        "error: the arguments for get_weather are not"
    )
    assert replies[3] == "error: invalid arguments for get_weather: Object contains unknown field `extra`"
    assert replies[4] == "error: there is no tool named 'launch_rockets'; the tools are: get_weather"
    assert run.content == "Sorry, I could not find that."


def test_record_parameters(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("greet", '{"name": "Ada"}'), ("search", '{"text": "msgspec"}')]),
        text_reply("done"),
    )
    run = chat_run_tools(core, REQUEST, {"greet": greet, "search": search}).unwrap()
    replies = [m.content for m in run.messages if isinstance(m, models.ChatToolMessage)]
    assert replies == ["hello Ada", '["msgspec","more"]']


def test_too_many_turns_is_an_error(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(*(text_reply(None, tool_calls=[("add", '{"a": 1, "b": 1}')]) for _ in range(3)))
    res = chat_run_tools(core, REQUEST, [add], max_turns=3)
    assert not res.ok
    assert isinstance(res.error, errors.ToolLoopLimitError)
    assert res.error.max_turns == 3
    assert len(res.error.messages) == 6  # the user message, 3 assistant turns, tool results for the first 2
    assert "max_turns=3" in str(res.error)
    assert len(server.requests) == 3
    assert isinstance(chat_run_tools(core, REQUEST, [add], max_turns=0).error, errors.SDKValidationError)


def test_bad_tools_and_requests_send_nothing(server: MockServer, core: OpenRouterCore) -> None:
    def untyped(x):  # type: ignore[no-untyped-def]
        return x

    def variadic(*args: int) -> int:
        return 0

    async def later(x: int) -> int:
        return x

    for tools in ([untyped], [variadic], {"": add}):
        res = chat_run_tools(core, REQUEST, tools)
        assert isinstance(res.error, errors.SDKValidationError), tools
    assert "chat_run_tools_async" in str(chat_run_tools(core, REQUEST, [later]).error)
    assert isinstance(chat_run_tools(core, {"messages": 1}, [add]).error, errors.SDKValidationError)
    assert server.requests == []


def test_errors_and_streams(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(error_reply(401, "No auth credentials found"))
    assert isinstance(chat_run_tools(core, REQUEST, [add]).error, errors.UnauthorizedResponseError)
    server.enqueue(
        stream_reply(tool_calls=[("add", '{"a": 40, "b": 2}')], chunk_size=4),
        stream_reply("The answer is 42."),
    )
    run = chat_run_tools(core, {**REQUEST, "stream": True}, [add]).unwrap()
    assert run.content == "The answer is 42."
    assert [m.content for m in run.messages if isinstance(m, models.ChatToolMessage)] == ["42"]


def test_strict_tools_and_existing_tools(server: MockServer, core: OpenRouterCore) -> None:
    definition = function_tool(get_weather, strict=True)
    assert definition.function.strict is True
    assert isinstance(definition.function.parameters, dict)
    assert definition.function.parameters["required"] == ["city", "unit"]
    server.enqueue(
        text_reply(None, tool_calls=[("get_weather", '{"city": "Rome", "unit": null}')]), text_reply("ok")
    )
    request = {**REQUEST, "tools": [{"type": "openrouter:datetime"}]}
    run = chat_run_tools(core, request, [get_weather], strict=True).unwrap()
    tool_reply = run.messages[2]
    assert isinstance(tool_reply, models.ChatToolMessage)
    assert msgspec.json.decode(tool_reply.content)["unit"] == "C"  # null -> the default
    assert [tool["type"] for tool in server.requests[0].json()["tools"]] == [
        "openrouter:datetime",
        "function",
    ]


async def test_async_twin_awaits_async_tools_concurrently(server: MockServer, core: OpenRouterCore) -> None:
    started: list[str] = []

    async def slow_echo(text: str) -> str:
        """Echo, slowly."""
        started.append(text)
        await asyncio.sleep(0.05)
        if text == "boom":
            raise RuntimeError("exploded")
        return text.upper()

    server.enqueue(
        text_reply(None, tool_calls=[("slow_echo", '{"text": "a"}'), ("slow_echo", '{"text": "boom"}')]),
        text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}')]),
        text_reply("finished"),
    )
    res = await chat_run_tools_async(core, REQUEST, {"slow_echo": slow_echo, "add": add})
    run = res.unwrap()
    assert run.turns == 3
    assert [m.content for m in run.messages if isinstance(m, models.ChatToolMessage)] == [
        "A",
        "error: slow_echo raised RuntimeError: exploded",
        "3",
    ]
    server.enqueue(*(text_reply(None, tool_calls=[("add", '{"a": 1, "b": 1}')]) for _ in range(2)))
    limited = await chat_run_tools_async(core, REQUEST, [add], max_turns=2)
    assert isinstance(limited.error, errors.ToolLoopLimitError)
    assert "max_turns=2" in str(limited.error)
    await core.aclose()
