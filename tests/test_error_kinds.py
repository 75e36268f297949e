"""Typed error kinds and the retry decisions that read them, against the embedded server."""

from __future__ import annotations

import pickle
from collections.abc import Iterator

import pytest
from conftest import FakeTime

from openrouter_core import BackoffStrategy, OpenRouterCore, RetryConfig, errors
from openrouter_core.testing import MockServer, Reply, error_chunk_stream_reply, error_reply, text_reply
from openrouter_funcs import chat_send, chat_send_many

HELLO = {"model": "m/x", "messages": [{"role": "user", "content": "hi"}]}
Core = tuple[OpenRouterCore, list[float]]
FAST = RetryConfig(backoff=BackoffStrategy(initial_interval=1, max_interval=40, max_elapsed_time=10_000))


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[Core]:
    fake = FakeTime()  # sleeps are recorded, and move the core's clock instead of waiting
    with OpenRouterCore(
        api_key="sk-test", server_url=server.base_url, retry_config=FAST, clock=fake.clock, sleep=fake.sleep
    ) as made:
        yield made, fake.sleeps


def test_error_type_and_availability_are_typed_and_in_the_text(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(
            503,
            "No endpoint can serve this",
            error_type="provider_unavailable",
            availability={
                "code": "capacity_exhausted",
                "retryable": False,
                "retry_after": 7,
                "fallback_models": ["b/y", 3],
                "future_field": {"x": 1},
            },
        )
    )
    res = chat_send(core[0], HELLO)
    assert not res.ok
    error = res.error
    assert isinstance(error, errors.ServiceUnavailableResponseError)
    assert error.error_type == "provider_unavailable"
    assert error.availability == errors.Availability(
        code="capacity_exhausted",
        retryable=False,
        retry_after=7.0,
        fallback_models=("b/y",),
        raw={
            "code": "capacity_exhausted",
            "retryable": False,
            "retry_after": 7,
            "fallback_models": ["b/y", 3],
            "future_field": {"x": 1},
        },
    )
    text = str(error)
    assert "provider_unavailable" in text
    assert "capacity_exhausted, not retryable, retry after 7 s, fallbacks b/y" in text
    again = pickle.loads(pickle.dumps(error))
    assert (again.error_type, again.availability) == (error.error_type, error.availability)


def test_availability_of_the_wrong_shape_is_dropped_not_fatal(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(400, "bad", availability={"code": 5, "retryable": "no", "retry_after": "soon"})
    )
    server.enqueue(Reply(status=400, body=b'{"error": {"code": 400, "message": "bad", "availability": [1]}}'))
    first = chat_send(core[0], HELLO)
    assert isinstance(first.error, errors.ChatError)
    assert first.error.availability == errors.Availability(
        raw={"code": 5, "retryable": "no", "retry_after": "soon"}
    )
    assert first.error.error_type is None
    second = chat_send(core[0], HELLO)
    assert isinstance(second.error, errors.ChatError)
    assert second.error.availability is None
    assert str(second.error) == "400: bad"


def test_a_mid_stream_error_carries_its_kind(server: MockServer, core: Core) -> None:
    server.enqueue(error_chunk_stream_reply())
    res = chat_send(core[0], {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        whole = stream.collect()
    assert not whole.ok
    assert isinstance(whole.error, errors.ChatError)


@pytest.mark.parametrize(
    "error_type",
    ["context_length_exceeded", "payment_required", "content_policy_violation", "refusal", "invalid_request"],
)
@pytest.mark.parametrize("status", [429, 503])
def test_final_error_types_are_never_retried(
    server: MockServer, core: Core, status: int, error_type: str
) -> None:
    server.enqueue(error_reply(status, "no", error_type=error_type), text_reply("unreached"))
    res = chat_send(core[0], HELLO)
    assert not res.ok
    assert res.error.error_type == error_type  # type: ignore[union-attr]
    assert len(server.requests) == 1
    assert core[1] == []


def test_availability_retryable_false_is_never_retried(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(503, "gone", availability={"code": "free_variant_ended", "retryable": False}),
        text_reply("unreached"),
    )
    res = chat_send(core[0], HELLO)
    assert not res.ok
    assert len(server.requests) == 1


def test_retry_waits_the_availability_hint_capped(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(529, "busy", error_type="provider_overloaded", availability={"retry_after": 0.025}),
        error_reply(503, "busy", error_type="provider_overloaded", availability={"retry_after": 99}),
        error_reply(503, "busy", metadata={"retry_after_ms": 12}, headers={"Retry-After": "30"}),
        text_reply("ok"),
    )
    res = chat_send(core[0], HELLO)
    assert res.ok
    # 25 ms as asked; 99 s capped at max_interval (40 ms); the body's 12 ms before the header's 30 s.
    assert core[1] == [0.025, 0.04, 0.012]
    assert res.raw is not None and res.raw.attempts == 4


def test_rate_limit_type_still_retries_on_the_header(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(429, "slow down", error_type="rate_limit_exceeded", headers={"Retry-After": "0.02"}),
        text_reply("ok"),
    )
    res = chat_send(core[0], HELLO)
    assert res.ok
    assert core[1] == [0.02]


def test_batch_back_off_reads_the_same_hints(server: MockServer, core: Core) -> None:
    server.enqueue(
        error_reply(429, "wait", error_type="rate_limit_exceeded", availability={"retry_after": 0.03}),
        error_reply(429, "no money", error_type="payment_required"),
    )
    results = chat_send_many(core[0], [HELLO], concurrency=1, progress=False)
    assert len(server.requests) == 2
    assert core[1] == [pytest.approx(0.03)]
    assert isinstance(results[0].error, errors.TooManyRequestsResponseError)  # type: ignore[union-attr]
    assert results[0].error.error_type == "payment_required"  # type: ignore[union-attr]


def test_a_key_echoed_in_availability_is_cut_out(server: MockServer) -> None:
    key = "sk-or-v1-echoed-secret-key"
    echoed = {"code": f"bad key {key}", "retryable": False, "fallback_models": [key]}
    server.enqueue(error_reply(401, "no", error_type="authentication", availability=echoed))
    with OpenRouterCore(api_key=key, server_url=server.base_url) as core:
        res = chat_send(core, HELLO)
    assert isinstance(res.error, errors.ChatError) and res.error.availability is not None
    assert key not in str(res.error) and key not in repr(res.error.availability)
    assert res.error.availability.retryable is False
