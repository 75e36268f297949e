"""Decoding real-traffic bodies, encoding requests, and round trips of the chat models."""

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from openrouter_core import models
from openrouter_core.models import (
    UNSET,
    Annotation,
    AnthropicCacheControlDirective,
    BashServerTool,
    BashServerToolConfig,
    ChatAssistantMessage,
    ChatContentAudio,
    ChatContentAudioInput,
    ChatContentFile,
    ChatContentFileData,
    ChatContentImage,
    ChatContentImageURL,
    ChatContentPart,
    ChatContentText,
    ChatContentVideo,
    ChatContentVideoInput,
    ChatDebugOptions,
    ChatDeveloperMessage,
    ChatFunctionTool,
    ChatFunctionToolFunction,
    ChatGenerationParams,
    ChatNamedToolChoice,
    ChatNamedToolChoiceFunction,
    ChatResponse,
    ChatResult,
    ChatStreamChunk,
    ChatStreamingResponseChunk,
    ChatSystemMessage,
    ChatToolCall,
    ChatToolCallFunction,
    ChatToolMessage,
    ChatUsage,
    ChatUserMessage,
    ChatWebSearchPreviewShorthand,
    ContainerReferenceEnvironment,
    ContextCompressionPlugin,
    DatetimeServerTool,
    DatetimeServerToolConfig,
    ErrorBody,
    FileParserPlugin,
    FusionPlugin,
    FusionPluginTool,
    JSONSchemaConfig,
    LegacyChatContentVideo,
    PDFParserOptions,
    PercentileLatencyCutoffs,
    Prediction,
    PredictionContentText,
    PromptCacheBreakpoint,
    PromptCacheOptions,
    ProviderMaxPrice,
    ProviderPreferences,
    ProviderSortConfig,
    ReasoningConfig,
    ReasoningDetail,
    ResponseFormatJSONObject,
    ResponseFormatJSONSchema,
    ResponseHealingPlugin,
    StopServerToolsWhenMaxCost,
    StopServerToolsWhenStepCountIs,
    TraceConfig,
    UnsetType,
    WebSearchConfig,
    WebSearchPlugin,
    WebSearchServerTool,
    WebSearchServerToolChoice,
    WebSearchUserLocation,
)

FIXTURES = Path(__file__).parent / "fixtures"

_RESPONSE = msgspec.json.Decoder(ChatResponse)
_CHUNK = msgspec.json.Decoder(ChatStreamingResponseChunk)
_ERROR = msgspec.json.Decoder(ErrorBody)


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _json(name: str) -> Any:
    return json.loads(_bytes(name))


def _lines(name: str) -> list[bytes]:
    return [line for line in _bytes(name).splitlines() if line.strip()]


def _user(text: str = "hi") -> ChatUserMessage:
    return ChatUserMessage(content=text)


# --- non-streaming responses -------------------------------------------------------------------


def test_plain_response() -> None:
    res = _RESPONSE.decode(_bytes("response_basic.json"))
    assert res.id == "gen-1747412345-AbCdEfGhIjKlMnOp"
    assert res.object == "chat.completion"
    assert res.created == 1747412345
    assert res.model == "openai/gpt-4o-mini"
    assert res.provider == "OpenAI"
    assert res.system_fingerprint == "fp_0392822090"
    assert res.service_tier == "default"
    choice = res.choices[0]
    assert choice.index == 0
    assert choice.finish_reason == "stop"
    assert choice.native_finish_reason == "stop"
    assert choice.logprobs is None
    assert choice.error is None
    message = choice.message
    assert message.content == "The capital of France is Paris."
    assert message.refusal is None
    assert message.reasoning is None
    assert message.tool_calls is UNSET
    assert message.reasoning_details is UNSET


