"""The endpoints around chat: models_list, generation_get, credits_get, key_get, embeddings_create.

Each runs sync and async against the embedded server, and against `httpx.MockTransport` for the error
table, lenient decoding, the query parameters sent and request validation.
"""

from __future__ import annotations

import base64
import inspect
import json
import struct
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import msgspec
import pytest
import yaml

import openrouter_funcs
from openrouter_core import Err, Ok, OpenRouterCore, RetryConfig, errors, models
from openrouter_core._testing._routes import EMBEDDING_MODEL, mock_embedding
from openrouter_core.testing import MockServer, error_reply
from openrouter_funcs import (
    chat_send,
    credits_get,
    credits_get_async,
    embeddings_create,
    embeddings_create_async,
    generation_get,
    generation_get_async,
    key_get,
    key_get_async,
    models_list,
    models_list_async,
)
from openrouter_funcs._client import (
    Credits,
    Embeddings,
    Generations,
    Key,
    Models,
)
from openrouter_funcs._models_list import ModelsListFilters

MakeCore = Callable[..., OpenRouterCore]
API_KEY = "sk-or-v1-0123456789abcdef"
EMBED = {"model": EMBEDDING_MODEL, "input": ["first text", "second text"]}


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    server.reset()
    core = OpenRouterCore(api_key=API_KEY, server_url=server.base_url, retry_config=RetryConfig("none"))
    yield core
    core.close()


def query_of(server: MockServer) -> list[tuple[str, str]]:
    return parse_qsl(server.last_request.query, keep_blank_values=True)


# -- against the embedded server -----------------------------------------------------------------


def test_models_list_against_the_server(core: OpenRouterCore, server: MockServer) -> None:
    res = models_list(core)
    assert isinstance(res, Ok)
    listing = res.value
    assert isinstance(listing, models.ModelsListResponse)
    assert [model.id for model in listing.data] == ["openrouter/mock", "openrouter/mock-large"]
    first = listing.data[0]
    assert first.architecture is not None and first.architecture.output_modalities == ["text"]
    assert first.pricing is not None and float(first.pricing.prompt) > 0
    assert first.top_provider is not None and first.top_provider.context_length == first.context_length
    assert first.links is not None and first.links.details.endswith("/endpoints")
    assert listing.total_count == 2 and listing.links is not None and listing.links.next is None
    assert server.last_request.method == "GET" and server.last_request.query == ""
    assert server.last_request.headers["authorization"] == f"Bearer {API_KEY}"
    assert res.raw is not None and res.raw.status_code == 200


def test_models_list_filters_and_pages(core: OpenRouterCore, server: MockServer) -> None:
    embedders = models_list(core, output_modalities="embeddings").unwrap()
    assert [model.id for model in embedders.data] == [EMBEDDING_MODEL]
    page = models_list(core, output_modalities=["text", "embeddings"], limit=2, offset=0).unwrap()
    assert len(page.data) == 2 and page.total_count == 3
    assert page.links is not None and page.links.next is not None and "offset=2" in page.links.next
    assert dict(query_of(server)) == {"output_modalities": "text,embeddings", "offset": "0", "limit": "2"}
    found = models_list(core, q="LARGE", supported_parameters=("tools", "reasoning"), context=100_000)
    assert [model.id for model in found.unwrap().data] == ["openrouter/mock-large"]


def test_models_list_server_rejects_a_bad_page(core: OpenRouterCore) -> None:
    res = models_list(core, extra_query={"limit": "many"})
    assert isinstance(res, Err) and isinstance(res.error, errors.BadRequestResponseError)


def test_generation_get_after_a_chat(core: OpenRouterCore, server: MockServer) -> None:
    chat = chat_send(core, {"model": "m", "messages": [{"role": "user", "content": "cost?"}]}).unwrap()
    assert isinstance(chat, models.ChatResponse)
    res = generation_get(core, chat.id)
    assert isinstance(res, Ok)
    generation = res.value.data
    assert generation.id == chat.id and generation.total_cost > 0
    assert generation.provider_name == "MockProvider" and generation.tokens_prompt
    assert generation.provider_responses and generation.provider_responses[0].status == 200
    assert server.last_request.path.endswith("/generation") and query_of(server) == [("id", chat.id)]
    missing = generation_get(core, "not-a-generation", not_found_wait_ms=0)
    assert isinstance(missing, Err) and isinstance(missing.error, errors.NotFoundResponseError)


