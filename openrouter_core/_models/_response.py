"""Response models: a non-streaming chat completion, its usage, and the error body."""

from typing import Any, Literal, TypeAlias

import msgspec

from ._base import ResponseStruct
from ._message import ChatAssistantMessage

__all__ = [
    "ApiErrorType",
    "ChatChoice",
    "ChatCompletionTokensDetails",
    "ChatGenerationTokenUsage",
    "ChatPromptTokensDetails",
    "ChatResponse",
    "ChatResult",
    "ChatTokenLogprob",
    "ChatTokenLogprobs",
    "ChatTopLogprob",
    "ChatUsage",
    "CostDetails",
    "EndpointInfo",
    "EndpointsMetadata",
    "ErrorBody",
    "ErrorDetail",
    "FinishReason",
    "OpenRouterMetadata",
    "PipelineStage",
    "RouterAttempt",
    "RouterParams",
    "ServerToolUseDetails",
]

FinishReason: TypeAlias = Literal["tool_calls", "stop", "length", "content_filter", "error"]
"""Known values of `finish_reason`; the field itself is an open `str`."""

ApiErrorType: TypeAlias = Literal[
    "context_length_exceeded",
    "max_tokens_exceeded",
    "token_limit_exceeded",
    "string_too_long",
    "authentication",
    "permission_denied",
    "payment_required",
    "rate_limit_exceeded",
    "provider_overloaded",
    "provider_unavailable",
    "invalid_request",
    "invalid_prompt",
    "not_found",
    "precondition_failed",
    "payload_too_large",
    "unprocessable",
    "content_policy_violation",
    "refusal",
    "invalid_image",
    "image_too_large",
    "image_too_small",
    "unsupported_image_format",
    "image_not_found",
    "image_download_failed",
    "server",
    "timeout",
    "unmapped",
]
"""Known values of `error.metadata.error_type`; the field itself is an open `str`."""


class ErrorDetail(ResponseStruct, kw_only=True):
    """The `error` object of an error body: a code, a message and free-form metadata."""

    # The spec says integer; real traffic also sends strings such as "server_error", or no code.
    code: int | str | None = None
    message: str = ""
    metadata: dict[str, Any] | None = None
    # Not in the vendored spec: newer docs describe `availability`; kept as sent, decoded leniently later.
    availability: Any = None


class ErrorBody(ResponseStruct, kw_only=True):
    """An error response body (`{"error": {...}, "openrouter_metadata", "user_id"}`)."""

    error: ErrorDetail
    openrouter_metadata: dict[str, Any] | None = None
    user_id: str | None = None


class ChatTopLogprob(ResponseStruct, kw_only=True):
    """One alternative token and its log probability."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None


class ChatTokenLogprob(ResponseStruct, kw_only=True):
    """Log probability of one output token, with the most likely alternatives."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None
    top_logprobs: list[ChatTopLogprob] = msgspec.field(default_factory=list)


class ChatTokenLogprobs(ResponseStruct, kw_only=True):
    """Log probabilities of the content and refusal tokens of a choice."""

    content: list[ChatTokenLogprob] | None = None
    refusal: list[ChatTokenLogprob] | None = None


class ChatPromptTokensDetails(ResponseStruct, kw_only=True):
    """Breakdown of prompt tokens (cached, cache writes, audio, video)."""

    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    audio_tokens: int | None = None
    video_tokens: int | None = None


class ChatCompletionTokensDetails(ResponseStruct, kw_only=True):
    """Breakdown of completion tokens (reasoning, audio, accepted and rejected predictions)."""

    reasoning_tokens: int | None = None
    audio_tokens: int | None = None
    accepted_prediction_tokens: int | None = None
    rejected_prediction_tokens: int | None = None


class CostDetails(ResponseStruct, kw_only=True):
    """Breakdown of the upstream inference cost."""

    upstream_inference_cost: float | None = None
    upstream_inference_prompt_cost: float | None = None
    upstream_inference_completions_cost: float | None = None


class ServerToolUseDetails(ResponseStruct, kw_only=True):
    """Usage of server-side tools (web searches, tool calls requested and executed)."""

    web_search_requests: int | None = None
    tool_calls_requested: int | None = None
    tool_calls_executed: int | None = None


class ChatUsage(ResponseStruct, kw_only=True):
    """Token usage and cost of a request."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: CostDetails | None = None
    prompt_tokens_details: ChatPromptTokensDetails | None = None
    completion_tokens_details: ChatCompletionTokensDetails | None = None
    server_tool_use_details: ServerToolUseDetails | None = None


ChatGenerationTokenUsage = ChatUsage


class RouterAttempt(ResponseStruct, kw_only=True):
    """One routing attempt: the model, the provider and the HTTP status it returned."""

    model: str = ""
    provider: str = ""
    status: int = 0


class EndpointInfo(ResponseStruct, kw_only=True):
    """An endpoint that could serve the request, and whether it was selected."""

    model: str = ""
    provider: str = ""
    selected: bool = False


class EndpointsMetadata(ResponseStruct, kw_only=True):
    """The endpoints available for the request."""

    available: list[EndpointInfo] = msgspec.field(default_factory=list)
    total: int = 0


class RouterParams(ResponseStruct, kw_only=True):
    """Parameters the router applied (quality and throughput floors, version group)."""

    quality_floor: float | None = None
    throughput_floor: float | None = None
    version_group: str | None = None


class PipelineStage(ResponseStruct, kw_only=True):
    """One stage of the request pipeline (a guardrail, plugin or server-tool step)."""

    name: str = ""
    type: str = ""
    summary: str | None = None
    cost_usd: float | None = None
    data: dict[str, Any] | None = None
    guardrail_id: str | None = None
    guardrail_scope: str | None = None


class OpenRouterMetadata(ResponseStruct, kw_only=True):
    """Routing metadata that OpenRouter adds when asked to (`openrouter_metadata`)."""

    requested: str = ""
    strategy: str = ""
    region: str | None = None
    summary: str = ""
    attempt: int = 0
    is_byok: bool = False
    endpoints: EndpointsMetadata | None = None
    attempts: list[RouterAttempt] | None = None
    params: RouterParams | None = None
    pipeline: list[PipelineStage] | None = None


class ChatChoice(ResponseStruct, kw_only=True):
    """One completion choice; `finish_reason` is open (known values in `FinishReason`)."""

    message: ChatAssistantMessage
    index: int = 0
    finish_reason: str | None = None
    # Not in the spec: real traffic sends the provider's own finish reason and, on failure, an error.
    native_finish_reason: str | None = None
    logprobs: ChatTokenLogprobs | None = None
    error: ErrorDetail | None = None


class ChatResponse(ResponseStruct, kw_only=True):
    """A non-streaming chat completion."""

    choices: list[ChatChoice]
    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    # Not in the spec: real traffic names the provider that served the request.
    provider: str | None = None
    system_fingerprint: str | None = None
    service_tier: str | None = None
    usage: ChatUsage | None = None
    openrouter_metadata: OpenRouterMetadata | None = None


ChatResult = ChatResponse