def test_usage_with_cost_and_details() -> None:
    usage = _RESPONSE.decode(_bytes("response_basic.json")).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (14, 8, 22)
    assert usage.cost == pytest.approx(0.0000069)
    assert usage.is_byok is False
    assert usage.cost_details is not None
    assert usage.cost_details.upstream_inference_cost is None
    assert usage.cost_details.upstream_inference_prompt_cost == pytest.approx(0.0000021)
    assert usage.cost_details.upstream_inference_completions_cost == pytest.approx(0.0000048)
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0
    assert usage.prompt_tokens_details.cache_write_tokens == 0
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 0
    assert usage.completion_tokens_details.accepted_prediction_tokens is None
    assert usage.server_tool_use_details is not None
    assert usage.server_tool_use_details.tool_calls_requested == 0
    assert usage.server_tool_use_details.web_search_requests is None


def test_usage_defaults_and_aliases() -> None:
    usage = msgspec.json.decode(b"{}", type=ChatUsage)
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (0, 0, 0)
    assert usage.cost is None
    assert usage.is_byok is None
    assert usage.prompt_tokens_details is None
    assert models.ChatGenerationTokenUsage is ChatUsage
    assert ChatResult is ChatResponse
    assert ChatStreamChunk is ChatStreamingResponseChunk


def test_tool_calls() -> None:
    res = _RESPONSE.decode(_bytes("response_tool_calls.json"))
    choice = res.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.native_finish_reason == "tool_use"
    assert res.system_fingerprint is None
    calls = choice.message.tool_calls
    assert isinstance(calls, list)
    assert [c.id for c in calls] == ["toolu_01A09q90qw90lq917835lq9", "toolu_01B7x8y9z0"]
    assert calls[0].type == "function"
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "Paris", "unit": "celsius"}
    assert calls[1].function.arguments == "{}"


def test_reasoning_details_known_and_unknown_types() -> None:
    res = _RESPONSE.decode(_bytes("response_reasoning.json"))
    message = res.choices[0].message
    assert message.reasoning == "Compare the decimals: 0.11 < 0.9."
    details = message.reasoning_details
    assert isinstance(details, list)
    assert [d.type for d in details] == [
        "reasoning.text",
        "reasoning.summary",
        "reasoning.encrypted",
        "reasoning.server_tool_call",
        "reasoning.future_kind",
    ]
    text, summary, encrypted, server_call, unknown = details
    assert text.text == "Compare the decimals: 0.11 < 0.9."
    assert text.signature == "ErUBCkYIBRgCIkDm9pq0k8zjdrJ9w"
    assert text.format == "anthropic-claude-v1"
    assert text.id is UNSET
    assert summary.summary == "Compared decimal parts."
    assert summary.id == "rs_1"
    assert encrypted.data == "gAAAAABoXyZ-opaque=="
    assert encrypted.id is None
    assert server_call.tool_name == "openrouter:fusion"
    assert server_call.tool_call_id == "call_77"
    assert server_call.arguments == '{"q": "decimals"}'
    assert server_call.result == '{"answer": "9.9"}'
    assert unknown.index == 4
    assert unknown.text == "kept"
    usage = res.usage
    assert usage is not None
    assert usage.is_byok is True
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 88
    assert usage.completion_tokens_details.audio_tokens is None


def test_unknown_reasoning_detail_is_sent_back() -> None:
    detail = msgspec.json.decode(
        b'{"type":"reasoning.future_kind","index":4,"data":"x"}', type=ReasoningDetail
    )
    assert msgspec.json.encode(detail) == b'{"type":"reasoning.future_kind","index":4,"data":"x"}'


def test_annotations() -> None:
    message = _RESPONSE.decode(_bytes("response_annotations.json")).choices[0].message
    annotations = message.annotations
    assert isinstance(annotations, list)
    citation, file = annotations
    assert citation.type == "url_citation"
    assert isinstance(citation.url_citation, models.URLCitation)
    assert citation.url_citation.url == "https://openrouter.ai/docs"
    assert citation.url_citation.title == "OpenRouter Documentation"
    assert citation.url_citation.start_index == 33
    assert citation.url_citation.end_index == 75
    assert file.type == "file"
    assert isinstance(file.file, models.AnnotationFile)
    assert file.file.name == "report.pdf"
    assert file.file.content == [{"type": "text", "text": "Page 1"}]


