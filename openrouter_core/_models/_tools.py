"""Request models for `tools`, `tool_choice` and `stop_server_tools_when`."""

from typing import Annotated, Any, Literal, TypeAlias

from msgspec import UNSET, Meta, UnsetType

from ._base import RequestStruct
from ._message import ChatContentCacheControl

__all__ = [
    "AdvisorServerTool",
    "AdvisorServerToolChoice",
    "AdvisorServerToolConfig",
    "BashServerTool",
    "BashServerToolChoice",
    "BashServerToolConfig",
    "BashServerToolEngine",
    "BashServerToolEnvironment",
    "ChatFunctionTool",
    "ChatFunctionToolFunction",
    "ChatNamedToolChoice",
    "ChatNamedToolChoiceFunction",
    "ChatServerToolChoice",
    "ChatTool",
    "ChatToolChoice",
    "ChatToolChoiceMode",
    "ChatWebSearch20250826Shorthand",
    "ChatWebSearchPreview20250311Shorthand",
    "ChatWebSearchPreviewShorthand",
    "ChatWebSearchShorthand",
    "ContainerAutoEnvironment",
    "ContainerReferenceEnvironment",
    "DatetimeServerTool",
    "DatetimeServerToolChoice",
    "DatetimeServerToolConfig",
    "FilesServerTool",
    "FilesServerToolChoice",
    "FilesServerToolConfig",
    "FusionServerTool",
    "FusionServerToolChoice",
    "FusionServerToolConfig",
    "ImageGenerationServerTool",
    "ImageGenerationServerToolChoice",
    "ImageGenerationServerToolConfig",
    "NestedServerTool",
    "ReasoningEffort",
    "SearchModelsServerTool",
    "SearchModelsServerToolChoice",
    "SearchModelsServerToolConfig",
    "SearchQualityLevel",
    "ServerToolReasoning",
    "StopServerToolsWhenCondition",
    "StopServerToolsWhenFinishReasonIs",
    "StopServerToolsWhenHasToolCall",
    "StopServerToolsWhenMaxCost",
    "StopServerToolsWhenMaxTokensUsed",
    "StopServerToolsWhenStepCountIs",
    "SubagentServerTool",
    "SubagentServerToolChoice",
    "SubagentServerToolConfig",
    "WebFetchEngine",
    "WebFetchServerTool",
    "WebFetchServerToolChoice",
    "WebFetchServerToolConfig",
    "WebSearch20250826ToolChoice",
    "WebSearchConfig",
    "WebSearchMode",
    "WebSearchPreview20250311ToolChoice",
    "WebSearchPreviewToolChoice",
    "WebSearchServerTool",
    "WebSearchServerToolChoice",
    "WebSearchShorthandToolChoice",
    "WebSearchToolEngine",
    "WebSearchUserLocation",
]

ReasoningEffort: TypeAlias = Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]
ChatToolChoiceMode: TypeAlias = Literal["none", "auto", "required"]
BashServerToolEngine: TypeAlias = Literal["auto", "native", "openrouter"]
WebFetchEngine: TypeAlias = Literal["auto", "native", "openrouter", "exa", "parallel", "firecrawl"]
WebSearchToolEngine: TypeAlias = Literal["native", "exa", "parallel", "firecrawl", "perplexity", "auto"]
WebSearchMode: TypeAlias = Literal[
    "instant", "fast", "auto", "deep-lite", "deep", "deep-reasoning", "turbo", "basic", "advanced"
]
SearchQualityLevel: TypeAlias = Literal["low", "medium", "high"]


class ChatFunctionToolFunction(RequestStruct, kw_only=True):
    """A function the model may call: its name, description and JSON Schema parameters."""

    name: Annotated[str, Meta(max_length=64)]
    description: str | UnsetType | None = UNSET
    parameters: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


class ChatFunctionTool(RequestStruct, tag_field="type", tag="function", kw_only=True):
    """A function tool that your code executes when the model calls it."""

    function: ChatFunctionToolFunction
    cache_control: ChatContentCacheControl | UnsetType | None = UNSET


class ServerToolReasoning(RequestStruct, kw_only=True):
    """Reasoning settings forwarded to the inner model call of a server tool."""

    effort: ReasoningEffort | UnsetType | None = UNSET
    max_tokens: int | UnsetType | None = UNSET


# The spec allows extra keys here; a struct cannot hold arbitrary keys, so subclass it to add some.
class NestedServerTool(RequestStruct, kw_only=True):
    """A server tool offered to an inner model call, as `{type, parameters}`."""

    type: str
    parameters: dict[str, Any] | UnsetType | None = UNSET


