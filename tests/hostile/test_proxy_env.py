"""Issue 10 items 4 and 14: one proxy policy from the environment for the sync and async clients alike.

It used to differ: the async client honoured `HTTP_PROXY`/`ALL_PROXY` (so over `http://` the proxy read the
Bearer key) while the sync one ignored every proxy variable. Now both send an `https://` server URL through
`HTTPS_PROXY`/`ALL_PROXY` as an encrypted CONNECT tunnel (unless `NO_PROXY` lists the host), and never send a
plain `http://` one through a proxy from the environment. A recording proxy on loopback checks what it saw.
Item 14: a pickled core carries its key, as documented.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_core import Err, errors
from openrouter_core.testing import MockServer
from openrouter_funcs import chat_send, chat_send_async

from ._support import KEY, REQUEST, make_core

PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"]


class RecordingProxy:
    """Accepts connections on loopback, records each request head, and refuses it with a 403."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.heads: list[bytes] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                head = b""
                try:
                    while b"\r\n\r\n" not in head:
                        data = conn.recv(4096)
                        if not data:
                            break
                        head += data
                    self.heads.append(head)
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the serving thread
        self._listener.close()
        self._thread.join(timeout=5)


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    running = RecordingProxy()
    yield running
    running.close()


def both(url: str) -> list[Any]:
    """The same call, sync and async, each with a fresh core made while the environment is set."""
    with make_core(url, timeout_ms=2000) as core:
        sync = chat_send(core, REQUEST)

    async def run() -> Any:
        async with make_core(url, timeout_ms=2000) as core:
            return await chat_send_async(core, REQUEST)

    return [sync, asyncio.run(run())]


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_https_goes_through_the_environment_proxy_as_a_tunnel(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    # localhost:9 is never reached: the proxy refuses the tunnel.
    for res in both("https://localhost:9/api/v1"):
        assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError), res
    assert len(proxy.heads) == 2, proxy.heads
    for head in proxy.heads:
        assert head.startswith(b"CONNECT localhost:9 "), head
        assert KEY.encode() not in head and b"authorization" not in head.lower()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_plain_http_never_goes_through_an_environment_proxy(
    proxy: RecordingProxy, mock: MockServer, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    mock.reset()
    monkeypatch.setenv(variable, proxy.url)
    for res in both(mock.base_url):
        assert res.ok, res
    assert proxy.heads == [], "the proxy would have read the key"
    assert [r.headers["authorization"] for r in mock.requests] == [f"Bearer {KEY}"] * 2


def test_no_proxy_sends_https_directly(proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.org,localhost")
    for res in both("https://localhost:9/api/v1"):  # nothing listens on port 9: refused directly
        assert isinstance(res, Err) and isinstance(res.error, errors.APIConnectionError), res
    assert proxy.heads == []


def shared_key() -> str:
    """A callable key that pickles (by reference, as any module-level function)."""
    return KEY


@pytest.mark.parametrize("key", [KEY, shared_key], ids=["str", "callable"])
def test_a_pickled_core_carries_its_key(mock: MockServer, key: Any) -> None:
    """Item 14 (documented in batch.md and guarantees.md): the copy authenticates as the original did."""
    mock.reset()
    with make_core(mock.base_url, api_key=key) as core:
        data = pickle.dumps(core)
    assert (KEY.encode() in data) is isinstance(key, str), "a str key travels in plain text"
    with pickle.loads(data) as copy:
        assert KEY not in repr(copy)
        assert chat_send(copy, REQUEST).ok
    assert mock.requests[0].headers["authorization"] == f"Bearer {KEY}"
