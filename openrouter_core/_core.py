"""`OpenRouterCore`: the configuration and pooled HTTP clients that every standalone function takes."""

from __future__ import annotations

import functools
import os
import random
import re
import sys
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from openrouter_core._config import (
    DEFAULT_CONNECT_TIMEOUT_MS,
    DEFAULT_IDLE_TIMEOUT_MS,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT_MS,
    RetryConfig,
)
from openrouter_core._errors import InvalidRequestError, OpenRouterError, SDKValidationError
from openrouter_core._headers import check_headers, merge_headers
from openrouter_core._hooks import Hooks
from openrouter_core._log import warn_plain_http
from openrouter_core._numbers import MAX_TIMEOUT_MS, check_number
from openrouter_core._proxy import environment_proxy
from openrouter_core._safe_text import safe_repr, type_name
from openrouter_core._version import __version__

if TYPE_CHECKING:
    import ssl
    from types import TracebackType

    from openrouter_core._loop_clients import LoopClients

__all__ = ["DEFAULT_SERVER_URL", "OpenRouterCore"]

_Core = TypeVar("_Core", bound="OpenRouterCore")

DEFAULT_SERVER_URL = "https://openrouter.ai/api/v1"
USER_AGENT = f"openrouter-funcs/{__version__} python httpx/{httpx.__version__}"
# httpx's own pool default, kept: in `make bench` the best pool size changed from run to run.
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0)

ApiKey = str | Callable[[], str] | None

_USERINFO = re.compile(r"//[^@]*@")


def _server_url_problem(text: str) -> str | None:
    """What makes `text` unusable as the server URL, or None."""
    try:
        url = httpx.URL(text)
    except Exception as exc:
        return f"is not a URL ({type_name(exc)})"
    if url.scheme not in ("http", "https") or not url.host:
        return "needs http(s) and a host"
    if url.userinfo:
        return "must not hold a user name or password (the API key is sent as a Bearer token)"
    if url.port is not None and not 1 <= url.port <= 65535:
        return "has a port outside 1-65535"
    if "?" in text or "#" in text:
        return "must not have a query or fragment (paths are appended to it)"
    return None


