"""`res.raw` on every result, and the core's hooks: once per attempt, able to modify, never raising."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from conftest import USER_HELLO, FakeTime, chat_body, chunk, sse

from openrouter_core import ChatStream, Err, Hooks, Ok, OpenRouterCore, RetryConfig, errors
from openrouter_funcs import chat_send, chat_send_async

MakeCore = Callable[..., OpenRouterCore]


def test_ok_carries_status_headers_url_timing_and_attempts(make_core: MakeCore, fake_time: FakeTime) -> None:
    answers = [
        httpx.Response(503, json={"error": {"code": 503, "message": "busy"}}),
        httpx.Response(
            200, json=chat_body(), headers={"x-generation-id": "gen-42", "x-ratelimit-remaining": "9"}
        ),
    ]
    res = chat_send(make_core(lambda r: answers.pop(0), retry_config=RetryConfig()), USER_HELLO)
    assert isinstance(res, Ok)
    assert res.value.choices[0].message.content == "hi"  # type: ignore[union-attr]
    raw = res.raw
    assert raw is not None
    assert raw.status_code == 200
    assert raw.generation_id == "gen-42"
    assert raw.rate_limit == {"x-ratelimit-remaining": "9"}
    assert raw.url == "https://openrouter.test/api/v1/chat/completions"
    assert raw.attempts == 2
    assert raw.elapsed_ms == pytest.approx(fake_time.sleeps[0] * 1000)


def test_err_carries_raw_when_a_response_arrived(make_core: MakeCore) -> None:
    res = chat_send(
        make_core(lambda r: httpx.Response(401, json={"error": {"code": 401, "message": "no"}})), USER_HELLO
    )
    assert isinstance(res, Err)
    assert res.raw is not None and res.raw.status_code == 401

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    res = chat_send(make_core(refuse), USER_HELLO)
    assert isinstance(res, Err) and res.raw is None


def test_stream_result_carries_raw(make_core: MakeCore) -> None:
    body = sse(chunk("a", finish="stop"))
    core = make_core(
        lambda r: httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream", "x-generation-id": "g"}
        )
    )
    res = chat_send(core, {**USER_HELLO, "stream": True})
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
    assert res.raw is not None and res.raw.generation_id == "g"
    res.value.close()


def test_hooks_run_once_per_attempt_and_can_modify_the_request(make_core: MakeCore) -> None:
    seen: list[str] = []
    statuses: list[int] = []
    failures: list[errors.OpenRouterError] = []

    def tag(request: httpx.Request) -> None:
        request.headers["x-attempt-tag"] = "tagged"

    def replace(request: httpx.Request) -> httpx.Request:
        return httpx.Request(
            request.method,
            request.url,
            headers={**request.headers, "x-replaced": "1"},
            content=request.content,
        )

    answers = [
        httpx.Response(500, json={"error": {"code": 500, "message": "boom"}}),
        httpx.Response(200, json=chat_body()),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.headers.get('x-attempt-tag')}/{request.headers.get('x-replaced')}")
        return answers.pop(0)

    hooks = Hooks(
        before_request=[tag, replace],
        after_response=[lambda response: statuses.append(response.status_code)],
        on_error=[failures.append],
    )
    res = chat_send(make_core(handler, hooks=hooks, retry_config=RetryConfig()), USER_HELLO)
    assert res.ok
    assert seen == ["tagged/1", "tagged/1"]
    assert statuses == [500, 200]
    assert [type(f) for f in failures] == [errors.InternalServerResponseError]


@pytest.mark.parametrize("where", ["before_request", "after_response", "on_error"])
def test_a_failing_hook_is_an_unexpected_client_error(make_core: MakeCore, where: str) -> None:
    def broken(_: object) -> None:
        raise RuntimeError("hook bug")

    hooks = Hooks(**{where: [broken]})
    status = 500 if where == "on_error" else 200
    core = make_core(
        lambda r: httpx.Response(
            status, json=chat_body() if status == 200 else {"error": {"code": 500, "message": "x"}}
        ),
        hooks=hooks,
    )
    res = chat_send(core, USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError)
    assert isinstance(res.error.__cause__, RuntimeError)
    assert where in str(res.error)


async def test_hooks_and_raw_on_the_async_path(make_core: MakeCore) -> None:
    statuses: list[int] = []
    core = make_core(
        lambda r: httpx.Response(200, json=chat_body(), headers={"x-generation-id": "ga"}),
        hooks=Hooks(after_response=[lambda response: statuses.append(response.status_code)]),
    )
    res = await chat_send_async(core, USER_HELLO)
    assert isinstance(res, Ok) and res.raw is not None and res.raw.generation_id == "ga"
    assert statuses == [200]