def test_credits_and_key_against_the_server(core: OpenRouterCore, server: MockServer) -> None:
    credits = credits_get(core).unwrap().data
    assert credits.total_credits >= credits.total_usage > 0
    key = key_get(core).unwrap().data
    assert key.label.startswith(API_KEY[:10]) and key.limit is not None and key.limit_remaining is not None
    assert key.rate_limit is not None
    assert [request.path for request in server.requests] == ["/api/v1/credits", "/api/v1/key"]
    anonymous = OpenRouterCore(api_key="", server_url=server.base_url)
    for res in (credits_get(anonymous), key_get(anonymous)):
        assert isinstance(res, Err) and isinstance(res.error, errors.UnauthorizedResponseError)
    anonymous.close()


def test_embeddings_against_the_server(core: OpenRouterCore, server: MockServer) -> None:
    res = embeddings_create(core, EMBED)
    assert isinstance(res, Ok)
    body = res.value
    assert body.model == EMBEDDING_MODEL and [item.index for item in body.data] == [0, 1]
    vectors = [item.embedding for item in body.data]
    assert vectors == [mock_embedding(EMBEDDING_MODEL, text) for text in EMBED["input"]]
    assert vectors[0] != vectors[1]
    assert isinstance(vectors[0], list) and abs(sum(v * v for v in vectors[0]) - 1) < 1e-5
    assert body.usage is not None and body.usage.total_tokens > 0 and body.usage.cost
    assert server.last_request.json() == EMBED
    again = embeddings_create(core, models.EmbeddingsRequest(model=EMBEDDING_MODEL, input="first text"))
    assert again.unwrap().data[0].embedding == vectors[0]


def test_embeddings_base64_tokens_and_multimodal(core: OpenRouterCore, server: MockServer) -> None:
    res = embeddings_create(
        core, {"model": EMBEDDING_MODEL, "input": "hi", "encoding_format": "base64", "dimensions": 16}
    ).unwrap()
    packed = res.data[0].embedding
    assert isinstance(packed, str)
    assert list(struct.unpack("<16f", base64.b64decode(packed))) == mock_embedding(EMBEDDING_MODEL, "hi", 16)
    tokens = embeddings_create(core, {"model": EMBEDDING_MODEL, "input": [[1, 2, 3], [4, 5]]}).unwrap()
    assert len(tokens.data) == 2
    assert server.last_request.json()["input"] == [[1, 2, 3], [4, 5]]  # ints stay ints on the wire
    request = models.EmbeddingsRequest(
        model=EMBEDDING_MODEL,
        input=[
            models.EmbeddingsMultimodalInput(
                content=[
                    models.EmbeddingsContentText(text="a cat"),
                    models.EmbeddingsContentImage(
                        image_url=models.EmbeddingsContentImageURL(url="data:image/png;base64,AAAA")
                    ),
                ]
            )
        ],
    )
    assert len(embeddings_create(core, request).unwrap().data) == 1
    assert server.last_request.json()["input"][0]["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64,AAAA"},
    }


async def test_async_twins_against_the_server(server: MockServer) -> None:
    server.reset()
    async with OpenRouterCore(api_key=API_KEY, server_url=server.base_url) as core:
        listing = await models_list_async(core, output_modalities="all")
        assert isinstance(listing, Ok) and len(listing.value.data) == 3
        assert query_of(server) == [("output_modalities", "all")]
        generation = await generation_get_async(core, "gen-1735689600-abc")
        assert isinstance(generation, Ok) and generation.value.data.id == "gen-1735689600-abc"
        credits = await credits_get_async(core)
        assert isinstance(credits, Ok) and credits.value.data.total_credits == 100.0
        key = await key_get_async(core)
        assert isinstance(key, Ok) and key.value.data.usage > 0
        vectors = await embeddings_create_async(core, EMBED)
        assert isinstance(vectors, Ok)
        assert vectors.value.data[1].embedding == mock_embedding(EMBEDDING_MODEL, "second text")