def test_unknown_annotation_type_is_kept() -> None:
    ann = msgspec.json.decode(b'{"type":"quote","start":1}', type=Annotation)
    assert ann.type == "quote"
    assert msgspec.json.encode(ann) == b'{"type":"quote"}'


def test_images() -> None:
    message = _RESPONSE.decode(_bytes("response_images.json")).choices[0].message
    images = message.images
    assert isinstance(images, list)
    assert images[0].type == "image_url"
    assert images[0].index == 0
    assert images[0].image_url.url.startswith("data:image/png;base64,")


def test_logprobs() -> None:
    choice = _RESPONSE.decode(_bytes("response_logprobs.json")).choices[0]
    assert choice.finish_reason == "length"
    logprobs = choice.logprobs
    assert logprobs is not None
    assert logprobs.refusal is None
    assert logprobs.content is not None
    first, second = logprobs.content
    assert first.token == "Hello"
    assert first.logprob == pytest.approx(-0.0012)
    assert first.bytes == [72, 101, 108, 108, 111]
    assert [t.token for t in first.top_logprobs] == ["Hello", "Hi"]
    assert first.top_logprobs[1].bytes is None
    assert second.top_logprobs == []


def test_minimal_body_without_fingerprint_object_created() -> None:
    res = _RESPONSE.decode(_bytes("response_minimal.json"))
    assert res.object == "chat.completion"
    assert res.created == 0
    assert res.system_fingerprint is None
    assert res.service_tier is None
    assert res.openrouter_metadata is None
    assert res.choices[0].message.content == "Bonjour !"
    assert res.choices[0].native_finish_reason is None


def test_only_choices_is_required() -> None:
    res = _RESPONSE.decode(b'{"choices":[{"message":{"content":"x"}}]}')
    assert res.id == ""
    assert res.model == ""
    assert res.usage is None
    assert res.provider is None
    assert res.choices[0].index == 0
    assert res.choices[0].finish_reason is None
    assert res.choices[0].message.content == "x"
    with pytest.raises(msgspec.ValidationError, match="choices"):
        _RESPONSE.decode(b'{"id":"x"}')


def test_keep_alive_padding_before_json() -> None:
    raw = _bytes("response_padded.json")
    assert raw.startswith(b"\n\n ")
    res = _RESPONSE.decode(raw)
    assert res.choices[0].message.content == "Pong."
    assert res.provider == "DeepInfra"


def test_unknown_fields_and_finish_reason() -> None:
    res = _RESPONSE.decode(_bytes("response_unknown_fields.json"))
    choice = res.choices[0]
    assert choice.finish_reason == "stop_sequence_hit_v2"
    assert choice.native_finish_reason == "weird_native"
    calls = choice.message.tool_calls
    assert isinstance(calls, list)
    assert calls[0].function.name == "f"
    usage = res.usage
    assert usage is not None
    assert usage.total_tokens == 4
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 0


def test_openrouter_metadata() -> None:
    body = {
        "choices": [],
        "openrouter_metadata": {
            "requested": "openrouter/auto",
            "strategy": "auto",
            "region": None,
            "summary": "routed",
            "attempt": 1,
            "is_byok": False,
            "endpoints": {"total": 1, "available": [{"model": "m", "provider": "p", "selected": True}]},
            "attempts": [{"model": "m", "provider": "p", "status": 200}],
            "params": {"quality_floor": 0.5, "future": 1},
            "pipeline": [{"name": "web", "type": "plugin", "cost_usd": 0.01, "data": {"k": 1}}],
            "brand_new": True,
        },
    }
    meta = msgspec.convert(body, ChatResponse).openrouter_metadata
    assert meta is not None
    assert meta.strategy == "auto"
    assert meta.region is None
    assert meta.endpoints is not None
    assert meta.endpoints.available[0].selected is True
    assert meta.attempts is not None
    assert meta.attempts[0].status == 200
    assert meta.params is not None
    assert meta.params.quality_floor == 0.5
    assert meta.pipeline is not None
    assert meta.pipeline[0].data == {"k": 1}


