"""Hypothesis strategies that build `models.ChatGenerationParams` requests, field by field, from our structs.

Values stay inside the spec's documented constraints (lengths, ranges, patterns), so any validation error
Prism reports is about the shape of what the SDK sends, not about a value the API would refuse anyway. A null
goes wherever the spec allows one, including the few fields our structs do not type as nullable yet.
"""

from __future__ import annotations

import typing
from typing import Any, TypeVar

import msgspec
from hypothesis import strategies as st

from openrouter_core import models as m

T = TypeVar("T")

text = st.text(max_size=12)
short_list = st.lists(text, max_size=3)
ints = st.integers(min_value=-(2**31), max_value=2**31)
counts = st.integers(min_value=0, max_value=10_000)
floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | ints | floats | text
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
json_objects = st.dictionaries(text, json_values, max_size=3)
# The spec's `^[a-zA-Z0-9 _-]+$`; ajv's `\w` is ASCII-only, hence the explicit alphabet.
tool_names = st.from_regex(r"\A[a-zA-Z0-9 _-]{1,64}\Z")
container_ids = st.from_regex(r"\A[A-Za-z0-9_-]{1,20}\Z")


def literal(alias: Any) -> st.SearchStrategy[str]:
    """One of the values of a `Literal[...]` alias."""
    return st.sampled_from(typing.get_args(alias))


def struct(cls: type[T], required: dict[str, Any] | None = None, **optional: Any) -> st.SearchStrategy[T]:
    """`cls(**fields)` with every `required` field and any subset of the `optional` ones."""
    return st.fixed_dictionaries(required or {}, optional=optional).map(lambda kw: cls(**kw))