class AdvisorServerToolConfig(RequestStruct, kw_only=True):
    """Settings of one `openrouter:advisor` entry (the advisor model and how it is called)."""

    forward_transcript: bool | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    name: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType | None = UNSET
    reasoning: ServerToolReasoning | UnsetType | None = UNSET
    stream: bool | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET


class AdvisorServerTool(RequestStruct, tag_field="type", tag="openrouter:advisor", kw_only=True):
    """Server tool: consult a stronger advisor model mid-generation."""

    parameters: AdvisorServerToolConfig | UnsetType | None = UNSET


class ContainerAutoEnvironment(RequestStruct, tag_field="type", tag="container_auto", kw_only=True):
    """An ephemeral container that OpenRouter provisions automatically."""


class ContainerReferenceEnvironment(RequestStruct, tag_field="type", tag="container_reference", kw_only=True):
    """Reuse of a previously created container."""

    container_id: Annotated[str, Meta(min_length=1, max_length=20)]


BashServerToolEnvironment: TypeAlias = ContainerAutoEnvironment | ContainerReferenceEnvironment


class BashServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:bash` tool."""

    engine: BashServerToolEngine | UnsetType | None = UNSET
    environment: BashServerToolEnvironment | UnsetType | None = UNSET
    sleep_after_seconds: int | UnsetType | None = UNSET


class BashServerTool(RequestStruct, tag_field="type", tag="openrouter:bash", kw_only=True):
    """Server tool: run shell commands in a sandboxed container."""

    parameters: BashServerToolConfig | UnsetType | None = UNSET


class DatetimeServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:datetime` tool."""

    timezone: str | UnsetType | None = UNSET


class DatetimeServerTool(RequestStruct, tag_field="type", tag="openrouter:datetime", kw_only=True):
    """Server tool: return the current date and time."""

    parameters: DatetimeServerToolConfig | UnsetType | None = UNSET


class FilesServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:files` tool (none are defined yet)."""


class FilesServerTool(RequestStruct, tag_field="type", tag="openrouter:files", kw_only=True):
    """Server tool: read, write, edit and list workspace files."""

    parameters: FilesServerToolConfig | UnsetType | None = UNSET


class FusionServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:fusion` tool (the analysis panel and the analyst model)."""

    analysis_models: Annotated[list[str], Meta(min_length=1, max_length=8)] | UnsetType | None = UNSET
    cache_control: ChatContentCacheControl | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    max_tool_calls: Annotated[int, Meta(ge=1, le=16)] | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    reasoning: ServerToolReasoning | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    tools: Annotated[list[NestedServerTool], Meta(max_length=8)] | UnsetType | None = UNSET


class FusionServerTool(RequestStruct, tag_field="type", tag="openrouter:fusion", kw_only=True):
    """Server tool: fan the prompt out to a panel of models and summarise their answers."""

    parameters: FusionServerToolConfig | UnsetType | None = UNSET


# The spec also accepts every `image_config` key here; subclass to add the ones you need.
class ImageGenerationServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:image_generation` tool."""

    model: str | UnsetType | None = UNSET


class ImageGenerationServerTool(
    RequestStruct, tag_field="type", tag="openrouter:image_generation", kw_only=True
):
    """Server tool: generate images from text prompts."""

    parameters: ImageGenerationServerToolConfig | UnsetType | None = UNSET


class SearchModelsServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:experimental__search_models` tool."""

    max_results: int | UnsetType | None = UNSET


class SearchModelsServerTool(
    RequestStruct, tag_field="type", tag="openrouter:experimental__search_models", kw_only=True
):
    """Server tool: search the models available on OpenRouter."""

    parameters: SearchModelsServerToolConfig | UnsetType | None = UNSET


class SubagentServerToolConfig(RequestStruct, kw_only=True):
    """Settings of one `openrouter:subagent` entry (the worker model and its tools)."""

    inherit_functions: bool | UnsetType | None = UNSET
    inherited_function_names: list[Annotated[str, Meta(min_length=1)]] | UnsetType | None = UNSET
    instructions: str | UnsetType | None = UNSET
    max_completion_tokens: int | UnsetType | None = UNSET
    max_tool_calls: Annotated[int, Meta(ge=1, le=25)] | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    name: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType | None = UNSET
    reasoning: ServerToolReasoning | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    tools: list[NestedServerTool] | UnsetType | None = UNSET


