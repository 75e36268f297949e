"""Item 7: the key never escapes; CR/LF header values are refused; TLS verification is on by default;
an oversized body gives `Err`, not an out-of-memory; a key sent over plain http to a remote host warns."""

from __future__ import annotations

import logging
import ssl
import traceback
import tracemalloc

import pytest

from openrouter_core import ChatStream, Err, Ok, OpenRouterCore, errors
from openrouter_core._aiohttp_transport import AiohttpTransport
from openrouter_core._config import DEFAULT_MAX_RESPONSE_BYTES
from openrouter_core.testing import (
    MockServer,
    cut_at,
    error_reply,
    huge_reply,
    stall_before_headers,
    stream_reply,
    text_reply,
)
from openrouter_funcs import OpenRouter, chat_send

from ._support import KEY, REQUEST, STREAM_REQUEST, make_core


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def test_key_absent_from_objects_errors_logs_and_tracebacks(
    server: MockServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx's and httpcore's
    seen: list[str] = []
    with make_core(server.base_url, timeout_ms=300) as core:
        seen += [repr(core), str(core)]
        replies = [
            text_reply("ok"),
            error_reply(401, "bad key"),
            error_reply(429, "slow", headers={"Retry-After": "1"}),
            cut_at(text_reply("x" * 50), 10),
            stall_before_headers(text_reply("late"), 1.0),
        ]
        for reply in replies:
            server.enqueue(reply)
            res = chat_send(core, REQUEST)
            seen += [repr(res), str(res), repr(getattr(res, "raw", None))]
            if isinstance(res, Err):
                seen += [str(res.error), repr(res.error), "".join(traceback.format_exception(res.error))]
                try:
                    res.unwrap()
                except errors.OpenRouterError as exc:
                    seen.append("".join(traceback.format_exception(exc)))
        server.enqueue(cut_at(stream_reply("abcdef", chunk_size=1), 500))
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
        list(res.value)
        seen += [repr(res.value), repr(res.value.error), str(res.value.error)]
    with OpenRouter(api_key=KEY, server_url=server.base_url) as client:
        seen += [repr(client), str(client)]
        server.enqueue(error_reply(403, "no"))
        try:
            client.chat.send(REQUEST)
        except errors.OpenRouterError as exc:
            seen.append("".join(traceback.format_exception(exc)))
    seen += [record.getMessage() for record in caplog.records]
    assert any("Authorization" in line or "authorization" in line for line in seen), "headers were logged"
    leaks = [text for text in seen if KEY in text]
    assert not leaks, leaks[0][:400]


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb"])
def test_header_values_with_cr_lf_are_refused(server: MockServer, value: str) -> None:
    with make_core(server.base_url) as core:
        res = chat_send(core, REQUEST, headers={"X-Tag": value})
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    with make_core(server.base_url, default_headers={"X-Tag": value}) as core:
        res = chat_send(core, REQUEST)
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    with make_core(server.base_url, app_title=value) as core:
        res = chat_send(core, REQUEST)
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError)
    assert server.requests == [], "nothing may be sent"


@pytest.mark.parametrize("value", ["\r\nX-Injected: 1", "\n", "\r"])
def test_api_key_with_cr_lf_is_refused_without_leaking(server: MockServer, value: str) -> None:
    key = f"{KEY}{value}"
    with make_core(server.base_url, api_key=key) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
    assert KEY not in str(res.error) and KEY not in repr(res)
    assert server.requests == [], "nothing may be sent"


def test_tls_verification_is_on_by_default() -> None:
    with OpenRouterCore(api_key=KEY) as core:
        pool = core.client._transport._pool  # type: ignore[attr-defined]
        context: ssl.SSLContext = pool._ssl_context
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


async def test_tls_verification_is_on_by_default_async() -> None:
    async with OpenRouterCore(api_key=KEY) as core:
        transport = core.async_client._transport  # type: ignore[attr-defined]
        assert isinstance(transport, AiohttpTransport)
        context = transport.ssl_context
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_default_cap_is_64_mib_and_a_larger_body_is_an_err(server: MockServer) -> None:
    assert DEFAULT_MAX_RESPONSE_BYTES == 64 * 1024 * 1024
    size = DEFAULT_MAX_RESPONSE_BYTES + 1
    with OpenRouterCore(api_key=KEY, server_url=server.base_url, timeout_ms=60_000) as core:
        server.enqueue(huge_reply(size, declare_length=True))
        res = chat_send(core, REQUEST)
        assert isinstance(res, Err) and isinstance(res.error, errors.ResponseTooLargeError)
        tracemalloc.start()
        try:
            server.enqueue(huge_reply(size + 1024 * 1024, piece=256 * 1024))  # chunked: size unknown up front
            res = chat_send(core, REQUEST)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert isinstance(res, Err) and isinstance(res.error, errors.ResponseTooLargeError)
    assert peak < 2 * DEFAULT_MAX_RESPONSE_BYTES, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("http://api.example.com/v1", True),
        ("http://10.1.2.3:8080/v1", True),
        ("http://127.0.0.1:9/v1", False),
        ("http://localhost:9/v1", False),
        ("http://[::1]:9/v1", False),
        ("https://api.example.com/v1", False),
    ],
)
def test_plain_http_to_a_remote_host_warns(url: str, warns: bool, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="openrouter")
    OpenRouterCore(api_key=KEY, server_url=url).close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("openrouter")]
    assert bool(warnings) is warns, [r.getMessage() for r in warnings]
    assert all(KEY not in r.getMessage() for r in warnings)
