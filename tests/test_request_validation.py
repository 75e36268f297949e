"""One validation for every request form: a Struct is checked exactly as a mapping, and None means not set."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import msgspec
import pytest
from conftest import chat_body

from openrouter_core import Err, OpenRouterCore, errors, models
from openrouter_funcs import chat_parse, chat_run_tools, chat_send, chat_send_async, chat_send_many

MakeCore = Callable[..., OpenRouterCore]
HI = {"role": "user", "content": "hi"}


def _recording() -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=chat_body())

    return handler, seen


# Each case: the same mistake written as a mapping and as a Struct built without validation.
MISTAKES: list[tuple[dict[str, Any], Callable[[], models.ChatGenerationParams], str]] = [
    (
        {"model": 123, "messages": [HI]},
        lambda: models.ChatGenerationParams(model=123, messages=[models.ChatUserMessage(content="hi")]),  # type: ignore[arg-type]
        "$.model",
    ),
    (
        {"temperature": "hot", "messages": [HI]},
        lambda: models.ChatGenerationParams(
            temperature="hot", messages=[models.ChatUserMessage(content="hi")]
        ),  # type: ignore[arg-type]
        "$.temperature",
    ),
    (
        {"messages": [{"role": "user", "content": 42}]},
        lambda: models.ChatGenerationParams(messages=[models.ChatUserMessage(content=42)]),  # type: ignore[arg-type]
        "$.messages[0].content",
    ),
    (
        {"messages": []},
        lambda: models.ChatGenerationParams(messages=[]),
        "$.messages",
    ),
    (
        {"messages": [HI], "stop": ["a", "b", "c", "d", "e"]},
        lambda: models.ChatGenerationParams(
            messages=[models.ChatUserMessage(content="hi")], stop=["a", "b", "c", "d", "e"]
        ),
        "$.stop",
    ),
    (
        {"messages": [HI], "session_id": "s" * 257},
        lambda: models.ChatGenerationParams(
            messages=[models.ChatUserMessage(content="hi")], session_id="s" * 257
        ),
        "$.session_id",
    ),
    (
        {"messages": [HI], "plugins": [{"id": "auto-router", "cost_quality_tradeoff": 11}]},
        lambda: models.ChatGenerationParams(
            messages=[models.ChatUserMessage(content="hi")],
            plugins=[models.AutoRouterPlugin(cost_quality_tradeoff=11)],
        ),
        "$.plugins[0].cost_quality_tradeoff",
    ),
    (
        {"messages": [HI], "tools": [{"type": "function", "function": {"name": "f" * 65}}]},
        lambda: models.ChatGenerationParams(
            messages=[models.ChatUserMessage(content="hi")],
            tools=[models.ChatFunctionTool(function=models.ChatFunctionToolFunction(name="f" * 65))],
        ),
        "$.tools[0].function.name",
    ),
    (
        {"messages": [HI], "provider": {"sort": "cheapest"}},
        lambda: models.ChatGenerationParams(
            messages=[models.ChatUserMessage(content="hi")],
            provider=models.ProviderPreferences(sort="cheapest"),  # type: ignore[arg-type]
        ),
        "$.provider.sort",
    ),
]


@pytest.mark.parametrize(("mapping", "struct", "path"), MISTAKES, ids=[case[2] for case in MISTAKES])
def test_a_struct_is_validated_exactly_as_a_mapping_and_nothing_is_sent(
    make_core: MakeCore,
    mapping: dict[str, Any],
    struct: Callable[[], models.ChatGenerationParams],
    path: str,
) -> None:
    handler, seen = _recording()
    core = make_core(handler)
    from_mapping = chat_send(core, mapping)
    from_struct = chat_send(core, struct())
    assert isinstance(from_mapping, Err) and isinstance(from_struct, Err)
    assert isinstance(from_struct.error, errors.SDKValidationError)
    assert from_struct.error.path == from_mapping.error.path == path
    assert str(from_struct.error) == str(from_mapping.error)
    assert seen == []


def test_every_call_validates_a_struct_request(make_core: MakeCore) -> None:
    handler, seen = _recording()
    core = make_core(handler)
    bad = models.ChatGenerationParams(model=123, messages=[models.ChatUserMessage(content="hi")])  # type: ignore[arg-type]
    results = [
        chat_parse(core, bad, dict[str, int]),
        chat_run_tools(core, bad, []),
        *chat_send_many(core, [bad], progress=False),
    ]
    for res in results:
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
        assert res.error.path == "$.model"
    assert seen == []


async def test_the_async_call_validates_a_struct_request(make_core: MakeCore) -> None:
    handler, seen = _recording()
    bad = models.ChatGenerationParams(temperature="hot", messages=[models.ChatUserMessage(content="hi")])  # type: ignore[arg-type]
    res = await chat_send_async(make_core(handler), bad)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == "$.temperature"
    assert seen == []


def _model_dump() -> dict[str, Any]:
    """What a pydantic or openai `model_dump()` gives: every optional field present, as None."""
    dumped: dict[str, Any] = {
        field.encode_name: None
        for field in msgspec.structs.fields(models.ChatGenerationParams)
        if not field.required
    }
    dumped["model"] = "openai/gpt-4o-mini"
    dumped["provider"] = {
        field.encode_name: None for field in msgspec.structs.fields(models.ProviderPreferences)
    }
    dumped["messages"] = [
        {"role": "system", "content": "Be brief.", "name": None},
        {"role": "user", "content": [{"type": "text", "text": "hi", "cache_control": None}], "name": None},
    ]
    return dumped


def test_none_means_not_set_for_every_optional_field(make_core: MakeCore) -> None:
    handler, seen = _recording()
    dumped = _model_dump()
    assert len(dumped) == len(msgspec.structs.fields(models.ChatGenerationParams))
    res = chat_send(make_core(handler), dumped)
    assert res.ok, res
    assert json.loads(seen[0].content) == {
        "model": "openai/gpt-4o-mini",
        "provider": {},
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        ],
    }


def test_none_on_a_struct_field_means_not_set_too() -> None:
    params = models.ChatGenerationParams(
        messages=[models.ChatUserMessage(content="hi", name=None)], tools=None, model=None
    )
    assert msgspec.json.encode(params) == b'{"messages":[{"role":"user","content":"hi"}]}'