class SubagentServerTool(RequestStruct, tag_field="type", tag="openrouter:subagent", kw_only=True):
    """Server tool: delegate self-contained tasks to a cheaper worker model."""

    parameters: SubagentServerToolConfig | UnsetType | None = UNSET


class WebFetchServerToolConfig(RequestStruct, kw_only=True):
    """Settings of the `openrouter:web_fetch` tool."""

    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    engine: WebFetchEngine | UnsetType | None = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET


class WebFetchServerTool(RequestStruct, tag_field="type", tag="openrouter:web_fetch", kw_only=True):
    """Server tool: fetch the full content of a web page or PDF."""

    parameters: WebFetchServerToolConfig | UnsetType | None = UNSET


class WebSearchUserLocation(RequestStruct, tag_field="type", tag="approximate", kw_only=True):
    """Approximate user location used to bias web search results."""

    city: str | UnsetType | None = UNSET
    country: str | UnsetType | None = UNSET
    region: str | UnsetType | None = UNSET
    timezone: str | UnsetType | None = UNSET


class WebSearchConfig(RequestStruct, kw_only=True):
    """Settings of the web search tool (engine, domains, result limits, location)."""

    allowed_domains: list[str] | UnsetType | None = UNSET
    engine: WebSearchToolEngine | UnsetType | None = UNSET
    excluded_domains: list[str] | UnsetType | None = UNSET
    max_characters: int | UnsetType | None = UNSET
    max_results: int | UnsetType | None = UNSET
    max_total_results: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    mode: WebSearchMode | UnsetType | None = UNSET
    search_context_size: SearchQualityLevel | UnsetType | None = UNSET
    user_location: WebSearchUserLocation | UnsetType | None = UNSET


class WebSearchServerTool(RequestStruct, tag_field="type", tag="openrouter:web_search", kw_only=True):
    """Server tool: search the web for current information."""

    parameters: WebSearchConfig | UnsetType | None = UNSET


class ChatWebSearchShorthand(RequestStruct, tag_field="type", tag="web_search", kw_only=True):
    """Web search tool in OpenAI Responses syntax (`type: "web_search"`); becomes `openrouter:web_search`."""

    allowed_domains: list[str] | UnsetType | None = UNSET
    engine: WebSearchToolEngine | UnsetType | None = UNSET
    excluded_domains: list[str] | UnsetType | None = UNSET
    max_characters: int | UnsetType | None = UNSET
    max_results: int | UnsetType | None = UNSET
    max_total_results: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    mode: WebSearchMode | UnsetType | None = UNSET
    parameters: WebSearchConfig | UnsetType | None = UNSET
    search_context_size: SearchQualityLevel | UnsetType | None = UNSET
    user_location: WebSearchUserLocation | UnsetType | None = UNSET


# The spec gives the shorthand one schema whose `type` takes four values; a tagged union needs one
# class per value, so each extra value is a subclass with the same fields.
class ChatWebSearchPreviewShorthand(ChatWebSearchShorthand, tag="web_search_preview", kw_only=True):
    """Web search shorthand with `type: "web_search_preview"`."""


class ChatWebSearchPreview20250311Shorthand(
    ChatWebSearchShorthand, tag="web_search_preview_2025_03_11", kw_only=True
):
    """Web search shorthand with `type: "web_search_preview_2025_03_11"`."""


class ChatWebSearch20250826Shorthand(ChatWebSearchShorthand, tag="web_search_2025_08_26", kw_only=True):
    """Web search shorthand with `type: "web_search_2025_08_26"`."""


ChatTool: TypeAlias = (
    ChatFunctionTool
    | AdvisorServerTool
    | BashServerTool
    | DatetimeServerTool
    | FilesServerTool
    | FusionServerTool
    | ImageGenerationServerTool
    | SearchModelsServerTool
    | SubagentServerTool
    | WebFetchServerTool
    | WebSearchServerTool
    | ChatWebSearchShorthand
    | ChatWebSearchPreviewShorthand
    | ChatWebSearchPreview20250311Shorthand
    | ChatWebSearch20250826Shorthand
)


class ChatNamedToolChoiceFunction(RequestStruct, kw_only=True):
    """The function a named tool choice forces."""

    name: str


class ChatNamedToolChoice(RequestStruct, tag_field="type", tag="function", kw_only=True):
    """Force the model to call one named function."""

    function: ChatNamedToolChoiceFunction


