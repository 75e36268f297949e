"""Issue 13: the core's own async client runs on aiohttp, and every failure keeps the error class it had on
httpx's pool: connect, read, write, pool, TLS, protocol; a stream's reads answer to the idle timeout."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import subprocess
from pathlib import Path

import aiohttp
import httpx
import pytest

from openrouter_core import Err, Ok, errors
from openrouter_core._aiohttp_transport import AiohttpTransport, _httpx_error
from openrouter_core._transport import map_exception
from openrouter_core.testing import MockServer, stall_before_headers, stream_reply, text_reply
from openrouter_funcs import chat_send_async

from ._support import REQUEST, STREAM_REQUEST, make_core


@pytest.fixture
def server(mock: MockServer) -> MockServer:
    mock.reset()
    return mock


def _mapped(exc: Exception) -> errors.OpenRouterError:
    return map_exception(_httpx_error(exc))


# Failures that a loopback server cannot provoke on demand, mapped as the transport maps them.
MAPPED = [
    (aiohttp.ConnectionTimeoutError("connect"), errors.RequestTimeoutError, "connect"),
    (aiohttp.SocketTimeoutError("read"), errors.RequestTimeoutError, "read"),
    (asyncio.TimeoutError(), errors.RequestTimeoutError, "read"),
    (aiohttp.ServerDisconnectedError(), errors.APIConnectionError, None),
    (aiohttp.ClientPayloadError("cut"), errors.APIConnectionError, None),
    (aiohttp.ClientOSError(32, "Broken pipe"), errors.APIConnectionError, None),  # a failed write
    (ConnectionResetError(104, "reset"), errors.APIConnectionError, None),
    (ssl.SSLError(1, "handshake"), errors.APIConnectionError, None),
    (aiohttp.InvalidURL("no host"), errors.InvalidRequestError, None),
    (aiohttp.NonHttpUrlClientError("ftp://x"), errors.InvalidRequestError, None),
]


@pytest.mark.parametrize(("exc", "cls", "deadline"), MAPPED, ids=[type(m[0]).__name__ for m in MAPPED])
def test_aiohttp_failures_map_to_the_classes_httpx_gives(
    exc: Exception, cls: type[errors.OpenRouterError], deadline: str | None
) -> None:
    error = _mapped(exc)
    assert type(error) is cls, error
    assert error.__cause__ is not None and error.__cause__.__cause__ is exc
    if deadline is not None:
        assert isinstance(error, errors.RequestTimeoutError) and error.deadline == deadline


def test_anything_else_is_left_as_it_is() -> None:
    exc = ValueError("not a transport failure")
    assert _httpx_error(exc) is exc


async def test_the_core_s_own_async_client_is_on_aiohttp(server: MockServer) -> None:
    async with make_core(server.base_url) as core:
        assert (await chat_send_async(core, REQUEST)).ok
        assert isinstance(core.async_client._transport, AiohttpTransport)  # type: ignore[attr-defined]


async def test_a_stream_reads_with_the_idle_timeout_not_the_call_deadline(server: MockServer) -> None:
    """The call's 300 ms covers the headers; the body may pause 500 ms since the idle timeout is 2 s."""
    server.enqueue(stream_reply("slow but alive", chunk_size=5, event_delay=0.5, keepalive_comments=False))
    async with make_core(server.base_url, timeout_ms=300, idle_timeout_ms=2_000) as core:
        res = await chat_send_async(core, STREAM_REQUEST)
        assert isinstance(res, Ok), res
        whole = await res.value.collect()  # type: ignore[union-attr]
    assert isinstance(whole, Ok), whole
    assert whole.value.choices[0].message.content == "slow but alive"


async def test_waiting_for_a_pooled_connection_times_out(server: MockServer) -> None:
    """With every connection busy, the wait is bounded by the request's pool and connect timeouts together
    (aiohttp times the pool wait and the connect as one step)."""
    server.enqueue(stall_before_headers(text_reply("late"), 1.0), text_reply("late"))
    transport = AiohttpTransport(ssl.create_default_context(), httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport) as client:
        url = server.base_url + "/chat/completions"
        busy = asyncio.ensure_future(client.post(url, json=REQUEST, timeout=5.0))
        while not server.requests:
            await asyncio.sleep(0.005)
        with pytest.raises(httpx.TimeoutException) as caught:
            await client.post(url, json=REQUEST, timeout=httpx.Timeout(5.0, pool=0.1, connect=0.1))
        busy.cancel()
        with pytest.raises(asyncio.CancelledError):
            await busy
    error = map_exception(caught.value)
    assert isinstance(error, errors.RequestTimeoutError), error


async def _refuse_mid_upload(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read(1024)  # take the start of the request, then reset the connection
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def test_a_failed_upload_is_a_connection_error() -> None:
    listener = await asyncio.start_server(_refuse_mid_upload, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    big = {"model": "m", "messages": [{"role": "user", "content": "x" * (8 * 1024 * 1024)}]}
    async with listener, make_core(f"http://127.0.0.1:{port}/api/v1", timeout_ms=5_000) as core:
        res = await chat_send_async(core, big)
    assert isinstance(res, Err) and type(res.error) is errors.APIConnectionError, res


OPENSSL_SELF_SIGNED = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
OPENSSL_SELF_SIGNED += ["-subj", "/CN=127.0.0.1"]


def _self_signed(directory: Path) -> ssl.SSLContext:
    key, cert = directory / "key.pem", directory / "cert.pem"
    try:
        subprocess.run(
            [*OPENSSL_SELF_SIGNED, "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"openssl cannot make a test certificate: {exc}")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read(1024)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
        await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        writer.close()


async def test_an_untrusted_certificate_is_a_connection_error(tmp_path: Path) -> None:
    """TLS is verified by default: a self-signed loopback server is refused before anything is sent."""
    listener = await asyncio.start_server(_answer, "127.0.0.1", 0, ssl=_self_signed(tmp_path))
    port = listener.sockets[0].getsockname()[1]
    async with listener, make_core(f"https://127.0.0.1:{port}/api/v1", timeout_ms=5_000) as core:
        res = await chat_send_async(core, REQUEST)
    assert isinstance(res, Err) and type(res.error) is errors.APIConnectionError, res
    assert isinstance(res.error.__cause__, httpx.ConnectError)
    assert isinstance(res.error.__cause__.__cause__, aiohttp.ClientConnectorCertificateError)


def test_each_event_loop_gets_its_own_aiohttp_session(mock: MockServer) -> None:
    """An aiohttp session is bound to its loop: a core used from two `asyncio.run`s makes one per loop, and
    the first closes with its loop."""
    mock.reset()
    core = make_core(mock.base_url)
    sessions: list[aiohttp.ClientSession | None] = []

    async def call() -> None:
        assert (await chat_send_async(core, REQUEST)).ok
        transport = core.async_client._transport  # type: ignore[attr-defined]
        assert isinstance(transport, AiohttpTransport)
        sessions.append(transport._session)

    asyncio.run(call())
    asyncio.run(call())
    core.close()
    first, second = sessions
    assert first is not None and second is not None and first is not second
    assert first.closed
