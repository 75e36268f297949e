"""Prism (npm @stoplight/prism-cli) serving the official OpenRouter spec: requests, errors, responses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from strategies import requests, to_json

from openrouter_core import ChatStream, Err, Hooks, Ok, OpenRouterCore, RetryConfig, errors, models
from openrouter_funcs import chat_send, chat_send_async

SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "out.openapi.yaml"
HELLO: dict[str, Any] = {"model": "openai/gpt-4", "messages": [{"role": "user", "content": "hello"}]}

# Written out rather than derived from the SDK's own table, so a wrong mapping there cannot agree with itself.
ERROR_CLASSES: dict[int, type[errors.ChatError]] = {
    400: errors.BadRequestResponseError,
    401: errors.UnauthorizedResponseError,
    402: errors.PaymentRequiredResponseError,
    403: errors.ForbiddenResponseError,
    404: errors.NotFoundResponseError,
    408: errors.RequestTimeoutResponseError,
    413: errors.PayloadTooLargeResponseError,
    422: errors.UnprocessableEntityResponseError,
    429: errors.TooManyRequestsResponseError,
    500: errors.InternalServerResponseError,
    502: errors.BadGatewayResponseError,
    503: errors.ServiceUnavailableResponseError,
    524: errors.EdgeNetworkTimeoutResponseError,
    529: errors.ProviderOverloadedResponseError,
}


def _chat_responses() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC.open("rb") as f:
        spec = yaml.load(f, Loader=loader)
    responses: dict[str, Any] = spec["paths"]["/chat/completions"]["post"]["responses"]
    return responses


CHAT_RESPONSES = _chat_responses()
DOCUMENTED_ERRORS = sorted(int(code) for code in CHAT_RESPONSES if int(code) >= 400)


def _error_examples() -> list[tuple[int, str | None, dict[str, Any]]]:
    """(status, example name or None, example body) for every documented error response of chat."""
    cases: list[tuple[int, str | None, dict[str, Any]]] = []
    for status in DOCUMENTED_ERRORS:
        content = CHAT_RESPONSES[str(status)]["content"]["application/json"]
        if "example" in content:
            cases.append((status, None, content["example"]))
        for name, example in content.get("examples", {}).items():
            cases.append((status, name, example["value"]))
    return cases


class Recorder:
    """Hooks that keep the last request body and response headers the SDK exchanged."""

    def __init__(self) -> None:
        self.body = b""
        self.headers: httpx.Headers = httpx.Headers()
        self.hooks = Hooks(before_request=[self.before], after_response=[self.after])

    def before(self, request: httpx.Request) -> None:
        self.body = request.content

    def after(self, response: httpx.Response) -> None:
        self.headers = response.headers

    def violations(self) -> list[dict[str, Any]]:
        raw = self.headers.get("sl-violations")
        return [] if raw is None else list(json.loads(raw))


@pytest.fixture(scope="module")
def recorded(prism_url: str) -> Iterator[tuple[OpenRouterCore, Recorder]]:
    """A core on the static Prism whose exchanges are recorded."""
    recorder = Recorder()
    core = OpenRouterCore(
        server_url=prism_url,
        api_key="sk-or-prism",
        retry_config=RetryConfig(strategy="none"),
        hooks=recorder.hooks,
    )
    yield core, recorder
    core.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests)
def test_every_generated_request_passes_spec_validation(
    recorded: tuple[OpenRouterCore, Recorder], request: models.ChatGenerationParams
) -> None:
    core, recorder = recorded
    res = chat_send(core, request)
    sent = recorder.body.decode()
    assert json.loads(sent) == json.loads(to_json(request)), "the SDK changed the request on the way"
    assert recorder.violations() == [], f"Prism rejected what the SDK sent:\n{sent}"
    assert isinstance(res, Ok), f"{res.error!r} for {sent}"
    assert isinstance(res.value, models.ChatResponse)


def test_a_spec_violation_is_reported(recorded: tuple[OpenRouterCore, Recorder]) -> None:
    """The canary for the test above: a wrongly typed field is caught, and named, by Prism."""
    core, recorder = recorded
    res = chat_send(core, HELLO, extra_body={"temperature": "hot"})
    assert isinstance(res, Err)
    assert isinstance(res.error, errors.UnprocessableEntityResponseError)
    assert res.error.code == 422
    assert [v["location"] for v in recorder.violations()] == [["request", "body", "temperature"]]


NULLABLE_IN_THE_SPEC: dict[str, dict[str, Any]] = {
    "stream_options": {**HELLO, "stream_options": None},
    "prediction": {**HELLO, "prediction": None},
    "prompt_cache_options": {**HELLO, "prompt_cache_options": None},
    "prompt_cache_breakpoint": {
        **HELLO,
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi", "prompt_cache_breakpoint": None}]}
        ],
    },
    "user_location": {**HELLO, "plugins": [{"id": "web", "user_location": None}]},
}


@pytest.mark.parametrize("request_body", NULLABLE_IN_THE_SPEC.values(), ids=list(NULLABLE_IN_THE_SPEC))
def test_spec_nullable_fields_accept_null(
    recorded: tuple[OpenRouterCore, Recorder], request_body: dict[str, Any]
) -> None:
    """The spec types these fields `[object, "null"]`: a null must be sent, not refused by the SDK."""
    core, recorder = recorded
    res = chat_send(core, request_body)
    assert isinstance(res, Ok), res
    assert recorder.violations() == []


def test_the_example_response_decodes_exactly(
    make_core: Callable[..., OpenRouterCore], prism_url: str
) -> None:
    res = chat_send(make_core(prism_url), HELLO)
    assert isinstance(res, Ok)
    response = res.value
    assert isinstance(response, models.ChatResponse)
    example = CHAT_RESPONSES["200"]["content"]["application/json"]["example"]
    assert response.id == example["id"]
    assert response.model == example["model"]
    assert response.created == example["created"]
    assert response.system_fingerprint == example["system_fingerprint"]
    assert response.choices[0].message.content == example["choices"][0]["message"]["content"]
    assert response.choices[0].finish_reason == "stop"
    assert response.usage is not None
    assert (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens) == (
        example["usage"]["prompt_tokens"],
        example["usage"]["completion_tokens"],
        example["usage"]["total_tokens"],
    )


def test_the_error_table_covers_every_documented_status() -> None:
    assert sorted(ERROR_CLASSES) == DOCUMENTED_ERRORS


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("status", "example", "body"), _error_examples(), ids=lambda v: v if isinstance(v, (int, str)) else ""
)
def test_every_documented_error_status_maps_to_its_class(
    make_core: Callable[..., OpenRouterCore],
    prism_url: str,
    status: int,
    example: str | None,
    body: dict[str, Any],
    stream: bool,
) -> None:
    headers = {"Prefer": f"code={status}" + (f", example={example}" if example else "")}
    if stream:
        # The spec documents errors as JSON only, and Prism negotiates strictly: with the SDK's plain
        # `Accept: text/event-stream` it answers 500 "cannot serialise" instead of the error.
        headers["Accept"] = "text/event-stream, application/json"
    res = chat_send(make_core(prism_url), {**HELLO, "stream": stream}, headers=headers)
    assert isinstance(res, Err), res
    error = res.error
    assert type(error) is ERROR_CLASSES[status]
    assert isinstance(error, errors.ChatError)
    assert error.status_code == status
    assert error.code == body["error"]["code"]
    assert error.message == body["error"]["message"]
    assert error.metadata == body["error"].get("metadata")
    assert error.openrouter_metadata == body.get("openrouter_metadata")


def test_a_missing_key_is_unauthorized(
    make_core: Callable[..., OpenRouterCore], prism_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    res = chat_send(make_core(prism_url, api_key=None), HELLO)
    assert isinstance(res, Err)
    assert isinstance(res.error, errors.UnauthorizedResponseError)
    assert (res.error.code, res.error.message) == (401, "Missing Authentication header")


def test_a_stream_request_prism_cannot_mock_is_a_typed_error(
    make_core: Callable[..., OpenRouterCore], prism_url: str
) -> None:
    """Prism has no SSE mock: its 500 (not an OpenRouter error body) must still come back as a value."""
    res = chat_send(make_core(prism_url), {**HELLO, "stream": True})
    assert isinstance(res, Err), res
    assert isinstance(res.error, errors.OpenRouterError)
    assert res.error.status_code == 500  # type: ignore[attr-defined]


DYNAMIC_SYNC = 200
DYNAMIC_ASYNC = 100


def test_random_schema_valid_responses_all_decode(
    make_core: Callable[..., OpenRouterCore],
    prism_dynamic_url: str,
    recorded: tuple[OpenRouterCore, Recorder],
) -> None:
    """Hundreds of random spec-valid bodies decode to Ok; each assistant message, sent back, is spec-valid."""
    core = make_core(prism_dynamic_url)
    static_core, recorder = recorded
    failures: list[str] = []
    for i in range(DYNAMIC_SYNC):
        res = chat_send(core, HELLO)
        if not isinstance(res, Ok):
            failures.append(f"#{i}: {res.error!r} body={getattr(res.error, 'body', '')[:2000]}")
            continue
        response = res.value
        assert isinstance(response, models.ChatResponse)
        for choice in response.choices[:1]:
            history = [models.ChatUserMessage(content="hello"), choice.message]
            echoed = chat_send(static_core, models.ChatGenerationParams(model="m", messages=history))
            if recorder.violations():
                failures.append(
                    f"#{i}: the decoded message, sent back, violates the spec: {recorder.violations()}\n"
                    f"sent: {recorder.body.decode()[:2000]}"
                )
            elif not echoed.ok:
                failures.append(f"#{i}: sending the decoded message back failed: {echoed.error!r}")
    assert failures == [], f"{len(failures)} of {DYNAMIC_SYNC} failed:\n" + "\n".join(failures[:10])


def test_random_schema_valid_responses_all_decode_async(
    make_core: Callable[..., OpenRouterCore], prism_dynamic_url: str
) -> None:
    async def run() -> list[str]:
        failures: list[str] = []
        limit = asyncio.Semaphore(4)
        async with make_core(prism_dynamic_url) as core:

            async def one(i: int) -> None:
                async with limit:
                    res = await chat_send_async(core, HELLO)
                if not isinstance(res, Ok) or isinstance(res.value, ChatStream):
                    failures.append(f"#{i}: {res!r}")

            await asyncio.gather(*(one(i) for i in range(DYNAMIC_ASYNC)))
        return failures

    failures = asyncio.run(run())
    assert failures == [], f"{len(failures)} of {DYNAMIC_ASYNC} failed:\n" + "\n".join(failures[:10])