# The spec's ChatServerToolChoice is `{type: <any string>}`. A tagged union needs one class per
# value, so each known server tool type gets a class; `ChatServerToolChoice` is their union.
class WebSearchServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:web_search", kw_only=True):
    """Force the `openrouter:web_search` server tool."""


class WebFetchServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:web_fetch", kw_only=True):
    """Force the `openrouter:web_fetch` server tool."""


class DatetimeServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:datetime", kw_only=True):
    """Force the `openrouter:datetime` server tool."""


class BashServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:bash", kw_only=True):
    """Force the `openrouter:bash` server tool."""


class FilesServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:files", kw_only=True):
    """Force the `openrouter:files` server tool."""


class ImageGenerationServerToolChoice(
    RequestStruct, tag_field="type", tag="openrouter:image_generation", kw_only=True
):
    """Force the `openrouter:image_generation` server tool."""


class SearchModelsServerToolChoice(
    RequestStruct, tag_field="type", tag="openrouter:experimental__search_models", kw_only=True
):
    """Force the `openrouter:experimental__search_models` server tool."""


class SubagentServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:subagent", kw_only=True):
    """Force the `openrouter:subagent` server tool."""


class AdvisorServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:advisor", kw_only=True):
    """Force the `openrouter:advisor` server tool."""


class FusionServerToolChoice(RequestStruct, tag_field="type", tag="openrouter:fusion", kw_only=True):
    """Force the `openrouter:fusion` server tool."""


class WebSearchShorthandToolChoice(RequestStruct, tag_field="type", tag="web_search", kw_only=True):
    """Force the web search tool by its OpenAI name `web_search`."""


class WebSearchPreviewToolChoice(RequestStruct, tag_field="type", tag="web_search_preview", kw_only=True):
    """Force the web search tool by its OpenAI name `web_search_preview`."""


class WebSearchPreview20250311ToolChoice(
    RequestStruct, tag_field="type", tag="web_search_preview_2025_03_11", kw_only=True
):
    """Force the web search tool by its OpenAI name `web_search_preview_2025_03_11`."""


class WebSearch20250826ToolChoice(RequestStruct, tag_field="type", tag="web_search_2025_08_26", kw_only=True):
    """Force the web search tool by its OpenAI name `web_search_2025_08_26`."""


ChatServerToolChoice: TypeAlias = (
    WebSearchServerToolChoice
    | WebFetchServerToolChoice
    | DatetimeServerToolChoice
    | BashServerToolChoice
    | FilesServerToolChoice
    | ImageGenerationServerToolChoice
    | SearchModelsServerToolChoice
    | SubagentServerToolChoice
    | AdvisorServerToolChoice
    | FusionServerToolChoice
    | WebSearchShorthandToolChoice
    | WebSearchPreviewToolChoice
    | WebSearchPreview20250311ToolChoice
    | WebSearch20250826ToolChoice
)

ChatToolChoice: TypeAlias = ChatToolChoiceMode | ChatNamedToolChoice | ChatServerToolChoice


class StopServerToolsWhenStepCountIs(RequestStruct, tag_field="type", tag="step_count_is", kw_only=True):
    """Stop the server-tool loop after this many steps."""

    step_count: int


class StopServerToolsWhenHasToolCall(RequestStruct, tag_field="type", tag="has_tool_call", kw_only=True):
    """Stop the server-tool loop after a tool with this name was called."""

    tool_name: Annotated[str, Meta(min_length=1)]


class StopServerToolsWhenMaxTokensUsed(RequestStruct, tag_field="type", tag="max_tokens_used", kw_only=True):
    """Stop the server-tool loop once total token usage passes this threshold."""

    max_tokens: int


class StopServerToolsWhenMaxCost(RequestStruct, tag_field="type", tag="max_cost", kw_only=True):
    """Stop the server-tool loop once total cost passes this many dollars."""

    max_cost_in_dollars: float


class StopServerToolsWhenFinishReasonIs(
    RequestStruct, tag_field="type", tag="finish_reason_is", kw_only=True
):
    """Stop the server-tool loop when the model finishes with this reason (e.g. `length`)."""

    reason: Annotated[str, Meta(min_length=1)]


StopServerToolsWhenCondition: TypeAlias = (
    StopServerToolsWhenStepCountIs
    | StopServerToolsWhenHasToolCall
    | StopServerToolsWhenMaxTokensUsed
    | StopServerToolsWhenMaxCost
    | StopServerToolsWhenFinishReasonIs
)
