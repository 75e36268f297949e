"""chat_send over httpx.MockTransport: request building, every row of the error table, never raising."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import USER_HELLO, chat_body

from openrouter_core import ChatStream, Err, Ok, OpenRouterCore, errors, models
from openrouter_funcs import chat_send

MakeCore = Callable[..., OpenRouterCore]


def recording(
    response: httpx.Response | Callable[[httpx.Request], httpx.Response],
) -> tuple[Any, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return response(request) if callable(response) else response

    return handler, seen


def test_ok_response_decodes_into_chat_response(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body("Hello!")))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Ok)
    assert isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "Hello!"
    assert res.value.usage is not None and res.value.usage.cost == 0.5
    assert res.value.provider == "P"
    assert len(seen) == 1
    assert seen[0].url == "https://openrouter.test/api/v1/chat/completions"
    assert json.loads(seen[0].content) == USER_HELLO


def test_struct_request_is_sent_with_none_as_not_set(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    request = models.ChatGenerationParams(
        model="m", messages=[models.ChatUserMessage(content="hi")], temperature=None, max_tokens=5
    )
    assert chat_send(make_core(handler), request).ok
    assert json.loads(seen[0].content) == {
        "model": "m",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 5,
    }


def test_headers_sent(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    core = make_core(
        handler, http_referer="https://app.example", app_title="My App", app_categories=["cli-agent", "x"]
    )
    assert chat_send(core, USER_HELLO).ok
    headers = seen[0].headers
    assert headers["authorization"] == "Bearer sk-or-test-secret"
    assert headers["http-referer"] == "https://app.example"
    assert headers["x-openrouter-title"] == "My App"
    assert headers["x-title"] == "My App"
    assert headers["x-openrouter-categories"] == "cli-agent,x"
    assert headers["accept"] == "application/json"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("openrouter-funcs/")


def test_streaming_request_accepts_event_stream(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), {**USER_HELLO, "stream": True})
    # The value follows the request, as chat_send's overloads type it: JSON back is replayed as a stream.
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
    assert res.value.collect().unwrap().choices[0].message.content == "hi"
    assert seen[0].headers["accept"] == "text/event-stream"


def test_per_call_headers_override_case_insensitively(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    core = make_core(handler, default_headers={"x-team": "a", "user-agent": "mine/1"})
    assert chat_send(core, USER_HELLO, headers={"AUTHORIZATION": "Bearer other", "X-Team": "b"}).ok
    raw = seen[0].headers.raw
    names = [name.lower() for name, _ in raw]
    assert names.count(b"authorization") == 1
    assert names.count(b"x-team") == 1
    assert seen[0].headers["authorization"] == "Bearer other"
    assert seen[0].headers["x-team"] == "b"
    assert seen[0].headers["user-agent"] == "mine/1"


def test_no_key_means_no_authorization_header(make_core: MakeCore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    core = make_core(handler, api_key=None)
    assert chat_send(core, USER_HELLO).ok
    assert "authorization" not in seen[0].headers


def test_key_from_env_callable_and_bearer_prefix(
    make_core: MakeCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-env")
    assert chat_send(make_core(handler, api_key=None), USER_HELLO).ok
    assert chat_send(make_core(handler, api_key=lambda: "sk-fn"), USER_HELLO).ok
    assert chat_send(make_core(handler, api_key="Bearer sk-pre"), USER_HELLO).ok
    assert [r.headers["authorization"] for r in seen] == ["Bearer sk-env", "Bearer sk-fn", "Bearer sk-pre"]


def test_failing_key_callable_is_an_err(make_core: MakeCore) -> None:
    def broken() -> str:
        raise RuntimeError("vault down")

    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler, api_key=broken), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError)
    assert isinstance(res.error.__cause__, RuntimeError)
    assert seen == []


def test_server_url_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/v1/")
    assert OpenRouterCore().chat_url == "http://127.0.0.1:9/v1/chat/completions"
    monkeypatch.delenv("OPENROUTER_BASE_URL")
    assert OpenRouterCore().chat_url == "https://openrouter.ai/api/v1/chat/completions"


@pytest.mark.parametrize("url", ["not a url", "ftp://host/x", "http://"])
def test_unusable_server_url_is_invalid_request(make_core: MakeCore, url: str) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler, server_url=url), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.InvalidRequestError)
    assert seen == []


@pytest.mark.parametrize(
    ("request_body", "path"),
    [
        ({"model": "m", "messages": [{"role": "user", "content": 5}]}, "$.messages[0].content"),
        ({"model": "m", "messages": [{"role": "user", "content": "x"}], "bogus": 1}, "$.bogus"),
        ({"model": "m"}, "$.messages"),
        ({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}, "$.messages[0].role"),
        ({"model": 3, "messages": []}, "$.model"),
    ],
)
def test_invalid_request_is_sdk_validation_error_naming_the_path(
    make_core: MakeCore, request_body: dict[str, Any], path: str
) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), request_body)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == path
    assert seen == []


def test_request_of_the_wrong_type_is_sdk_validation_error(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), ["not", "a", "request"])  # type: ignore[arg-type]
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert seen == []


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\0"])
def test_header_values_with_crlf_are_refused(make_core: MakeCore, value: str) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), USER_HELLO, headers={"X-Note": value})
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    core = make_core(handler, app_title=value)
    res = chat_send(core, USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert seen == []


def test_extra_body_merges_raw_fields(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(
        make_core(handler), USER_HELLO, extra_body={"brand_new_field": {"a": 1}, "model": "other"}
    )
    assert res.ok
    assert json.loads(seen[0].content) == {**USER_HELLO, "model": "other", "brand_new_field": {"a": 1}}


def test_an_unknown_option_is_sdk_validation_error_and_nothing_is_sent(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    options: dict[str, Any] = {"retrys": None, "timeout_ms": 5_000}  # a misspelt `retries`
    res = chat_send(make_core(handler), USER_HELLO, **options)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == "retrys" and "unknown option 'retrys'" in str(res.error)
    assert seen == []


def test_unencodable_extra_body_is_sdk_validation_error(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), USER_HELLO, extra_body={"x": object()})
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert seen == []


STATUSES = [400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 524, 529]


@pytest.mark.parametrize("status", STATUSES)
def test_each_documented_status_gives_its_chat_error(make_core: MakeCore, status: int) -> None:
    body = {
        "error": {
            "code": status,
            "message": f"failed {status}",
            "metadata": {"provider_name": "P", "raw": "x"},
        },
        "openrouter_metadata": {"pipeline": []},
        "user_id": "user-1",
    }
    handler, _ = recording(httpx.Response(status, json=body, headers={"x-request-id": "r1"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err)
    error = res.error
    assert type(error) is errors.chat_error_class(status)
    assert isinstance(error, errors.ChatError)
    assert error.status_code == status
    assert error.code == status
    assert error.message == f"failed {status}"
    assert error.metadata == {"provider_name": "P", "raw": "x"}
    assert error.openrouter_metadata == {"pipeline": []}
    assert error.user_id == "user-1"
    assert error.headers["x-request-id"] == "r1"
    assert json.loads(error.body) == body


def test_error_code_may_be_a_string_or_missing(make_core: MakeCore) -> None:
    handler, _ = recording(
        httpx.Response(502, json={"error": {"code": "server_error", "message": "upstream"}})
    )
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.BadGatewayResponseError)
    assert res.error.code == "server_error"
    handler, _ = recording(httpx.Response(503, json={"error": {"message": "no provider"}}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.ServiceUnavailableResponseError)
    assert res.error.code is None


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (429, errors.TooManyRequestsResponseError),
        ("429", errors.TooManyRequestsResponseError),
        (418, errors.ChatError),
        ("weird", errors.ChatError),
    ],
)
def test_200_with_only_an_error_body_is_a_chat_error_by_code(
    make_core: MakeCore, code: int | str, cls: type[errors.ChatError]
) -> None:
    handler, _ = recording(
        httpx.Response(200, json={"error": {"code": code, "message": "Rate limit exceeded"}})
    )
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err)
    assert type(res.error) is cls
    assert res.error.status_code == 200
    assert res.error.message == "Rate limit exceeded"


def test_other_error_status_is_default_error(make_core: MakeCore) -> None:
    handler, _ = recording(httpx.Response(418, text="teapot", headers={"content-type": "text/plain"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.OpenRouterDefaultError
    assert str(res.error) == "API error occurred: Status 418 Content-Type text/plain. Body: teapot"
    assert res.error.content_type == "text/plain"


def test_documented_status_with_html_body_is_default_error(make_core: MakeCore) -> None:
    handler, _ = recording(
        httpx.Response(502, text="<html>bad gateway</html>", headers={"content-type": "text/html"})
    )
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.OpenRouterDefaultError
    assert res.error.status_code == 502
    assert res.error.body == "<html>bad gateway</html>"


def test_error_json_without_error_key_is_default_error(make_core: MakeCore) -> None:
    handler, _ = recording(httpx.Response(500, json={"detail": "boom"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.OpenRouterDefaultError


def test_redirect_status_is_unexpected_status(make_core: MakeCore) -> None:
    handler, _ = recording(httpx.Response(302, headers={"location": "https://elsewhere"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.OpenRouterDefaultError
    assert res.error.message == "Unexpected Status or Content-Type"


@pytest.mark.parametrize(
    "content",
    [
        b'{"id": "x", "choices": [',
        b"not json at all {",
        b'{"choices": "nope"}',
        b'{"choices": [{"message": 3}]}',
        b"",
    ],
)
def test_undecodable_200_is_response_validation_error(make_core: MakeCore, content: bytes) -> None:
    handler, _ = recording(httpx.Response(200, content=content, headers={"content-type": "application/json"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.ResponseValidationError
    assert res.error.status_code == 200
    assert res.error.body == content.decode()


def test_200_html_is_unexpected_content_type(make_core: MakeCore) -> None:
    handler, _ = recording(
        httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"})
    )
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and type(res.error) is errors.OpenRouterDefaultError
    assert res.error.message == "Unexpected Status or Content-Type"


def test_keepalive_padding_before_json_decodes(make_core: MakeCore) -> None:
    padded = b"\n\n   \n" + json.dumps(chat_body("padded")).encode()
    handler, _ = recording(httpx.Response(200, content=padded, headers={"content-type": "application/json"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "padded"


def test_lenient_real_traffic_body(make_core: MakeCore) -> None:
    body = {
        "id": "gen-2",
        "model": "mistralai/x",
        "choices": [
            {
                "message": {"role": "assistant", "content": "ok", "brand_new": 1},
                "finish_reason": "some_new_reason",
                "native_finish_reason": "eos",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "extra_properties": {}},
        "unknown_top_level": [1, 2],
    }
    handler, _ = recording(httpx.Response(200, json=body))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].finish_reason == "some_new_reason"
    assert res.value.system_fingerprint is None


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (httpx.ConnectError("refused"), errors.APIConnectionError),
        (httpx.ReadError("reset"), errors.APIConnectionError),
        (httpx.RemoteProtocolError("incomplete chunked read"), errors.APIConnectionError),
        (httpx.ConnectTimeout("slow connect"), errors.RequestTimeoutError),
        (httpx.ReadTimeout("slow read"), errors.RequestTimeoutError),
        (httpx.PoolTimeout("pool"), errors.RequestTimeoutError),
        (httpx.UnsupportedProtocol("gopher"), errors.InvalidRequestError),
        (RuntimeError("bug in a transport"), errors.UnexpectedClientError),
        (ZeroDivisionError(), errors.UnexpectedClientError),
    ],
)
def test_transport_failures_are_typed_errs(make_core: MakeCore, exc: Exception, cls: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err)
    assert type(res.error) is cls
    assert res.error.__cause__ is exc


def test_timeout_error_names_the_deadline(make_core: MakeCore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow")

    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.error.deadline == "connect"


def test_body_larger_than_the_cap_is_an_err(make_core: MakeCore) -> None:
    handler, _ = recording(httpx.Response(200, json=chat_body("x" * 5000)))
    res = chat_send(make_core(handler, max_response_bytes=1000), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.ResponseTooLargeError)


def test_the_key_never_appears_in_repr_errors_or_logs(
    make_core: MakeCore, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-or-test-secret"
    handler, _ = recording(
        httpx.Response(401, json={"error": {"code": 401, "message": "No auth credentials"}})
    )
    core = make_core(handler)
    with caplog.at_level(logging.DEBUG, logger="openrouter"):
        res = chat_send(core, USER_HELLO)
    assert isinstance(res, Err)
    assert caplog.records, "debug logging should have recorded the request"
    assert "<redacted>" in caplog.text
    for text in (repr(core), str(core), repr(res), str(res.error), caplog.text):
        assert secret not in text


def test_user_client_is_not_closed_but_own_client_is() -> None:
    user_client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=chat_body())))
    core = OpenRouterCore(api_key="k", client=user_client)
    assert chat_send(core, USER_HELLO).ok
    core.close()
    assert not user_client.is_closed
    user_client.close()
    with OpenRouterCore(api_key="k") as own:
        client = own.client
        assert own.client is client
    assert client.is_closed


def test_core_pickles_without_its_clients() -> None:
    import pickle

    core = OpenRouterCore(api_key="k", server_url="http://127.0.0.1:1/v1", app_title="T")
    _ = core.client
    copy = pickle.loads(pickle.dumps(core))
    assert copy.chat_url == core.chat_url
    assert copy.base_headers == core.base_headers
    assert copy._client is None
    core.close()


def test_openrouter_debug_env_logs_redacted_requests_to_stderr() -> None:
    import subprocess
    import sys

    code = (
        "import httpx\n"
        "from openrouter_core import OpenRouterCore\n"
        "from openrouter_funcs import chat_send\n"
        "t = httpx.MockTransport(lambda r: httpx.Response(200, json={'choices': []}))\n"
        "core = OpenRouterCore(api_key='sk-or-very-secret', client=httpx.Client(transport=t))\n"
        "print(chat_send(core, {'messages': [{'role': 'user', 'content': 'x'}]}).ok)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OPENROUTER_DEBUG": "1"},
    )
    assert run.stdout.strip() == "True"
    assert "POST https://openrouter.ai/api/v1/chat/completions attempt=1" in run.stderr
    assert "'Authorization': '<redacted>'" in run.stderr
    assert "sk-or-very-secret" not in run.stderr


def test_absurdly_nested_bodies_never_raise(make_core: MakeCore) -> None:
    # Whether msgspec reaches Python's recursion limit here depends on the Python version (3.11 does, 3.13
    # skips the unknown field whole): either way the outcome is a value, never a RecursionError.
    deep = b'{"choices": [], "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    handler, _ = recording(httpx.Response(200, content=deep, headers={"content-type": "application/json"}))
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Ok) or isinstance(res.error, errors.ResponseValidationError)
    error_body = b'{"error": {"code": 503, "message": "x", "metadata": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    handler, _ = recording(
        httpx.Response(503, content=error_body, headers={"content-type": "application/json"})
    )
    res = chat_send(make_core(handler), USER_HELLO)
    assert isinstance(res, Err)
    assert type(res.error) in (errors.OpenRouterDefaultError, errors.ServiceUnavailableResponseError)
    assert res.raw is not None and res.raw.status_code == 503


@pytest.mark.parametrize("key", ["sk-or-secret-value ", "sk-or-secret-valué", "sk-or-secret-value\t"])
def test_a_malformed_key_is_refused_without_being_quoted(make_core: MakeCore, key: str) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler, api_key=key), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert "secret" not in str(res.error) and "secret" not in repr(res.error)
    assert seen == []


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"headers": {"X-Count": 1}}, "headers.X-Count"),
        ({"headers": {"Bad Name": "x"}}, "headers"),
        ({"extra_body": "not a mapping"}, "extra_body"),
        ({"timeout_ms": "5"}, "timeout_ms"),
        ({"timeout_ms": -1}, "timeout_ms"),
    ],
)
def test_malformed_options_are_sdk_validation_errors(
    make_core: MakeCore, options: dict[str, Any], path: str
) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler), USER_HELLO, **options)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == path
    assert seen == []


def test_a_key_callable_returning_bytes_is_refused(make_core: MakeCore) -> None:
    handler, seen = recording(httpx.Response(200, json=chat_body()))
    res = chat_send(make_core(handler, api_key=lambda: b"sk-bytes"), USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == "api_key"
    assert seen == []