def nullable(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


cache_control = struct(m.AnthropicCacheControlDirective, ttl=literal(m.AnthropicCacheControlTtl))
breakpoint_ = st.builds(m.PromptCacheBreakpoint)
content_text = struct(
    m.ChatContentText,
    {"text": text},
    cache_control=cache_control,
    prompt_cache_breakpoint=nullable(breakpoint_),
)
content_items: st.SearchStrategy[Any] = st.one_of(
    content_text,
    st.builds(
        m.ChatContentImage,
        image_url=struct(m.ChatContentImageURL, {"url": text}, detail=literal(m.ImageDetail)),
    ),
    st.builds(m.ChatContentAudio, input_audio=st.builds(m.ChatContentAudioInput, data=text, format=text)),
    st.builds(
        m.ChatContentFile, file=struct(m.ChatContentFileData, file_data=text, file_id=text, filename=text)
    ),
    st.builds(m.ChatContentVideo, video_url=st.builds(m.ChatContentVideoInput, url=text)),
    st.builds(m.LegacyChatContentVideo, video_url=st.builds(m.LegacyChatContentVideoInput, url=text)),
)

# Assistant history: `ChatContentPart` and `ReasoningDetail` have an open `type`, so each known kind is
# built with the fields its spec variant requires.
assistant_parts = st.one_of(
    struct(m.ChatContentPart, {"type": st.just("text"), "text": text}, cache_control=cache_control),
    st.builds(
        m.ChatContentPart, type=st.just("image_url"), image_url=st.builds(m.ChatContentImageURL, url=text)
    ),
    st.builds(
        m.ChatContentPart,
        type=st.just("input_audio"),
        input_audio=st.builds(m.ChatContentAudioInput, data=text, format=text),
    ),
    st.builds(m.ChatContentPart, type=st.just("file"), file=struct(m.ChatContentFileData, filename=text)),
    st.builds(
        m.ChatContentPart, type=st.just("video_url"), video_url=st.builds(m.ChatContentVideoInput, url=text)
    ),
)
_detail_common: dict[str, Any] = {
    "id": nullable(text),
    "index": counts,
    "format": nullable(literal(m.ReasoningFormat)),
}
reasoning_details = st.one_of(
    struct(m.ReasoningDetail, {"type": st.just("reasoning.summary"), "summary": text}, **_detail_common),
    struct(m.ReasoningDetail, {"type": st.just("reasoning.encrypted"), "data": text}, **_detail_common),
    struct(
        m.ReasoningDetail,
        {"type": st.just("reasoning.text")},
        text=nullable(text),
        signature=nullable(text),
        **_detail_common,
    ),
    struct(
        m.ReasoningDetail,
        {"type": st.just("reasoning.server_tool_call"), "tool_name": text, "arguments": text, "result": text},
        tool_call_id=nullable(text),
        **_detail_common,
    ),
)
tool_calls = st.builds(
    m.ChatToolCall, id=text, function=st.builds(m.ChatToolCallFunction, name=text, arguments=text)
)

messages: st.SearchStrategy[Any] = st.one_of(
    struct(m.ChatSystemMessage, {"content": text | st.lists(content_text, max_size=2)}, name=text),
    struct(m.ChatDeveloperMessage, {"content": text | st.lists(content_text, max_size=2)}, name=text),
    struct(m.ChatUserMessage, {"content": text | st.lists(content_items, max_size=3)}, name=text),
    struct(m.ChatToolMessage, {"content": text | st.lists(content_items, max_size=2), "tool_call_id": text}),
    struct(
        m.ChatAssistantMessage,
        content=nullable(text | st.lists(assistant_parts, max_size=2)),
        name=text,
        tool_calls=st.lists(tool_calls, max_size=2),
        refusal=nullable(text),
        reasoning=nullable(text),
        reasoning_details=st.lists(reasoning_details, max_size=2),
        images=st.lists(
            st.builds(m.ChatAssistantImage, image_url=st.builds(m.ChatContentImageURL, url=text)), max_size=1
        ),
        audio=struct(m.ChatAudioOutput, id=text, data=text, expires_at=ints, transcript=text),
        model=text,
    ),
)

user_location = struct(
    m.WebSearchUserLocation,
    city=nullable(text),
    country=nullable(text),
    region=nullable(text),
    timezone=nullable(text),
)
web_search_config_fields: dict[str, Any] = {
    "allowed_domains": short_list,
    "engine": literal(m.WebSearchToolEngine),
    "excluded_domains": short_list,
    "max_characters": counts,
    "max_results": counts,
    "max_total_results": counts,
    "max_uses": counts,
    "mode": literal(m.WebSearchMode),
    "search_context_size": literal(m.SearchQualityLevel),
    "user_location": user_location,
}
web_search_config = struct(m.WebSearchConfig, **web_search_config_fields)
server_reasoning = struct(m.ServerToolReasoning, effort=literal(m.ReasoningEffort), max_tokens=counts)
nested_tools = st.lists(struct(m.NestedServerTool, {"type": text}, parameters=json_objects), max_size=2)
function_tool = struct(
    m.ChatFunctionTool,
    {
        "function": struct(
            m.ChatFunctionToolFunction,
            {"name": st.text(max_size=64)},
            description=text,
            parameters=json_objects,
            strict=nullable(st.booleans()),
        )
    },
    cache_control=cache_control,
)
tools: st.SearchStrategy[Any] = st.one_of(
    function_tool,
    struct(
        m.AdvisorServerTool,
        parameters=struct(
            m.AdvisorServerToolConfig,
            forward_transcript=st.booleans(),
            instructions=text,
            max_completion_tokens=counts,
            model=text,
            name=tool_names,
            reasoning=server_reasoning,
            stream=st.booleans(),
            temperature=floats,
        ),
    ),
    struct(
        m.BashServerTool,
        parameters=struct(
            m.BashServerToolConfig,
            engine=literal(m.BashServerToolEngine),
            environment=st.builds(m.ContainerAutoEnvironment)
            | st.builds(m.ContainerReferenceEnvironment, container_id=container_ids),
            sleep_after_seconds=counts,
        ),
    ),
    struct(m.DatetimeServerTool, parameters=struct(m.DatetimeServerToolConfig, timezone=text)),
    struct(m.FilesServerTool, parameters=st.builds(m.FilesServerToolConfig)),
    struct(
        m.FusionServerTool,
        parameters=struct(
            m.FusionServerToolConfig,
            analysis_models=st.lists(text, min_size=1, max_size=8),
            cache_control=cache_control,
            max_completion_tokens=counts,
            max_tool_calls=st.integers(1, 16),
            model=text,
            reasoning=server_reasoning,
            temperature=floats,
            tools=nested_tools,
        ),
    ),
    struct(m.ImageGenerationServerTool, parameters=struct(m.ImageGenerationServerToolConfig, model=text)),
    struct(m.SearchModelsServerTool, parameters=struct(m.SearchModelsServerToolConfig, max_results=counts)),
    struct(
        m.SubagentServerTool,
        parameters=struct(
            m.SubagentServerToolConfig,
            inherit_functions=st.booleans(),
            inherited_function_names=st.lists(st.text(min_size=1, max_size=8), max_size=2),
            instructions=text,
            max_completion_tokens=counts,
            max_tool_calls=st.integers(1, 25),
            model=text,
            name=tool_names,
            reasoning=server_reasoning,
            temperature=floats,
            tools=nested_tools,
        ),
    ),
    struct(
        m.WebFetchServerTool,
        parameters=struct(
            m.WebFetchServerToolConfig,
            allowed_domains=short_list,
            blocked_domains=short_list,
            engine=literal(m.WebFetchEngine),
            max_content_tokens=counts,
            max_uses=counts,
        ),
    ),
    struct(m.WebSearchServerTool, parameters=web_search_config),
    *[
        struct(cls, parameters=web_search_config, **web_search_config_fields)
        for cls in (
            m.ChatWebSearchShorthand,
            m.ChatWebSearchPreviewShorthand,
            m.ChatWebSearchPreview20250311Shorthand,
            m.ChatWebSearch20250826Shorthand,
        )
    ],
)
tool_choices: st.SearchStrategy[Any] = st.one_of(
    literal(m.ChatToolChoiceMode),
    st.builds(m.ChatNamedToolChoice, function=st.builds(m.ChatNamedToolChoiceFunction, name=text)),
    *[st.builds(cls) for cls in typing.get_args(m.ChatServerToolChoice)],
)

response_formats: st.SearchStrategy[Any] = st.one_of(
    st.builds(m.ResponseFormatText),
    st.builds(m.ResponseFormatJSONObject),
    st.builds(
        m.ResponseFormatJSONSchema,
        json_schema=struct(
            m.JSONSchemaConfig,
            {"name": st.text(max_size=64)},
            description=text,
            schema=json_objects,
            strict=nullable(st.booleans()),
        ),
    ),
    st.builds(m.ResponseFormatGrammar, grammar=text),
    st.builds(m.ResponseFormatPython),
)

_models_list = st.lists(st.text(max_size=20), max_size=3)
plugins: st.SearchStrategy[Any] = st.one_of(
    struct(
        m.AutoRouterPlugin,
        allowed_models=_models_list,
        cost_quality_tradeoff=st.integers(0, 10),
        cost_tier=literal(m.CostTier),
        enabled=st.booleans(),
        excluded_models=_models_list,
        pin_model=st.booleans(),
    ),
    struct(
        m.AutoBetaRouterPlugin,
        allowed_models=_models_list,
        cost_quality_tradeoff=st.integers(0, 10),
        cost_tier=literal(m.CostTier),
        enabled=st.booleans(),
        excluded_models=_models_list,
    ),
    st.builds(m.ModerationPlugin),
    struct(
        m.WebSearchPlugin,
        enabled=st.booleans(),
        engine=literal(m.WebSearchEngine),
        exclude_domains=short_list,
        include_domains=short_list,
        max_results=counts,
        max_uses=counts,
        mode=literal(m.WebSearchMode),
        search_prompt=text,
        user_location=nullable(user_location),
    ),
    struct(
        m.WebFetchPlugin,
        allowed_domains=short_list,
        blocked_domains=short_list,
        max_content_tokens=counts,
        max_uses=counts,
    ),
    struct(
        m.FileParserPlugin,
        enabled=st.booleans(),
        pdf=struct(m.PDFParserOptions, engine=literal(m.PDFParserEngine)),
    ),
    struct(m.ResponseHealingPlugin, enabled=st.booleans()),
    struct(m.ContextCompressionPlugin, enabled=st.booleans(), engine=literal(m.ContextCompressionEngine)),
    struct(
        m.ParetoRouterPlugin,
        enabled=st.booleans(),
        max_price=st.floats(0, 1e3),
        min_coding_score=st.floats(0, 1),
        price_source=literal(m.ParetoPriceSource),
    ),
    struct(
        m.FusionPlugin,
        analysis_models=st.lists(text, min_size=1, max_size=8),
        enabled=st.booleans(),
        max_tool_calls=st.integers(1, 16),
        model=text,
        preset=literal(m.FusionPreset),
        tools=st.lists(
            struct(
                m.FusionPluginTool,
                {"type": text},
                parameters=st.dictionaries(
                    text,
                    json_scalars
                    | st.lists(json_scalars, max_size=2)
                    | st.dictionaries(text, json_scalars, max_size=2),
                    max_size=2,
                ),
            ),
            max_size=2,
        ),
    ),
)

_cutoffs = {p: nullable(floats) for p in ("p50", "p75", "p90", "p99")}
# The spec types max_price values as strings; the SDK also accepts numbers on purpose (see ProviderMaxPrice).
_prices = st.decimals(min_value=0, max_value=100, places=4).map(str)
provider = struct(
    m.ProviderPreferences,
    allow_fallbacks=nullable(st.booleans()),
    data_collection=nullable(literal(m.DataCollection)),
    enforce_distillable_text=nullable(st.booleans()),
    ignore=nullable(short_list),
    max_price=struct(
        m.ProviderMaxPrice, audio=_prices, completion=_prices, image=_prices, prompt=_prices, request=_prices
    ),
    only=nullable(short_list),
    order=nullable(short_list),
    preferred_max_latency=nullable(floats | struct(m.PercentileLatencyCutoffs, **_cutoffs)),
    preferred_min_throughput=nullable(floats | struct(m.PercentileThroughputCutoffs, **_cutoffs)),
    quantizations=nullable(st.lists(literal(m.Quantization), max_size=3)),
    require_parameters=nullable(st.booleans()),
    sort=nullable(
        literal(m.ProviderSort)
        | struct(
            m.ProviderSortConfig,
            by=nullable(literal(m.ProviderSort)),
            partition=nullable(literal(m.ProviderSortPartition)),
        )
    ),
    zdr=nullable(st.booleans()),
)
reasoning = struct(
    m.ReasoningConfig,
    effort=nullable(literal(m.ReasoningEffort)),
    summary=nullable(literal(m.ReasoningSummaryVerbosity)),
    max_tokens=nullable(counts),
    exclude=nullable(st.booleans()),
    enabled=nullable(st.booleans()),
)
stop_conditions: st.SearchStrategy[Any] = st.one_of(
    st.builds(m.StopServerToolsWhenStepCountIs, step_count=counts),
    st.builds(m.StopServerToolsWhenHasToolCall, tool_name=st.text(min_size=1, max_size=12)),
    st.builds(m.StopServerToolsWhenMaxTokensUsed, max_tokens=counts),
    st.builds(m.StopServerToolsWhenMaxCost, max_cost_in_dollars=st.floats(0, 100)),
    st.builds(m.StopServerToolsWhenFinishReasonIs, reason=st.text(min_size=1, max_size=12)),
)

requests: st.SearchStrategy[m.ChatGenerationParams] = struct(
    m.ChatGenerationParams,
    {"messages": st.lists(messages, min_size=1, max_size=4)},
    model=st.text(max_size=30),
    models=_models_list,
    # `stream: true` makes the SDK ask for SSE, which Prism cannot mock; streaming is tested on its own.
    stream=st.just(False),
    stream_options=nullable(struct(m.ChatStreamOptions, include_usage=st.booleans())),
    temperature=nullable(floats),
    top_p=nullable(floats),
    top_k=nullable(ints),
    top_a=nullable(floats),
    min_p=nullable(floats),
    frequency_penalty=nullable(floats),
    presence_penalty=nullable(floats),
    repetition_penalty=nullable(floats),
    max_tokens=nullable(counts),
    max_completion_tokens=nullable(counts),
    stop=nullable(text | st.lists(text, max_size=4)),
    seed=nullable(ints),
    logprobs=nullable(st.booleans()),
    top_logprobs=nullable(counts),
    logit_bias=nullable(st.dictionaries(text, floats, max_size=3)),
    response_format=response_formats,
    tools=st.lists(tools, max_size=3),
    tool_choice=tool_choices,
    parallel_tool_calls=nullable(st.booleans()),
    reasoning=reasoning,
    reasoning_effort=nullable(literal(m.ReasoningEffort)),
    provider=nullable(provider),
    plugins=st.lists(plugins, max_size=3),
    modalities=st.lists(literal(m.Modality), max_size=3),
    image_config=st.dictionaries(text, text | floats | st.lists(json_scalars, max_size=2), max_size=2),
    prediction=nullable(
        struct(m.Prediction, {"content": text | st.lists(st.builds(m.PredictionContentText, text=text))})
    ),
    metadata=st.dictionaries(text, text, max_size=3),
    user=text,
    session_id=st.text(max_size=256),
    trace=struct(
        m.TraceConfig,
        generation_name=text,
        parent_span_id=text,
        span_name=text,
        trace_id=text,
        trace_name=text,
    ),
    service_tier=nullable(literal(m.ServiceTier)),
    cache_control=cache_control,
    prompt_cache_key=nullable(text),
    prompt_cache_options=nullable(struct(m.PromptCacheOptions, ttl=nullable(text))),
    stop_server_tools_when=st.lists(stop_conditions, min_size=1, max_size=3),
    debug=struct(m.ChatDebugOptions, echo_upstream_body=st.booleans()),
    route=nullable(literal(m.DeprecatedRoute)),
)


def to_json(request: m.ChatGenerationParams) -> str:
    return msgspec.json.encode(request).decode()