def test_choice_error() -> None:
    body = b'{"choices":[{"message":{"role":"assistant","content":""},"finish_reason":"error",' + (
        b'"error":{"code":502,"message":"Upstream error","metadata":{"provider_name":"X"}}}]}'
    )
    choice = _RESPONSE.decode(body).choices[0]
    assert choice.error is not None
    assert choice.error.code == 502
    assert choice.error.metadata == {"provider_name": "X"}


# --- error bodies ------------------------------------------------------------------------------


def test_error_body() -> None:
    body = _ERROR.decode(_bytes("error_body.json"))
    assert body.error.code == 429
    assert body.error.message.startswith("google/gemini-2.0-flash-exp:free")
    assert body.error.metadata is not None
    assert body.error.metadata["provider_name"] == "Google AI Studio"
    assert body.user_id == "user_2abc123"
    assert body.openrouter_metadata is None


def test_error_body_with_string_code() -> None:
    body = _ERROR.decode(_bytes("error_body_string_code.json"))
    assert body.error.code == "server_error"
    assert body.error.metadata is None


def test_error_body_without_code() -> None:
    body = _ERROR.decode(b'{"error":{"message":"No allowed providers","error_type":"availability"}}')
    assert body.error.code is None
    assert body.error.message == "No allowed providers"


# --- stream chunks -----------------------------------------------------------------------------


def test_stream_text_chunks() -> None:
    chunks = [_CHUNK.decode(line) for line in _lines("stream_text.jsonl")]
    role, hello, world, last, usage_only = chunks
    assert role.object == "chat.completion.chunk"
    assert role.provider == "OpenAI"
    assert role.choices[0].delta.role == "assistant"
    assert role.choices[0].delta.content == ""
    assert hello.choices[0].delta.content == "Hello"
    assert world.system_fingerprint is None
    assert world.choices[0].delta.role is None
    assert world.choices[0].delta.content == " world"
    assert world.choices[0].finish_reason is None
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].native_finish_reason == "stop"
    details = last.choices[0].delta.reasoning_details
    assert details is not None
    assert details[0].summary == "Greeted."
    assert usage_only.choices == []
    assert usage_only.usage is not None
    assert usage_only.usage.cost == pytest.approx(0.0000027)
    assert usage_only.usage.cost_details is not None
    assert usage_only.usage.is_byok is False
    assert "".join(c.choices[0].delta.content or "" for c in chunks[:-1]) == "Hello world"


def test_stream_tool_call_deltas() -> None:
    chunks = [_CHUNK.decode(line) for line in _lines("stream_tool_calls.jsonl")]
    calls = [call for chunk in chunks for call in (chunk.choices[0].delta.tool_calls or [])]
    assert [c.index for c in calls] == [0, 0, 0]
    assert calls[0].id == "call_abc"
    assert calls[0].type == "function"
    assert calls[1].id is None
    assert calls[1].type is None
    assert calls[0].function is not None
    assert calls[0].function.name == "get_weather"
    arguments = "".join(c.function.arguments or "" for c in calls if c.function is not None)
    assert json.loads(arguments) == {"city": "Paris"}
    assert chunks[2].choices[0].delta.role is None
    assert chunks[3].choices[0].finish_reason == "tool_calls"
    assert chunks[3].usage is not None
    assert chunks[3].usage.total_tokens == 97


