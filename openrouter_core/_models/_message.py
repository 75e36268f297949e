"""Models that are decoded from responses and sent back in requests (the assistant turn)."""

from typing import Any, Literal, TypeAlias

from msgspec import UNSET, UnsetType

from ._base import BothWaysStruct

__all__ = [
    "Annotation",
    "AnnotationFile",
    "AnthropicCacheControlDirective",
    "AnthropicCacheControlTtl",
    "ChatAssistantImage",
    "ChatAssistantMessage",
    "ChatAudioOutput",
    "ChatContentAudioInput",
    "ChatContentCacheControl",
    "ChatContentFileData",
    "ChatContentImageURL",
    "ChatContentPart",
    "ChatContentVideoInput",
    "ChatToolCall",
    "ChatToolCallFunction",
    "ImageDetail",
    "LegacyChatContentVideoInput",
    "PromptCacheBreakpoint",
    "ReasoningDetail",
    "ReasoningFormat",
    "URLCitation",
]

ImageDetail: TypeAlias = Literal["auto", "low", "high", "original"]
AnthropicCacheControlTtl: TypeAlias = Literal["5m", "1h"]
ReasoningFormat: TypeAlias = Literal[
    "unknown",
    "openai-responses-v1",
    "azure-openai-responses-v1",
    "bedrock-openai-responses-v1",
    "bedrock-xai-responses-v1",
    "xai-responses-v1",
    "meta-responses-v1",
    "anthropic-claude-v1",
    "google-gemini-v1",
]
"""Known values of `ReasoningDetail.format`; the field itself is an open `str`."""


class AnthropicCacheControlDirective(BothWaysStruct, tag_field="type", tag="ephemeral", kw_only=True):
    """Anthropic-style prompt-cache breakpoint; `ttl` takes the values of `AnthropicCacheControlTtl`."""

    ttl: str | UnsetType | None = UNSET


ChatContentCacheControl: TypeAlias = AnthropicCacheControlDirective


class PromptCacheBreakpoint(BothWaysStruct, tag_field="mode", tag="explicit", kw_only=True):
    """OpenAI-style marker that ends the cached prompt prefix at this content block."""


class ChatContentImageURL(BothWaysStruct, kw_only=True):
    """The `image_url` of an image part: a URL or `data:` URL; `detail` takes `ImageDetail` values."""

    url: str
    detail: str | UnsetType | None = UNSET


class ChatContentAudioInput(BothWaysStruct, kw_only=True):
    """The `input_audio` object of an audio part: base64 data and its format (wav, mp3, ...)."""

    data: str
    format: str


class ChatContentFileData(BothWaysStruct, kw_only=True):
    """The `file` object of a file part: inline data or a URL, an uploaded file id, a filename."""

    file_data: str | UnsetType | None = UNSET
    file_id: str | UnsetType | None = UNSET
    filename: str | UnsetType | None = UNSET


class ChatContentVideoInput(BothWaysStruct, kw_only=True):
    """The `video_url` object of a video part (a URL or a `data:` URL)."""

    url: str


LegacyChatContentVideoInput: TypeAlias = ChatContentVideoInput


class ChatContentPart(BothWaysStruct, kw_only=True):
    """Any content part of an assistant message; `type` is open so unknown part kinds are kept.

    Known types: `text`, `image_url`, `input_audio`, `file`, `video_url`, `input_video`.
    """

    type: str
    text: str | UnsetType | None = UNSET
    image_url: ChatContentImageURL | UnsetType | None = UNSET
    input_audio: ChatContentAudioInput | UnsetType | None = UNSET
    file: ChatContentFileData | UnsetType | None = UNSET
    video_url: ChatContentVideoInput | UnsetType | None = UNSET
    cache_control: ChatContentCacheControl | UnsetType | None = UNSET
    prompt_cache_breakpoint: PromptCacheBreakpoint | UnsetType | None = UNSET


class ChatToolCallFunction(BothWaysStruct, kw_only=True):
    """The function a tool call invokes: its name and its arguments as a JSON string."""

    name: str
    arguments: str


# omit_defaults=False so `type` is always sent: the request schema requires it.
class ChatToolCall(BothWaysStruct, omit_defaults=False, kw_only=True):
    """A tool call made by the assistant."""

    id: str
    type: str = "function"
    function: ChatToolCallFunction


class ReasoningDetail(BothWaysStruct, kw_only=True):
    """One reasoning block; `type` is open so unknown kinds are kept and sent back unchanged.

    Known types: `reasoning.text` (`text`, `signature`), `reasoning.summary` (`summary`),
    `reasoning.encrypted` (`data`) and `reasoning.server_tool_call` (`arguments`, `result`,
    `tool_call_id`, `tool_name`). `format` takes the values of `ReasoningFormat`.
    """

    type: str
    id: str | UnsetType | None = UNSET
    index: int | UnsetType | None = UNSET
    format: str | UnsetType | None = UNSET
    text: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET
    summary: str | UnsetType | None = UNSET
    data: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET
    result: str | UnsetType | None = UNSET
    tool_call_id: str | UnsetType | None = UNSET
    tool_name: str | UnsetType | None = UNSET


class URLCitation(BothWaysStruct, kw_only=True):
    """A web source cited by the answer, with the span of content it supports."""

    url: str
    title: str | UnsetType | None = UNSET
    content: str | UnsetType | None = UNSET
    start_index: int | UnsetType | None = UNSET
    end_index: int | UnsetType | None = UNSET


class AnnotationFile(BothWaysStruct, kw_only=True):
    """A parsed file an answer refers to (the `file` annotation)."""

    hash: str | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    content: list[dict[str, Any]] | UnsetType | None = UNSET


class Annotation(BothWaysStruct, kw_only=True):
    """An annotation on assistant content; `type` is open (known: `url_citation`, `file`)."""

    type: str
    url_citation: URLCitation | UnsetType | None = UNSET
    file: AnnotationFile | UnsetType | None = UNSET


class ChatAssistantImage(BothWaysStruct, kw_only=True):
    """An image generated by the model."""

    # Real traffic sends `type: "image_url"` and sometimes `index`; the spec lists only `image_url`.
    type: str | UnsetType | None = UNSET
    index: int | UnsetType | None = UNSET
    image_url: ChatContentImageURL


class ChatAudioOutput(BothWaysStruct, kw_only=True):
    """Audio produced by the model, or a reference to it."""

    id: str | UnsetType | None = UNSET
    data: str | UnsetType | None = UNSET
    expires_at: int | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET


class ChatAssistantMessage(BothWaysStruct, tag_field="role", tag="assistant", kw_only=True):
    """An assistant message: the model's reply, or an earlier reply sent back as history."""

    content: str | list[ChatContentPart] | UnsetType | None = UNSET
    name: str | UnsetType | None = UNSET
    tool_calls: list[ChatToolCall] | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    reasoning: str | UnsetType | None = UNSET
    reasoning_details: list[ReasoningDetail] | UnsetType | None = UNSET
    images: list[ChatAssistantImage] | UnsetType | None = UNSET
    audio: ChatAudioOutput | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    # Not in the spec: real responses carry web-search citations here.
    annotations: list[Annotation] | UnsetType | None = UNSET

    @property
    def role(self) -> Literal["assistant"]:
        """The message's role, as sent on the wire."""
        return "assistant"
