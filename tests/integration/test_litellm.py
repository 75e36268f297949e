"""LiteLLM proxy (PyPI litellm[proxy]) with mock-response models: replies, streams, tools, errors, auth."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from peers import LITELLM_KEY

from openrouter_core import (
    AsyncChatStream,
    BackoffStrategy,
    ChatStream,
    Err,
    Hooks,
    Ok,
    OpenRouterCore,
    RetryConfig,
    errors,
    models,
)
from openrouter_funcs import chat_send, chat_send_async

MOCK_TEXT = "Hello from the LiteLLM mock. This is a mock reply."


def ask(model: str = "openai/gpt-4o-mini", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hello"}], **extra}


@pytest.fixture
def core(make_core: Callable[..., OpenRouterCore], litellm_url: str) -> OpenRouterCore:
    """A core on the proxy with the right key."""
    return make_core(litellm_url, api_key=LITELLM_KEY)


def test_a_plain_reply(core: OpenRouterCore) -> None:
    res = chat_send(core, ask())
    assert isinstance(res, Ok), res
    response = res.value
    assert isinstance(response, models.ChatResponse)
    assert response.choices[0].message.content == MOCK_TEXT
    assert response.choices[0].finish_reason == "stop"
    assert response.model
    assert response.usage is not None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (
        10,
        20,
        30,
    )


def test_n_choices(core: OpenRouterCore) -> None:
    res = chat_send(core, ask(), extra_body={"n": 2})
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    assert [c.index for c in res.value.choices] == [0, 1]
    assert {c.message.content for c in res.value.choices} == {MOCK_TEXT}


def test_a_stream_with_its_usage_chunk(core: OpenRouterCore) -> None:
    res = chat_send(core, ask(stream=True, stream_options={"include_usage": True}))
    assert isinstance(res, Ok), res
    assert isinstance(res.value, ChatStream)
    with res.value as stream:
        chunks = list(stream)
    assert stream.error is None
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == MOCK_TEXT
    assert len(chunks) > 3, "the mock streams a few characters per chunk"
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "stop"
    ]
    usage = [c.usage for c in chunks if c.usage is not None]
    assert len(usage) == 1
    assert usage[0].total_tokens == usage[0].prompt_tokens + usage[0].completion_tokens > 0


def test_collect_equals_the_plain_reply(core: OpenRouterCore) -> None:
    plain = chat_send(core, ask()).unwrap()
    streamed = chat_send(core, ask(stream=True, stream_options={"include_usage": True})).unwrap()
    assert isinstance(plain, models.ChatResponse)
    assert isinstance(streamed, ChatStream)
    whole = streamed.collect()
    assert isinstance(whole, Ok), whole
    assert whole.value.choices[0].message.content == plain.choices[0].message.content
    assert whole.value.choices[0].finish_reason == plain.choices[0].finish_reason
    assert whole.value.usage is not None
    assert whole.value.usage.total_tokens > 0


def test_tool_calls(core: OpenRouterCore) -> None:
    tool = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
    res = chat_send(core, ask("mock/tool-call", tools=[tool]))
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    calls = res.value.choices[0].message.tool_calls
    assert isinstance(calls, list)
    assert [(c.id, c.type, c.function.name, c.function.arguments) for c in calls] == [
        ("call_mock_1", "function", "get_weather", '{"city": "Paris"}')
    ]


def test_a_tool_call_sent_back_as_history(core: OpenRouterCore) -> None:
    """The decoded assistant turn goes back unchanged, with the tool's answer after it."""
    first = chat_send(core, ask("mock/tool-call")).unwrap()
    assert isinstance(first, models.ChatResponse)
    turn = first.choices[0].message
    assert isinstance(turn.tool_calls, list)
    request = models.ChatGenerationParams(
        model="openai/gpt-4o-mini",
        messages=[
            models.ChatUserMessage(content="weather in Paris?"),
            turn,
            models.ChatToolMessage(content='{"temp": 21}', tool_call_id=turn.tool_calls[0].id),
        ],
    )
    res = chat_send(core, request)
    assert isinstance(res, Ok), res