def test_a_scripted_handler_still_comes_first(core: OpenRouterCore, server: MockServer) -> None:
    server.set_handler(
        lambda request: error_reply(503, "maintenance") if request.path.endswith("/key") else None
    )
    res = key_get(core)
    assert isinstance(res, Err) and isinstance(res.error, errors.ServiceUnavailableResponseError)
    assert credits_get(core).ok


# -- the error table, lenient decoding and the wire with MockTransport ---------------------------

SyncCall = Callable[[OpenRouterCore], Any]
AsyncCall = Callable[[OpenRouterCore], Awaitable[Any]]

CALLS: list[tuple[str, SyncCall, AsyncCall]] = [
    ("models_list", lambda c: models_list(c), lambda c: models_list_async(c)),
    ("generation_get", lambda c: generation_get(c, "gen-1"), lambda c: generation_get_async(c, "gen-1")),
    ("credits_get", lambda c: credits_get(c), lambda c: credits_get_async(c)),
    ("key_get", lambda c: key_get(c), lambda c: key_get_async(c)),
    ("embeddings_create", lambda c: embeddings_create(c, EMBED), lambda c: embeddings_create_async(c, EMBED)),
]
CALL_IDS = [name for name, _, _ in CALLS]

ERROR_ROWS = [
    (401, errors.UnauthorizedResponseError),
    (402, errors.PaymentRequiredResponseError),
    (404, errors.NotFoundResponseError),
    (429, errors.TooManyRequestsResponseError),
    (500, errors.InternalServerResponseError),
]


def error_handler(status: int) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, json={"error": {"code": status, "message": f"status {status}"}, "user_id": "user_1"}
        )

    return handler


@pytest.mark.parametrize(("status", "cls"), ERROR_ROWS)
@pytest.mark.parametrize(("name", "call", "call_async"), CALLS, ids=CALL_IDS)
async def test_error_statuses_give_the_right_error(
    make_core: MakeCore,
    name: str,
    call: SyncCall,
    call_async: AsyncCall,
    status: int,
    cls: type[errors.ChatError],
) -> None:
    core = make_core(error_handler(status))
    for res in (call(core), await call_async(core)):
        assert isinstance(res, Err) and type(res.error) is cls, (name, res)
        assert res.error.status_code == status and res.error.message == f"status {status}"
        assert res.error.user_id == "user_1"
        assert res.raw is not None and res.raw.status_code == status


@pytest.mark.parametrize(("name", "call", "call_async"), CALLS, ids=CALL_IDS)
async def test_other_failures_are_values(
    make_core: MakeCore, name: str, call: SyncCall, call_async: AsyncCall
) -> None:
    cases: list[tuple[Callable[[httpx.Request], httpx.Response], type[errors.OpenRouterError]]] = [
        (
            lambda r: httpx.Response(200, json={"error": {"code": 402, "message": "no credits"}}),
            errors.ChatError,
        ),
        (lambda r: httpx.Response(200, json={"data": "not an object"}), errors.ResponseValidationError),
        (lambda r: httpx.Response(502, text="<html>bad gateway</html>"), errors.OpenRouterDefaultError),
        (lambda r: httpx.Response(200, text="<html>login</html>"), errors.OpenRouterDefaultError),
    ]
    for handler, cls in cases:
        core = make_core(handler)
        for res in (call(core), await call_async(core)):
            assert isinstance(res, Err) and isinstance(res.error, cls), (name, res)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    core = make_core(broken)
    for res in (call(core), await call_async(core)):
        assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)


@pytest.mark.parametrize(("name", "call", "call_async"), CALLS, ids=CALL_IDS)
def test_retries_apply(make_core: MakeCore, name: str, call: SyncCall, call_async: AsyncCall) -> None:
    answers = iter([httpx.Response(429, json={"error": {"code": 429, "message": "slow down"}})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json=REAL_BODIES[name]))

    res = call(make_core(handler, retry_config=RetryConfig()))
    assert isinstance(res, Ok) and res.raw is not None and res.raw.attempts == 2


