"""The functions around chat against real servers: structured output under llama.cpp's grammar, the tool loop
and batches through the LiteLLM proxy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import msgspec
from peers import LITELLM_KEY

from openrouter_core import Ok, OpenRouterCore, RetryConfig, errors
from openrouter_funcs import chat_parse, chat_run_tools, chat_send_many, response_format_for


class Verdict(msgspec.Struct):
    """A reply shaped by a JSON schema that llama.cpp turns into a grammar."""

    approved: bool
    mood: Literal["happy", "sad", "calm"]
    score: int


def test_chat_parse_under_a_real_grammar(make_core: Callable[..., OpenRouterCore], llama_url: str) -> None:
    core = make_core(llama_url)
    request = {
        "model": "tiny-llama",
        "messages": [{"role": "user", "content": "Judge this."}],
        "temperature": 0,
        "max_tokens": 96,
    }
    # llama-cpp-python speaks its own dialect of structured output ({"type": "json_object", "schema": ...}):
    # send chat_parse's schema that way through extra_body; the reply is still checked against Verdict.
    schema = response_format_for(Verdict).json_schema.schema
    res = chat_parse(
        core, request, Verdict, extra_body={"response_format": {"type": "json_object", "schema": schema}}
    )
    assert isinstance(res, Ok), res
    verdict = res.value.value
    assert isinstance(verdict, Verdict)
    assert verdict.mood in ("happy", "sad", "calm")
    assert res.value.response.choices[0].message.content


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"18 C and sunny in {city}"


def test_tool_loop_through_litellm(make_core: Callable[..., OpenRouterCore], litellm_url: str) -> None:
    core = make_core(litellm_url, api_key=LITELLM_KEY)
    request = {"model": "mock/tool-call", "messages": [{"role": "user", "content": "Weather in Paris?"}]}
    # The mock model asks for the tool on every turn, so the loop must stop at max_turns with the transcript.
    res = chat_run_tools(core, request, [get_weather], max_turns=2)
    assert not res.ok
    assert isinstance(res.error, errors.ToolLoopLimitError)
    tool_results = [m for m in res.error.messages if getattr(m, "tool_call_id", None) == "call_mock_1"]
    assert [m.content for m in tool_results] == ["18 C and sunny in Paris"]  # type: ignore[attr-defined]


def test_batch_through_litellm(make_core: Callable[..., OpenRouterCore], litellm_url: str) -> None:
    core = make_core(litellm_url, api_key=LITELLM_KEY)
    requests = [
        {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": f"question {i}"}]}
        for i in range(12)
    ]
    requests[5] = {"model": "mock/context-window", "messages": [{"role": "user", "content": "too long"}]}
    results = chat_send_many(
        core, requests, concurrency=4, progress=False, retries=RetryConfig(strategy="none")
    )
    assert len(results) == 12
    assert [r.ok for r in results] == [i != 5 for i in range(12)]
    assert isinstance(results[5].error, errors.BadRequestResponseError)  # type: ignore[union-attr]
