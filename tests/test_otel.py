"""OpenTelemetry: GenAI spans and metrics for calls, streams, retries, failures, tool loops and batches,
read back with the SDK's in-memory exporter and metric reader."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from openrouter_core import Hooks, OpenRouterCore, RetryConfig
from openrouter_core.testing import (
    Close,
    MockServer,
    Reply,
    error_reply,
    sse_event,
    status_reply,
    stream_reply,
    text_reply,
)
from openrouter_funcs import (
    CostLedger,
    chat_run_tools,
    chat_run_tools_async,
    chat_send,
    chat_send_async,
    chat_send_many,
    chat_send_many_async,
    instrument,
    uninstrument,
)
from openrouter_funcs._otel import SEMCONV_VERSION

KEY = "sk-or-v1-secret-key-never-in-telemetry"
HELLO: dict[str, Any] = {
    "model": "openai/gpt-x",
    "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "secret question"}],
    "temperature": 0.2,
    "top_p": 0.9,
    "top_k": 40,
    "max_tokens": 64,
    "frequency_penalty": 0.1,
    "presence_penalty": 0.3,
    "stop": "END",
    "seed": 7,
    "session_id": "conv-1",
}
COST_10_20 = 10 * 1e-6 + 20 * 2e-6


class Telemetry:
    """An SDK tracer and meter provider that keep everything in memory."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def span(self, name: str) -> ReadableSpan:
        found = [span for span in self.spans() if span.name == name]
        assert len(found) == 1, [span.name for span in self.spans()]
        return found[0]

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        found = []
        for resource in data.resource_metrics if data is not None else ():
            for scope in resource.scope_metrics:
                for item in scope.metrics:
                    if item.name == metric:
                        found.extend(item.data.data_points)
        return found


@pytest.fixture
def telemetry() -> Telemetry:
    return Telemetry()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def make_core(server: MockServer, telemetry: Telemetry, **options: Any) -> OpenRouterCore:
    capture = options.pop("capture_content", False)
    broadcast = options.pop("broadcast", False)
    core = OpenRouterCore(api_key=KEY, server_url=server.base_url, **options)
    instrument(
        core,
        tracer_provider=telemetry.tracer_provider,
        meter_provider=telemetry.meter_provider,
        capture_content=capture,
        broadcast=broadcast,
    )
    return core


@pytest.fixture
def core(server: MockServer, telemetry: Telemetry) -> Iterator[OpenRouterCore]:
    with make_core(server, telemetry) as made:
        yield made


def everything_recorded(telemetry: Telemetry) -> str:
    """Every span name, attribute and event as one text, to search for what must never be there."""
    parts = []
    for span in telemetry.spans():
        parts.append(span.name)
        parts.append(repr(dict(span.attributes or {})))
        parts.extend(repr((event.name, dict(event.attributes or {}))) for event in span.events)
        parts.append(repr(span.status.description))
    return "\n".join(parts)


# -- one plain call ------------------------------------------------------------------------------


def test_a_plain_call_is_one_client_span_with_the_genai_attributes(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(text_reply("hi", model="openai/gpt-x-0613", usage=(10, 20), reasoning="think"))
    res = chat_send(core, HELLO)
    assert res.ok
    span = telemetry.span("chat openai/gpt-x")
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attributes = dict(span.attributes or {})
    assert attributes == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": "openai/gpt-x",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "gen_ai.request.temperature": 0.2,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.top_k": 40.0,
        "gen_ai.request.frequency_penalty": 0.1,
        "gen_ai.request.presence_penalty": 0.3,
        "gen_ai.request.seed": 7,
        "gen_ai.request.max_tokens": 64,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.conversation.id": "conv-1",
        "gen_ai.response.id": res.value.id,
        "gen_ai.response.model": "openai/gpt-x-0613",
        "gen_ai.response.finish_reasons": ("stop",),
        "gen_ai.usage.input_tokens": 10,
        "gen_ai.usage.output_tokens": 20,
        "gen_ai.usage.cache_read.input_tokens": 0,
        "gen_ai.usage.reasoning.output_tokens": 2,
        "openrouter.provider": "MockProvider",
        "openrouter.cost": pytest.approx(COST_10_20),
        "openrouter.is_byok": False,
        "openrouter.attempts": 1,
        "openrouter.retry_wait_s": 0.0,
    }
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.schema_url == f"https://opentelemetry.io/schemas/{SEMCONV_VERSION}"