_CORES: weakref.WeakSet[OpenRouterCore] = weakref.WeakSet()
"""Every core of this process, for the fork handler."""
_INHERITED: list[object] = []
"""Clients a forked child inherited: kept, never used or closed, so the parent's connections stay intact."""


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings (verification on, certifi's CA bundle) shared by every client the cores make.

    Loading the CA bundle costs about 20 ms of CPU, and a core now makes an async client per event loop.
    """
    return httpx.create_ssl_context()


def _after_fork_in_child() -> None:
    for core in list(_CORES):
        core._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _authorization(key: object) -> dict[str, str]:
    if not key:
        return {}
    if not isinstance(key, str):
        raise SDKValidationError(f"api_key must be a str, not {type(key).__name__}", path="api_key")
    header = {"Authorization": key if key[:7].lower() == "bearer " else f"Bearer {key}"}
    # A key with CR/LF would split the request; the error names the header, never the key.
    check_headers(header)
    return header


class OpenRouterCore:
    """Configuration plus lazily created, pooled httpx clients; pass it to `chat_send` and friends."""

    def __init__(
        self,
        api_key: ApiKey = None,
        server_url: str | None = None,
        timeout_ms: int | None = None,
        retry_config: RetryConfig | None = None,
        http_referer: str | None = None,
        app_title: str | None = None,
        app_categories: str | Sequence[str] | None = None,
        default_headers: Mapping[str, str] | None = None,
        client: httpx.Client | None = None,
        async_client: httpx.AsyncClient | None = None,
        *,
        connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS,
        idle_timeout_ms: int = DEFAULT_IDLE_TIMEOUT_MS,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
        hooks: Hooks | None = None,
    ) -> None:
        self._api_key: ApiKey = api_key if api_key is not None else os.environ.get("OPENROUTER_API_KEY")
        self.server_url = (server_url or os.environ.get("OPENROUTER_BASE_URL") or DEFAULT_SERVER_URL).rstrip(
            "/"
        )
        self.timeout_ms = DEFAULT_TIMEOUT_MS if timeout_ms is None else timeout_ms
        self.retry_config = retry_config if retry_config is not None else RetryConfig()
        self.connect_timeout_ms = connect_timeout_ms
        self.idle_timeout_ms = idle_timeout_ms
        self.max_response_bytes = max_response_bytes
        self.clock = clock
        self.sleep = sleep
        self.async_sleep = async_sleep
        self.rng = rng
        self.hooks = hooks if hooks is not None else Hooks()
        self._client = client
        self._async_client = async_client
        self._owns_client = client is None
        self._owns_async_client = async_client is None
        self._lock = threading.Lock()
        self._exact_deadlines = False
        self._live_state()
        self._timeouts: dict[float, dict[str, float | None]] = {}
        self.config_error: OpenRouterError | None = None
        self._static_auth: dict[str, str] = {}
        if not callable(self._api_key):
            try:
                self._static_auth = _authorization(self._api_key)
            except SDKValidationError as error:
                self.config_error = error
        self.base_headers = self._base_headers(http_referer, app_title, app_categories, default_headers)
        self._check_numbers()
        self._check_server_url()
        self.chat_url = f"{self.server_url}/chat/completions"

    def _base_headers(
        self,
        http_referer: str | None,
        app_title: str | None,
        app_categories: str | Sequence[str] | None,
        default_headers: Mapping[str, str] | None,
    ) -> dict[str, str]:
        env = os.environ
        http_referer = http_referer or env.get("OPENROUTER_HTTP_REFERER")
        app_title = app_title or env.get("OPENROUTER_APP_TITLE")
        categories = app_categories or env.get("OPENROUTER_APP_CATEGORIES")
        headers = {
            "User-Agent": USER_AGENT,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
        }
        if http_referer:
            headers["HTTP-Referer"] = http_referer
        if app_title:
            headers["X-OpenRouter-Title"] = app_title
            headers["X-Title"] = app_title  # the legacy name, still read by the server
        if categories:
            headers["X-OpenRouter-Categories"] = (
                categories if isinstance(categories, str) else ",".join(categories)
            )
        if default_headers:
            headers = merge_headers(headers, default_headers)
        try:
            check_headers(headers)
        except SDKValidationError as error:
            self.config_error = error
        return headers

    def _check_numbers(self) -> None:
        timeouts = {
            "timeout_ms": self.timeout_ms,
            "connect_timeout_ms": self.connect_timeout_ms,
            "idle_timeout_ms": self.idle_timeout_ms,
        }
        try:
            for name, value in timeouts.items():
                check_number(name, value, low=0, high=MAX_TIMEOUT_MS, low_open=True)
            name = "max_response_bytes"
            check_number(name, self.max_response_bytes, low=1, high=sys.maxsize, integer=True)
            name = "retry_config"
            if not isinstance(self.retry_config, RetryConfig):
                raise TypeError(f"retry_config must be a RetryConfig, not {type_name(self.retry_config)}")
        except (TypeError, ValueError) as exc:
            self.config_error = SDKValidationError(str(exc), path=name)

    def _check_server_url(self) -> None:
        problem = _server_url_problem(self.server_url)
        if problem is not None:
            # Whatever sits before an "@" may be a password: it is never shown again (repr, error text).
            self.server_url = _USERINFO.sub("//<redacted>@", self.server_url)
            shown = safe_repr(self.server_url)
            self.config_error = InvalidRequestError(f"server URL {shown} {problem}; nothing is sent")
        elif self._api_key is not None and self.server_url.startswith("http://"):
            warn_plain_http(httpx.URL(self.server_url).host)

    def api_key(self) -> str | None:
        """The API key to send now (a callable key is called on every request)."""
        key = self._api_key
        return key() if callable(key) else key

    def auth_headers(self) -> dict[str, str]:
        """The Authorization header, or nothing when there is no key (keyless local servers work).

        Raises `SDKValidationError` for a key that is not a str or not a valid header value, never quoting
        it; a str key was checked once, when the core was made.
        """
        key = self._api_key
        if callable(key):
            return _authorization(key())
        return self._static_auth

    @property
    def owns_clients(self) -> bool:
        """Whether both HTTP clients are the core's own (so nothing of a user's client needs merging)."""
        return self._owns_client and self._owns_async_client

    def timeout_extension(self, remaining_s: float) -> dict[str, float | None]:
        """The `timeout` request extension of one attempt: a fresh dict, since stream reads update it."""
        cached = self._timeouts.get(remaining_s)
        if cached is None:
            cached = self._timeouts[remaining_s] = self.timeout(remaining_s).as_dict()
            if len(self._timeouts) > 64:
                self._timeouts.clear()
        return dict(cached)

    def timeout(self, remaining_s: float | None = None) -> httpx.Timeout:
        """The httpx timeouts of one attempt, none longer than the attempt's remaining time."""
        idle = self.idle_timeout_ms / 1000
        connect = self.connect_timeout_ms / 1000
        if remaining_s is None:
            return httpx.Timeout(idle, connect=connect)
        return httpx.Timeout(min(idle, remaining_s), connect=min(connect, remaining_s))

    def _live_state(self) -> None:
        """The per-process state: clients, their users and finalizers (made anew after a fork or unpickle)."""
        # Calls using each sync client the core made; close() retires a client in use instead of closing it.
        self._users: dict[httpx.Client, int] = {}
        self._retired: set[httpx.Client] = set()
        self._finalizers: dict[httpx.Client, weakref.finalize[Any, Any]] = {}
        self._loop_clients: LoopClients | None = None  # made on first async use (keeps asyncio unimported)
        _CORES.add(self)

    def _after_fork_in_child(self) -> None:
        # The parent's sockets are shared with it: closing them here (TLS close_notify, the pool's own
        # shutdown) would cut the parent's connections, and reusing them would mix both processes' replies.
        # Drop them unclosed and keep them referenced so that nothing closes them until this process ends.
        self._lock = threading.Lock()
        for finalizer in self._finalizers.values():
            finalizer.detach()
        inherited: list[object] = [*self._users, *self._retired]
        if self._loop_clients is not None:
            inherited.extend(self._loop_clients.drop_all())
            self._loop_clients = None
        if self._owns_client and self._client is not None:
            inherited.append(self._client)
            self._client = None
        _INHERITED.extend(inherited)
        self._users, self._retired, self._finalizers = {}, set(), {}

    def _new_client(self) -> httpx.Client:
        from openrouter_core._deadline_backend import deadline_transport

        transport, exact = deadline_transport(POOL_LIMITS, environment_proxy(self.server_url), tls_context())
        client = httpx.Client(timeout=self.timeout(), transport=transport, follow_redirects=False)
        self._exact_deadlines = exact  # before the client: a reader without the lock sees both
        # A core dropped without close() still releases its sockets (no ResourceWarning).
        self._finalizers[client] = weakref.finalize(self, client.close)
        return client

    def _new_async_client(self) -> httpx.AsyncClient:
        from openrouter_core._aiohttp_transport import async_client

        return async_client(
            timeout=self.timeout(),
            limits=POOL_LIMITS,
            follow_redirects=False,
            mounts=self._async_proxy_mounts(),
            verify=tls_context(),
        )

    @property
    def client(self) -> httpx.Client:
        """The sync httpx client: the one passed in, or one created on first use and pooled."""
        return self.sync_client()[0]

    @property
    def exact_deadlines(self) -> bool:
        """Whether the sync client's reads honour the attempt's deadline themselves (the core's own do)."""
        return self.sync_client()[1]

    def sync_client(self) -> tuple[httpx.Client, bool]:
        """The sync httpx client, and whether its reads honour the attempt's deadline (`exact_deadlines`)."""
        client = self._client
        if client is None:
            with self._lock:
                client = self._client
                if client is None:
                    client = self._client = self._new_client()
        return client, self._exact_deadlines

    def acquire_client(self) -> tuple[httpx.Client, bool]:
        """`sync_client()` for one call; `release_client` must follow once the call is done with it."""
        if not self._owns_client:
            return self.sync_client()
        with self._lock:
            client = self._client
            if client is None:
                client = self._client = self._new_client()
            self._users[client] = self._users.get(client, 0) + 1
        return client, self._exact_deadlines

    def release_client(self, client: httpx.Client) -> None:
        """A call is done with `client`; a client close() retired meanwhile is closed by its last user."""
        if not self._owns_client:
            return
        with self._lock:
            users = self._users.get(client, 0) - 1
            if users > 0:
                self._users[client] = users
                return
            self._users.pop(client, None)
            if client not in self._retired:
                return
            self._retired.discard(client)
        self._close_client(client)

    def _close_client(self, client: httpx.Client) -> None:
        finalizer = self._finalizers.pop(client, None)
        if finalizer is not None:
            finalizer.detach()
        client.close()

    @property
    def async_client(self) -> httpx.AsyncClient:
        """The async httpx client: the one passed in, or the running loop's own, created on first use."""
        if self._async_client is not None:
            return self._async_client
        return self._loop_registry().get()

    def acquire_async_client(self) -> tuple[httpx.AsyncClient, Callable[[], Awaitable[None]] | None]:
        """The running loop's async client for one call, and what to await when the call is done with it."""
        if self._async_client is not None:
            return self._async_client, None
        return self._loop_registry().acquire()

    def _loop_registry(self) -> LoopClients:
        clients = self._loop_clients
        if clients is None:
            with self._lock:
                clients = self._loop_clients
                if clients is None:
                    from openrouter_core._loop_clients import LoopClients

                    clients = self._loop_clients = LoopClients(self._new_async_client)
                    weakref.finalize(self, clients.release_closed)
        return clients

    def _async_proxy_mounts(self) -> dict[str, httpx.AsyncBaseTransport | None]:
        # These replace the scheme routes httpx would read from the environment itself (`HTTP_PROXY`,
        # `ALL_PROXY`...), so the async client follows the one policy of `_proxy`, as the sync one does.
        proxy = environment_proxy(self.server_url)
        https = None if proxy is None else httpx.AsyncHTTPTransport(limits=POOL_LIMITS, proxy=proxy)
        return {"http://": None, "https://": https}

    def close(self) -> None:
        """Close the sync client if the core created it (a client passed in is left open).

        Calls still using it in other threads finish first: their last one closes it, and later calls get a
        new client. The async clients close with their event loops, or with `aclose()`.
        """
        if not self._owns_client:
            return
        with self._lock:
            client, self._client = self._client, None
            if client is not None and client in self._users:
                self._retired.add(client)
                client = None
        if client is not None:
            self._close_client(client)

    async def aclose(self) -> None:
        """Close the sync client and the running loop's async client, if the core created them."""
        self.close()
        if self._owns_async_client and self._loop_clients is not None:
            await self._loop_clients.aclose_current()

    def __enter__(self: _Core) -> _Core:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self: _Core) -> _Core:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __getstate__(self) -> dict[str, Any]:
        # Live clients and locks don't cross processes; the copy creates its own on first use.
        live = ("_client", "_async_client", "_lock", "_users", "_retired", "_finalizers", "_loop_clients")
        state = {k: v for k, v in self.__dict__.items() if k not in live}
        state["_client"] = state["_async_client"] = None
        state["_owns_client"] = state["_owns_async_client"] = True
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._live_state()

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"{type(self).__name__}(server_url={self.server_url!r}, api_key=<{key}>)"

    __str__ = __repr__
