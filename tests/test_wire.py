"""chat_send against a real loopback HTTP server: TCP splits, drops, stalls, deadlines and keep-alive."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest
from conftest import USER_HELLO, chunk, sse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrouter_core import (
    AsyncChatStream,
    BackoffStrategy,
    ChatStream,
    Err,
    Ok,
    OpenRouterCore,
    RetryConfig,
    errors,
    models,
)
from openrouter_core.testing import Close, Delay, MockServer, Reply, error_reply, stream_reply, text_reply
from openrouter_funcs import chat_send, chat_send_async

STREAM = {**USER_HELLO, "stream": True}
NO_RETRY = RetryConfig(strategy="none")
FAST_RETRY = RetryConfig(
    backoff=BackoffStrategy(initial_interval=5, max_interval=20, exponent=1.0, max_elapsed_time=5_000)
)


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    server.reset()
    with OpenRouterCore(api_key="sk-wire", server_url=server.base_url, retry_config=NO_RETRY) as made:
        yield made


def stream_of(res: object) -> ChatStream:
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream), res
    return res.value


def test_text_reply_over_the_wire(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply("Hello over TCP", usage=(3, 4)))
    res = chat_send(core, USER_HELLO)
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "Hello over TCP"
    assert res.value.usage is not None and res.value.usage.total_tokens == 7
    recorded = server.requests[-1]
    assert recorded.path == "/api/v1/chat/completions"
    assert recorded.headers["authorization"] == "Bearer sk-wire"
    assert recorded.json() == USER_HELLO


def test_stream_reply_over_the_wire(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        stream_reply(
            "Streaming works fine", chunk_size=4, reasoning="thinking", tool_calls=[("f", '{"a": 1}')]
        )
    )
    stream = stream_of(chat_send(core, STREAM))
    res = stream.collect()
    assert isinstance(res, Ok), res
    message = res.value.choices[0].message
    assert message.content == "Streaming works fine"
    assert message.reasoning == "thinking"
    assert isinstance(message.tool_calls, list) and json.loads(message.tool_calls[0].function.arguments) == {
        "a": 1
    }
    assert res.value.usage is not None and res.value.usage.total_tokens > 0
    assert stream.error is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=30))
def test_any_tcp_split_of_a_stream_gives_the_same_reply(
    server: MockServer, core: OpenRouterCore, cuts: list[int]
) -> None:
    raw = sse(": OPENROUTER PROCESSING\n\n", chunk("one "), chunk("two "), chunk("three", finish="stop"))
    pieces: list[bytes | Delay | Close] = []
    position = 0
    for cut in cuts:
        if position >= len(raw):
            break
        pieces.append(raw[position : position + cut])
        position += cut
    if position < len(raw):
        pieces.append(raw[position:])
    server.enqueue(Reply(chunks=pieces, content_type="text/event-stream"))
    res = stream_of(chat_send(core, STREAM)).collect()
    assert isinstance(res, Ok) and res.value.choices[0].message.content == "one two three"


def test_dropped_connection_mid_stream_keeps_what_arrived(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        Reply(chunks=[sse(chunk("partial"), done=False), Close()], content_type="text/event-stream")
    )
    stream = stream_of(chat_send(core, STREAM))
    assert [c.choices[0].delta.content for c in stream] == ["partial"]
    assert isinstance(stream.error, errors.APIConnectionError)


def test_reset_mid_body_is_a_connection_error(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(Reply(chunks=[b'{"choices": [', Close(reset=True)]))
    res = chat_send(core, USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)


def test_refused_connection(core: OpenRouterCore) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with OpenRouterCore(
        api_key="k", server_url=f"http://127.0.0.1:{port}/v1", retry_config=NO_RETRY
    ) as refused:
        res = chat_send(refused, USER_HELLO)
    assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError)


def test_stall_before_headers_hits_the_deadline(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(Reply(body=b"{}", delay_before_headers=2.0))
    started = time.monotonic()
    res = chat_send(core, USER_HELLO, timeout_ms=300)
    elapsed = time.monotonic() - started
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert elapsed < 1.5


def test_slow_body_hits_the_deadline(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(Reply(chunks=[b'{"choices": ', Delay(2.0), b"[]}"]))
    res = chat_send(core, USER_HELLO, timeout_ms=300)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)


def test_idle_stream_is_cut_by_the_idle_timeout(server: MockServer) -> None:
    server.reset()
    server.enqueue(
        Reply(
            chunks=[sse(chunk("a"), done=False), Delay(2.0), sse(chunk("b", finish="stop"))],
            content_type="text/event-stream",
        )
    )
    with OpenRouterCore(
        api_key="k", server_url=server.base_url, retry_config=NO_RETRY, idle_timeout_ms=300
    ) as core:
        stream = stream_of(chat_send(core, STREAM))
        assert [c.choices[0].delta.content for c in stream] == ["a"]
    assert isinstance(stream.error, errors.RequestTimeoutError)


def test_a_steady_stream_outlives_timeout_ms(server: MockServer, core: OpenRouterCore) -> None:
    pieces: list[bytes | Delay | Close] = []
    for i in range(8):
        pieces += [sse(chunk(str(i)), done=False), Delay(0.06)]
    pieces.append(sse(chunk(finish="stop")))
    server.enqueue(Reply(chunks=pieces, content_type="text/event-stream"))
    stream = stream_of(chat_send(core, STREAM, timeout_ms=200))
    res = stream.collect()
    assert isinstance(res, Ok), res
    assert res.value.choices[0].message.content == "01234567"


def test_retry_over_the_wire(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(error_reply(503, "busy", headers={"Retry-After": "0"}), text_reply("after retry"))
    res = chat_send(core, USER_HELLO, retries=FAST_RETRY)
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "after retry"
    assert len(server.requests) == 2


def test_keep_alive_reuses_one_connection(server: MockServer, core: OpenRouterCore) -> None:
    before = server.connections_opened
    for _ in range(5):
        assert chat_send(core, USER_HELLO).ok
    assert server.connections_opened - before == 1


def test_default_echo_reply(server: MockServer, core: OpenRouterCore) -> None:
    res = chat_send(core, {"model": "x/y", "messages": [{"role": "user", "content": "ping"}]})
    assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
    assert res.value.choices[0].message.content == "You said: ping"


async def test_async_over_the_wire(server: MockServer) -> None:
    server.reset()
    server.enqueue(text_reply("async hello"), stream_reply("async stream", chunk_size=5))
    async with OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as core:
        res = await chat_send_async(core, USER_HELLO)
        assert isinstance(res, Ok) and isinstance(res.value, models.ChatResponse)
        assert res.value.choices[0].message.content == "async hello"
        streamed = await chat_send_async(core, STREAM)
        assert isinstance(streamed, Ok) and isinstance(streamed.value, AsyncChatStream)
        collected = await streamed.value.collect()
        assert isinstance(collected, Ok) and collected.value.choices[0].message.content == "async stream"


async def test_async_idle_and_drop(server: MockServer) -> None:
    server.reset()
    server.enqueue(
        Reply(chunks=[sse(chunk("a"), done=False), Delay(2.0)], content_type="text/event-stream"),
        Reply(chunks=[sse(chunk("b"), done=False), Close(reset=True)], content_type="text/event-stream"),
    )
    async with OpenRouterCore(
        api_key="k", server_url=server.base_url, retry_config=NO_RETRY, idle_timeout_ms=300
    ) as core:
        for expected, cls in (("a", errors.RequestTimeoutError), ("b", errors.APIConnectionError)):
            res = await chat_send_async(core, STREAM)
            assert isinstance(res, Ok) and isinstance(res.value, AsyncChatStream)
            stream = res.value
            assert [c.choices[0].delta.content async for c in stream] == [expected]
            assert isinstance(stream.error, cls)


def drip(seconds: float, every: float) -> Reply:
    """A JSON body that arrives one byte per `every` seconds, for `seconds` in all."""
    pieces: list[bytes | Delay | Close] = [b"{"]
    for _ in range(int(seconds / every)):
        pieces += [Delay(every), b" "]
    pieces.append(b'"choices": []}')
    return Reply(chunks=pieces)


def test_a_dripping_server_cannot_stretch_the_deadline(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(drip(3.0, 0.1))
    started = time.monotonic()
    res = chat_send(core, USER_HELLO, timeout_ms=500)
    elapsed = time.monotonic() - started
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.error.deadline == "total"
    assert elapsed < 0.5 + 0.1  # the deadline's tolerance: +10% or +50 ms, with room for a loaded machine


async def test_a_dripping_server_cannot_stretch_the_async_deadline(server: MockServer) -> None:
    server.reset()
    server.enqueue(drip(3.0, 0.1))
    async with OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as core:
        started = time.monotonic()
        res = await chat_send_async(core, USER_HELLO, timeout_ms=500)
        elapsed = time.monotonic() - started
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.error.deadline == "total"
    assert elapsed < 0.5 + 0.1


def test_closing_a_stream_from_another_thread_aborts_the_blocked_read(
    server: MockServer, core: OpenRouterCore
) -> None:
    import threading

    server.enqueue(
        Reply(
            chunks=[sse(chunk("a"), done=False), Delay(5.0), sse(chunk("b"))],
            content_type="text/event-stream",
        )
    )
    stream = stream_of(chat_send(core, STREAM))
    chunks = iter(stream)
    assert next(chunks).choices[0].delta.content == "a"
    threading.Timer(0.2, stream.close).start()
    started = time.monotonic()
    assert list(chunks) == []
    assert time.monotonic() - started < 2.0
    assert isinstance(stream.error, errors.RequestAbortedError)


async def test_an_async_timeout_after_the_headers_keeps_raw(server: MockServer) -> None:
    server.reset()
    server.enqueue(
        Reply(chunks=[b'{"choices": ', Delay(2.0), b"[]}"], headers={"x-generation-id": "gen-slow"})
    )
    async with OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as core:
        res = await chat_send_async(core, USER_HELLO, timeout_ms=300)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.raw is not None and res.raw.generation_id == "gen-slow"


def test_a_sync_timeout_after_the_headers_keeps_raw(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(
        Reply(chunks=[b'{"choices": ', Delay(2.0), b"[]}"], headers={"x-generation-id": "gen-slow"})
    )
    res = chat_send(core, USER_HELLO, timeout_ms=300)
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.raw is not None and res.raw.generation_id == "gen-slow"


def test_a_server_dripping_its_headers_cannot_stretch_the_sync_deadline() -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    stop = threading.Event()

    def drip_headers() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                if stop.wait(0.05):
                    return
                connection.sendall(bytes([byte]))

    dripper = threading.Thread(target=drip_headers, daemon=True)
    dripper.start()
    try:
        with OpenRouterCore(
            api_key="k", server_url=f"http://127.0.0.1:{port}/v1", retry_config=NO_RETRY
        ) as core:
            started = time.monotonic()
            res = chat_send(core, USER_HELLO, timeout_ms=400)
            elapsed = time.monotonic() - started
    finally:
        stop.set()
        dripper.join()
        listener.close()
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.error.deadline == "total"
    assert elapsed < 0.4 + 0.1


def test_a_users_client_is_guarded_by_the_watchdog(server: MockServer) -> None:
    import httpx

    server.reset()
    server.enqueue(drip(3.0, 0.1))
    with httpx.Client() as own:
        core = OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=NO_RETRY, client=own)
        assert not core.exact_deadlines
        started = time.monotonic()
        res = chat_send(core, USER_HELLO, timeout_ms=500)
        elapsed = time.monotonic() - started
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestTimeoutError)
    assert res.error.deadline == "total"
    assert elapsed < 0.5 + 0.1


def test_connection_and_timeout_errors_name_the_request_without_credentials() -> None:
    from openrouter_core._log import redact_url
    from openrouter_core.testing import refused_url, stall_before_headers

    url = refused_url()
    with OpenRouterCore(api_key="k", server_url=url, retry_config=NO_RETRY) as core:
        error = chat_send(core, USER_HELLO).error
    assert isinstance(error, errors.APIConnectionError)
    assert f"(POST {url}/chat/completions)" in str(error), str(error)
    # A URL with credentials (a hook or a client of yours may build one) is shown without them.
    shown = redact_url("https://user:secret-pass@openrouter.ai/api/v1/x?api_key=sk-in-query&page=2")
    assert shown == "https://<redacted>@openrouter.ai/api/v1/x?api_key=<redacted>&page=2"
    with (
        MockServer() as server,
        OpenRouterCore(api_key="k", server_url=server.base_url, retry_config=NO_RETRY) as core,
    ):
        server.enqueue(stall_before_headers(text_reply("late"), 2.0))
        timeout = chat_send(core, USER_HELLO, timeout_ms=200).error
        assert isinstance(timeout, errors.RequestTimeoutError)
        assert f"(POST {server.base_url}/chat/completions)" in str(timeout), str(timeout)