def test_stream_in_band_error() -> None:
    partial, failed, bare = (_CHUNK.decode(line) for line in _lines("stream_error.jsonl"))
    assert partial.error is None
    assert partial.choices[0].delta.content == "Partial an"
    assert failed.error is not None
    assert failed.error.code == 502
    assert failed.error.message == "Provider disconnected unexpectedly"
    assert failed.error.metadata == {
        "error_type": "provider_unavailable",
        "provider_code": "ECONNRESET",
        "provider_name": "Chutes",
    }
    assert failed.choices[0].finish_reason == "error"
    assert bare.error is not None
    assert bare.error.code == "server_error"
    assert bare.choices == []
    assert bare.id == ""
    assert bare.object == "chat.completion.chunk"


def test_stream_choice_without_delta() -> None:
    chunk = _CHUNK.decode(b'{"choices":[{"index":1,"finish_reason":"stop"}]}')
    assert chunk.choices[0].index == 1
    assert chunk.choices[0].delta.content is None
    assert chunk.choices[0].delta.tool_calls is None


# --- requests ----------------------------------------------------------------------------------


def _full_request() -> ChatGenerationParams:
    return ChatGenerationParams(
        messages=[
            ChatSystemMessage(content="You are terse.", name="rules"),
            ChatDeveloperMessage(content=[ChatContentText(text="Prefer metric units.")]),
            ChatUserMessage(
                content=[
                    ChatContentText(
                        text="Describe these.", cache_control=AnthropicCacheControlDirective(ttl="1h")
                    ),
                    ChatContentText(
                        text="Cached prefix ends here.", prompt_cache_breakpoint=PromptCacheBreakpoint()
                    ),
                    ChatContentImage(
                        image_url=ChatContentImageURL(url="https://example.com/cat.png", detail="high")
                    ),
                    ChatContentAudio(
                        input_audio=ChatContentAudioInput(data="UklGRiQAAABXQVZF", format="wav")
                    ),
                    ChatContentFile(
                        file=ChatContentFileData(
                            filename="report.pdf", file_data="data:application/pdf;base64,JVBERi0x"
                        )
                    ),
                    ChatContentVideo(video_url=ChatContentVideoInput(url="https://example.com/clip.mp4")),
                    LegacyChatContentVideo(
                        video_url=ChatContentVideoInput(url="https://example.com/old.mp4")
                    ),
                ],
                name="alice",
            ),
            ChatAssistantMessage(
                content=None,
                tool_calls=[
                    ChatToolCall(
                        id="call_1",
                        function=ChatToolCallFunction(name="get_weather", arguments='{"city":"Paris"}'),
                    )
                ],
                reasoning_details=[
                    ReasoningDetail(
                        type="reasoning.encrypted", data="opaque==", format="openai-responses-v1", index=0
                    )
                ],
            ),
            ChatToolMessage(tool_call_id="call_1", content='{"temp_c": 21}'),
            ChatUserMessage(content="And tomorrow?"),
        ],
        model="openai/gpt-4o",
        models=["anthropic/claude-sonnet-4", "google/gemini-2.5-pro"],
        temperature=0.2,
        top_p=None,
        max_completion_tokens=512,
        stop=["END"],
        seed=7,
        logit_bias={"50256": -100.0},
        response_format=ResponseFormatJSONSchema(
            json_schema=JSONSchemaConfig(
                name="weather",
                strict=True,
                schema={
                    "type": "object",
                    "properties": {"temp_c": {"type": "number"}},
                    "required": ["temp_c"],
                },
            )
        ),
        tools=[
            ChatFunctionTool(
                function=ChatFunctionToolFunction(
                    name="get_weather",
                    description="Current weather for a city",
                    parameters={
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                    strict=None,
                )
            ),
            WebSearchServerTool(
                parameters=WebSearchConfig(
                    engine="exa",
                    max_results=3,
                    user_location=WebSearchUserLocation(city="Paris", country="FR"),
                )
            ),
            DatetimeServerTool(parameters=DatetimeServerToolConfig(timezone="Europe/Paris")),
            BashServerTool(
                parameters=BashServerToolConfig(
                    engine="openrouter", environment=ContainerReferenceEnvironment(container_id="ctr_1")
                )
            ),
            ChatWebSearchPreviewShorthand(search_context_size="low"),
        ],
        tool_choice=ChatNamedToolChoice(function=ChatNamedToolChoiceFunction(name="get_weather")),
        parallel_tool_calls=False,
        reasoning=ReasoningConfig(effort="high", summary="auto"),
        provider=ProviderPreferences(
            order=["OpenAI", "Azure"],
            allow_fallbacks=True,
            data_collection="deny",
            quantizations=["fp8", "bf16"],
            sort=ProviderSortConfig(by="throughput", partition="none"),
            max_price=ProviderMaxPrice(prompt=1, completion="2.5"),
            preferred_max_latency=PercentileLatencyCutoffs(p90=2.5),
            preferred_min_throughput=50.0,
            zdr=None,
        ),
        plugins=[
            WebSearchPlugin(max_results=5, engine="exa"),
            FileParserPlugin(pdf=PDFParserOptions(engine="mistral-ocr")),
            ResponseHealingPlugin(),
            ContextCompressionPlugin(engine="middle-out"),
            FusionPlugin(
                analysis_models=["openai/gpt-4o"],
                tools=[
                    FusionPluginTool(
                        type="openrouter:web_search", parameters={"max_results": 2, "domains": ["a.com"]}
                    )
                ],
            ),
        ],
        prediction=Prediction(content=[PredictionContentText(text="The weather")]),
        metadata={"team": "search"},
        user="user-42",
        session_id="sess-1",
        trace=TraceConfig(trace_id="t-1", span_name="chat"),
        service_tier="flex",
        cache_control=AnthropicCacheControlDirective(),
        prompt_cache_options=PromptCacheOptions(ttl=None),
        stop_server_tools_when=[
            StopServerToolsWhenStepCountIs(step_count=4),
            StopServerToolsWhenMaxCost(max_cost_in_dollars=0.5),
        ],
        modalities=["text"],
        image_config={"aspect_ratio": "16:9"},
        debug=ChatDebugOptions(echo_upstream_body=True),
    )


def test_full_request_encodes_to_expected_json() -> None:
    # The fixture's nulls on request-only fields mean "not set": they are left out of what is sent. The
    # assistant message's `content: null` stays, as it round-trips from a response.
    expected = _json("request_full.json")
    del expected["top_p"], expected["provider"]["zdr"], expected["prompt_cache_options"]["ttl"]
    del expected["tools"][0]["function"]["strict"]
    encoded = msgspec.json.encode(_full_request())
    assert json.loads(encoded) == expected


def test_full_request_from_plain_dict() -> None:
    assert msgspec.convert(_json("request_full.json"), ChatGenerationParams) == _full_request()
    decoded = msgspec.json.decode(_bytes("request_full.json"), type=ChatGenerationParams)
    assert decoded == _full_request()


def test_absent_fields_are_omitted_and_none_means_not_set() -> None:
    request = ChatGenerationParams(messages=[_user()], temperature=None, tools=None, model="openai/gpt-4o")
    assert request.temperature is UNSET and request.tools is UNSET
    assert (
        msgspec.json.encode(request)
        == b'{"messages":[{"role":"user","content":"hi"}],"model":"openai/gpt-4o"}'
    )


def test_stream_is_not_forced() -> None:
    assert b"stream" not in msgspec.json.encode(ChatGenerationParams(messages=[_user()]))
    assert b'"stream":false' in msgspec.json.encode(ChatGenerationParams(messages=[_user()], stream=False))
    assert isinstance(ChatGenerationParams(messages=[_user()]).stream, UnsetType)


def test_tool_choice_variants() -> None:
    cases: list[tuple[Any, bytes]] = [
        ("auto", b'"auto"'),
        ("none", b'"none"'),
        ("required", b'"required"'),
        (
            ChatNamedToolChoice(function=ChatNamedToolChoiceFunction(name="f")),
            b'{"type":"function","function":{"name":"f"}}',
        ),
        (WebSearchServerToolChoice(), b'{"type":"openrouter:web_search"}'),
        (models.WebSearchPreviewToolChoice(), b'{"type":"web_search_preview"}'),
    ]
    for choice, wire in cases:
        request = ChatGenerationParams(messages=[_user()], tool_choice=choice)
        assert msgspec.json.encode(request).endswith(b'"tool_choice":' + wire + b"}")
        decoded = msgspec.json.decode(msgspec.json.encode(request), type=ChatGenerationParams)
        assert decoded.tool_choice == choice


def test_stop_variants() -> None:
    cases: list[tuple[str | list[str], bytes]] = [
        ("END", b'"END"'),
        (["a", "b"], b'["a","b"]'),
    ]
    for stop, wire in cases:
        encoded = msgspec.json.encode(ChatGenerationParams(messages=[_user()], stop=stop))
        assert encoded.endswith(b'"stop":' + wire + b"}")
        assert msgspec.json.decode(encoded, type=ChatGenerationParams).stop == stop
    assert b"stop" not in msgspec.json.encode(ChatGenerationParams(messages=[_user()], stop=None))


def test_response_format_union_from_dict() -> None:
    request = msgspec.convert(
        {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}},
        ChatGenerationParams,
    )
    assert request.response_format == ResponseFormatJSONObject()