ERRORS: list[tuple[str, dict[str, Any], type[errors.ChatError], int]] = [
    ("mock/context-window", {}, errors.BadRequestResponseError, 400),
    ("openai/gpt-4o-mini", {"mock_timeout": True}, errors.RequestTimeoutResponseError, 408),
    ("mock/rate-limit", {}, errors.TooManyRequestsResponseError, 429),
    ("openai/gpt-4o-mini", {"mock_testing_rate_limit_error": True}, errors.TooManyRequestsResponseError, 429),
    ("mock/server-error", {}, errors.InternalServerResponseError, 500),
    ("mock/overloaded", {}, errors.ProviderOverloadedResponseError, 529),
]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(("model", "extra", "cls", "status"), ERRORS, ids=[f"{e[3]}-{e[0]}" for e in ERRORS])
def test_error_statuses(
    core: OpenRouterCore,
    model: str,
    extra: dict[str, Any],
    cls: type[errors.ChatError],
    status: int,
    stream: bool,
) -> None:
    res = chat_send(core, ask(model, stream=stream), extra_body=extra)
    assert isinstance(res, Err), res
    assert type(res.error) is cls
    assert isinstance(res.error, errors.ChatError)
    assert res.error.status_code == status
    # LiteLLM sends the status as a string code ("429"), where OpenRouter sends an integer.
    assert str(res.error.code) == str(status)
    assert res.error.message


def test_rate_limits_are_retried_then_returned(
    make_core: Callable[..., OpenRouterCore], litellm_url: str
) -> None:
    statuses: list[int] = []
    retry = RetryConfig(
        backoff=BackoffStrategy(initial_interval=10, max_interval=20, exponent=1.0, max_elapsed_time=5_000),
        max_attempts=3,
    )
    core = make_core(
        litellm_url,
        api_key=LITELLM_KEY,
        retry_config=retry,
        hooks=Hooks(after_response=[lambda r: statuses.append(r.status_code)]),
    )
    res = chat_send(core, ask("mock/rate-limit"))
    assert isinstance(res, Err)
    assert isinstance(res.error, errors.TooManyRequestsResponseError)
    assert statuses == [429, 429, 429]


def test_a_slow_model_hits_the_timeout(core: OpenRouterCore) -> None:
    res = chat_send(core, ask("mock/slow"), timeout_ms=500)
    assert isinstance(res, Err), res
    assert isinstance(res.error, errors.RequestTimeoutError)


def test_a_slow_model_within_the_timeout(core: OpenRouterCore) -> None:
    res = chat_send(core, ask("mock/slow"), timeout_ms=15_000)
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "slow mock reply"


def test_a_slow_stream_hits_the_timeout(core: OpenRouterCore) -> None:
    res = chat_send(core, ask("mock/slow", stream=True), timeout_ms=500)
    assert isinstance(res, Err), res
    assert isinstance(res.error, errors.RequestTimeoutError)


def test_no_key_is_unauthorized(make_core: Callable[..., OpenRouterCore], litellm_url: str) -> None:
    res = chat_send(make_core(litellm_url, api_key=""), ask())
    assert isinstance(res, Err), res
    assert isinstance(res.error, errors.UnauthorizedResponseError)
    assert res.error.status_code == 401
    assert res.error.message


def test_a_wrong_key_is_refused(make_core: Callable[..., OpenRouterCore], litellm_url: str) -> None:
    # With no key database LiteLLM answers a wrong key with 400 "No connected db." rather than 401.
    res = chat_send(make_core(litellm_url, api_key="sk-wrong"), ask())
    assert isinstance(res, Err), res
    assert isinstance(res.error, errors.ChatError)
    assert res.error.status_code in (400, 401)


def test_auth_off_needs_no_key(make_core: Callable[..., OpenRouterCore], litellm_noauth_url: str) -> None:
    res = chat_send(make_core(litellm_noauth_url, api_key=""), ask())
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == MOCK_TEXT


def test_async_plain_and_stream(core: OpenRouterCore) -> None:
    async def run() -> tuple[str | None, str]:
        plain = await chat_send_async(core, ask())
        assert isinstance(plain, Ok), plain
        assert isinstance(plain.value, models.ChatResponse)
        res = await chat_send_async(core, ask(stream=True))
        assert isinstance(res, Ok), res
        assert isinstance(res.value, AsyncChatStream)
        parts: list[str] = []
        async with res.value as stream:
            async for chunk in stream:
                parts.extend(c.delta.content or "" for c in chunk.choices)
        assert stream.error is None
        await core.aclose()
        content = plain.value.choices[0].message.content
        return content if isinstance(content, str) else None, "".join(parts)

    plain, streamed = asyncio.run(run())
    assert plain == streamed == MOCK_TEXT
