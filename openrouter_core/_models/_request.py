"""Request models: the body of `POST /chat/completions` (`ChatGenerationParams`)."""

from typing import Annotated, Any, Literal, TypeAlias

from msgspec import UNSET, Meta, UnsetType

from ._base import RequestStruct
from ._message import (
    AnthropicCacheControlDirective,
    ChatAssistantMessage,
    ChatContentAudioInput,
    ChatContentCacheControl,
    ChatContentFileData,
    ChatContentImageURL,
    ChatContentVideoInput,
    LegacyChatContentVideoInput,
    PromptCacheBreakpoint,
)
from ._plugins import ChatPlugin
from ._tools import ChatTool, ChatToolChoice, ReasoningEffort, StopServerToolsWhenCondition

__all__ = [
    "ChatContentAudio",
    "ChatContentFile",
    "ChatContentImage",
    "ChatContentItem",
    "ChatContentText",
    "ChatContentVideo",
    "ChatDebugOptions",
    "ChatDeveloperMessage",
    "ChatGenerationParams",
    "ChatMessage",
    "ChatStreamOptions",
    "ChatSystemMessage",
    "ChatToolMessage",
    "ChatUserMessage",
    "DataCollection",
    "DeprecatedRoute",
    "ImageConfig",
    "JSONSchemaConfig",
    "LegacyChatContentVideo",
    "Modality",
    "PercentileLatencyCutoffs",
    "PercentileThroughputCutoffs",
    "Prediction",
    "PredictionContentText",
    "PreferredMaxLatency",
    "PreferredMinThroughput",
    "PromptCacheOptions",
    "ProviderMaxPrice",
    "ProviderPreferences",
    "ProviderSort",
    "ProviderSortConfig",
    "ProviderSortPartition",
    "Quantization",
    "ReasoningConfig",
    "ReasoningSummaryVerbosity",
    "ResponseFormat",
    "ResponseFormatGrammar",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatPython",
    "ResponseFormatText",
    "ServiceTier",
    "TraceConfig",
]

ReasoningSummaryVerbosity: TypeAlias = Literal["auto", "concise", "detailed"]
ServiceTier: TypeAlias = Literal["auto", "default", "fast", "flex", "priority", "scale"]
Modality: TypeAlias = Literal["text", "image", "audio"]
DeprecatedRoute: TypeAlias = Literal["fallback", "sort"]
DataCollection: TypeAlias = Literal["deny", "allow"]
ProviderSort: TypeAlias = Literal["price", "throughput", "latency", "exacto"]
ProviderSortPartition: TypeAlias = Literal["model", "none"]
Quantization: TypeAlias = Literal[
    "int4", "int8", "fp4", "mxfp4", "nvfp4", "fp6", "fp8", "mxfp8", "fp16", "bf16", "fp32", "unknown"
]
ImageConfig: TypeAlias = dict[str, str | float | list[Any]]


class ChatContentText(RequestStruct, tag_field="type", tag="text", kw_only=True):
    """Text content part."""

    text: str
    cache_control: ChatContentCacheControl | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType | None = UNSET


class ChatContentImage(RequestStruct, tag_field="type", tag="image_url", kw_only=True):
    """Image content part for vision models."""

    image_url: ChatContentImageURL


class ChatContentAudio(RequestStruct, tag_field="type", tag="input_audio", kw_only=True):
    """Audio input content part."""

    input_audio: ChatContentAudioInput


class ChatContentFile(RequestStruct, tag_field="type", tag="file", kw_only=True):
    """File content part (PDFs and other documents)."""

    file: ChatContentFileData


class ChatContentVideo(RequestStruct, tag_field="type", tag="video_url", kw_only=True):
    """Video input content part."""

    video_url: ChatContentVideoInput


class LegacyChatContentVideo(RequestStruct, tag_field="type", tag="input_video", kw_only=True):
    """Video input content part in the deprecated `input_video` form."""

    video_url: LegacyChatContentVideoInput


ChatContentItem: TypeAlias = (
    ChatContentText
    | ChatContentImage
    | ChatContentAudio
    | ChatContentFile
    | ChatContentVideo
    | LegacyChatContentVideo
)


class ChatSystemMessage(RequestStruct, tag_field="role", tag="system", kw_only=True):
    """System message that sets the assistant's behaviour."""

    content: str | list[ChatContentText]
    name: str | UnsetType | None = UNSET

    @property
    def role(self) -> Literal["system"]:
        """The message's role, as sent on the wire."""
        return "system"