# Real-traffic-like bodies: unknown fields everywhere, optional fields missing.
REAL_BODIES: dict[str, Any] = {
    "models_list": {
        "data": [
            {
                "id": "vendor/new-model",
                "name": "New",
                "created": 1,
                "pricing": {"prompt": "0.000001", "completion": "0.000002", "future_price": "1"},
                "architecture": {"modality": "text+video->text", "input_modalities": ["text", "hologram"]},
                "supported_parameters": ["temperature", "brand_new_param"],
                "top_provider": {"is_moderated": True, "context_length": None, "new": 1},
                "benchmarks": {"design_arena": [{"arena": "models", "elo": 1200.5, "extra": 1}]},
                "reasoning": {"mandatory": False, "supported_efforts": ["high", None]},
                "whatever": {"nested": [1, 2]},
            },
            {"id": "bare/minimum"},
        ]
    },
    "generation_get": {
        "data": {
            "id": "gen-1",
            "total_cost": 0.002,
            "model": "m",
            "provider_name": "Shiny New Provider",
            "provider_responses": [{"status": None, "provider_name": "Brand New", "surprise": True}],
            "api_type": "hologram",
            "brand_new_field": {"a": 1},
        },
        "meta": "ignored",
    },
    "credits_get": {"data": {"total_credits": 10, "total_usage": 2.5, "pending": 1}},
    "key_get": {"data": {"label": "sk-or-v1-abc...def", "usage": 1, "limit": None, "new_field": []}},
    "embeddings_create": {
        "object": "list",
        "data": [{"embedding": [0.1, -0.2, 3], "index": 0, "object": "embedding", "extra": 1}],
        "model": "m",
        "provider": "Somebody",
        "usage": {"prompt_tokens": 3, "total_tokens": 3, "future": {"x": 1}},
    },
}


@pytest.mark.parametrize(("name", "call", "call_async"), CALLS, ids=CALL_IDS)
async def test_lenient_real_traffic_bodies_decode(
    make_core: MakeCore, name: str, call: SyncCall, call_async: AsyncCall
) -> None:
    core = make_core(lambda request: httpx.Response(200, json=REAL_BODIES[name]))
    for res in (call(core), await call_async(core)):
        assert isinstance(res, Ok), res
    value = call(core).value
    if name == "models_list":
        new, bare = value.data
        assert new.architecture.input_modalities == ["text", "hologram"]
        assert new.benchmarks.design_arena[0].elo == 1200.5 and new.reasoning.supported_efforts == [
            "high",
            None,
        ]
        assert bare.pricing is None and bare.supported_parameters == [] and value.total_count is None
    elif name == "generation_get":
        assert (
            value.data.total_cost == 0.002 and value.data.provider_responses[0].provider_name == "Brand New"
        )
        assert value.data.tokens_prompt is None and value.data.is_byok is False
    elif name == "credits_get":
        assert value.data.total_credits == 10.0
    elif name == "key_get":
        assert value.data.limit is None and value.data.usage == 1.0 and value.data.rate_limit is None
    else:
        assert value.data[0].embedding == [0.1, -0.2, 3.0] and value.usage.cost is None


def recording(body: Any, seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=body)

    return handler


