"""Response caching: the cache headers per call and per core, what `res.raw` says, and byte-stable bodies."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_core import OpenRouterCore, RetryConfig, openrouter_headers
from openrouter_core.models import ChatGenerationParams
from openrouter_core.testing import MockServer, text_reply
from openrouter_funcs import chat_send
from openrouter_funcs._chat_send import prepare_chat

HELLO = {"model": "m/x", "messages": [{"role": "user", "content": "hi"}], "temperature": 0.5}
SAME_HELLO = {"temperature": 0.5, "messages": [{"content": "hi", "role": "user"}], "model": "m/x"}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def make_core(server: MockServer, **kwargs: Any) -> OpenRouterCore:
    return OpenRouterCore(
        api_key="sk-test", server_url=server.base_url, retry_config=RetryConfig(strategy="none"), **kwargs
    )


def test_openrouter_headers_names_each_feature() -> None:
    assert openrouter_headers() == {}
    assert openrouter_headers(cache=True) == {"X-OpenRouter-Cache": "true"}
    assert openrouter_headers(cache_ttl_s=600, cache_clear=True, route_metadata=True) == {
        "X-OpenRouter-Cache": "true",
        "X-OpenRouter-Cache-TTL": "600",
        "X-OpenRouter-Cache-Clear": "true",
        "X-OpenRouter-Metadata": "enabled",
    }
    assert openrouter_headers(cache=False, cache_ttl_s=5) == {"X-OpenRouter-Cache": "false"}


@pytest.mark.parametrize("ttl", [0, 86_401, -1, True, 1.5, "60"])
def test_a_cache_ttl_out_of_range_is_refused(ttl: Any) -> None:
    with pytest.raises(ValueError, match="cache_ttl_s"):
        openrouter_headers(cache_ttl_s=ttl)


def test_per_call_cache_miss_then_hit_then_clear(server: MockServer) -> None:
    server.enqueue(text_reply("first"), text_reply("after clear"))
    with make_core(server) as core:
        first = chat_send(core, HELLO, headers=openrouter_headers(cache=True, cache_ttl_s=120))
        hit = chat_send(core, SAME_HELLO, headers=openrouter_headers(cache=True, cache_ttl_s=120))
        cleared = chat_send(core, HELLO, headers=openrouter_headers(cache=True, cache_clear=True))
    assert first.ok and hit.ok and cleared.ok
    assert server.requests[0].headers["x-openrouter-cache"] == "true"
    assert server.requests[0].headers["x-openrouter-cache-ttl"] == "120"
    assert server.requests[2].headers["x-openrouter-cache-clear"] == "true"
    assert server.requests[0].body == server.requests[1].body  # keys in another order, same bytes
    assert first.raw is not None and hit.raw is not None and cleared.raw is not None
    assert (first.raw.cache_status, first.raw.cache_hit, first.raw.cache_ttl_s) == ("MISS", False, 120)
    assert (hit.raw.cache_status, hit.raw.cache_hit, hit.raw.cache_ttl_s) == ("HIT", True, 120)
    assert hit.raw.cache_age_s is not None and 0 <= hit.raw.cache_age_s <= 5
    assert hit.raw.cache_source_id == first.value.id
    assert hit.value.choices[0].message.content == "first"
    assert (cleared.raw.cache_status, cleared.value.choices[0].message.content) == ("MISS", "after clear")
    assert server.pending == 0


def test_per_core_cache_and_a_call_turning_it_off(server: MockServer) -> None:
    server.enqueue(text_reply("one"), text_reply("two"))
    with make_core(server, default_headers=openrouter_headers(cache=True)) as core:
        first = chat_send(core, HELLO)
        hit = chat_send(core, HELLO)
        uncached = chat_send(core, HELLO, headers=openrouter_headers(cache=False))
    assert first.raw is not None and hit.raw is not None and uncached.raw is not None
    assert (first.raw.cache_status, hit.raw.cache_status) == ("MISS", "HIT")
    assert server.requests[2].headers["x-openrouter-cache"] == "false"
    assert uncached.raw.cache_status is None and uncached.raw.cache_hit is False
    assert uncached.value.choices[0].message.content == "two"


def test_a_stream_is_cached_and_replayed(server: MockServer) -> None:
    with make_core(server, default_headers=openrouter_headers(cache=True)) as core:
        results = []
        for _ in range(2):
            res = chat_send(core, {**HELLO, "stream": True})
            assert res.ok and res.raw is not None
            with res.value as stream:  # type: ignore[union-attr]
                whole = stream.collect()
            results.append((res.raw.cache_status, whole.unwrap().choices[0].message.content))
    assert results == [("MISS", "You said: hi"), ("HIT", "You said: hi")]


# -- the same logical request is the same bytes --------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=10,
)
_requests = st.fixed_dictionaries(
    {
        "model": st.sampled_from(["openai/gpt-4o", "anthropic/claude", "m/x"]),
        "messages": st.lists(
            st.fixed_dictionaries({"role": st.sampled_from(["user", "system"]), "content": _text}),
            min_size=1,
            max_size=3,
        ),
    },
    optional={
        "temperature": st.floats(0, 2, allow_nan=False),
        "max_tokens": st.integers(1, 4096),
        "metadata": st.dictionaries(st.text("abcdef", min_size=1, max_size=4), _text, max_size=4),
        "provider": st.fixed_dictionaries(
            {"order": st.lists(st.sampled_from(["A", "B", "C"]), max_size=3)},
            optional={"allow_fallbacks": st.booleans(), "sort": st.sampled_from(["price", "latency"])},
        ),
        "response_format": st.fixed_dictionaries(
            {
                "type": st.just("json_schema"),
                "json_schema": st.fixed_dictionaries(
                    {"name": st.just("out"), "schema": st.dictionaries(_text, _json, max_size=4)},
                    optional={"strict": st.booleans()},
                ),
            }
        ),
        "session_id": st.text("abc123", min_size=1, max_size=8),
    },
)


def _shuffled(value: Any, rng: random.Random) -> Any:
    """`value` with the keys of every object, at every depth, in another order."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _shuffled(item, rng) for key, item in items}
    if isinstance(value, list):
        return [_shuffled(item, rng) for item in value]
    return value


@settings(max_examples=150, deadline=None)
@given(request=_requests, seed=st.integers(0, 2**32 - 1), data=st.data())
def test_the_same_logical_request_is_the_same_bytes(
    request: dict[str, Any], seed: int, data: st.DataObject
) -> None:
    core = OpenRouterCore(api_key="sk-test", server_url="http://127.0.0.1:9")
    rng = random.Random(seed)

    def body(req: Any, extra_body: dict[str, Any] | None = None) -> bytes:
        prepared, _ = prepare_chat(core, req, {"extra_body": extra_body})
        assert prepared.ok, prepared
        assert prepared.value.body is not None
        return prepared.value.body

    expected = body(request)
    assert body(_shuffled(request, rng)) == expected
    assert body(msgspec.convert(_shuffled(request, rng), ChatGenerationParams)) == expected
    moved = data.draw(st.lists(st.sampled_from(sorted(request)), unique=True))
    kept = {key: value for key, value in request.items() if key not in moved or key in ("model", "messages")}
    extra = _shuffled({key: request[key] for key in moved}, rng)
    assert body(_shuffled(kept, rng), extra) == expected
