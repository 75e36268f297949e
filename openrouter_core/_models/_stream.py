"""Streaming response models: one server-sent chunk of a chat completion."""

from typing import Any

import msgspec

from ._base import ResponseStruct
from ._message import Annotation, ChatAssistantImage, ChatAudioOutput, ReasoningDetail
from ._response import ChatTokenLogprobs, ChatUsage, OpenRouterMetadata

__all__ = [
    "ChatStreamChoice",
    "ChatStreamChunk",
    "ChatStreamDelta",
    "ChatStreamError",
    "ChatStreamToolCall",
    "ChatStreamToolCallFunction",
    "ChatStreamingChoice",
    "ChatStreamingDelta",
    "ChatStreamingResponse",
    "ChatStreamingResponseChunk",
]


class ChatStreamToolCallFunction(ResponseStruct, kw_only=True):
    """A fragment of a tool call's function: the name (first fragment) and a piece of arguments."""

    name: str | None = None
    arguments: str | None = None


class ChatStreamToolCall(ResponseStruct, kw_only=True):
    """A tool-call fragment; fragments with the same `index` make up one call."""

    index: int = 0
    id: str | None = None
    # The spec says "function"; real traffic sends null on continuation fragments.
    type: str | None = None
    function: ChatStreamToolCallFunction | None = None


class ChatStreamingDelta(ResponseStruct, kw_only=True):
    """The part of the assistant message that a chunk adds."""

    # The spec says "assistant"; real traffic sends null after the first chunk.
    role: str | None = None
    content: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    reasoning_details: list[ReasoningDetail] | None = None
    tool_calls: list[ChatStreamToolCall] | None = None
    audio: ChatAudioOutput | None = None
    # Not in the spec: real traffic streams generated images and web-search citations here.
    images: list[ChatAssistantImage] | None = None
    annotations: list[Annotation] | None = None


ChatStreamDelta = ChatStreamingDelta


class ChatStreamingChoice(ResponseStruct, kw_only=True):
    """One choice of a chunk; `finish_reason` is set on the last chunk of the choice."""

    delta: ChatStreamingDelta = msgspec.field(default_factory=ChatStreamingDelta)
    index: int = 0
    finish_reason: str | None = None
    # Not in the spec: real traffic sends the provider's own finish reason.
    native_finish_reason: str | None = None
    logprobs: ChatTokenLogprobs | None = None


ChatStreamChoice = ChatStreamingChoice


class ChatStreamError(ResponseStruct, kw_only=True):
    """An error reported inside the stream, after the HTTP status was already sent."""

    # The spec says integer; real traffic also sends strings such as "server_error".
    code: int | str | None = None
    message: str = ""
    # The spec lists `error_type` (values in `ApiErrorType`) and `provider_code`; real traffic adds
    # more keys (`raw`, `provider_name`), so the whole object is kept as a dict.
    metadata: dict[str, Any] | None = None
    # Not in the vendored spec: newer docs describe `availability`; kept as sent, decoded leniently later.
    availability: Any = None


class ChatStreamingResponseChunk(ResponseStruct, kw_only=True):
    """One streamed chunk of a chat completion (the `data` of one server-sent event)."""

    choices: list[ChatStreamingChoice] = msgspec.field(default_factory=list)
    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    # Not in the spec: real traffic names the provider that served the request.
    provider: str | None = None
    # The spec says string; real traffic sends null.
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: ChatUsage | None = None
    error: ChatStreamError | None = None
    openrouter_metadata: OpenRouterMetadata | None = None


ChatStreamChunk = ChatStreamingResponseChunk


class ChatStreamingResponse(ResponseStruct, kw_only=True):
    """A server-sent event of the chat stream, as the spec describes it (`{"data": chunk}`)."""

    data: ChatStreamingResponseChunk