async def test_models_list_sends_every_filter(make_core: MakeCore) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["models_list"], seen))
    options: dict[str, Any] = {
        "category": "programming",
        "supported_parameters": ["tools", "temperature"],
        "input_modalities": "text,image",
        "output_modalities": ("text",),
        "sort": "newest",
        "q": "gpt 4",
        "context": 128000,
        "min_price": 0,
        "max_price": 2.5,
        "min_output_price": 0.5,
        "max_output_price": 10,
        "arch": "GPT",
        "model_authors": ["openai", "anthropic"],
        "providers": "OpenAI",
        "distillable": False,
        "zdr": True,
        "region": "eu",
        "min_age_days": 0,
        "max_age_days": 90,
        "min_intelligence_index": 50,
        "max_intelligence_index": 99.5,
        "min_coding_index": 40,
        "max_coding_index": 100,
        "min_agentic_index": 30,
        "max_agentic_index": 100,
        "min_tool_success_rate": 0.9,
        "max_tool_success_rate": 1,
        "offset": 20,
        "limit": 10,
    }
    assert models_list(core, **options).ok
    assert (await models_list_async(core, **options)).ok
    expected = [
        ("category", "programming"),
        ("supported_parameters", "tools,temperature"),
        ("input_modalities", "text,image"),
        ("output_modalities", "text"),
        ("sort", "newest"),
        ("q", "gpt 4"),
        ("context", "128000"),
        ("min_price", "0"),
        ("max_price", "2.5"),
        ("min_output_price", "0.5"),
        ("max_output_price", "10"),
        ("arch", "GPT"),
        ("model_authors", "openai,anthropic"),
        ("providers", "OpenAI"),
        ("distillable", "false"),
        ("zdr", "true"),
        ("region", "eu"),
        ("min_age_days", "0"),
        ("max_age_days", "90"),
        ("min_intelligence_index", "50"),
        ("max_intelligence_index", "99.5"),
        ("min_coding_index", "40"),
        ("max_coding_index", "100"),
        ("min_agentic_index", "30"),
        ("max_agentic_index", "100"),
        ("min_tool_success_rate", "0.9"),
        ("max_tool_success_rate", "1"),
        ("offset", "20"),
        ("limit", "10"),
    ]
    for request in seen:
        assert request.method == "GET" and request.url.path == "/api/v1/models"
        assert parse_qsl(request.url.query.decode()) == expected
        assert request.content == b""
    assert {name for name, _ in expected} == set(options)


def test_models_list_skips_none_and_false_zdr_and_adds_extra_query(make_core: MakeCore) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["models_list"], seen))
    assert models_list(core, category=None, zdr=False, extra_query={"new_filter": True, "n": 3}).ok
    assert parse_qsl(seen[-1].url.query.decode()) == [("new_filter", "true"), ("n", "3")]


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"limit": "10"}, "$.limit"),
        ({"context": 1.5}, "$.context"),
        ({"zdr": "yes"}, "$.zdr"),
        ({"min_price": "cheap"}, "$.min_price"),
        ({"supported_parameters": ["tools", 3]}, "$.supported_parameters[1]"),
    ],
)
async def test_models_list_wrongly_typed_filter_sends_nothing(
    make_core: MakeCore, options: dict[str, Any], path: str
) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["models_list"], seen))
    for res in (models_list(core, **options), await models_list_async(core, **options)):
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
        assert res.error.path == path and "invalid filter" in str(res.error)
    assert seen == []


async def test_generation_get_sends_the_id_and_rejects_an_empty_one(make_core: MakeCore) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["generation_get"], seen))
    assert generation_get(core, "gen-a b&c").ok
    assert seen[-1].url.path == "/api/v1/generation" and seen[-1].url.params["id"] == "gen-a b&c"
    count = len(seen)
    for bad in ("", None, 42):
        for res in (generation_get(core, bad), await generation_get_async(core, bad)):  # type: ignore[arg-type]
            assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
            assert res.error.path == "$.id"
    assert len(seen) == count


async def test_get_endpoints_send_options_and_no_body(make_core: MakeCore) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["key_get"], seen))
    assert key_get(core, headers={"X-Trace": "1"}, timeout_ms=1234).ok
    request = seen[-1]
    assert request.method == "GET" and request.url.path == "/api/v1/key" and request.content == b""
    assert (
        request.headers["x-trace"] == "1" and request.headers["authorization"] == "Bearer sk-or-test-secret"
    )
    core = make_core(recording(REAL_BODIES["credits_get"], seen))
    assert (await credits_get_async(core, headers={"X-Trace": "2"})).ok
    assert seen[-1].url.path == "/api/v1/credits" and seen[-1].headers["x-trace"] == "2"


