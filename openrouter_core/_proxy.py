"""The one proxy policy of the core's own clients, sync and async alike.

An `https://` server URL goes through the proxy named by `HTTPS_PROXY` (or `ALL_PROXY`), unless `NO_PROXY`
lists its host: the proxy only relays an encrypted tunnel (CONNECT), so it never sees the key. A plain
`http://` server URL never goes through a proxy from the environment: the proxy would read the Bearer key.
To use a proxy anyway, pass your own `httpx.Client(proxy=...)`: that is choosing it.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

import httpx

__all__ = ["environment_proxy"]

# The stdlib's reading of NO_PROXY (exact hosts, domain suffixes, "*", host:port), on every OS; typeshed
# leaves this undocumented helper out.
_no_proxy_lists: Callable[[str, dict[str, str]], bool] = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]


def environment_proxy(server_url: str) -> str | None:
    """The proxy URL the environment asks for to reach `server_url`, or None to connect directly."""
    try:
        url = httpx.URL(server_url)
    except httpx.InvalidURL:
        return None
    if url.scheme != "https":
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get("https") or proxies.get("all")
    if not proxy:
        return None
    host = f"{url.host}:{url.port}" if url.port is not None else url.host
    if _no_proxy_lists(host, proxies):
        return None
    return proxy