def test_a_plain_call_records_duration_tokens_and_cost(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(text_reply("hi", model="openai/gpt-x-0613", usage=(10, 20)))
    assert chat_send(core, HELLO).ok
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.count == 1 and duration.sum > 0
    assert dict(duration.attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": "openai/gpt-x",
        "gen_ai.response.model": "openai/gpt-x-0613",
        "server.address": "127.0.0.1",
        "server.port": server.port,
    }
    tokens = {
        point.attributes["gen_ai.token.type"]: point.sum
        for point in telemetry.points("gen_ai.client.token.usage")
    }
    assert tokens == {"input": 10, "output": 20}
    (cost,) = telemetry.points("openrouter.client.cost")
    assert (
        cost.value == pytest.approx(COST_10_20) and cost.attributes["openrouter.provider"] == "MockProvider"
    )
    assert telemetry.points("gen_ai.client.operation.time_to_first_chunk") == []


# -- streams -------------------------------------------------------------------------------------


def test_a_stream_span_ends_with_the_stream_and_has_time_to_first_chunk(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(stream_reply("streamed reply", chunk_size=4, usage=(10, 20), event_delay=0.01))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    assert telemetry.spans() == []  # open while the stream is read
    with res.value as stream:
        chunks = list(stream)
    span = telemetry.span("chat openai/gpt-x")
    attributes = dict(span.attributes or {})
    assert attributes["gen_ai.request.stream"] is True
    assert attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert attributes["gen_ai.usage.output_tokens"] == 20
    assert attributes["openrouter.cost"] == pytest.approx(COST_10_20)
    assert attributes["openrouter.stream.closed_early"] is False
    assert attributes["openrouter.stream.chunks"] == len(chunks)
    assert attributes["gen_ai.response.id"] == chunks[0].id
    assert 0 < attributes["gen_ai.response.time_to_first_chunk"] < (span.end_time - span.start_time) / 1e9
    (first,) = telemetry.points("gen_ai.client.operation.time_to_first_chunk")
    assert first.count == 1 and first.sum == attributes["gen_ai.response.time_to_first_chunk"]
    (per_chunk,) = telemetry.points("gen_ai.client.operation.time_per_output_chunk")
    assert per_chunk.count == len(chunks) - 1
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert "error.type" not in duration.attributes


def test_a_failed_stream_ends_its_span_with_the_error(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(stream_reply("cut", error={"code": 502, "message": "provider fell over"}))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        list(stream)
    assert stream.error is not None
    span = telemetry.span("chat openai/gpt-x")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "BadGatewayResponseError"
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == "BadGatewayResponseError"


def test_a_dropped_stream_ends_its_span_with_the_connection_error(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    first = sse_event({"id": "gen-x", "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}}]})
    server.enqueue(Reply(content_type="text/event-stream", chunks=[first, Close()]))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        assert len(list(stream)) == 1
    span = telemetry.span("chat openai/gpt-x")
    assert span.attributes is not None and span.attributes["error.type"] == type(stream.error).__name__
    assert span.status.status_code is StatusCode.ERROR


def test_a_stream_closed_early_ends_its_span_without_an_error(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(stream_reply("a long reply closed early", chunk_size=2))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    stream = res.value
    for _ in stream:
        break
    span = telemetry.span("chat openai/gpt-x")
    assert span.attributes is not None and span.attributes["openrouter.stream.closed_early"] is True
    assert "error.type" not in span.attributes and span.status.status_code is StatusCode.UNSET


def test_a_stream_closed_after_its_usage_still_reports_tokens_and_cost(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(stream_reply("reply", usage=(10, 20)))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    for chunk in res.value:
        if chunk.usage is not None:
            break
    span = telemetry.span("chat openai/gpt-x")
    assert span.attributes is not None and span.attributes["openrouter.stream.closed_early"] is True
    assert span.attributes["gen_ai.usage.input_tokens"] == 10
    (cost,) = telemetry.points("openrouter.client.cost")
    assert cost.value == pytest.approx(COST_10_20)


async def test_an_async_stream_is_traced_the_same_way(server: MockServer, telemetry: Telemetry) -> None:
    server.enqueue(text_reply("plain"), stream_reply("streamed", usage=(10, 20)))
    async with make_core(server, telemetry) as core:
        assert (await chat_send_async(core, HELLO)).ok
        res = await chat_send_async(core, {**HELLO, "stream": True})
        assert res.ok
        async with res.value as stream:
            async for _ in stream:
                pass
    plain, streamed = telemetry.spans()
    assert plain.attributes is not None and "gen_ai.request.stream" not in plain.attributes
    assert streamed.attributes is not None and streamed.attributes["gen_ai.request.stream"] is True
    assert streamed.attributes["gen_ai.usage.output_tokens"] == 20
    assert "gen_ai.response.time_to_first_chunk" in streamed.attributes


# -- retries and failures ------------------------------------------------------------------------


def test_retries_show_as_attempts_waits_and_events(server: MockServer, telemetry: Telemetry) -> None:
    server.enqueue(
        error_reply(429, "slow down", headers={"Retry-After": "0.05"}),
        error_reply(503, "busy", headers={"retry-after-ms": "20"}),
        text_reply("hi"),
    )
    with make_core(server, telemetry) as core:
        assert chat_send(core, HELLO).ok
    span = telemetry.span("chat openai/gpt-x")
    assert span.attributes is not None
    assert span.attributes["openrouter.attempts"] == 3
    assert span.attributes["openrouter.retry_wait_s"] == pytest.approx(0.07)
    assert [(event.name, dict(event.attributes or {})) for event in span.events] == [
        (
            "openrouter.retry",
            {
                "error.type": "TooManyRequestsResponseError",
                "openrouter.retry.wait_s": 0.05,
                "openrouter.attempt": 1,
            },
        ),
        (
            "openrouter.retry",
            {
                "error.type": "ServiceUnavailableResponseError",
                "openrouter.retry.wait_s": 0.02,
                "openrouter.attempt": 2,
            },
        ),
    ]
    assert span.status.status_code is StatusCode.UNSET


@pytest.mark.parametrize(
    ("reply", "error_type"),
    [
        (error_reply(400, "bad"), "BadRequestResponseError"),
        (error_reply(401, "who"), "UnauthorizedResponseError"),
        (error_reply(402, "pay"), "PaymentRequiredResponseError"),
        (error_reply(429, "slow"), "TooManyRequestsResponseError"),
        (error_reply(502, "upstream"), "BadGatewayResponseError"),
        (status_reply(418, b"teapot", content_type="text/plain"), "OpenRouterDefaultError"),
        (Reply(body=b"{not json"), "ResponseValidationError"),
    ],
)
def test_a_failed_call_names_its_error_class(
    server: MockServer, telemetry: Telemetry, reply: Reply, error_type: str
) -> None:
    server.enqueue(reply)
    with make_core(server, telemetry, retry_config=RetryConfig(strategy="none")) as core:
        res = chat_send(core, HELLO)
    assert not res.ok and type(res.error).__name__ == error_type
    span = telemetry.span("chat openai/gpt-x")
    assert span.attributes is not None and span.attributes["error.type"] == error_type
    assert span.status.status_code is StatusCode.ERROR
    (duration,) = telemetry.points("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == error_type


def test_a_timeout_and_a_refused_connection_name_theirs(telemetry: Telemetry, server: MockServer) -> None:
    server.enqueue(Reply(body=text_reply("late").body, delay_before_headers=1.0))
    with make_core(server, telemetry, retry_config=RetryConfig(strategy="none"), timeout_ms=100) as core:
        assert not chat_send(core, HELLO).ok
    with OpenRouterCore(
        api_key=KEY, server_url="http://127.0.0.1:9/api/v1", retry_config=RetryConfig(strategy="none")
    ) as refused:
        instrument(
            refused, tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider
        )
        assert not chat_send(refused, HELLO).ok
    kinds = [span.attributes["error.type"] for span in telemetry.spans() if span.attributes]
    assert kinds == ["RequestTimeoutError", "APIConnectionError"]


def test_a_failing_hook_is_an_unexpected_client_error_not_its_cause(
    server: MockServer, telemetry: Telemetry
) -> None:
    def refuse(request: Any) -> None:
        raise ValueError("no")

    with make_core(server, telemetry, hooks=Hooks(before_request=[refuse])) as core:
        res = chat_send(core, HELLO)
    assert not res.ok and type(res.error.__cause__) is ValueError
    attributes = telemetry.span("chat openai/gpt-x").attributes
    assert attributes is not None and attributes["error.type"] == "UnexpectedClientError"


# -- content and secrets -------------------------------------------------------------------------


def test_neither_the_key_nor_by_default_the_content_is_recorded(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(text_reply("secret answer"), stream_reply("secret stream"))
    assert chat_send(core, HELLO).ok
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        list(stream)
    recorded = everything_recorded(telemetry)
    assert len(telemetry.spans()) == 2
    for secret in (KEY, "secret question", "secret answer", "secret stream", "be brief"):
        assert secret not in recorded


def test_content_is_recorded_in_the_conventions_form_when_asked(
    server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(text_reply("plain answer"), stream_reply("streamed answer", chunk_size=3))
    with make_core(server, telemetry, capture_content=True) as core:
        assert chat_send(core, HELLO).ok
        res = chat_send(core, {**HELLO, "stream": True})
        assert res.ok
        with res.value as stream:
            list(stream)
    plain, streamed = telemetry.spans()
    assert plain.attributes is not None and streamed.attributes is not None
    assert json.loads(str(plain.attributes["gen_ai.input.messages"])) == [
        {"role": "system", "parts": [{"type": "text", "content": "be brief"}]},
        {"role": "user", "parts": [{"type": "text", "content": "secret question"}]},
    ]
    assert json.loads(str(plain.attributes["gen_ai.output.messages"])) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "plain answer"}], "finish_reason": "stop"}
    ]
    assert json.loads(str(streamed.attributes["gen_ai.output.messages"])) == [
        {
            "role": "assistant",
            "parts": [{"type": "text", "content": "streamed answer"}],
            "finish_reason": "stop",
        }
    ]
    assert KEY not in everything_recorded(telemetry)


def test_the_standard_variable_turns_content_capture_on(
    server: MockServer, telemetry: Telemetry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")
    server.enqueue(text_reply("answer"))
    with OpenRouterCore(api_key=KEY, server_url=server.base_url) as core:
        instrument(core, tracer_provider=telemetry.tracer_provider, meter_provider=telemetry.meter_provider)
        assert chat_send(core, HELLO).ok
    attributes = telemetry.span("chat openai/gpt-x").attributes
    assert attributes is not None and "gen_ai.input.messages" in attributes


# -- broadcast -----------------------------------------------------------------------------------


def test_broadcast_puts_the_span_ids_into_the_request_trace(server: MockServer, telemetry: Telemetry) -> None:
    with make_core(server, telemetry, broadcast=True) as core:
        assert chat_send(core, {**HELLO, "trace": {"trace_name": "mine"}}).ok
        sent = server.last_request.json()["trace"]
        assert chat_send(core, {**HELLO, "trace": {"trace_id": "chosen"}}).ok
        kept = server.last_request.json()["trace"]
    first = telemetry.spans()[0].get_span_context()
    assert sent == {
        "trace_id": format(first.trace_id, "032x"),
        "parent_span_id": format(first.span_id, "016x"),
        "trace_name": "mine",
    }
    assert kept == {"trace_id": "chosen"}


def test_without_broadcast_the_request_is_unchanged(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    assert chat_send(core, HELLO).ok
    assert "trace" not in server.last_request.json()


def test_a_call_nests_under_the_callers_current_span(
    core: OpenRouterCore, server: MockServer, telemetry: Telemetry
) -> None:
    tracer = telemetry.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle request") as parent:
        assert chat_send(core, HELLO).ok
    chat = telemetry.span("chat openai/gpt-x")
    assert chat.parent is not None and chat.parent.span_id == parent.get_span_context().span_id


# -- tool loops and batches ----------------------------------------------------------------------


def weather(city: str) -> str:
    """Today's weather in a city."""
    return f"{city}: sunny"


def broken(city: str) -> str:
    """Always fails."""
    raise LookupError(city)


def test_a_tool_loop_is_an_agent_span_over_its_chats_and_tools(
    server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(
        text_reply(
            None, tool_calls=[("weather", '{"city": "Oslo"}'), ("broken", '{"city": "Rome"}')], usage=(10, 20)
        ),
        text_reply("Sunny in Oslo.", usage=(10, 20)),
    )
    with make_core(server, telemetry) as core:
        res = chat_run_tools(core, HELLO, [weather, broken])
    assert res.ok
    agent = telemetry.span("invoke_agent")
    ok_tool, failed_tool = telemetry.span("execute_tool weather"), telemetry.span("execute_tool broken")
    chats = [span for span in telemetry.spans() if span.name == "chat openai/gpt-x"]
    assert len(chats) == 2
    for child in [ok_tool, failed_tool, *chats]:
        assert child.parent is not None and child.parent.span_id == agent.context.span_id
    assert agent.kind is SpanKind.INTERNAL and ok_tool.kind is SpanKind.INTERNAL
    assert dict(agent.attributes or {}) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.provider.name": "openrouter",
        "gen_ai.request.model": "openai/gpt-x",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "openrouter.model_calls": 2,
        "gen_ai.usage.input_tokens": 20,
        "gen_ai.usage.output_tokens": 40,
        "openrouter.cost": pytest.approx(2 * COST_10_20),
        "openrouter.turns": 2,
    }
    assert dict(ok_tool.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "weather",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.call.id": res.value.messages[3].tool_call_id,
        "gen_ai.tool.description": "Today's weather in a city.",
    }
    assert failed_tool.attributes is not None and failed_tool.attributes["error.type"] == "LookupError"
    assert failed_tool.status.status_code is StatusCode.ERROR


def test_tool_arguments_and_results_are_content_too(server: MockServer, telemetry: Telemetry) -> None:
    server.enqueue(text_reply(None, tool_calls=[("weather", '{"city": "Oslo"}')]), text_reply("done"))
    with make_core(server, telemetry, capture_content=True) as core:
        assert chat_run_tools(core, HELLO, [weather]).ok
    attributes = telemetry.span("execute_tool weather").attributes
    assert attributes is not None
    assert attributes["gen_ai.tool.call.arguments"] == '{"city": "Oslo"}'
    assert attributes["gen_ai.tool.call.result"] == "Oslo: sunny"


async def test_an_async_tool_loop_that_hits_its_budget_fails_its_agent_span(
    server: MockServer, telemetry: Telemetry
) -> None:
    server.enqueue(text_reply(None, tool_calls=[("weather", '{"city": "Oslo"}')], usage=(10, 20)))
    async with make_core(server, telemetry) as core:
        res = await chat_run_tools_async(core, HELLO, [weather], max_cost_usd=COST_10_20)
    assert not res.ok
    agent = telemetry.span("invoke_agent")
    assert agent.attributes is not None and agent.attributes["error.type"] == "BudgetExceededError"
    chat = telemetry.span("chat openai/gpt-x")
    assert chat.parent is not None and chat.parent.span_id == agent.context.span_id


def test_a_batch_is_a_parent_span_with_totals(server: MockServer, telemetry: Telemetry) -> None:
    # Both workers take a request before the first reply reaches the budget: the replies come after 0.5 s.
    for _ in range(2):
        server.enqueue(dataclasses.replace(text_reply("ok", usage=(10, 20)), delay_before_headers=0.5))
    with make_core(server, telemetry) as core:
        results = chat_send_many(core, [HELLO] * 4, concurrency=2, progress=False, budget_usd=COST_10_20)
    assert [res.ok for res in results] == [True, True, False, False]
    batch = telemetry.span("chat_send_many")
    chats = [span for span in telemetry.spans() if span.name.startswith("chat ")]
    assert len(chats) == 2
    assert all(chat.parent is not None and chat.parent.span_id == batch.context.span_id for chat in chats)
    assert dict(batch.attributes or {}) == {
        "openrouter.batch.size": 4,
        "gen_ai.provider.name": "openrouter",
        "openrouter.model_calls": 2,
        "gen_ai.usage.input_tokens": 20,
        "gen_ai.usage.output_tokens": 40,
        "openrouter.cost": pytest.approx(2 * COST_10_20),
        "openrouter.batch.succeeded": 2,
        "openrouter.batch.failed": 2,
        "openrouter.batch.budget_stopped": 2,
    }


async def test_an_async_batch_is_a_parent_span_too(server: MockServer, telemetry: Telemetry) -> None:
    async with make_core(server, telemetry) as core:
        results = await chat_send_many_async(core, [HELLO] * 3, progress=False)
    assert all(res.ok for res in results)
    batch = telemetry.span("chat_send_many")
    chats = [span for span in telemetry.spans() if span.name.startswith("chat ")]
    assert len(chats) == 3
    assert all(chat.parent is not None and chat.parent.span_id == batch.context.span_id for chat in chats)


def test_telemetry_and_a_cost_ledger_watch_the_same_calls(server: MockServer, telemetry: Telemetry) -> None:
    ledger = CostLedger()
    server.enqueue(text_reply("a", usage=(10, 20)))
    with make_core(server, telemetry) as core:
        ledger.track(core)
        assert chat_send(core, HELLO).ok
    attributes = telemetry.span("chat openai/gpt-x").attributes
    assert attributes is not None and attributes["openrouter.cost"] == pytest.approx(ledger.total_usd)


# -- switched off --------------------------------------------------------------------------------


def test_uninstrument_stops_the_spans(core: OpenRouterCore, server: MockServer, telemetry: Telemetry) -> None:
    uninstrument(core)
    assert chat_send(core, HELLO).ok
    assert telemetry.spans() == [] and core.hooks.on_call == []


def test_instrumenting_twice_replaces_the_first(server: MockServer, telemetry: Telemetry) -> None:
    other = Telemetry()
    with make_core(server, telemetry) as core:
        instrument(core, tracer_provider=other.tracer_provider, meter_provider=other.meter_provider)
        assert len(core.hooks.on_call) == 1
        assert chat_send(core, HELLO).ok
    assert telemetry.spans() == [] and len(other.spans()) == 1


def test_importing_chat_send_imports_no_opentelemetry() -> None:
    code = (
        "import sys\n"
        "from openrouter_funcs import chat_send, chat_send_many, chat_run_tools, CostLedger\n"
        "from openrouter_core.testing import MockServer\n"
        "from openrouter_core import OpenRouterCore\n"
        "with MockServer() as server, OpenRouterCore(api_key='k', server_url=server.base_url) as core:\n"
        "    assert chat_send(core, {'model': 'm', 'messages': [{'role': 'user', 'content': 'x'}]}).ok\n"
        "print(sorted(name for name in sys.modules if name.startswith('opentelemetry')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_instrument_without_opentelemetry_says_which_extra_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"
        "try:\n"
        "    from openrouter_funcs import instrument\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'openrouter-funcs[otel]'" in out.stdout
