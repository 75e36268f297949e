"""Issue 10 items 5, 10 and 11: hostile server URLs and framing headers are refused before anything is sent.

Item 5: a user name and password in the server URL used to become Basic auth replacing the Bearer key, and the
password showed in `repr(core)`, `res.raw.url`, DEBUG logs and error text. It is refused
(`InvalidRequestError`, nothing sent) and shown nowhere.
Item 10: a port outside 1-65535 used to wrap (103639 became 38103); a query or fragment ended up in front of
the appended path. Both are refused.
Item 11: per-call or default headers that frame or route the request (`Host`, `Content-Length`,
`Transfer-Encoding`, `Connection`, `Upgrade`...) used to be sent as given; they are `SDKValidationError`.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from typing import Any

import pytest

from openrouter_core import Err, OpenRouterCore, errors
from openrouter_core.testing import MockServer
from openrouter_funcs import chat_send, chat_send_async, models_list
from openrouter_funcs._cli import main as cli_main

from ._support import KEY, PATIENT, REQUEST, make_core

PASSWORD = "hunter2-PASSWORD-5b1e"


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def with_userinfo(base_url: str, userinfo: str = f"alice:{PASSWORD}") -> str:
    return base_url.replace("http://", f"http://{userinfo}@", 1)


def send_both(core_options: dict[str, Any], **call: Any) -> list[Any]:
    """The result of the same call made sync and async, each with a fresh core."""
    with make_core(**{**PATIENT, **core_options}) as core:
        sync = chat_send(core, REQUEST, **call)

    async def run() -> Any:
        async with make_core(**{**PATIENT, **core_options}) as core:
            return await chat_send_async(core, REQUEST, **call)

    return [sync, asyncio.run(run())]


@pytest.mark.parametrize("userinfo", [f"alice:{PASSWORD}", PASSWORD, f"{PASSWORD}:"])
def test_userinfo_in_the_server_url_is_refused_and_never_shown(
    server: MockServer, userinfo: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = with_userinfo(server.base_url, userinfo)
    seen: list[str] = []
    for res in send_both({"url": url}):
        assert isinstance(res, Err) and isinstance(res.error, errors.InvalidRequestError), res
        seen += [repr(res), str(res.error), repr(res.raw), "".join(traceback.format_exception(res.error))]
    with make_core(url) as core:
        seen += [repr(core), str(core), core.server_url, core.chat_url]
        listed = models_list(core)
        assert isinstance(listed, Err) and isinstance(listed.error, errors.InvalidRequestError), listed
        seen.append(str(listed.error))
    seen += [record.getMessage() for record in caplog.records]
    assert server.requests == [], "nothing may be sent"
    leaks = [text for text in seen if PASSWORD in text]
    assert not leaks, leaks[0]


def test_userinfo_from_the_environment_is_refused(
    server: MockServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", with_userinfo(server.base_url))
    with OpenRouterCore(api_key=KEY) as core:
        res = chat_send(core, REQUEST)
        assert PASSWORD not in repr(core)
    assert isinstance(res, Err) and isinstance(res.error, errors.InvalidRequestError), res
    assert PASSWORD not in str(res.error)
    assert server.requests == []


def test_cli_refuses_userinfo_with_a_usage_error(
    server: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setattr("sys.stdin", None)
    status = cli_main(["--base-url", with_userinfo(server.base_url), "hi"])
    err = capsys.readouterr().err
    assert status == 2 and "user name or password" in err, err
    assert PASSWORD not in err and KEY not in err
    assert server.requests == []


@pytest.mark.parametrize("port", ["0", "65536", "103639", "99999999999"])
def test_a_port_outside_the_tcp_range_is_refused(server: MockServer, port: str) -> None:
    url = f"http://127.0.0.1:{port}/api/v1"
    for res in send_both({"url": url}):
        assert isinstance(res, Err) and isinstance(res.error, errors.InvalidRequestError), res
        assert "port" in str(res.error)


@pytest.mark.parametrize("tail", ["?x=1", "?", "#frag", "/?x=1", "?x=1#f"])
def test_a_query_or_fragment_in_the_server_url_is_refused(server: MockServer, tail: str) -> None:
    for res in send_both({"url": server.base_url + tail}):
        assert isinstance(res, Err) and isinstance(res.error, errors.InvalidRequestError), res
    assert server.requests == [], "nothing may be sent"


def test_a_plain_server_url_still_works(server: MockServer) -> None:
    for res in send_both({"url": server.base_url + "/"}):
        assert res.ok, res
    assert [request.path for request in server.requests] == ["/api/v1/chat/completions"] * 2


FRAMING = [
    ("Host", "evil.example"),
    ("host", "evil.example"),
    ("Content-Length", "0"),
    ("Transfer-Encoding", "chunked"),
    ("TRANSFER-ENCODING", "chunked"),
    ("Connection", "close"),
    ("Upgrade", "h2c"),
    ("Keep-Alive", "timeout=5"),
    ("TE", "trailers"),
    ("Trailer", "X-Sig"),
    ("Expect", "100-continue"),
    ("Proxy-Connection", "keep-alive"),
    ("HTTP2-Settings", "AAMAAABkAAQAAP__"),
]


@pytest.mark.parametrize(("name", "value"), FRAMING)
def test_framing_headers_per_call_are_refused(server: MockServer, name: str, value: str) -> None:
    for res in send_both({"url": server.base_url}, headers={name: value}):
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
        assert res.error.path == f"headers.{name}"
    assert server.requests == [], "nothing may be sent"


@pytest.mark.parametrize(("name", "value"), FRAMING)
def test_framing_headers_on_the_core_are_refused(server: MockServer, name: str, value: str) -> None:
    for res in send_both({"url": server.base_url, "default_headers": {name: value}}):
        assert isinstance(res, Err) and isinstance(res.error, errors.SDKValidationError), res
    assert server.requests == [], "nothing may be sent"


def test_ordinary_headers_still_pass(server: MockServer) -> None:
    for res in send_both({"url": server.base_url}, headers={"X-Tag": "a", "Accept-Language": "fr"}):
        assert res.ok, res
    assert all(request.headers["x-tag"] == "a" for request in server.requests)