def test_every_server_tool_type_decodes() -> None:
    types = [
        "openrouter:advisor",
        "openrouter:bash",
        "openrouter:datetime",
        "openrouter:files",
        "openrouter:fusion",
        "openrouter:image_generation",
        "openrouter:experimental__search_models",
        "openrouter:subagent",
        "openrouter:web_fetch",
        "openrouter:web_search",
        "web_search",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "web_search_2025_08_26",
    ]
    tools = [{"type": t} for t in types]
    request = msgspec.convert(
        {"messages": [{"role": "user", "content": "x"}], "tools": tools}, ChatGenerationParams
    )
    assert isinstance(request.tools, list)
    assert [json.loads(msgspec.json.encode(t))["type"] for t in request.tools] == types
    assert len({type(t) for t in request.tools}) == len(types)
    choices = [
        msgspec.convert(
            {"messages": [{"role": "user", "content": "x"}], "tool_choice": {"type": t}}, ChatGenerationParams
        )
        for t in types
    ]
    assert [json.loads(msgspec.json.encode(c.tool_choice))["type"] for c in choices] == types


def test_every_plugin_id_decodes() -> None:
    ids = [
        "auto-router",
        "auto-beta-router",
        "moderation",
        "web",
        "web-fetch",
        "file-parser",
        "response-healing",
        "context-compression",
        "pareto-router",
        "fusion",
    ]
    request = msgspec.convert(
        {"messages": [{"role": "user", "content": "x"}], "plugins": [{"id": i} for i in ids]},
        ChatGenerationParams,
    )
    assert isinstance(request.plugins, list)
    assert [json.loads(msgspec.json.encode(p))["id"] for p in request.plugins] == ids


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"messages": [{"role": "user", "content": 5}]}, "`$.messages[0].content`"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "`$.messages[0].role`"),
        (
            {"messages": [{"role": "user", "content": [{"type": "text", "txt": "x"}]}]},
            "`$.messages[0].content[0]`",
        ),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": "hot"}, "`$.temperature`"),
        (
            {
                "messages": [{"role": "user", "content": "x"}],
                "tools": [{"type": "function", "function": {"nam": "f"}}],
            },
            "`$.tools[0].function`",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "provider": {"sort": "cheapest"}},
            "`$.provider.sort`",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "plugins": [{"id": "web", "max_results": "5"}]},
            "`$.plugins[0].max_results`",
        ),
        (
            {"messages": [{"role": "user", "content": "x"}], "reasoning": {"effort": "extreme"}},
            "`$.reasoning.effort`",
        ),
    ],
)
def test_invalid_request_names_the_path(body: dict[str, Any], path: str) -> None:
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.convert(body, ChatGenerationParams)
    assert path in str(info.value)