async def test_embeddings_request_body_on_the_wire(make_core: MakeCore) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["embeddings_create"], seen))
    request = {
        "model": "openai/text-embedding-3-small",
        "input": "hello",
        "dimensions": 256,
        "encoding_format": "float",
        "input_type": "search_query",
        "provider": {"order": ["openai"], "allow_fallbacks": False},
        "user": "user-1",
    }
    assert embeddings_create(core, request, extra_body={"new_option": 1}).ok
    assert (await embeddings_create_async(core, models.EmbeddingsRequest(model="m", input=["a", "b"]))).ok
    first, second = seen
    assert first.method == "POST" and first.url.path == "/api/v1/embeddings"
    assert json.loads(first.content) == {**request, "new_option": 1}
    assert json.loads(second.content) == {"model": "m", "input": ["a", "b"]}  # UNSET fields are left out


@pytest.mark.parametrize(
    ("request_body", "path"),
    [
        ({"input": "x"}, "$.model"),
        ({"model": "m"}, "$.input"),
        ({"model": "m", "input": ""}, "$.input"),
        ({"model": "m", "input": []}, "$.input"),
        ({"model": "m", "input": ["ok", ""]}, "$.input[1]"),
        ({"model": "m", "input": ["text", 1]}, "$.input[1]"),
        ({"model": "m", "input": [[1, 2], 3]}, "$.input[1]"),
        ({"model": "m", "input": [{"content": []}]}, "$.input[0].content"),
        ({"model": "m", "input": [{"content": [{"type": "hologram"}]}]}, "$.input[0].content[0].type"),
        ({"model": "m", "input": "x", "dimensions": 0}, "$.dimensions"),
        ({"model": "m", "input": "x", "encoding_format": "int8"}, "$.encoding_format"),
        ({"model": "m", "input": "x", "dimension": 8}, "$.dimension"),
        ({"model": "m", "input": "x", "provider": {"sort": "fastest"}}, "$.provider.sort"),
        ({"model": "m", "input": True}, "$.input"),
    ],
)
async def test_embeddings_validation_errors_send_nothing(
    make_core: MakeCore, request_body: dict[str, Any], path: str
) -> None:
    seen: list[httpx.Request] = []
    core = make_core(recording(REAL_BODIES["embeddings_create"], seen))
    for res in (embeddings_create(core, request_body), await embeddings_create_async(core, request_body)):
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
        assert res.error.path == path, res.error
    assert seen == []


def test_embeddings_request_that_is_not_a_mapping(make_core: MakeCore) -> None:
    res = embeddings_create(make_core(error_handler(500)), ["not", "a", "request"])  # type: ignore[arg-type]
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError) and res.error.path == "$"


def test_a_bug_of_ours_comes_back_as_a_value(make_core: MakeCore, monkeypatch: pytest.MonkeyPatch) -> None:
    import openrouter_funcs._key_get as module

    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "prepare_get", explode)
    res = key_get(make_core(error_handler(500)))
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError)


# -- the thin client's namespaces ----------------------------------------------------------------


async def test_client_namespaces_unwrap(server: MockServer) -> None:
    server.reset()
    core = OpenRouterCore(api_key=API_KEY, server_url=server.base_url)
    try:
        assert [m.id for m in Models(core).list(output_modalities="embeddings").data] == [EMBEDDING_MODEL]
        assert len((await Models(core).list_async(limit=1)).data) == 1
        assert Generations(core).get("gen-1-x").data.id == "gen-1-x"
        assert (await Generations(core).get_async("gen-2-x")).data.id == "gen-2-x"
        assert Credits(core).get().data.total_credits == (await Credits(core).get_async()).data.total_credits
        assert Key(core).get().data.label == (await Key(core).get_async()).data.label
        assert len(Embeddings(core).create(EMBED).data) == 2
        assert len((await Embeddings(core).create_async(EMBED)).data) == 2
        with pytest.raises(errors.NotFoundResponseError):
            Generations(core).get("missing")
        with pytest.raises(errors.SDKValidationError):
            await Embeddings(core).create_async({"model": "m"})
    finally:
        await core.aclose()


# -- structure: twins, options, spec coverage, lazy imports -----------------------------------


