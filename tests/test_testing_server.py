"""Tests for openrouter_core.testing, the embedded mock OpenRouter server."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_core.testing import (
    Close,
    Delay,
    MockServer,
    RecordedRequest,
    Reply,
    echo_reply,
    error_reply,
    sse_event,
    stream_reply,
    text_reply,
)

USER_MESSAGE = {"model": "acme/model-1", "messages": [{"role": "user", "content": "Hi there"}]}


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as srv:
        yield srv


@pytest.fixture
def client(server: MockServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5.0) as c:
        yield c


def sse_payloads(text: str) -> list[Any]:
    """Decode the ``data:`` payloads of an SSE body (``[DONE]`` kept as a string)."""
    out: list[Any] = []
    for event in text.split("\n\n"):
        for line in event.split("\n"):
            if line.startswith("data: "):
                data = line[len("data: ") :]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


def reply_bytes(reply: Reply) -> list[bytes]:
    assert reply.chunks is not None
    return [bytes(item) for item in reply.chunks if isinstance(item, bytes)]


def raw_http(server: MockServer, request: bytes) -> bytes:
    """Send one request on a fresh socket and read until the server closes it."""
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


# -- default echo --------------------------------------------------------------------------------


def test_default_reply_echoes_last_user_message(server: MockServer, client: httpx.Client) -> None:
    response = client.post("/chat/completions", json=USER_MESSAGE)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["id"].startswith("gen-")
    assert body["object"] == "chat.completion"
    assert body["model"] == "acme/model-1"
    assert body["provider"] == "MockProvider"
    choice = body["choices"][0]
    assert choice["message"] == {
        "role": "assistant",
        "content": "You said: Hi there",
        "refusal": None,
        "reasoning": None,
    }
    assert choice["finish_reason"] == choice["native_finish_reason"] == "stop"
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["cost"] > 0
    assert "prompt_tokens_details" in usage
    assert "completion_tokens_details" in usage


def test_default_reply_model_and_content_parts(client: httpx.Client) -> None:
    payload = {
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": [{"type": "text", "text": "second"}, {"type": "image_url"}]},
        ]
    }
    body = client.post("/chat/completions", json=payload).json()
    assert body["model"] == "openrouter/mock"
    assert body["choices"][0]["message"]["content"] == "You said: second"


def test_default_reply_streams_when_asked(client: httpx.Client) -> None:
    response = client.post("/chat/completions", json={**USER_MESSAGE, "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream"
    assert response.headers["transfer-encoding"] == "chunked"
    assert response.text.startswith(": OPENROUTER PROCESSING\n\n")
    events = sse_payloads(response.text)
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert all(chunk["model"] == "acme/model-1" for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert content == "You said: Hi there"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["total_tokens"] > 0


def test_invalid_json_gets_400(client: httpx.Client) -> None:
    response = client.post("/chat/completions", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400


# -- scripting -----------------------------------------------------------------------------------


def test_scripted_replies_are_served_fifo_then_default(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(text_reply("one"), text_reply("two"))
    server.enqueue(text_reply("three"))
    assert server.pending == 3
    contents = [
        client.post("/chat/completions", json=USER_MESSAGE).json()["choices"][0]["message"]["content"]
        for _ in range(4)
    ]
    assert contents == ["one", "two", "three", "You said: Hi there"]
    assert server.pending == 0


def test_queue_only_serves_chat_completions(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(text_reply("scripted"))
    assert client.get("/models").status_code == 200
    assert server.pending == 1


def test_requests_are_recorded(server: MockServer, client: httpx.Client) -> None:
    client.post(
        "/chat/completions?trace=1",
        json=USER_MESSAGE,
        headers={"Authorization": "Bearer sk-test", "X-Title": "My App", "HTTP-Referer": "https://x.test"},
    )
    (request,) = server.requests
    assert isinstance(request, RecordedRequest)
    assert request.method == "POST"
    assert request.path == "/api/v1/chat/completions"
    assert request.query == "trace=1"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert request.headers["x-title"] == "My App"
    assert request.headers["http-referer"] == "https://x.test"
    assert all(name == name.lower() for name in request.headers)
    assert request.body == json.dumps(USER_MESSAGE, separators=(",", ":")).encode()
    assert request.json() == USER_MESSAGE
    assert server.last_request is request
    assert server.wait_for_requests(1, timeout=0.1) == [request]
    with pytest.raises(TimeoutError):
        server.wait_for_requests(2, timeout=0.05)


def test_chunked_request_body_is_accepted(server: MockServer, client: httpx.Client) -> None:
    body = json.dumps(USER_MESSAGE).encode()
    response = client.post("/chat/completions", content=iter([body[:10], body[10:]]))
    assert response.json()["choices"][0]["message"]["content"] == "You said: Hi there"
    assert server.last_request.headers["transfer-encoding"] == "chunked"
    assert server.last_request.body == body


def test_error_reply_status_body_and_headers(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(
        error_reply(429, "Rate limited", headers={"Retry-After": "1"}),
        error_reply(403, "Flagged", code="moderation", metadata={"reasons": ["violence"]}),
    )
    response = client.post("/chat/completions", json=USER_MESSAGE)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.json() == {"error": {"code": 429, "message": "Rate limited"}}
    response = client.post("/chat/completions", json=USER_MESSAGE)
    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "moderation", "message": "Flagged", "metadata": {"reasons": ["violence"]}}
    }


def test_set_handler_has_full_control_and_can_fall_back(server: MockServer, client: httpx.Client) -> None:
    seen: list[str] = []

    def handler(request: RecordedRequest) -> Reply | None:
        seen.append(request.path)
        if request.path.endswith("/custom"):
            return Reply(status=201, body=b"made", content_type="text/plain")
        return None

    server.set_handler(handler)
    response = client.get("/custom")
    assert (response.status_code, response.text) == (201, "made")
    assert response.headers["content-type"] == "text/plain"
    assert client.post("/chat/completions", json=USER_MESSAGE).status_code == 200
    server.enqueue(text_reply("queued wins"))
    reply = client.post("/chat/completions", json=USER_MESSAGE).json()
    assert reply["choices"][0]["message"]["content"] == "queued wins"
    assert seen == ["/api/v1/custom", "/api/v1/chat/completions"]
    server.set_handler(None)
    assert client.get("/custom").status_code == 404


def test_handler_exception_gives_500_and_is_recorded(server: MockServer, client: httpx.Client) -> None:
    def handler(request: RecordedRequest) -> Reply:
        raise ValueError("boom")

    server.set_handler(handler)
    response = client.post("/chat/completions", json=USER_MESSAGE)
    assert response.status_code == 500
    assert "boom" in response.json()["error"]["message"]
    assert [type(exc) for exc in server.errors] == [ValueError]
    server.reset()
    assert server.errors == []
    assert server.requests == []


def test_unknown_route_is_404_json_and_models_list(client: httpx.Client) -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404
    assert client.get("/chat/completions").status_code == 405
    models = client.get("/models").json()["data"]
    assert "openrouter/mock" in [model["id"] for model in models]
    assert all("pricing" in model and "context_length" in model for model in models)


def test_custom_prefix() -> None:
    with MockServer(prefix="/v2/") as srv, httpx.Client(base_url=srv.base_url) as c:
        assert srv.base_url.endswith("/v2")
        assert c.post("/chat/completions", json=USER_MESSAGE).status_code == 200
        assert c.get(srv.url + "/api/v1/models").status_code == 404


# -- connection behaviour ------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(text_reply("a"), stream_reply("bcd", chunk_size=1), error_reply(500, "oops"))
    for _ in range(5):
        client.post("/chat/completions", json=USER_MESSAGE)
    client.get("/models")
    assert server.connections_opened == 1
    assert {request.connection_id for request in server.requests} == {1}


def test_connection_close_request_closes(server: MockServer) -> None:
    data = raw_http(server, b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close" in head
    assert json.loads(body)["data"]


def test_malformed_request_gets_400(server: MockServer) -> None:
    assert raw_http(server, b"garbage\r\n\r\n").startswith(b"HTTP/1.1 400 ")


def test_stream_events_arrive_as_separate_chunks(server: MockServer, client: httpx.Client) -> None:
    reply = stream_reply("Hello there", chunk_size=3)
    server.enqueue(reply)
    with client.stream("POST", "/chat/completions", json={**USER_MESSAGE, "stream": True}) as response:
        pieces = list(response.iter_raw())
    assert pieces == reply_bytes(reply)
    deltas = [sse_payloads(p.decode())[0] for p in pieces[2:6]]
    assert [d["choices"][0]["delta"]["content"] for d in deltas] == ["Hel", "lo ", "the", "re"]


def test_delay_stalls_between_writes(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(Reply(chunks=[b"first", Delay(0.3), b"second"], content_type="text/plain"))
    arrivals: list[tuple[bytes, float]] = []
    start = time.perf_counter()
    with client.stream("POST", "/chat/completions", json=USER_MESSAGE) as response:
        for piece in response.iter_raw():
            arrivals.append((piece, time.perf_counter() - start))
    assert [piece for piece, _ in arrivals] == [b"first", b"second"]
    assert arrivals[0][1] < 0.25
    assert arrivals[1][1] - arrivals[0][1] >= 0.25


@pytest.mark.parametrize("reset", [False, True])
def test_close_mid_body_fails_the_client(server: MockServer, client: httpx.Client, reset: bool) -> None:
    server.enqueue(Reply(chunks=[b'{"partial":', Close(reset=reset), b"never"]))
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post("/chat/completions", json=USER_MESSAGE)
    assert client.post("/chat/completions", json=USER_MESSAGE).status_code == 200
    assert server.connections_opened == 2


def test_close_after_bytes_truncates_body(server: MockServer, client: httpx.Client) -> None:
    reply = text_reply("this will be cut")
    server.enqueue(dataclasses.replace(reply, close_after_bytes=20))
    received: list[bytes] = []

    def read_all() -> None:
        with client.stream("POST", "/chat/completions", json=USER_MESSAGE) as response:
            assert response.status_code == 200
            received.extend(response.iter_raw())

    with pytest.raises(httpx.RemoteProtocolError):
        read_all()
    assert reply.body is not None
    assert b"".join(received) == reply.body[:20]


def test_raw_body_is_delimited_by_close(server: MockServer, client: httpx.Client) -> None:
    server.enqueue(Reply(chunks=[b"part one, ", b"part two"], raw=True, content_type="text/plain"))
    response = client.post("/chat/completions", json=USER_MESSAGE)
    assert response.content == b"part one, part two"
    assert "content-length" not in response.headers
    assert "transfer-encoding" not in response.headers
    assert response.headers["connection"] == "close"
    client.post("/chat/completions", json=USER_MESSAGE)
    assert server.connections_opened == 2


def test_raw_http_bytes_are_exact(server: MockServer) -> None:
    server.enqueue(Reply(status=418, headers=[("X-A", "1"), ("X-A", "2")], body=b"tea", content_type=None))
    request = (
        b"POST /api/v1/chat/completions HTTP/1.1\r\n"
        b"Host: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    )
    assert raw_http(server, request) == (
        b"HTTP/1.1 418 I'm a Teapot\r\nContent-Length: 3\r\nConnection: close\r\nX-A: 1\r\nX-A: 2\r\n\r\ntea"
    )


def test_delay_before_headers_triggers_read_timeout(server: MockServer) -> None:
    server.enqueue(Reply(body=b"{}", delay_before_headers=1.0))
    with httpx.Client(base_url=server.base_url, timeout=0.1) as c, pytest.raises(httpx.ReadTimeout):
        c.post("/chat/completions", json=USER_MESSAGE)


def test_stop_closes_open_connections() -> None:
    srv = MockServer().start()
    try:
        idle = socket.create_connection((srv.host, srv.port), timeout=5)
        idle.sendall(b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
        assert idle.recv(65536).startswith(b"HTTP/1.1 200")
        srv.enqueue(Reply(chunks=[b"start", Delay(30), b"never"]))
        with (
            httpx.Client(base_url=srv.base_url, timeout=5) as c,
            c.stream("POST", "/chat/completions", json=USER_MESSAGE) as response,
        ):
            pieces = response.iter_raw()
            assert next(pieces) == b"start"
            started = time.perf_counter()
            srv.stop()
            assert time.perf_counter() - started < 2
            with pytest.raises(httpx.RemoteProtocolError):
                next(pieces)
        assert idle.recv(65536) == b""
        idle.close()
    finally:
        srv.stop()


def test_start_stop_leaves_no_threads() -> None:
    before = threading.active_count()
    for _ in range(20):
        with MockServer() as srv, httpx.Client(base_url=srv.base_url) as c:
            assert c.get("/models").status_code == 200
    srv.stop()  # idempotent
    assert threading.active_count() == before


def test_restart_and_lifecycle_errors() -> None:
    srv = MockServer()
    with pytest.raises(RuntimeError):
        _ = srv.base_url
    with srv:
        with pytest.raises(RuntimeError):
            srv.start()
        first = srv.port
        with pytest.raises(OSError, match="in use"):
            MockServer(port=first).start()
    with srv:
        assert httpx.get(srv.base_url + "/models").status_code == 200


async def test_async_client() -> None:
    async with MockServer() as srv, httpx.AsyncClient(base_url=srv.base_url) as c:
        streamed = stream_reply("streamed", chunk_size=2)
        srv.enqueue(text_reply("async hi"), streamed)
        response = await c.post("/chat/completions", json=USER_MESSAGE)
        assert response.json()["choices"][0]["message"]["content"] == "async hi"
        async with c.stream("POST", "/chat/completions", json={**USER_MESSAGE, "stream": True}) as r:
            pieces = [piece async for piece in r.aiter_raw()]
        assert pieces == reply_bytes(streamed)
        assert len(srv.requests) == 2


# -- builders ------------------------------------------------------------------------------------


def test_text_reply_with_tools_and_reasoning() -> None:
    reply = text_reply(
        None,
        tool_calls=[("get_weather", '{"city": "Paris"}')],
        reasoning="Think first.",
        usage=(12, 34),
        model="m/x",
        provider="P",
        headers={"X-Extra": "y"},
    )
    assert reply.body is not None
    body = json.loads(reply.body)
    assert (body["model"], body["provider"]) == ("m/x", "P")
    message = body["choices"][0]["message"]
    assert message["content"] is None
    assert message["reasoning"] == "Think first."
    call = message["tool_calls"][0]
    assert call["type"] == "function"
    assert call["function"] == {"name": "get_weather", "arguments": '{"city": "Paris"}'}
    assert body["choices"][0]["finish_reason"] == "tool_calls"
    assert body["usage"]["prompt_tokens"] == 12
    assert body["usage"]["completion_tokens"] == 34
    assert reply.headers == {"X-Extra": "y"}


def test_stream_reply_tools_reasoning_and_no_done() -> None:
    reply = stream_reply(
        "ok",
        chunk_size=4,
        reasoning="abcdef",
        tool_calls=[("f", '{"a":1}')],
        keepalive_comments=False,
        done=False,
    )
    payloads = sse_payloads(b"".join(reply_bytes(reply)).decode())
    assert "[DONE]" not in payloads
    deltas = [p["choices"][0]["delta"] for p in payloads if p["choices"]]
    assert "".join(d.get("reasoning") or "" for d in deltas) == "abcdef"
    calls = [d["tool_calls"][0] for d in deltas if "tool_calls" in d]
    assert calls[0]["function"]["name"] == "f"
    assert calls[0]["id"].startswith("call_")
    assert "".join(c["function"]["arguments"] for c in calls) == '{"a":1}'
    assert payloads[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert payloads[-1]["usage"]["completion_tokens"] > 0


def test_stream_reply_in_band_error_and_event_delay() -> None:
    reply = stream_reply("abc", error={"code": 502, "message": "Provider disconnected"}, event_delay=0.01)
    assert reply.chunks is not None
    assert any(isinstance(item, Delay) for item in reply.chunks)
    payloads = sse_payloads(b"".join(reply_bytes(reply)).decode())
    last = payloads[-1]
    assert last["error"] == {"code": 502, "message": "Provider disconnected"}
    assert last["choices"][0]["finish_reason"] == "error"
    assert all("usage" not in p for p in payloads)


def test_sse_event_and_reply_validation() -> None:
    assert sse_event({"a": 1}) == b'data: {"a":1}\n\n'
    assert sse_event("x\ny", event="ping") == b"event: ping\ndata: x\ndata: y\n\n"
    with pytest.raises(ValueError, match="either body or chunks"):
        Reply(body=b"", chunks=[])
    with pytest.raises(TypeError):
        Reply(chunks=["text"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=">= 0"):
        Delay(-1)
    request = RecordedRequest("POST", "/x", {}, json.dumps(USER_MESSAGE).encode())
    assert echo_reply(request).body is not None


def test_cli_serves_until_interrupted() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrouter_core.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/api/v1")
        response = httpx.post(base_url + "/chat/completions", json=USER_MESSAGE)
        assert response.json()["choices"][0]["message"]["content"] == "You said: Hi there"
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0, stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
