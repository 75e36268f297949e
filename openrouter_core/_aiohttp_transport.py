"""The core's own async transport: httpx's API on aiohttp's connection pool, which holds up at concurrency.

httpx's async pool (httpcore) becomes the bottleneck with many requests in flight; aiohttp's does not. The
core's async client stays an `httpx.AsyncClient`, so everything above it (requests, responses, hooks, the
error table in `_transport`) is unchanged: this module turns every aiohttp failure into the httpx exception
httpcore raises for the same thing. Bodies come back raw (never decompressed here), so the SDK's own bounded
inflate applies; reads honour the read timeout of the request's `timeout` extension, including the stream
idle timeout `start_stream_reads` sets once headers arrived. Proxied requests keep httpx's own transports.
An aiohttp session belongs to the event loop that made it: the core keeps one client per loop.
"""

from __future__ import annotations

import asyncio
import ssl
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx

__all__ = ["AiohttpClient", "AiohttpTransport", "async_client"]

_LARGE = 2**20  # aiohttp's own threshold for a "large" bytes body

# Most specific first: each aiohttp failure becomes the httpx exception httpcore raises for the same event.
_ERRORS: tuple[tuple[type[BaseException], type[Exception]], ...] = (
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aiohttp.ServerTimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientProxyConnectionError, httpx.ProxyError),
    (aiohttp.ClientHttpProxyError, httpx.ProxyError),
    (aiohttp.ClientConnectorError, httpx.ConnectError),  # refused, DNS, TLS handshake and certificates
    (aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aiohttp.ClientPayloadError, httpx.RemoteProtocolError),  # a body cut short or malformed
    (aiohttp.ClientResponseError, httpx.RemoteProtocolError),  # an unparseable status line or header
    (aiohttp.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aiohttp.InvalidURL, httpx.InvalidURL),
    (ssl.SSLError, httpx.ConnectError),
    (asyncio.TimeoutError, httpx.ReadTimeout),
    (aiohttp.ClientError, httpx.ReadError),
    (OSError, httpx.ReadError),
)


def _httpx_error(exc: Exception) -> Exception:
    """The httpx exception for an aiohttp failure (anything else is returned as it is)."""
    for source, target in _ERRORS:
        if isinstance(exc, source):
            error = target(str(exc) or type(exc).__name__)
            error.__cause__ = exc
            return error
    return exc


def _payload(body: bytes) -> bytes | aiohttp.BytesPayload | None:
    if len(body) <= _LARGE:
        return body or None
    # aiohttp warns that a large bytes body "might lock the event loop"; it is written to the socket's
    # buffer the same way either way, and the warning would turn into an error where warnings are errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return aiohttp.BytesPayload(body)


class _Body(httpx.AsyncByteStream):
    """A response body read from aiohttp as it arrives; closing it early closes the connection."""

    __slots__ = ("_read_timeout", "_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request, read_timeout: Any) -> None:
        self._response = response
        self._request = request
        self._read_timeout = read_timeout

    def _apply_read_timeout(self) -> None:
        # A stream's reads answer to the idle timeout that `start_stream_reads` put in after the headers.
        timeouts = self._request.extensions.get("timeout")
        read = timeouts.get("read") if isinstance(timeouts, dict) else None
        connection = self._response.connection
        if read != self._read_timeout and connection is not None and connection.protocol is not None:
            connection.protocol.read_timeout = read
            connection.protocol.start_timeout()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._apply_read_timeout()
        content = self._response.content
        try:
            while data := await content.readany():
                yield data
        except Exception as exc:
            raise _httpx_error(exc) from exc

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()  # back to the pool
        else:
            response.close()  # unread bytes would poison the next request on this connection


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx async transport whose connections are aiohttp's, pooled on the loop of its first request."""

    def __init__(self, ssl_context: ssl.SSLContext, limits: httpx.Limits) -> None:
        self.ssl_context = ssl_context
        self.limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, Any, Any], aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=self.limits.keepalive_expiry,
            ssl=self.ssl_context,
        )
        # No cookie jar: a client of an API keeps no state between calls (httpx's merge is skipped too).
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False
        )
        return self._session

    def _timeout(self, timeouts: Any) -> tuple[aiohttp.ClientTimeout, Any]:
        if not isinstance(timeouts, dict):
            timeouts = {}
        key = (timeouts.get("pool"), timeouts.get("connect"), timeouts.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            # aiohttp's `connect` spans the wait for a pooled connection and the connect itself, so it gets
            # both budgets: httpcore gives each its own, and a connect must not lose time to the pool wait.
            pool, connect = key[0], key[1]
            both = None if pool is None or connect is None else pool + connect
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=both, sock_connect=connect, sock_read=key[2]
            )
        return timeout, key[2]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        timeout, read_timeout = self._timeout(request.extensions.get("timeout"))
        body = request.content if isinstance(request.stream, httpx.ByteStream) else await request.aread()
        try:
            response = await session._request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=_payload(body),
                allow_redirects=False,
                timeout=timeout,
                server_hostname=request.extensions.get("sni_hostname"),
            )
        except Exception as exc:
            raise _httpx_error(exc) from exc
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response, request, read_timeout),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class AiohttpClient(httpx.AsyncClient):
    """`httpx.AsyncClient` whose direct connections are aiohttp's; proxied ones keep httpx's transports."""

    def _init_transport(
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: Any = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = httpx.Limits(max_connections=100, max_keepalive_connections=20),  # noqa: B008
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        return AiohttpTransport(httpx.create_ssl_context(verify, cert, trust_env), limits)


def async_client(**options: Any) -> httpx.AsyncClient:
    """The core's own async client: on aiohttp under asyncio, on httpx's pool under any other loop (trio)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return httpx.AsyncClient(**options)
    return AiohttpClient(**options)