def test_unknown_top_level_key_is_rejected() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `temprature`"):
        msgspec.convert(
            {"messages": [{"role": "user", "content": "x"}], "temprature": 1}, ChatGenerationParams
        )


def test_missing_messages_is_rejected() -> None:
    with pytest.raises(msgspec.ValidationError, match="missing required field `messages`"):
        msgspec.convert({"model": "openai/gpt-4o"}, ChatGenerationParams)


# --- round trip: a response message goes back into the next request ----------------------------


@pytest.mark.parametrize(
    "name",
    ["response_basic.json", "response_tool_calls.json", "response_annotations.json", "response_images.json"],
)
def test_assistant_message_round_trip(name: str) -> None:
    message = _RESPONSE.decode(_bytes(name)).choices[0].message
    request = ChatGenerationParams(messages=[_user(), message, _user("thanks")])
    sent = json.loads(msgspec.json.encode(request))["messages"][1]
    expected = _json(name)["choices"][0]["message"]
    for call in expected.get("tool_calls", []):
        del call["index"]  # real traffic adds it; it is not part of the schema, so it is not sent back
    assert sent == expected
    assert msgspec.convert(sent, ChatAssistantMessage) == message


def test_reasoning_round_trip_drops_only_unknown_keys() -> None:
    message = _RESPONSE.decode(_bytes("response_reasoning.json")).choices[0].message
    expected = _json("response_reasoning.json")["choices"][0]["message"]
    del expected["reasoning_details"][-1]["novel_field"]
    request = ChatGenerationParams(messages=[message])
    assert json.loads(msgspec.json.encode(request))["messages"][0] == expected


