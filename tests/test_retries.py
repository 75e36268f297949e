"""Retries: which failures are retried, the exact backoff for a seed, Retry-After, caps and budgets."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from conftest import USER_HELLO, FakeTime, chat_body

from openrouter_core import BackoffStrategy, Err, Ok, OpenRouterCore, RetryConfig, errors
from openrouter_core._retries import RetryPlan, parse_retry_after
from openrouter_funcs import chat_send

MakeCore = Callable[..., OpenRouterCore]
BACKOFF = RetryConfig(
    backoff=BackoffStrategy(
        initial_interval=500, max_interval=30_000, exponent=2.0, max_elapsed_time=120_000
    ),
    max_attempts=4,
)


class Tracked(httpx.SyncByteStream):
    """A body that records whether it was closed."""

    def __init__(self, content: bytes, log: list[Tracked]) -> None:
        self.content = content
        self.closed = False
        log.append(self)

    def __iter__(self) -> Iterator[bytes]:
        yield self.content

    def close(self) -> None:
        self.closed = True


def scripted(
    *answers: int | Exception, headers: dict[str, str] | None = None
) -> tuple[Callable[[httpx.Request], httpx.Response], list[Tracked]]:
    bodies: list[Tracked] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if answer == 200:
            content = httpx.Response(200, json=chat_body()).content
        else:
            content = httpx.Response(answer, json={"error": {"code": answer, "message": "x"}}).content
        return httpx.Response(
            answer,
            headers={"content-type": "application/json", **(headers or {})},
            stream=Tracked(content, bodies),
        )

    return handler, bodies


def test_backoff_delays_are_exact_for_a_seed(fake_time: FakeTime) -> None:
    plan = RetryPlan(BACKOFF, fake_time.clock, random.Random(7))
    error = errors.APIConnectionError("down")
    delays = [plan.delay_after(error) for _ in range(4)]
    expected_rng = random.Random(7)
    expected = [
        expected_rng.uniform(0, 0.5),
        expected_rng.uniform(0, 1.0),
        expected_rng.uniform(0, 2.0),
        None,
    ]
    assert delays == expected
    assert plan.attempts == 4


def test_backoff_is_capped_by_max_interval(fake_time: FakeTime) -> None:
    config = RetryConfig(
        backoff=BackoffStrategy(
            initial_interval=1000, max_interval=1500, exponent=10.0, max_elapsed_time=10**9
        ),
        max_attempts=10,
    )
    plan = RetryPlan(config, fake_time.clock, random.Random(1))
    delays = [plan.delay_after(errors.APIConnectionError("x")) for _ in range(9)]
    assert all(d is not None and 0 <= d <= 1.5 for d in delays)


def test_elapsed_budget_stops_retries(fake_time: FakeTime) -> None:
    config = RetryConfig(
        backoff=BackoffStrategy(
            initial_interval=500, max_interval=30_000, exponent=2.0, max_elapsed_time=5_000
        ),
        max_attempts=100,
    )
    plan = RetryPlan(config, fake_time.clock, random.Random(1))
    fake_time.now += 4.9
    limited = errors.TooManyRequestsResponseError("x", status_code=429, headers={"retry-after": "1"})
    assert plan.delay_after(limited) is None


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    date = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now.timestamp) == pytest.approx(30.0)
    past = format_datetime(now - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=now.timestamp) == 0.0
    for bad in ("soon", "-1", "nan", ""):
        assert parse_retry_after({"retry-after": bad}) is None
    assert parse_retry_after({}) is None


def test_server_errors_are_retried_then_succeed(make_core: MakeCore, fake_time: FakeTime) -> None:
    handler, bodies = scripted(500, 502, 200)
    core = make_core(handler, retry_config=BACKOFF, rng=random.Random(3))
    res = chat_send(core, USER_HELLO)
    assert isinstance(res, Ok)
    assert len(bodies) == 3
    assert all(b.closed for b in bodies), "every discarded response must be closed"
    rng = random.Random(3)
    assert fake_time.sleeps == [rng.uniform(0, 0.5), rng.uniform(0, 1.0)]


def test_retry_after_is_honoured_and_capped(make_core: MakeCore, fake_time: FakeTime) -> None:
    handler, _ = scripted(429, 429, 200, headers={"retry-after": "2"})
    assert chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO).ok
    assert fake_time.sleeps == [2.0, 2.0]
    capped = RetryConfig(backoff=BackoffStrategy(max_interval=200))
    handler, _ = scripted(503, 200, headers={"retry-after": "60"})
    fake_time.sleeps.clear()
    assert chat_send(make_core(handler, retry_config=capped), USER_HELLO).ok
    assert fake_time.sleeps == [0.2]


def test_retry_after_ms_wins(make_core: MakeCore, fake_time: FakeTime) -> None:
    handler, _ = scripted(429, 200, headers={"retry-after-ms": "150", "retry-after": "5"})
    assert chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO).ok
    assert fake_time.sleeps == [0.15]


def test_attempt_cap_returns_the_last_error(make_core: MakeCore, fake_time: FakeTime) -> None:
    handler, bodies = scripted(500, 500, 500, 500, 200)
    res = chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.InternalServerResponseError)
    assert len(bodies) == 4 and len(fake_time.sleeps) == 3
    assert all(b.closed for b in bodies)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422])
def test_client_errors_are_not_retried(make_core: MakeCore, fake_time: FakeTime, status: int) -> None:
    handler, bodies = scripted(status, 200)
    res = chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO)
    assert isinstance(res, Err) and res.error.status_code == status  # type: ignore[union-attr]
    assert len(bodies) == 1 and fake_time.sleeps == []


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 524, 529])
def test_default_retried_statuses(make_core: MakeCore, status: int) -> None:
    handler, bodies = scripted(status, 200)
    assert chat_send(make_core(handler, retry_config=RetryConfig()), USER_HELLO).ok
    assert len(bodies) == 2


def test_connection_errors_are_retried_unless_disabled(make_core: MakeCore, fake_time: FakeTime) -> None:
    handler, _ = scripted(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 200)
    assert chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO).ok
    assert len(fake_time.sleeps) == 2
    no_conn = RetryConfig(retry_connection_errors=False)
    handler, _ = scripted(httpx.ConnectError("refused"), 200)
    res = chat_send(make_core(handler, retry_config=no_conn), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)


def test_strategy_none_and_per_call_override(make_core: MakeCore) -> None:
    handler, bodies = scripted(500, 200)
    core = make_core(handler, retry_config=RetryConfig())
    res = chat_send(core, USER_HELLO, retries=RetryConfig(strategy="none"))
    assert isinstance(res, Err) and len(bodies) == 1


def test_200_error_body_with_a_retryable_code_is_retried(make_core: MakeCore, fake_time: FakeTime) -> None:
    answers = [
        httpx.Response(200, json={"error": {"code": 429, "message": "Rate limited upstream"}}),
        httpx.Response(200, json=chat_body()),
    ]
    core = make_core(lambda r: answers.pop(0), retry_config=BACKOFF)
    assert chat_send(core, USER_HELLO).ok
    assert len(fake_time.sleeps) == 1


def test_stream_is_not_retried_once_its_body_started(make_core: MakeCore) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            content=b'data: {"error": {"code": 502, "message": "x"}}\n\n',
        )

    res = chat_send(make_core(handler, retry_config=RetryConfig()), {**USER_HELLO, "stream": True})
    assert isinstance(res, Ok)
    stream = res.value
    assert list(stream) == []  # type: ignore[call-overload]
    assert isinstance(stream.error, errors.BadGatewayResponseError)  # type: ignore[union-attr]
    assert len(calls) == 1


def test_every_retry_is_one_info_line_on_the_openrouter_logger(
    make_core: MakeCore, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="openrouter")
    handler, _ = scripted(429, httpx.ConnectError("refused"), 503, 200, headers={"retry-after": "2"})
    assert chat_send(make_core(handler, retry_config=BACKOFF), USER_HELLO).ok
    lines = [r for r in caplog.records if r.name == "openrouter" and r.levelno == logging.INFO]
    assert [r.getMessage().split(";")[0] for r in lines] == [
        "retrying in 2.0 s (429, attempt 2/4)",
        f"retrying in {fake_time.sleeps[1]:.1f} s (APIConnectionError, attempt 3/4)",
        "retrying in 2.0 s (503, attempt 4/4)",
    ]
    assert lines[0].getMessage().endswith("the wait comes from the Retry-After header")
    assert "the backoff (random in [0, 1] s)" in lines[1].getMessage()
    notice = lines[2].openrouter_retry
    assert (notice.attempt, notice.max_attempts, notice.delay, notice.reason) == (4, 4, 2.0, "503")
