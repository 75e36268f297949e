"""`instrument`: OpenTelemetry spans and metrics for every call of a core, after the GenAI conventions.

Follows the OpenTelemetry semantic conventions for generative AI as of v1.41.0 (the last release that
carried them in open-telemetry/semantic-conventions), plus OpenRouter's own figures under `openrouter.*`.
Built on the core's `on_call` hook; needs only `opentelemetry-api` (the `otel` extra).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import msgspec
from opentelemetry import context, trace
from opentelemetry.metrics import Counter, Histogram, MeterProvider, get_meter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, TracerProvider, get_tracer

from openrouter_core import __version__
from openrouter_core._collect import assemble
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import BudgetExceededError, OpenRouterError
from openrouter_core._hooks import CallObserver, CallStart
from openrouter_core._models._request import ChatGenerationParams, TraceConfig
from openrouter_core._models._response import ChatResponse, ChatUsage
from openrouter_core._models._stream import ChatStreamingResponseChunk
from openrouter_core.result import Result

__all__ = ["SEMCONV_VERSION", "instrument", "uninstrument"]

SEMCONV_VERSION = "1.41.0"
"""The version of the OpenTelemetry GenAI semantic conventions these spans and metrics follow."""

PROVIDER = "openrouter"
CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_CAPTURE_ON = frozenset({"true", "1", "yes", "on", "span_only", "span_and_event"})
_SECONDS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
_TOKENS = tuple(float(4**n) for n in range(14))
_SAMPLING = (
    ("temperature", "gen_ai.request.temperature", float),
    ("top_p", "gen_ai.request.top_p", float),
    ("top_k", "gen_ai.request.top_k", float),
    ("frequency_penalty", "gen_ai.request.frequency_penalty", float),
    ("presence_penalty", "gen_ai.request.presence_penalty", float),
    ("seed", "gen_ai.request.seed", int),
)
_encode = msgspec.json.Encoder().encode


def capture_from_env() -> bool:
    """Whether `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` asks for message content."""
    return os.environ.get(CAPTURE_ENV, "").strip().lower() in _CAPTURE_ON


def instrument(
    core: OpenRouterCore,
    *,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
    capture_content: bool | None = None,
    broadcast: bool = False,
) -> None:
    """Trace and measure every call made with `core` (the global providers unless others are given).

    Message content goes into spans only with `capture_content=True`, or when it is None and
    `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is true. With `broadcast=True` each chat request
    carries its span's ids in `trace`, so OpenRouter's own trace of it nests under yours. Instrumenting
    again replaces the earlier settings.
    """
    telemetry = Telemetry(
        tracer_provider,
        meter_provider,
        capture_from_env() if capture_content is None else capture_content,
        broadcast,
    )
    others = [hook for hook in core.hooks.on_call if not isinstance(hook, Telemetry)]
    core.hooks = msgspec.structs.replace(core.hooks, on_call=[*others, telemetry])


def uninstrument(core: OpenRouterCore) -> None:
    """Stop tracing and measuring the calls made with `core`."""
    others = [hook for hook in core.hooks.on_call if not isinstance(hook, Telemetry)]
    core.hooks = msgspec.structs.replace(core.hooks, on_call=others)


class Totals:
    """Usage added up over the chat calls inside a tool loop or a batch (they may run on many threads)."""

    __slots__ = ("calls", "cost", "input_tokens", "lock", "output_tokens")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0

    def add(self, usage: ChatUsage | None) -> None:
        with self.lock:
            self.calls += 1
            if usage is not None:
                self.input_tokens += usage.prompt_tokens
                self.output_tokens += usage.completion_tokens
                self.cost += usage.cost or 0.0

    def attributes(self) -> dict[str, Any]:
        with self.lock:
            return {
                "openrouter.model_calls": self.calls,
                "gen_ai.usage.input_tokens": self.input_tokens,
                "gen_ai.usage.output_tokens": self.output_tokens,
                "openrouter.cost": self.cost,
            }


_totals: contextvars.ContextVar[Totals | None] = contextvars.ContextVar(
    "openrouter_otel_totals", default=None
)


class Telemetry:
    """The `on_call` hook `instrument` adds: one observer per operation, holding its span."""

    def __init__(
        self,
        tracer_provider: TracerProvider | None,
        meter_provider: MeterProvider | None,
        capture: bool,
        broadcast: bool,
    ) -> None:
        schema = f"https://opentelemetry.io/schemas/{SEMCONV_VERSION}"
        self.tracer = get_tracer("openrouter_funcs", __version__, tracer_provider, schema_url=schema)
        meter = get_meter("openrouter_funcs", __version__, meter_provider, schema_url=schema)
        self.capture = capture
        self.broadcast = broadcast
        self.token_usage: Histogram = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=_TOKENS,
        )
        self.duration: Histogram = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )
        self.first_chunk: Histogram = meter.create_histogram(
            "gen_ai.client.operation.time_to_first_chunk",
            unit="s",
            description="Time from issuing the request to receiving the first chunk of the stream.",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )
        self.per_chunk: Histogram = meter.create_histogram(
            "gen_ai.client.operation.time_per_output_chunk",
            unit="s",
            description="Time between two chunks of a stream, for each chunk after the first.",
            explicit_bucket_boundaries_advisory=_SECONDS,
        )
        self.cost: Counter = meter.create_counter(
            "openrouter.client.cost",
            unit="USD",
            description="What OpenRouter charged for the calls (usage.cost).",
        )
        self._servers: dict[str, dict[str, Any]] = {}

    def server(self, url: str) -> dict[str, Any]:
        """`server.address` and `server.port` of a server URL."""
        found = self._servers.get(url)
        if found is None:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
            found = self._servers[url] = {"server.address": parts.hostname or "", "server.port": port}
        return found

    def __call__(self, start: CallStart) -> CallObserver | None:
        operation = start.operation
        if operation == "chat" and start.params is not None:
            return ChatSpan(self, start, start.params)
        if operation == "invoke_agent":
            return AgentSpan(self, start)
        if operation == "execute_tool":
            return ToolSpan(self, start)
        if operation == "chat_send_many":
            return BatchSpan(self, start)
        return None


def error_type(error: OpenRouterError) -> str:
    """The `error.type` of an error: its class in the error tree."""
    return type(error).__name__


class OperationSpan(CallObserver):
    """A span made current for the operation's own thread or task until `finished`."""

    def __init__(
        self, telemetry: Telemetry, name: str, kind: SpanKind, attributes: Mapping[str, Any]
    ) -> None:
        self.telemetry = telemetry
        self.started = time.perf_counter()
        self.span: Span = telemetry.tracer.start_span(name, kind=kind, attributes=attributes)
        self._token: object | None = context.attach(trace.set_span_in_context(self.span))

    def detach(self) -> None:
        """Stop being the current span of the thread or task that started the operation."""
        token, self._token = self._token, None
        if token is not None:
            context.detach(token)  # type: ignore[arg-type]

    def fail(self, error: OpenRouterError, kind: str = "") -> str:
        """Mark the span failed with `error` (`kind` overrides its `error.type`); returns the type."""
        kind = kind or error_type(error)
        self.span.set_attribute("error.type", kind)
        self.span.set_status(Status(StatusCode.ERROR, str(error)[:500]))
        return kind


class ChatSpan(OperationSpan):
    """One chat completion: a CLIENT span `chat {model}`, ended with the reply or with its stream."""

    def __init__(self, telemetry: Telemetry, start: CallStart, params: ChatGenerationParams) -> None:
        self.model = _request_model(params)
        self.base: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": PROVIDER,
            **telemetry.server(start.server_url),
        }
        if self.model:
            self.base["gen_ai.request.model"] = self.model
        attributes = {**self.base, **_request_attributes(params)}
        if telemetry.capture:
            attributes["gen_ai.input.messages"] = _encode(_input_messages(params)).decode()
        super().__init__(telemetry, f"chat {self.model}".rstrip(), SpanKind.CLIENT, attributes)
        self.totals = _totals.get()
        self.retry_wait = 0.0
        self.retries = 0
        self.first: float | None = None
        self.last = 0.0
        self.count = 0
        self.stream_id = ""
        self.stream_model = ""
        self.stream_provider = ""
        self.stream_usage: ChatUsage | None = None
        self.finish_reasons: dict[int, str] = {}
        self.chunks: list[ChatStreamingResponseChunk] = []

    def request(self, params: ChatGenerationParams) -> ChatGenerationParams:
        if not self.telemetry.broadcast:
            return params
        ids = self.span.get_span_context()
        trace_config = params.trace if isinstance(params.trace, TraceConfig) else TraceConfig()
        if not ids.is_valid or _set(trace_config.trace_id) or _set(trace_config.parent_span_id):
            return params  # ids the caller chose are theirs to keep
        linked = msgspec.structs.replace(
            trace_config, trace_id=format(ids.trace_id, "032x"), parent_span_id=format(ids.span_id, "016x")
        )
        return msgspec.structs.replace(params, trace=linked)

    def retrying(self, error: OpenRouterError, delay_s: float) -> None:
        self.retries += 1
        self.retry_wait += delay_s
        self.span.add_event(
            "openrouter.retry",
            {
                "error.type": error_type(error),
                "openrouter.retry.wait_s": delay_s,
                "openrouter.attempt": self.retries,
            },
        )

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        self.detach()
        span = self.span
        span.set_attribute("openrouter.attempts", result.raw.attempts if result.raw is not None else 1)
        span.set_attribute("openrouter.retry_wait_s", self.retry_wait)
        if not result.ok:
            self.end(None, result.error)
        elif isinstance(result.value, ChatResponse):
            self.end(result.value, None)
        # A stream's span stays open until the stream ends.

    def chunk(self, chunk: ChatStreamingResponseChunk) -> None:
        now = time.perf_counter()
        self.count += 1
        metric = self.metric_attributes()
        if self.first is None:
            self.first = now - self.started
            self.telemetry.first_chunk.record(self.first, metric)
        else:
            self.telemetry.per_chunk.record(now - self.last, metric)
        self.last = now
        self.stream_id = self.stream_id or chunk.id
        self.stream_model = chunk.model or self.stream_model
        self.stream_provider = chunk.provider or self.stream_provider
        if chunk.usage is not None:
            self.stream_usage = chunk.usage
        for choice in chunk.choices:
            if choice.finish_reason is not None:
                self.finish_reasons[choice.index] = choice.finish_reason
        if self.telemetry.capture:
            self.chunks.append(chunk)

    def stream_end(self, error: OpenRouterError | None, closed_early: bool) -> None:
        span = self.span
        span.set_attribute("openrouter.stream.chunks", self.count)
        span.set_attribute("openrouter.stream.closed_early", closed_early)
        if self.first is not None:
            span.set_attribute("gen_ai.response.time_to_first_chunk", self.first)
        reply = ChatResponse(
            choices=[],
            id=self.stream_id,
            model=self.stream_model,
            provider=self.stream_provider or None,
            usage=self.stream_usage,
        )
        self.end(reply, error, stream_finishes=[self.finish_reasons[i] for i in sorted(self.finish_reasons)])

    def metric_attributes(self, response_model: str = "") -> dict[str, Any]:
        if response_model:
            return {**self.base, "gen_ai.response.model": response_model}
        return self.base

    def end(
        self,
        reply: ChatResponse | None,
        error: OpenRouterError | None,
        stream_finishes: Sequence[str] | None = None,
    ) -> None:
        """Set the reply's attributes, record the metrics and end the span."""
        span, telemetry = self.span, self.telemetry
        metric = self.metric_attributes(reply.model if reply is not None else "")
        usage = reply.usage if reply is not None else None
        provider = reply.provider if reply is not None else None
        if reply is not None:
            finishes = stream_finishes
            if finishes is None:
                finishes = [choice.finish_reason for choice in reply.choices if choice.finish_reason]
            span.set_attributes(_response_attributes(reply, finishes))
            if telemetry.capture:
                output = reply if stream_finishes is None else _assembled(self.chunks, reply)
                span.set_attribute("gen_ai.output.messages", _encode(_output_messages(output)).decode())
        if usage is not None:
            telemetry.token_usage.record(usage.prompt_tokens, {**metric, "gen_ai.token.type": "input"})
            telemetry.token_usage.record(usage.completion_tokens, {**metric, "gen_ai.token.type": "output"})
            if usage.cost:
                telemetry.cost.add(usage.cost, {**metric, "openrouter.provider": provider or ""})
        if self.totals is not None:
            self.totals.add(usage)
        if error is not None:
            metric = {**metric, "error.type": self.fail(error)}
        telemetry.duration.record(time.perf_counter() - self.started, metric)
        span.end()


class AgentSpan(OperationSpan):
    """A `chat_run_tools` loop: an INTERNAL span `invoke_agent` over its chat and tool spans, with totals."""

    def __init__(self, telemetry: Telemetry, start: CallStart) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.provider.name": PROVIDER,
            **telemetry.server(start.server_url),
        }
        model = _request_model(start.params) if start.params is not None else ""
        if model:
            attributes["gen_ai.request.model"] = model
        super().__init__(telemetry, "invoke_agent", SpanKind.INTERNAL, attributes)
        self.totals = Totals()
        self._totals_token = _totals.set(self.totals)

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        _totals.reset(self._totals_token)
        self.detach()
        self.span.set_attributes(self.totals.attributes())
        if result.ok:
            self.span.set_attribute("openrouter.turns", result.value.turns)
        else:
            self.fail(result.error)
        self.span.end()


class ToolSpan(OperationSpan):
    """One tool of a tool loop: an INTERNAL span `execute_tool {name}`."""

    def __init__(self, telemetry: Telemetry, start: CallStart) -> None:
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": start.tool_name,
            "gen_ai.tool.type": "function",
        }
        if start.tool_call_id:
            attributes["gen_ai.tool.call.id"] = start.tool_call_id
        if start.tool_description:
            attributes["gen_ai.tool.description"] = start.tool_description
        if telemetry.capture:
            attributes["gen_ai.tool.call.arguments"] = start.tool_arguments
        super().__init__(telemetry, f"execute_tool {start.tool_name}", SpanKind.INTERNAL, attributes)

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        self.detach()
        if result.ok:
            if self.telemetry.capture:
                self.span.set_attribute("gen_ai.tool.call.result", str(result.value))
        else:
            # A tool that raised is named by its exception's class, bad arguments by the SDK's error.
            cause = result.error.__cause__
            self.fail(result.error, type(cause).__qualname__ if isinstance(cause, Exception) else "")
        self.span.end()


class BatchSpan(OperationSpan):
    """A `chat_send_many` batch: an INTERNAL span over its chat spans, with counts and totals."""

    def __init__(self, telemetry: Telemetry, start: CallStart) -> None:
        attributes = {"openrouter.batch.size": start.batch_size, "gen_ai.provider.name": PROVIDER}
        super().__init__(telemetry, "chat_send_many", SpanKind.INTERNAL, attributes)
        self.totals = Totals()
        self._totals_token = _totals.set(self.totals)

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        _totals.reset(self._totals_token)
        self.detach()
        span = self.span
        span.set_attributes(self.totals.attributes())
        if not result.ok:
            self.fail(result.error)
        else:
            results: list[Result[Any, OpenRouterError]] = result.value
            failed = [res.error for res in results if not res.ok]
            span.set_attribute("openrouter.batch.succeeded", len(results) - len(failed))
            span.set_attribute("openrouter.batch.failed", len(failed))
            stopped = sum(isinstance(error, BudgetExceededError) for error in failed)
            span.set_attribute("openrouter.batch.budget_stopped", stopped)
        span.end()


def _set(value: Any) -> bool:
    return value is not None and value is not msgspec.UNSET


def _request_model(params: ChatGenerationParams) -> str:
    if isinstance(params.model, str) and params.model:
        return params.model
    if isinstance(params.models, list) and params.models:
        return params.models[0]
    return ""


def _request_attributes(params: ChatGenerationParams) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for field, key, kind in _SAMPLING:
        value = getattr(params, field)
        if _set(value):
            attributes[key] = kind(value)
    max_tokens = params.max_tokens if _set(params.max_tokens) else params.max_completion_tokens
    if _set(max_tokens):
        attributes["gen_ai.request.max_tokens"] = max_tokens
    if _set(params.stop):
        attributes["gen_ai.request.stop_sequences"] = (
            [params.stop] if isinstance(params.stop, str) else params.stop
        )
    if params.stream is True:
        attributes["gen_ai.request.stream"] = True
    if _set(params.response_format):
        requested = getattr(params.response_format, "type", "")
        attributes["gen_ai.output.type"] = "text" if requested == "text" else "json"
    if isinstance(params.session_id, str):
        attributes["gen_ai.conversation.id"] = params.session_id
    if isinstance(params.models, list) and params.models:
        attributes["openrouter.request.models"] = list(params.models)
    return attributes


def _response_attributes(reply: ChatResponse, finishes: Sequence[str]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if reply.id:
        attributes["gen_ai.response.id"] = reply.id
    if reply.model:
        attributes["gen_ai.response.model"] = reply.model
    if finishes:
        attributes["gen_ai.response.finish_reasons"] = list(finishes)
    if reply.provider:
        attributes["openrouter.provider"] = reply.provider
    usage = reply.usage
    if usage is None:
        return attributes
    attributes["gen_ai.usage.input_tokens"] = usage.prompt_tokens
    attributes["gen_ai.usage.output_tokens"] = usage.completion_tokens
    prompt, completion = usage.prompt_tokens_details, usage.completion_tokens_details
    if prompt is not None and prompt.cached_tokens is not None:
        attributes["gen_ai.usage.cache_read.input_tokens"] = prompt.cached_tokens
    if prompt is not None and prompt.cache_write_tokens is not None:
        attributes["gen_ai.usage.cache_creation.input_tokens"] = prompt.cache_write_tokens
    if completion is not None and completion.reasoning_tokens is not None:
        attributes["gen_ai.usage.reasoning.output_tokens"] = completion.reasoning_tokens
    if usage.cost is not None:
        attributes["openrouter.cost"] = usage.cost
    if usage.cost_details is not None and usage.cost_details.upstream_inference_cost is not None:
        attributes["openrouter.upstream_cost"] = usage.cost_details.upstream_inference_cost
    if usage.is_byok is not None:
        attributes["openrouter.is_byok"] = usage.is_byok
    return attributes


def _assembled(chunks: list[ChatStreamingResponseChunk], fallback: ChatResponse) -> ChatResponse:
    whole = assemble(chunks, None)
    return whole.value if whole.ok else fallback


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "content": content}] if content else []
    parts: list[dict[str, Any]] = []
    for part in content or ():
        if isinstance(part, dict) and part.get("type") == "text":
            parts.append({"type": "text", "content": part.get("text", "")})
        elif isinstance(part, dict):
            parts.append({"type": str(part.get("type", "unknown"))})
    return parts


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    """One message in the GenAI conventions' form: a role and its parts."""
    role = message.get("role", "")
    if role == "tool":
        response = message.get("content")
        return {
            "role": "tool",
            "parts": [
                {"type": "tool_call_response", "id": message.get("tool_call_id"), "response": response}
            ],
        }
    parts: list[dict[str, Any]] = []
    if message.get("reasoning"):
        parts.append({"type": "reasoning", "content": message["reasoning"]})
    parts.extend(_text_parts(message.get("content")))
    for call in message.get("tool_calls") or ():
        function = call.get("function", {})
        parts.append(
            {
                "type": "tool_call",
                "id": call.get("id"),
                "name": function.get("name"),
                "arguments": function.get("arguments"),
            }
        )
    return {"role": role, "parts": parts}


def _input_messages(params: ChatGenerationParams) -> list[dict[str, Any]]:
    return [_message(message) for message in msgspec.to_builtins(params.messages)]


def _output_messages(reply: ChatResponse) -> list[dict[str, Any]]:
    output = []
    for choice in reply.choices:
        message = _message(msgspec.to_builtins(choice.message))
        message["finish_reason"] = choice.finish_reason or ""
        output.append(message)
    return output
