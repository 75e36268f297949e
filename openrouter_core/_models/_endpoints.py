"""Response models of the endpoints around chat: `GET /models`, `/generation`, `/credits` and `/key`.

All are lenient (`ResponseStruct`): the envelope's `data` is required, so that a `200` made only of
`{"error": ...}` is still reported as an API error, and every other field has a default.
"""

from typing import Literal, TypeAlias

from ._base import ResponseStruct

__all__ = [
    "AABenchmarkEntry",
    "Credits",
    "CreditsResponse",
    "DABenchmarkEntry",
    "DefaultParameters",
    "Generation",
    "GenerationResponse",
    "KeyInfo",
    "KeyRateLimit",
    "KeyResponse",
    "Model",
    "ModelAliasTarget",
    "ModelArchitecture",
    "ModelBenchmarks",
    "ModelCategory",
    "ModelLinks",
    "ModelReasoning",
    "ModelSort",
    "ModelsListLinks",
    "ModelsListResponse",
    "PerRequestLimits",
    "PricingOverride",
    "ProviderResponse",
    "PublicPricing",
    "TopProviderInfo",
]

ModelCategory: TypeAlias = Literal[
    "programming",
    "roleplay",
    "marketing",
    "marketing/seo",
    "technology",
    "science",
    "translation",
    "legal",
    "finance",
    "health",
    "trivia",
    "academia",
]
"""Known values of the `category` filter of `models_list`; the parameter itself is an open `str`."""

ModelSort: TypeAlias = Literal[
    "most-popular",
    "newest",
    "top-weekly",
    "pricing-low-to-high",
    "pricing-high-to-low",
    "context-high-to-low",
    "throughput-high-to-low",
    "latency-low-to-high",
    "intelligence-high-to-low",
    "coding-high-to-low",
    "agentic-high-to-low",
    "design-arena-elo-high-to-low",
]
"""Known values of the `sort` parameter of `models_list`; the parameter itself is an open `str`."""


# -- GET /models ---------------------------------------------------------------------------------


class ModelArchitecture(ResponseStruct, kw_only=True):
    """What a model reads and writes: modalities, tokenizer and instruction format."""

    modality: str | None = None
    input_modalities: list[str] = []
    output_modalities: list[str] = []
    tokenizer: str | None = None
    instruct_type: str | None = None


class PricingOverride(ResponseStruct, kw_only=True):
    """A conditional override of the base pricing (long-context or time-window prices)."""

    prompt: str | None = None
    completion: str | None = None
    audio: str | None = None
    input_audio_cache: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    min_prompt_tokens: float | None = None
    utc_start: float | None = None
    utc_end: float | None = None


class PublicPricing(ResponseStruct, kw_only=True):
    """A model's prices in USD, as decimal strings (per token unless the name says otherwise)."""

    prompt: str = "0"
    completion: str = "0"
    request: str | None = None
    image: str | None = None
    image_token: str | None = None
    image_output: str | None = None
    audio: str | None = None
    audio_output: str | None = None
    input_audio_cache: str | None = None
    web_search: str | None = None
    internal_reasoning: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    input_cache_write_1h: str | None = None
    discount: float | None = None
    overrides: list[PricingOverride] | None = None


class TopProviderInfo(ResponseStruct, kw_only=True):
    """Limits of the model's top provider."""

    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool = False


class PerRequestLimits(ResponseStruct, kw_only=True):
    """Per-request token limits."""

    prompt_tokens: float | None = None
    completion_tokens: float | None = None


class DefaultParameters(ResponseStruct, kw_only=True):
    """Sampling defaults the model applies when a request leaves them out."""

    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None


class ModelLinks(ResponseStruct, kw_only=True):
    """Related API URLs of a model."""

    details: str = ""


class ModelAliasTarget(ResponseStruct, kw_only=True):
    """The concrete model a `~latest` alias points to."""

    slug: str = ""
    name: str = ""


class AABenchmarkEntry(ResponseStruct, kw_only=True):
    """Artificial Analysis index scores."""

    intelligence_index: float | None = None
    coding_index: float | None = None
    agentic_index: float | None = None


class DABenchmarkEntry(ResponseStruct, kw_only=True):
    """One Design Arena ELO ranking (an arena and a category)."""

    arena: str = ""
    category: str = ""
    elo: float = 0.0
    win_rate: float = 0.0
    rank: int = 0


class ModelBenchmarks(ResponseStruct, kw_only=True):
    """Third-party benchmark rankings of a model."""

    artificial_analysis: AABenchmarkEntry | None = None
    design_arena: list[DABenchmarkEntry] = []