class ChatDeveloperMessage(RequestStruct, tag_field="role", tag="developer", kw_only=True):
    """Developer message (instructions that take precedence over user messages)."""

    content: str | list[ChatContentText]
    name: str | UnsetType | None = UNSET

    @property
    def role(self) -> Literal["developer"]:
        """The message's role, as sent on the wire."""
        return "developer"


class ChatUserMessage(RequestStruct, tag_field="role", tag="user", kw_only=True):
    """User message."""

    content: str | list[ChatContentItem]
    name: str | UnsetType | None = UNSET

    @property
    def role(self) -> Literal["user"]:
        """The message's role, as sent on the wire."""
        return "user"


class ChatToolMessage(RequestStruct, tag_field="role", tag="tool", kw_only=True):
    """The result of a tool call, sent back to the model."""

    content: str | list[ChatContentItem]
    tool_call_id: str

    @property
    def role(self) -> Literal["tool"]:
        """The message's role, as sent on the wire."""
        return "tool"


ChatMessage: TypeAlias = (
    ChatSystemMessage | ChatUserMessage | ChatDeveloperMessage | ChatAssistantMessage | ChatToolMessage
)


class ResponseFormatText(RequestStruct, tag_field="type", tag="text", kw_only=True):
    """Plain text output (the default)."""


class ResponseFormatJSONObject(RequestStruct, tag_field="type", tag="json_object", kw_only=True):
    """Output any valid JSON object."""


class JSONSchemaConfig(RequestStruct, kw_only=True):
    """A named JSON Schema that structured output must follow."""

    name: Annotated[str, Meta(max_length=64)]
    description: str | UnsetType | None = UNSET
    schema: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


class ResponseFormatJSONSchema(RequestStruct, tag_field="type", tag="json_schema", kw_only=True):
    """Output JSON that follows the given schema (structured outputs)."""

    json_schema: JSONSchemaConfig


class ResponseFormatGrammar(RequestStruct, tag_field="type", tag="grammar", kw_only=True):
    """Output text that follows a custom grammar."""

    grammar: str


class ResponseFormatPython(RequestStruct, tag_field="type", tag="python", kw_only=True):
    """Output Python code."""


ResponseFormat: TypeAlias = (
    ResponseFormatText
    | ResponseFormatJSONObject
    | ResponseFormatJSONSchema
    | ResponseFormatGrammar
    | ResponseFormatPython
)


class ProviderMaxPrice(RequestStruct, kw_only=True):
    """Highest price you accept, in USD per million tokens (or per image, audio unit, request)."""

    # The spec says string; OpenRouter's docs and users send numbers, which the API accepts too.
    audio: float | str | UnsetType | None = UNSET
    completion: float | str | UnsetType | None = UNSET
    image: float | str | UnsetType | None = UNSET
    prompt: float | str | UnsetType | None = UNSET
    request: float | str | UnsetType | None = UNSET


class PercentileLatencyCutoffs(RequestStruct, kw_only=True):
    """Latency ceilings in seconds per percentile; all given ones must hold."""

    p50: float | UnsetType | None = UNSET
    p75: float | UnsetType | None = UNSET
    p90: float | UnsetType | None = UNSET
    p99: float | UnsetType | None = UNSET


class PercentileThroughputCutoffs(RequestStruct, kw_only=True):
    """Throughput floors in tokens per second per percentile; all given ones must hold."""

    p50: float | UnsetType | None = UNSET
    p75: float | UnsetType | None = UNSET
    p90: float | UnsetType | None = UNSET
    p99: float | UnsetType | None = UNSET


PreferredMaxLatency: TypeAlias = float | PercentileLatencyCutoffs | None
PreferredMinThroughput: TypeAlias = float | PercentileThroughputCutoffs | None


class ProviderSortConfig(RequestStruct, kw_only=True):
    """Provider sorting strategy with an explicit partitioning mode."""

    by: ProviderSort | UnsetType | None = UNSET
    partition: ProviderSortPartition | UnsetType | None = UNSET


class ProviderPreferences(RequestStruct, kw_only=True):
    """Routing preferences among the providers that serve the model."""

    allow_fallbacks: bool | UnsetType | None = UNSET
    data_collection: DataCollection | UnsetType | None = UNSET
    enforce_distillable_text: bool | UnsetType | None = UNSET
    ignore: list[str] | UnsetType | None = UNSET
    max_price: ProviderMaxPrice | UnsetType | None = UNSET
    only: list[str] | UnsetType | None = UNSET
    order: list[str] | UnsetType | None = UNSET
    preferred_max_latency: PreferredMaxLatency | UnsetType | None = UNSET
    preferred_min_throughput: PreferredMinThroughput | UnsetType | None = UNSET
    quantizations: list[Quantization] | UnsetType | None = UNSET
    require_parameters: bool | UnsetType | None = UNSET
    sort: ProviderSort | ProviderSortConfig | UnsetType | None = UNSET
    zdr: bool | UnsetType | None = UNSET


