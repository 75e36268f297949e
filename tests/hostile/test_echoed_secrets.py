"""Issue 10 item 6: a server that echoes the key back never gets it printed, stored or handed to a hook.

The mock server echoes the request's own `Authorization` header (so a callable key is covered too) into the
places an error can carry it: the body of any error status, an OpenRouter error's message and metadata,
response headers, an unparseable 200 body, a stream's error event or malformed event. The key must be absent
from `str`/`repr` of the error and of the result, every attribute (`.body`, `.metadata`, `.headers`...),
tracebacks, `res.raw`, DEBUG logs, what `on_error` hooks see, a batch's resume file and the CLI's error line.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import AsyncChatStream, ChatStream, Err, Hooks, Ok, OpenRouterCore, errors
from openrouter_core.testing import (
    MockServer,
    RecordedRequest,
    Reply,
    error_reply,
    sse_event,
    sse_events_reply,
)
from openrouter_funcs import chat_send, chat_send_async, chat_send_many, chat_send_many_async
from openrouter_funcs._cli import main as cli_main

from ._support import KEY, NO_RETRY, PATIENT, REQUEST, STREAM_REQUEST, make_core

Echo = Callable[[str, str], Reply]


def _plain_500(auth: str, token: str) -> Reply:
    return Reply(status=500, body=f"upstream said: {auth}".encode(), content_type="text/plain")


def _json_error(auth: str, token: str) -> Reply:
    metadata = {"raw": {"headers": {"authorization": auth}}, "seen": [token, {"again": token}]}
    return error_reply(401, f"invalid key {token}", metadata=metadata, headers={"X-Echo": auth})


def _header_only(auth: str, token: str) -> Reply:
    return error_reply(400, "nope", headers={"X-Echo-Authorization": auth})


def _bad_200(auth: str, token: str) -> Reply:
    return Reply(status=200, body=f'{{"id": "{token}", "choices": '.encode())


def _stream_error_event(auth: str, token: str) -> Reply:
    event = {"error": {"code": 502, "message": f"provider saw {auth}", "metadata": {"key": token}}}
    return sse_events_reply([sse_event(event)])


def _stream_bad_event(auth: str, token: str) -> Reply:
    return sse_events_reply([f"data: {{{token}\n\n".encode()])


ECHOES: dict[str, Echo] = {
    "plain_500": _plain_500,
    "json_error": _json_error,
    "header_only": _header_only,
    "bad_200": _bad_200,
    "stream_error_event": _stream_error_event,
    "stream_bad_event": _stream_bad_event,
}
STREAMED = {"stream_error_event", "stream_bad_event"}
KEYS: dict[str, Callable[[], Any]] = {
    "str": lambda: KEY,
    "callable": lambda: lambda: KEY,
    "bearer_str": lambda: f"Bearer {KEY}",
}


def echo_with(echo: Echo) -> Callable[[RecordedRequest], Reply]:
    def handler(request: RecordedRequest) -> Reply:
        auth = request.headers.get("authorization", "")
        return echo(auth, auth.removeprefix("Bearer "))

    return handler


@pytest.fixture
def server(mock: MockServer) -> Iterator[MockServer]:
    mock.reset()
    yield mock
    mock.reset()


def texts_of(error: BaseException) -> list[str]:
    """Everything a user can print from an error: str, repr, traceback, attributes, args, raised or not."""
    texts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    texts += [repr(vars(error)), repr(error.args)]
    try:
        raise error
    except BaseException as raised:
        texts.append("".join(traceback.format_exception(raised)))
    return texts


def texts_of_result(res: Any, stream: ChatStream | AsyncChatStream | None) -> list[str]:
    texts = [repr(res), str(res), repr(res.raw), repr(getattr(res.raw, "headers", None))]
    if isinstance(res, Err):
        texts += texts_of(res.error)
    if stream is not None:
        texts.append(repr(stream))
        assert stream.error is not None, "the echoing stream must fail"
        texts += texts_of(stream.error)
    return texts


def hooks_recording(seen: list[str]) -> Hooks:
    return Hooks(on_error=[lambda error: seen.extend(texts_of(error))])


def assert_no_key(texts: list[str]) -> None:
    leaks = [text for text in texts if KEY in text]
    assert not leaks, leaks[0][:500]


@pytest.mark.parametrize("key_kind", sorted(KEYS))
@pytest.mark.parametrize("echo", sorted(ECHOES))
def test_sync_echo_never_surfaces(
    server: MockServer, echo: str, key_kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="openrouter")  # httpcore's own trace logs are not ours to edit
    server.set_handler(echo_with(ECHOES[echo]))
    seen: list[str] = []
    stream = None
    with make_core(server.base_url, api_key=KEYS[key_kind](), hooks=hooks_recording(seen), **PATIENT) as core:
        res = chat_send(core, STREAM_REQUEST if echo in STREAMED else REQUEST)
        if isinstance(res, Ok):
            assert isinstance(res.value, ChatStream), res
            stream = res.value
            list(stream)
        else:
            assert seen, "the on_error hook must have run"
    assert server.requests[0].headers["authorization"].endswith(KEY), "the key itself is still sent"
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("openrouter")]
    assert any("response status" in line for line in logged), "responses were logged"
    assert_no_key(texts_of_result(res, stream) + seen + logged)


@pytest.mark.parametrize("key_kind", sorted(KEYS))
@pytest.mark.parametrize("echo", sorted(ECHOES))
def test_async_echo_never_surfaces(server: MockServer, echo: str, key_kind: str) -> None:
    server.set_handler(echo_with(ECHOES[echo]))
    seen: list[str] = []

    async def run() -> tuple[Any, AsyncChatStream | None]:
        options = {"api_key": KEYS[key_kind](), "hooks": hooks_recording(seen), **PATIENT}
        async with make_core(server.base_url, **options) as core:
            res = await chat_send_async(core, STREAM_REQUEST if echo in STREAMED else REQUEST)
            if isinstance(res, Ok):
                assert isinstance(res.value, AsyncChatStream), res
                async for _ in res.value:
                    pass
                return res, res.value
            return res, None

    res, stream = asyncio.run(run())
    assert stream is not None or seen, "the on_error hook must have run"
    assert_no_key(texts_of_result(res, stream) + seen)


def test_a_hook_quoting_the_key_has_its_text_scrubbed_and_its_cause_dropped(server: MockServer) -> None:
    def before(request: Any) -> None:
        raise RuntimeError(f"refusing {request.headers['authorization']}")

    with make_core(server.base_url, hooks=Hooks(before_request=[before])) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err) and isinstance(res.error, errors.UnexpectedClientError), res
    assert "<redacted>" in str(res.error)
    assert_no_key(texts_of(res.error))


@pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
def test_batch_resume_file_holds_no_echoed_key(server: MockServer, tmp_path: Path, run_async: bool) -> None:
    server.set_handler(echo_with(_json_error))
    resume = tmp_path / "results.jsonl"
    requests = [REQUEST] * 3

    async def run() -> list[Any]:
        async with make_core(server.base_url, api_key=lambda: KEY, **PATIENT) as core:
            return await chat_send_many_async(core, requests, resume=resume, progress=False)

    if run_async:
        results = asyncio.run(run())
    else:
        with make_core(server.base_url, api_key=lambda: KEY, **PATIENT) as core:
            results = chat_send_many(core, requests, resume=resume, progress=False)
    assert all(isinstance(res, Err) for res in results), results
    text = resume.read_text()
    assert "<redacted>" in text and KEY not in text, text[:500]
    assert_no_key([text for res in results for text in texts_of_result(res, None)])


def test_cli_error_line_holds_no_echoed_key(
    server: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server.set_handler(echo_with(_plain_500))
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    monkeypatch.setattr("sys.stdin", None)
    status = cli_main(["--base-url", server.base_url, "--no-stream", "hi"])
    err = capsys.readouterr().err
    assert status == 1 and "upstream said" in err, err
    assert KEY not in err, err


def test_a_core_with_a_short_key_still_works(server: MockServer) -> None:
    """Keys too short to be real are not cut out of text (that would garble it); they still authenticate."""
    server.set_handler(echo_with(_plain_500))
    with OpenRouterCore(api_key="abc", server_url=server.base_url, retry_config=NO_RETRY) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Err) and "Bearer abc" in str(res.error)
