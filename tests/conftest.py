"""Shared fixtures: cores wired to `httpx.MockTransport`, with a fake clock and sleep."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from openrouter_core import OpenRouterCore, RetryConfig

Handler = Callable[[httpx.Request], httpx.Response]

USER_HELLO: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hello"}]}


def pytest_configure(config: pytest.Config) -> None:
    """Children the tests interrupt get SIGINT as from a terminal, however pytest itself was started.

    A non-interactive shell starts a background job (`make test &`) with SIGINT ignored. Children inherit an
    ignored signal, and Python then installs no KeyboardInterrupt handler, so every test that stops a child
    with SIGINT would wait for it in vain.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def chat_body(content: str = "hi", **extra: Any) -> dict[str, Any]:
    """A realistic non-streaming OpenRouter response body."""
    body: dict[str, Any] = {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "provider": "P",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.5},
    }
    body.update(extra)
    return body


def sse(*events: dict[str, Any] | str, done: bool = True) -> bytes:
    """An SSE body: dict events as JSON data, str events verbatim (comments, raw lines)."""
    parts = [e if isinstance(e, str) else f"data: {json.dumps(e)}\n\n" for e in events]
    if done:
        parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    """One stream chunk with a content delta."""
    delta: dict[str, Any] = {} if content is None else {"content": content}
    body: dict[str, Any] = {
        "id": "gen-s",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    body.update(extra)
    return body


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_core(fake_time: FakeTime) -> Iterator[Callable[..., OpenRouterCore]]:
    """Build cores whose sync and async clients answer with `handler`."""
    cores: list[OpenRouterCore] = []

    def make(handler: Handler, **kwargs: Any) -> OpenRouterCore:
        transport = httpx.MockTransport(handler)
        kwargs.setdefault("api_key", "sk-or-test-secret")
        kwargs.setdefault("retry_config", RetryConfig(strategy="none"))
        core = OpenRouterCore(
            server_url=kwargs.pop("server_url", "https://openrouter.test/api/v1"),
            client=httpx.Client(transport=transport),
            async_client=httpx.AsyncClient(transport=transport),
            clock=fake_time.clock,
            sleep=fake_time.sleep,
            async_sleep=fake_time.async_sleep,
            **kwargs,
        )
        cores.append(core)
        return core

    yield make
    for core in cores:
        assert core._client is not None
        core._client.close()
