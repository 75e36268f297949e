"""The exact sync deadline patches a private attribute of httpx: pin the releases it is known to work with."""

from __future__ import annotations

import httpcore
import httpx

from openrouter_core import OpenRouterCore
from openrouter_core._deadline_backend import KNOWN_HTTPCORE, KNOWN_HTTPX, deadline_transport


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def test_httpx_and_httpcore_are_releases_the_deadline_hook_knows() -> None:
    # A failure here is not a flake: a new httpx or httpcore release is installed. Check that
    # `httpx.HTTPTransport()._pool._network_backend` still exists and is still used for every connection,
    # then add the release to KNOWN_HTTPX / KNOWN_HTTPCORE in openrouter_core/_deadline_backend.py.
    assert _minor(httpx.__version__) in KNOWN_HTTPX, (
        f"httpx {httpx.__version__} is not a release the deadline hook was checked on: {KNOWN_HTTPX}"
    )
    assert _minor(httpcore.__version__) in KNOWN_HTTPCORE, (
        f"httpcore {httpcore.__version__} is not a release the deadline hook was checked on: {KNOWN_HTTPCORE}"
    )


def test_the_hook_takes_hold_on_the_installed_release() -> None:
    transport, exact = deadline_transport(httpx.Limits())
    try:
        assert exact, (
            "httpx's private _pool._network_backend moved: the sync deadline fell back to the watchdog"
        )
    finally:
        transport.close()


def test_the_core_hands_its_client_and_deadline_mode_out_together() -> None:
    with OpenRouterCore(api_key="k", server_url="http://127.0.0.1:9") as core:
        client, exact = core.sync_client()
        assert client is core.client and exact and core.exact_deadlines
    with (
        httpx.Client() as own,
        OpenRouterCore(api_key="k", server_url="http://127.0.0.1:9", client=own) as core,
    ):
        assert core.sync_client() == (own, False)
