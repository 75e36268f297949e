"""The `on_call` hook: one observer per operation, told of retries, the result, stream chunks and the end."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_core import CallObserver, CallStart, Hooks, OpenRouterCore, RetryConfig
from openrouter_core.errors import OpenRouterError, RequestAbortedError
from openrouter_core.models import ChatGenerationParams, ChatStreamingResponseChunk, TraceConfig
from openrouter_core.result import Result
from openrouter_core.testing import MockServer, error_reply, stream_reply, text_reply
from openrouter_funcs import (
    chat_run_tools,
    chat_run_tools_async,
    chat_send,
    chat_send_async,
    chat_send_many,
    chat_send_many_async,
)

HELLO: dict[str, Any] = {"model": "m/x", "messages": [{"role": "user", "content": "hello"}]}


class Recorder(CallObserver):
    """Writes every event of one operation into a shared list."""

    def __init__(self, log: list[tuple[Any, ...]], start: CallStart) -> None:
        self.log = log
        self.op = start.operation
        log.append(("start", self.op, start))

    def retrying(self, error: OpenRouterError, delay_s: float) -> None:
        self.log.append(("retry", self.op, type(error).__name__, delay_s))

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        self.log.append(("finished", self.op, result))

    def chunk(self, chunk: ChatStreamingResponseChunk) -> None:
        self.log.append(("chunk", self.op, chunk))

    def stream_end(self, error: OpenRouterError | None, closed_early: bool) -> None:
        self.log.append(("stream_end", self.op, error, closed_early))


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def observed_core(server: MockServer, log: list[tuple[Any, ...]], **kwargs: Any) -> OpenRouterCore:
    hooks = Hooks(on_call=[lambda start: Recorder(log, start)])
    return OpenRouterCore(api_key="sk-test", server_url=server.base_url, hooks=hooks, **kwargs)


def kinds(log: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    return [(entry[0], entry[1]) for entry in log]


def test_a_plain_call_is_started_then_finished_with_its_result(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    server.enqueue(text_reply("hi"))
    with observed_core(server, log) as core:
        res = chat_send(core, HELLO)
    assert res.ok
    assert kinds(log) == [("start", "chat"), ("finished", "chat")]
    start = log[0][2]
    assert start.params.model == "m/x"
    assert start.server_url == server.base_url
    assert log[1][2] is res


def test_retries_are_reported_with_their_wait(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    server.enqueue(error_reply(429, "slow down", headers={"Retry-After": "0"}), text_reply("hi"))
    with observed_core(server, log) as core:
        res = chat_send(core, HELLO)
    assert res.ok
    assert log[1] == ("retry", "chat", "TooManyRequestsResponseError", 0.0)
    assert kinds(log)[-1] == ("finished", "chat")
    assert res.raw is not None and res.raw.attempts == 2


def test_a_stream_reports_each_chunk_then_its_end(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    server.enqueue(stream_reply("hello there", chunk_size=4))
    with observed_core(server, log) as core:
        res = chat_send(core, {**HELLO, "stream": True})
        assert res.ok
        assert kinds(log) == [("start", "chat"), ("finished", "chat")]
        with res.value as stream:
            delivered = list(stream)
    chunks = [entry[2] for entry in log if entry[0] == "chunk"]
    assert chunks == delivered
    assert log[-1] == ("stream_end", "chat", None, False)


def test_a_stream_closed_early_says_so_once(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    server.enqueue(stream_reply("hello there, a longer reply", chunk_size=2))
    with observed_core(server, log) as core:
        res = chat_send(core, {**HELLO, "stream": True})
        assert res.ok
        stream = res.value
        for _ in stream:
            break
        stream.close()
    ends = [entry for entry in log if entry[0] == "stream_end"]
    assert ends == [("stream_end", "chat", None, True)]


async def test_async_calls_and_streams_are_observed_the_same_way(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    server.enqueue(text_reply("hi"), stream_reply("streamed"))
    async with observed_core(server, log) as core:
        assert (await chat_send_async(core, HELLO)).ok
        res = await chat_send_async(core, {**HELLO, "stream": True})
        assert res.ok
        async with res.value as stream:
            async for _ in stream:
                pass
    assert kinds(log)[:3] == [("start", "chat"), ("finished", "chat"), ("start", "chat")]
    assert log[-1] == ("stream_end", "chat", None, False)


def test_an_observer_may_replace_the_request(server: MockServer) -> None:
    class Tagger(CallObserver):
        def request(self, params: ChatGenerationParams) -> ChatGenerationParams:
            import msgspec

            return msgspec.structs.replace(params, trace=TraceConfig(trace_name="tagged"))

    server.enqueue(text_reply("hi"))
    core = OpenRouterCore(api_key="k", server_url=server.base_url, hooks=Hooks(on_call=[lambda s: Tagger()]))
    with core:
        assert chat_send(core, HELLO).ok
    assert server.last_request.json()["trace"] == {"trace_name": "tagged"}


def test_a_failing_hook_or_observer_changes_nothing_but_is_logged(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(CallObserver):
        def finished(self, result: Result[Any, OpenRouterError]) -> None:
            raise RuntimeError("observer bug")

    def broken_hook(start: CallStart) -> CallObserver:
        raise ValueError("hook bug")

    server.enqueue(text_reply("still fine"))
    hooks = Hooks(on_call=[broken_hook, lambda s: Broken()])
    with (
        caplog.at_level(logging.WARNING, logger="openrouter"),
        OpenRouterCore(api_key="k", server_url=server.base_url, hooks=hooks) as core,
    ):
        res = chat_send(core, HELLO)
    assert res.ok and res.value.choices[0].message.content == "still fine"
    assert "hook raised ValueError: hook bug" in caplog.text
    assert "finished raised RuntimeError: observer bug" in caplog.text


def test_an_interrupted_call_still_finishes_its_observer(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    server.enqueue(error_reply(503, "busy", headers={"Retry-After": "1"}))
    with observed_core(server, log, sleep=interrupt) as core, pytest.raises(KeyboardInterrupt):
        chat_send(core, HELLO)
    result = log[-1][2]
    assert log[-1][0] == "finished" and isinstance(result.error, RequestAbortedError)


def test_the_tool_loop_is_one_operation_around_its_chats_and_tools(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    def boom() -> str:
        raise KeyError("nope")

    server.enqueue(
        text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}'), ("boom", "{}"), ("nosuch", "{}")]),
        text_reply("3"),
    )
    with observed_core(server, log) as core:
        res = chat_run_tools(core, HELLO, [add, boom])
    assert res.ok
    assert kinds(log) == [
        ("start", "invoke_agent"),
        ("start", "chat"),
        ("finished", "chat"),
        ("start", "execute_tool"),
        ("finished", "execute_tool"),
        ("start", "execute_tool"),
        ("finished", "execute_tool"),
        ("start", "execute_tool"),
        ("finished", "execute_tool"),
        ("start", "chat"),
        ("finished", "chat"),
        ("finished", "invoke_agent"),
    ]
    tools = [entry for entry in log if entry[1] == "execute_tool"]
    assert tools[0][2].tool_name == "add" and tools[0][2].tool_description == "Add two numbers."
    assert tools[1][2].ok and tools[1][2].value == "3"
    assert type(tools[3][2].error.__cause__) is KeyError
    assert "no tool named 'nosuch'" in tools[5][2].error.message
    assert log[-1][2] is res


async def test_the_async_tool_loop_is_observed_the_same_way(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []

    async def add(a: int, b: int) -> int:
        return a + b

    server.enqueue(text_reply(None, tool_calls=[("add", '{"a": 1, "b": 2}')]), text_reply("3"))
    async with observed_core(server, log) as core:
        res = await chat_run_tools_async(core, HELLO, [add])
    assert res.ok
    assert [k for k in kinds(log) if k[0] == "start"] == [
        ("start", "invoke_agent"),
        ("start", "chat"),
        ("start", "execute_tool"),
        ("start", "chat"),
    ]
    assert log[-1] == ("finished", "invoke_agent", res)


def test_a_batch_is_one_operation_with_every_result(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    with observed_core(server, log) as core:
        results = chat_send_many(core, [HELLO] * 3, concurrency=2, progress=False)
    assert all(res.ok for res in results)
    assert log[0][:2] == ("start", "chat_send_many") and log[0][2].batch_size == 3
    assert log[-1][:2] == ("finished", "chat_send_many") and log[-1][2].value == results
    assert kinds(log).count(("start", "chat")) == 3


async def test_an_async_batch_is_one_operation_too(server: MockServer) -> None:
    log: list[tuple[Any, ...]] = []
    async with observed_core(server, log) as core:
        results = await chat_send_many_async(core, [HELLO] * 2, progress=False)
    assert log[-1][:2] == ("finished", "chat_send_many") and log[-1][2].value == results
    assert kinds(log).count(("finished", "chat")) == 2


def test_no_hook_means_no_observer_work(server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import openrouter_funcs._chat_send as module

    def never(*args: Any) -> None:
        raise AssertionError("start_call ran without an on_call hook")

    monkeypatch.setattr(module, "start_call", never)
    server.enqueue(error_reply(429, "slow", headers={"Retry-After": "0"}), stream_reply("hi"))
    with OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=RetryConfig()) as core:
        res = chat_send(core, {**HELLO, "stream": True})
        assert res.ok
        with res.value as stream:
            assert [chunk for chunk in stream]
    assert core.hooks.on_call == ()