@pytest.mark.parametrize(
    ("sync", "async_"),
    [
        (models_list, models_list_async),
        (generation_get, generation_get_async),
        (credits_get, credits_get_async),
        (key_get, key_get_async),
        (embeddings_create, embeddings_create_async),
    ],
)
def test_async_twins_take_the_same_arguments(sync: Callable[..., Any], async_: Callable[..., Any]) -> None:
    assert inspect.signature(sync) == inspect.signature(async_)
    assert inspect.iscoroutinefunction(async_) and sync.__doc__ and async_.__doc__
    assert sync.__name__ in openrouter_funcs.__all__ and async_.__name__ in openrouter_funcs.__all__


def test_client_list_takes_the_arguments_of_models_list() -> None:
    function = list(inspect.signature(models_list).parameters.values())[1:]
    method = list(inspect.signature(Models.list).parameters.values())[1:]
    assert function == method


SPEC = yaml.safe_load((Path(__file__).resolve().parent / "data/spec/out.openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        return _resolve(schema["allOf"][0])
    return schema


def _ok_schema(path: str, method: str = "get") -> dict[str, Any]:
    return _resolve(SPEC["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"])


def _prop(schema: dict[str, Any], *names: str) -> dict[str, Any]:
    """The object schema at a property path (arrays stand for their items)."""
    for name in names:
        schema = _resolve(_resolve(schema)["properties"][name])
        while "items" in schema:
            schema = _resolve(schema["items"])
    return _resolve(schema)


def _coverage() -> list[tuple[str, dict[str, Any], type[msgspec.Struct]]]:
    models_body = _ok_schema("/models")
    model = _prop(models_body, "data")
    generation = _ok_schema("/generation")
    embeddings = _ok_schema("/embeddings", "post")
    request = _resolve(
        SPEC["paths"]["/embeddings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    )
    multimodal = request["properties"]["input"]["anyOf"][4]["items"]
    parts = multimodal["properties"]["content"]["items"]["oneOf"]
    return [
        ("ModelsListResponse", models_body, models.ModelsListResponse),
        ("ModelsListResponse.links", _prop(models_body, "links"), models.ModelsListLinks),
        ("Model", model, models.Model),
        ("ModelArchitecture", _prop(model, "architecture"), models.ModelArchitecture),
        ("PublicPricing", _prop(model, "pricing"), models.PublicPricing),
        ("PricingOverride", _prop(model, "pricing", "overrides"), models.PricingOverride),
        ("TopProviderInfo", _prop(model, "top_provider"), models.TopProviderInfo),
        ("PerRequestLimits", _prop(model, "per_request_limits"), models.PerRequestLimits),
        ("DefaultParameters", _prop(model, "default_parameters"), models.DefaultParameters),
        ("ModelLinks", _prop(model, "links"), models.ModelLinks),
        ("ModelAliasTarget", _prop(model, "alias_target"), models.ModelAliasTarget),
        ("ModelBenchmarks", _prop(model, "benchmarks"), models.ModelBenchmarks),
        ("AABenchmarkEntry", _prop(model, "benchmarks", "artificial_analysis"), models.AABenchmarkEntry),
        ("DABenchmarkEntry", _prop(model, "benchmarks", "design_arena"), models.DABenchmarkEntry),
        ("ModelReasoning", _prop(model, "reasoning"), models.ModelReasoning),
        ("GenerationResponse", generation, models.GenerationResponse),
        ("Generation", _prop(generation, "data"), models.Generation),
        ("ProviderResponse", _prop(generation, "data", "provider_responses"), models.ProviderResponse),
        ("CreditsResponse", _ok_schema("/credits"), models.CreditsResponse),
        ("Credits", _prop(_ok_schema("/credits"), "data"), models.Credits),
        ("KeyResponse", _ok_schema("/key"), models.KeyResponse),
        ("KeyInfo", _prop(_ok_schema("/key"), "data"), models.KeyInfo),
        ("KeyRateLimit", _prop(_ok_schema("/key"), "data", "rate_limit"), models.KeyRateLimit),
        ("EmbeddingsRequest", request, models.EmbeddingsRequest),
        ("EmbeddingsMultimodalInput", multimodal, models.EmbeddingsMultimodalInput),
        ("EmbeddingsContentText", parts[0], models.EmbeddingsContentText),
        ("EmbeddingsContentImage", parts[1], models.EmbeddingsContentImage),
        ("EmbeddingsContentImageURL", _prop(parts[1], "image_url"), models.EmbeddingsContentImageURL),
        ("EmbeddingsContentAudio", _resolve(parts[2]), models.EmbeddingsContentAudio),
        ("EmbeddingsContentVideo", _resolve(parts[3]), models.EmbeddingsContentVideo),
        ("EmbeddingsContentFile", _resolve(parts[4]), models.EmbeddingsContentFile),
        ("MultimodalMedia", _prop(_resolve(parts[2]), "input_audio"), models.MultimodalMedia),
        ("EmbeddingsResponse", embeddings, models.EmbeddingsResponse),
        ("Embedding", _prop(embeddings, "data"), models.Embedding),
        ("EmbeddingsUsage", _prop(embeddings, "usage"), models.EmbeddingsUsage),
        (
            "EmbeddingsPromptTokensDetails",
            _prop(embeddings, "usage", "prompt_tokens_details"),
            models.EmbeddingsPromptTokensDetails,
        ),
    ]


@pytest.mark.parametrize(
    ("name", "schema", "struct"), _coverage(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_spec_property_is_a_field(
    name: str, schema: dict[str, Any], struct: type[msgspec.Struct]
) -> None:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {field.encode_name for field in info.fields}
    if info.tag_field is not None:
        fields.add(info.tag_field)
    assert set(schema["properties"]) <= fields, set(schema["properties"]) - fields
    if issubclass(struct, models.ResponseStruct):
        # Lenient: only the envelope's `data` is required (so `{"error": ...}` is not taken for a body).
        required = {field.encode_name for field in info.fields if field.required}
        assert required <= {"data"}, required


def test_models_list_query_parameters_match_the_spec() -> None:
    spec_names = [p["name"] for p in SPEC["paths"]["/models"]["get"]["parameters"]]
    assert set(spec_names) == set(ModelsListFilters.__annotations__)
    assert [p["name"] for p in SPEC["paths"]["/generation"]["get"]["parameters"]] == ["id"]


def run_isolated(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_imports_stay_lazy() -> None:
    loaded = run_isolated(
        "import sys\nfrom openrouter_funcs import chat_send\n"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('openrouter_funcs._', 'openrouter_core._models._e'))))"
    )
    assert loaded == "['openrouter_funcs._chat_send']"
    loaded = run_isolated(
        "import sys\nfrom openrouter_funcs import models_list, embeddings_create, key_get\n"
        "print(sorted(m for m in ('asyncio', 'anyio', 'openrouter_core._transport_async',"
        " 'openrouter_core.testing') if m in sys.modules))"
    )
    assert loaded == "[]"


def test_mock_server_replies_follow_the_spec_envelopes(server: MockServer) -> None:
    server.reset()
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {API_KEY}"}) as client:
        for path, struct in [
            ("/models?output_modalities=all", models.ModelsListResponse),
            ("/generation?id=gen-5-x", models.GenerationResponse),
            ("/credits", models.CreditsResponse),
            ("/key", models.KeyResponse),
        ]:
            body = client.get(path).json()
            msgspec.convert(body, struct)
            record = body["data"] if isinstance(body["data"], dict) else body["data"][0]
            assert set(record) >= _required_fields(path), path
        assert client.post("/embeddings", json={"model": "m"}).status_code == 400
        assert client.get("/generation").status_code == 400
        assert client.get("/models?limit=0").status_code == 400
        assert client.post("/embeddings", content=b"{").status_code == 400
        assert (
            client.post("/embeddings", json={"model": "m", "input": "x", "dimensions": 0}).status_code == 400
        )


def _required_fields(path: str) -> set[str]:
    """What the spec requires of the record the mock server returns, so the mock stays faithful."""
    return set(_prop(_ok_schema(path.split("?")[0]), "data").get("required", []))
