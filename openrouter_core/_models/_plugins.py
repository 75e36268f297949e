"""Request models for `plugins` (tagged by `id`)."""

from typing import Annotated, Literal, TypeAlias

from msgspec import UNSET, Meta, UnsetType

from ._base import RequestStruct
from ._tools import WebSearchMode, WebSearchUserLocation

__all__ = [
    "AutoBetaRouterPlugin",
    "AutoRouterPlugin",
    "ChatPlugin",
    "ContextCompressionEngine",
    "ContextCompressionPlugin",
    "CostTier",
    "FileParserPlugin",
    "FusionPlugin",
    "FusionPluginTool",
    "FusionPluginToolParameter",
    "FusionPreset",
    "ModerationPlugin",
    "PDFParserEngine",
    "PDFParserOptions",
    "ParetoPriceSource",
    "ParetoRouterPlugin",
    "ResponseHealingPlugin",
    "WebFetchPlugin",
    "WebSearchEngine",
    "WebSearchPlugin",
]

CostTier: TypeAlias = Literal["low", "medium", "high", "xhigh", "max"]
WebSearchEngine: TypeAlias = Literal["native", "exa", "firecrawl", "parallel", "perplexity"]
PDFParserEngine: TypeAlias = Literal["mistral-ocr", "native", "cloudflare-ai", "pdf-text"]
ContextCompressionEngine: TypeAlias = Literal["middle-out"]
ParetoPriceSource: TypeAlias = Literal["prompt", "weighted_avg"]
FusionPreset: TypeAlias = Literal["general-high", "general-budget", "general-fast"]
_Scalar: TypeAlias = str | float | bool | None
FusionPluginToolParameter: TypeAlias = _Scalar | list[_Scalar] | dict[str, _Scalar]

_ModelId: TypeAlias = Annotated[str, Meta(max_length=1024)]


class AutoRouterPlugin(RequestStruct, tag_field="id", tag="auto-router", kw_only=True):
    """Let the auto-router pick the model for each request."""

    allowed_models: Annotated[list[_ModelId], Meta(max_length=1024)] | UnsetType | None = UNSET
    cost_quality_tradeoff: Annotated[int, Meta(ge=0, le=10)] | UnsetType | None = UNSET
    cost_tier: CostTier | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET
    excluded_models: Annotated[list[_ModelId], Meta(max_length=1024)] | UnsetType | None = UNSET
    pin_model: bool | UnsetType | None = UNSET


class AutoBetaRouterPlugin(RequestStruct, tag_field="id", tag="auto-beta-router", kw_only=True):
    """Let the beta auto-router pick the model by task type and cost tier."""

    allowed_models: Annotated[list[_ModelId], Meta(max_length=1024)] | UnsetType | None = UNSET
    cost_quality_tradeoff: Annotated[int, Meta(ge=0, le=10)] | UnsetType | None = UNSET
    cost_tier: CostTier | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET
    excluded_models: Annotated[list[_ModelId], Meta(max_length=1024)] | UnsetType | None = UNSET


class ModerationPlugin(RequestStruct, tag_field="id", tag="moderation", kw_only=True):
    """Run content moderation on the request."""


class WebSearchPlugin(RequestStruct, tag_field="id", tag="web", kw_only=True):
    """Add web search results to the prompt."""

    enabled: bool | UnsetType | None = UNSET
    engine: WebSearchEngine | UnsetType | None = UNSET
    exclude_domains: list[str] | UnsetType | None = UNSET
    include_domains: list[str] | UnsetType | None = UNSET
    max_results: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET
    mode: WebSearchMode | UnsetType | None = UNSET
    search_prompt: str | UnsetType | None = UNSET
    user_location: WebSearchUserLocation | UnsetType | None = UNSET


class WebFetchPlugin(RequestStruct, tag_field="id", tag="web-fetch", kw_only=True):
    """Let the model fetch web pages."""

    allowed_domains: list[str] | UnsetType | None = UNSET
    blocked_domains: list[str] | UnsetType | None = UNSET
    max_content_tokens: int | UnsetType | None = UNSET
    max_uses: int | UnsetType | None = UNSET


class PDFParserOptions(RequestStruct, kw_only=True):
    """How PDF files are parsed."""

    engine: PDFParserEngine | UnsetType | None = UNSET


class FileParserPlugin(RequestStruct, tag_field="id", tag="file-parser", kw_only=True):
    """Parse attached files (PDFs) into text for the model."""

    enabled: bool | UnsetType | None = UNSET
    pdf: PDFParserOptions | UnsetType | None = UNSET


class ResponseHealingPlugin(RequestStruct, tag_field="id", tag="response-healing", kw_only=True):
    """Repair malformed JSON in structured-output responses."""

    enabled: bool | UnsetType | None = UNSET


class ContextCompressionPlugin(RequestStruct, tag_field="id", tag="context-compression", kw_only=True):
    """Compress prompts that exceed the model's context window."""

    enabled: bool | UnsetType | None = UNSET
    engine: ContextCompressionEngine | UnsetType | None = UNSET


class ParetoRouterPlugin(RequestStruct, tag_field="id", tag="pareto-router", kw_only=True):
    """Route to the cheapest model on the coding-quality/price Pareto frontier."""

    enabled: bool | UnsetType | None = UNSET
    max_price: Annotated[float, Meta(ge=0)] | UnsetType | None = UNSET
    min_coding_score: Annotated[float, Meta(ge=0, le=1)] | UnsetType | None = UNSET
    price_source: ParetoPriceSource | UnsetType | None = UNSET


class FusionPluginTool(RequestStruct, kw_only=True):
    """A server tool offered to the fusion panel, as `{type, parameters}`."""

    type: str
    parameters: dict[str, FusionPluginToolParameter] | UnsetType | None = UNSET


class FusionPlugin(RequestStruct, tag_field="id", tag="fusion", kw_only=True):
    """Answer with a panel of models whose outputs an analyst model fuses."""

    analysis_models: Annotated[list[str], Meta(min_length=1, max_length=8)] | UnsetType | None = UNSET
    enabled: bool | UnsetType | None = UNSET
    max_tool_calls: Annotated[int, Meta(ge=1, le=16)] | UnsetType | None = UNSET
    model: str | UnsetType | None = UNSET
    preset: FusionPreset | UnsetType | None = UNSET
    tools: Annotated[list[FusionPluginTool], Meta(max_length=8)] | UnsetType | None = UNSET


ChatPlugin: TypeAlias = (
    AutoRouterPlugin
    | AutoBetaRouterPlugin
    | ModerationPlugin
    | WebSearchPlugin
    | WebFetchPlugin
    | FileParserPlugin
    | ResponseHealingPlugin
    | ContextCompressionPlugin
    | ParetoRouterPlugin
    | FusionPlugin
)
