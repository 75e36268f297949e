"""Real llama.cpp inference (llama-cpp-python's server) on a tiny generated random-weight GGUF model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from openrouter_core import AsyncChatStream, ChatStream, Err, Ok, OpenRouterCore, errors, models
from openrouter_funcs import chat_send, chat_send_async


def ask(content: str = "hello", **extra: Any) -> dict[str, Any]:
    # Always bounded: with no max_tokens the model would talk until n_ctx, since EOS never wins.
    extra.setdefault("max_tokens", 8)
    return {
        "model": "tiny-llama",
        "messages": [{"role": "user", "content": content}],
        "temperature": 0,
        **extra,
    }


@pytest.fixture
def core(make_core: Callable[..., OpenRouterCore], llama_url: str) -> OpenRouterCore:
    """A core on the llama.cpp server."""
    return make_core(llama_url)


def reply(core: OpenRouterCore, request: dict[str, Any]) -> models.ChatResponse:
    res = chat_send(core, request)
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    return res.value


def text_of(response: models.ChatResponse) -> str:
    content = response.choices[0].message.content
    assert isinstance(content, str)
    return content


def test_real_inference(core: OpenRouterCore) -> None:
    response = reply(core, ask())
    words = text_of(response).split()
    assert words, "the model said nothing"
    assert all(word.isascii() and word.strip(".,").isalpha() for word in words), words
    assert response.choices[0].finish_reason == "length"
    assert response.usage is not None
    assert response.usage.completion_tokens == 8
    assert response.usage.prompt_tokens > 0
    assert response.usage.total_tokens == response.usage.prompt_tokens + 8


def test_temperature_zero_is_deterministic(core: OpenRouterCore) -> None:
    assert len({text_of(reply(core, ask())) for _ in range(3)}) == 1


def test_max_tokens_cuts_the_same_answer_shorter(core: OpenRouterCore) -> None:
    long = reply(core, ask(max_tokens=8))
    short = reply(core, ask(max_tokens=3))
    assert short.usage is not None
    assert short.usage.completion_tokens == 3
    assert text_of(long).startswith(text_of(short))
    assert len(text_of(short).split()) == 3


def test_stop_ends_the_answer_before_the_stop_string(core: OpenRouterCore) -> None:
    full = text_of(reply(core, ask()))
    words = full.split()
    stop = next(w for i, w in enumerate(words) if i > 0 and w not in " ".join(words[:i]))
    response = reply(core, ask(stop=[stop]))
    assert response.choices[0].finish_reason == "stop"
    assert text_of(response) == full[: full.index(stop)]


def test_a_stream_says_the_same_as_the_plain_reply(core: OpenRouterCore) -> None:
    plain = text_of(reply(core, ask()))
    res = chat_send(core, ask(stream=True))
    assert isinstance(res, Ok), res
    assert isinstance(res.value, ChatStream)
    with res.value as stream:
        chunks = list(stream)
    assert stream.error is None
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == plain
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "length"
    ]


def test_collect_equals_the_plain_reply(core: OpenRouterCore) -> None:
    plain = reply(core, ask(max_tokens=12))
    res = chat_send(core, ask(max_tokens=12, stream=True))
    assert isinstance(res, Ok), res
    assert isinstance(res.value, ChatStream)
    whole = res.value.collect()
    assert isinstance(whole, Ok), whole
    assert text_of(whole.value) == text_of(plain)
    assert whole.value.choices[0].finish_reason == plain.choices[0].finish_reason == "length"


def test_the_context_length_error(core: OpenRouterCore) -> None:
    res = chat_send(core, ask("hello world " * 400))
    assert isinstance(res, Err), res
    assert type(res.error) is errors.BadRequestResponseError
    assert res.error.status_code == 400
    assert res.error.code == "context_length_exceeded"
    assert "maximum context length is 512 tokens" in res.error.message


def test_history_system_prompt_and_unicode(core: OpenRouterCore) -> None:
    request = models.ChatGenerationParams(
        model="tiny-llama",
        messages=[
            models.ChatSystemMessage(content="Be brief."),
            models.ChatUserMessage(content="Grüße, 世界 👋"),
            models.ChatAssistantMessage(content="hello"),
            models.ChatUserMessage(content=[models.ChatContentText(text="again")]),
        ],
        max_tokens=4,
        temperature=0,
        seed=1,
    )
    res = chat_send(core, request)
    assert isinstance(res, Ok), res
    assert isinstance(res.value, models.ChatResponse)
    assert res.value.usage is not None
    assert res.value.usage.completion_tokens == 4


def test_async_stream_matches_the_sync_reply(core: OpenRouterCore) -> None:
    plain = text_of(reply(core, ask()))

    async def run() -> str:
        res = await chat_send_async(core, ask(stream=True))
        assert isinstance(res, Ok), res
        assert isinstance(res.value, AsyncChatStream)
        parts: list[str] = []
        async with res.value as stream:
            async for chunk in stream:
                parts.extend(c.delta.content or "" for c in chunk.choices)
        assert stream.error is None
        await core.aclose()
        return "".join(parts)

    assert asyncio.run(run()) == plain