class ModelReasoning(ResponseStruct, kw_only=True):
    """How a reasoning model takes `reasoning.effort` and `reasoning.enabled`."""

    mandatory: bool = False
    default_enabled: bool | None = None
    default_effort: str | None = None
    supported_efforts: list[str | None] | None = None
    supports_max_tokens: bool | None = None


class Model(ResponseStruct, kw_only=True):
    """One model of `GET /models`: identity, context, modalities, prices and supported parameters."""

    id: str = ""
    canonical_slug: str = ""
    name: str = ""
    created: int = 0
    description: str = ""
    context_length: int | None = None
    architecture: ModelArchitecture | None = None
    pricing: PublicPricing | None = None
    top_provider: TopProviderInfo | None = None
    per_request_limits: PerRequestLimits | None = None
    supported_parameters: list[str] = []
    default_parameters: DefaultParameters | None = None
    supported_voices: list[str] | None = None
    hugging_face_id: str | None = None
    knowledge_cutoff: str | None = None
    expiration_date: str | None = None
    links: ModelLinks | None = None
    alias_target: ModelAliasTarget | None = None
    benchmarks: ModelBenchmarks | None = None
    reasoning: ModelReasoning | None = None


class ModelsListLinks(ResponseStruct, kw_only=True):
    """Pagination links of `GET /models`."""

    next: str | None = None


class ModelsListResponse(ResponseStruct, kw_only=True):
    """The body of `GET /models`: the models, and with `limit`/`offset` the total and the next page."""

    data: list[Model]
    # The spec requires both; the unpaginated list that real traffic returns has neither.
    total_count: int | None = None
    links: ModelsListLinks | None = None


# -- GET /generation -----------------------------------------------------------------------------


class ProviderResponse(ResponseStruct, kw_only=True):
    """One provider attempt of a generation, fallbacks included."""

    status: int | None = None
    id: str | None = None
    endpoint_id: str | None = None
    model_permaslug: str | None = None
    provider_name: str | None = None
    latency: float | None = None
    is_byok: bool | None = None
    routed_service_tier: str | None = None


class Generation(ResponseStruct, kw_only=True):
    """Metadata of a finished generation: cost, tokens, provider, timings."""

    id: str = ""
    model: str = ""
    created_at: str = ""
    total_cost: float = 0.0
    usage: float = 0.0
    upstream_inference_cost: float | None = None
    cache_discount: float | None = None
    is_byok: bool = False
    provider_name: str | None = None
    provider_responses: list[ProviderResponse] | None = None
    upstream_id: str | None = None
    request_id: str | None = None
    api_type: str | None = None
    app_id: int | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    latency: float | None = None
    moderation_latency: float | None = None
    generation_time: float | None = None
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_completion_images: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    num_media_prompt: int | None = None
    num_input_audio_prompt: int | None = None
    num_media_completion: int | None = None
    num_search_results: int | None = None
    num_fetches: int | None = None
    web_search_engine: str | None = None
    service_tier: str | None = None
    router: str | None = None
    preset_id: str | None = None
    session_id: str | None = None
    response_cache_source_id: str | None = None
    external_user: str | None = None
    origin: str = ""
    http_referer: str | None = None
    user_agent: str | None = None
    data_region: str | None = None
    workspace_id: str | None = None


class GenerationResponse(ResponseStruct, kw_only=True):
    """The body of `GET /generation`."""

    data: Generation


# -- GET /credits --------------------------------------------------------------------------------


class Credits(ResponseStruct, kw_only=True):
    """Credits purchased and used, in USD."""

    total_credits: float = 0.0
    total_usage: float = 0.0


class CreditsResponse(ResponseStruct, kw_only=True):
    """The body of `GET /credits`."""

    data: Credits


# -- GET /key ------------------------------------------------------------------------------------


class KeyRateLimit(ResponseStruct, kw_only=True):
    """Legacy rate limit of a key (deprecated by OpenRouter, safe to ignore)."""

    requests: int = 0
    interval: str = ""
    note: str = ""


class KeyInfo(ResponseStruct, kw_only=True):
    """The current API key: its spending limit, what remains of it and its usage in USD."""

    label: str = ""
    limit: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    usage: float = 0.0
    usage_daily: float = 0.0
    usage_weekly: float = 0.0
    usage_monthly: float = 0.0
    byok_usage: float = 0.0
    byok_usage_daily: float = 0.0
    byok_usage_weekly: float = 0.0
    byok_usage_monthly: float = 0.0
    include_byok_in_limit: bool = False
    is_free_tier: bool = False
    is_management_key: bool = False
    is_provisioning_key: bool = False
    creator_user_id: str | None = None
    expires_at: str | None = None
    rate_limit: KeyRateLimit | None = None


class KeyResponse(ResponseStruct, kw_only=True):
    """The body of `GET /key`."""

    data: KeyInfo