class ReasoningConfig(RequestStruct, kw_only=True):
    """Reasoning settings for reasoning models."""

    effort: ReasoningEffort | UnsetType | None = UNSET
    summary: ReasoningSummaryVerbosity | UnsetType | None = UNSET
    # Not in this spec version, but documented by OpenRouter and still accepted by the API.
    max_tokens: int | UnsetType | None = UNSET
    exclude: bool | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET


class PredictionContentText(RequestStruct, tag_field="type", tag="text", kw_only=True):
    """Text part of a predicted output."""

    text: str


class Prediction(RequestStruct, tag_field="type", tag="content", kw_only=True):
    """Predicted output that lets supported models answer faster when most of it is known."""

    content: str | list[PredictionContentText]


class PromptCacheOptions(RequestStruct, tag_field="mode", tag="explicit", kw_only=True):
    """Request-level prompt-cache controls: cache only blocks marked with `prompt_cache_breakpoint`."""

    ttl: str | UnsetType | None = UNSET


class ChatStreamOptions(RequestStruct, kw_only=True):
    """Streaming options (deprecated: usage is always included now)."""

    include_usage: bool | UnsetType | None = UNSET


class ChatDebugOptions(RequestStruct, kw_only=True):
    """Debug options for inspecting how the request is transformed (streaming only)."""

    echo_upstream_body: bool | UnsetType | None = UNSET


# The spec passes extra keys through as custom metadata; subclass to add them.
class TraceConfig(RequestStruct, kw_only=True):
    """Observability metadata (trace, span and generation names)."""

    generation_name: str | UnsetType | None = UNSET
    parent_span_id: str | UnsetType | None = UNSET
    span_name: str | UnsetType | None = UNSET
    trace_id: str | UnsetType | None = UNSET
    trace_name: str | UnsetType | None = UNSET


_StopConditions: TypeAlias = Annotated[list[StopServerToolsWhenCondition], Meta(min_length=1)]


class ChatGenerationParams(RequestStruct, kw_only=True):
    """Chat completion request parameters (the body of `POST /chat/completions`)."""

    messages: Annotated[list[ChatMessage], Meta(min_length=1)]
    model: str | UnsetType | None = UNSET
    models: list[str] | UnsetType | None = UNSET
    stream: bool | UnsetType | None = UNSET
    stream_options: ChatStreamOptions | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    top_p: float | UnsetType | None = UNSET
    top_k: int | UnsetType | None = UNSET
    top_a: float | UnsetType | None = UNSET
    min_p: float | UnsetType | None = UNSET
    frequency_penalty: float | UnsetType | None = UNSET
    presence_penalty: float | UnsetType | None = UNSET
    repetition_penalty: float | UnsetType | None = UNSET
    max_tokens: int | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    stop: str | Annotated[list[str], Meta(max_length=4)] | UnsetType | None = UNSET
    seed: int | UnsetType | None = UNSET
    logprobs: bool | UnsetType | None = UNSET
    top_logprobs: int | UnsetType | None = UNSET
    logit_bias: dict[str, float] | UnsetType | None = UNSET
    response_format: ResponseFormat | UnsetType | None = UNSET
    tools: list[ChatTool] | UnsetType | None = UNSET
    tool_choice: ChatToolChoice | UnsetType | None = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    reasoning: ReasoningConfig | UnsetType | None = UNSET
    reasoning_effort: ReasoningEffort | UnsetType | None = UNSET
    provider: ProviderPreferences | UnsetType | None = UNSET
    plugins: list[ChatPlugin] | UnsetType | None = UNSET
    modalities: list[Modality] | UnsetType | None = UNSET
    image_config: ImageConfig | UnsetType | None = UNSET
    prediction: Prediction | UnsetType | None = UNSET
    metadata: dict[str, str] | UnsetType | None = UNSET
    user: str | UnsetType | None = UNSET
    session_id: Annotated[str, Meta(max_length=256)] | UnsetType | None = UNSET
    trace: TraceConfig | UnsetType | None = UNSET
    service_tier: ServiceTier | UnsetType | None = UNSET
    cache_control: AnthropicCacheControlDirective | UnsetType | None = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_options: PromptCacheOptions | UnsetType | None = UNSET
    stop_server_tools_when: (
        Annotated[list[StopServerToolsWhenCondition], Meta(min_length=1)] | UnsetType | None
    ) = UNSET
    debug: ChatDebugOptions | UnsetType | None = UNSET
    route: DeprecatedRoute | UnsetType | None = UNSET