def test_assistant_content_parts_are_open() -> None:
    raw = b'{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"output_3d","mesh":"m"}]}'
    message = msgspec.json.decode(raw, type=ChatAssistantMessage)
    assert isinstance(message.content, list)
    assert message.content[1] == ChatContentPart(type="output_3d")
    assert msgspec.json.encode(message) == (
        b'{"role":"assistant","content":[{"type":"text","text":"a"},{"type":"output_3d"}]}'
    )


def test_constructed_tool_call_always_sends_type() -> None:
    call = ChatToolCall(id="c", function=ChatToolCallFunction(name="f", arguments="{}"))
    assert (
        msgspec.json.encode(call) == b'{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}'
    )


def test_models_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        ChatUserMessage("hi")  # type: ignore[call-arg]


# --- facade ------------------------------------------------------------------------------------


def test_facade_all_is_sorted_and_complete() -> None:
    assert models.__all__ == sorted(models.__all__)
    assert len(set(models.__all__)) == len(models.__all__)
    for name in models.__all__:
        assert hasattr(models, name), name
    assert models.UNSET is msgspec.UNSET
    assert models.UnsetType is msgspec.UnsetType
    public = {n for n in vars(models) if not n.startswith("_") and n not in {"annotations"}}
    assert public - {"msgspec"} <= set(models.__all__) | {"models"}


def test_facade_exports_every_private_module_name() -> None:
    from openrouter_core._models import _base, _message, _plugins, _request, _response, _stream, _tools

    for module in (_base, _message, _plugins, _request, _response, _stream, _tools):
        assert set(module.__all__) <= set(models.__all__), module.__name__
        defined = {
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and isinstance(v, type) and v.__module__ == module.__name__
        }
        assert defined <= set(module.__all__), (module.__name__, defined - set(module.__all__))


def test_decoders_build_for_every_top_level_type() -> None:
    for cls in (
        ChatGenerationParams,
        ChatResponse,
        ChatStreamingResponseChunk,
        ErrorBody,
        models.ChatStreamingResponse,
    ):
        assert msgspec.json.Decoder(cls).type is cls
        schema = msgspec.json.schema(cls)
        assert schema["$ref"] == f"#/$defs/{cls.__name__}"
        assert msgspec.json.Encoder().encode(schema).startswith(b"{")
