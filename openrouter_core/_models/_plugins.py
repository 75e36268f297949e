"""Request models for `plugins` (tagged by `id`)."""

from typing import Literal, TypeAlias

from msgspec import UNSET, UnsetType

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


class AutoRouterPlugin(RequestStruct, tag_field="id", tag="auto-router", kw_only=True):
    """Let the auto-router pick the model for each request."""

    allowed_models: list[str] | UnsetType = UNSET
    cost_quality_tradeoff: int | UnsetType = UNSET
    cost_tier: CostTier | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    excluded_models: list[str] | UnsetType = UNSET
    pin_model: bool | UnsetType = UNSET


class AutoBetaRouterPlugin(RequestStruct, tag_field="id", tag="auto-beta-router", kw_only=True):
    """Let the beta auto-router pick the model by task type and cost tier."""

    allowed_models: list[str] | UnsetType = UNSET
    cost_quality_tradeoff: int | UnsetType = UNSET
    cost_tier: CostTier | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    excluded_models: list[str] | UnsetType = UNSET


class ModerationPlugin(RequestStruct, tag_field="id", tag="moderation", kw_only=True):
    """Run content moderation on the request."""


class WebSearchPlugin(RequestStruct, tag_field="id", tag="web", kw_only=True):
    """Add web search results to the prompt."""

    enabled: bool | UnsetType = UNSET
    engine: WebSearchEngine | UnsetType = UNSET
    exclude_domains: list[str] | UnsetType = UNSET
    include_domains: list[str] | UnsetType = UNSET
    max_results: int | UnsetType = UNSET
    max_uses: int | UnsetType = UNSET
    mode: WebSearchMode | UnsetType = UNSET
    search_prompt: str | UnsetType = UNSET
    user_location: WebSearchUserLocation | UnsetType | None = UNSET


class WebFetchPlugin(RequestStruct, tag_field="id", tag="web-fetch", kw_only=True):
    """Let the model fetch web pages."""

    allowed_domains: list[str] | UnsetType = UNSET
    blocked_domains: list[str] | UnsetType = UNSET
    max_content_tokens: int | UnsetType = UNSET
    max_uses: int | UnsetType = UNSET


class PDFParserOptions(RequestStruct, kw_only=True):
    """How PDF files are parsed."""

    engine: PDFParserEngine | UnsetType = UNSET


class FileParserPlugin(RequestStruct, tag_field="id", tag="file-parser", kw_only=True):
    """Parse attached files (PDFs) into text for the model."""

    enabled: bool | UnsetType = UNSET
    pdf: PDFParserOptions | UnsetType = UNSET


class ResponseHealingPlugin(RequestStruct, tag_field="id", tag="response-healing", kw_only=True):
    """Repair malformed JSON in structured-output responses."""

    enabled: bool | UnsetType = UNSET


class ContextCompressionPlugin(RequestStruct, tag_field="id", tag="context-compression", kw_only=True):
    """Compress prompts that exceed the model's context window."""

    enabled: bool | UnsetType = UNSET
    engine: ContextCompressionEngine | UnsetType = UNSET


class ParetoRouterPlugin(RequestStruct, tag_field="id", tag="pareto-router", kw_only=True):
    """Route to the cheapest model on the coding-quality/price Pareto frontier."""

    enabled: bool | UnsetType = UNSET
    max_price: float | UnsetType = UNSET
    min_coding_score: float | UnsetType = UNSET
    price_source: ParetoPriceSource | UnsetType = UNSET


class FusionPluginTool(RequestStruct, kw_only=True):
    """A server tool offered to the fusion panel, as `{type, parameters}`."""

    type: str
    parameters: dict[str, FusionPluginToolParameter] | UnsetType = UNSET


class FusionPlugin(RequestStruct, tag_field="id", tag="fusion", kw_only=True):
    """Answer with a panel of models whose outputs an analyst model fuses."""

    analysis_models: list[str] | UnsetType = UNSET
    enabled: bool | UnsetType = UNSET
    max_tool_calls: int | UnsetType = UNSET
    model: str | UnsetType = UNSET
    preset: FusionPreset | UnsetType = UNSET
    tools: list[FusionPluginTool] | UnsetType = UNSET


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
