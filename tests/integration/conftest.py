"""Session fixtures that install, start and stop real third-party servers on free loopback ports."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import OpenRouterCore, RetryConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers

SPEC = Path(__file__).resolve().parents[1] / "data" / "spec" / "out.openapi.yaml"


def _installed(ensure: Callable[[], Path], name: str) -> Path:
    try:
        return ensure()
    except peers.InstallError as exc:
        pytest.skip(f"{name} could not be installed: {exc}")


@contextlib.contextmanager
def _serve(
    name: str,
    cmd: list[str],
    port: int,
    ready_url: str,
    *,
    timeout: float,
    env: dict[str, str | None] | None = None,
) -> Iterator[peers.Server]:
    """Start `cmd`, wait until `ready_url` answers, and stop it by its PID however the tests end."""
    server = peers.Server(name, cmd, port=port, env=env)
    try:
        server.wait_ready(ready_url, timeout=timeout, ok=lambda r: r.status_code < 500)
        yield server
    finally:
        server.stop()


def _prism(*flags: str) -> Iterator[str]:
    prism = _installed(peers.ensure_prism, "Prism (npm @stoplight/prism-cli)")
    port = peers.free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), *flags, str(SPEC)]
    # Any HTTP answer means it listens; the 1.4 MB spec takes about 20 s to load on 2 cores.
    with _serve("prism" + "".join(flags), cmd, port, base + "/", timeout=180):
        yield base


@pytest.fixture(scope="session")
def prism_url() -> Iterator[str]:
    """Prism mocking the vendored OpenRouter spec, with its example responses."""
    yield from _prism()


@pytest.fixture(scope="session")
def prism_dynamic_url() -> Iterator[str]:
    """Prism with `--dynamic`: every response is a random body valid against the spec."""
    yield from _prism("--dynamic")


def _litellm(auth: bool) -> Iterator[str]:
    litellm = _installed(peers.ensure_litellm, "LiteLLM proxy (PyPI litellm[proxy])")
    port = peers.free_port()
    env: dict[str, str | None] = {
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_TELEMETRY": "False",
        "NO_DOCS": "True",
    }
    if auth:
        env["LITELLM_MASTER_KEY"] = peers.LITELLM_KEY
    else:
        env["LITELLM_MASTER_KEY"] = None
        env["LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY"] = "true"
    config = Path(__file__).resolve().parent / "litellm-config.yaml"
    cmd = [
        str(litellm),
        "--config",
        str(config),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--num_workers",
        "1",
    ]
    base = f"http://127.0.0.1:{port}"
    name = "litellm" if auth else "litellm-noauth"
    with _serve(name, cmd, port, base + "/health/liveliness", timeout=180, env=env):
        yield base + "/v1"


@pytest.fixture(scope="session")
def litellm_url() -> Iterator[str]:
    """The LiteLLM proxy with mock-response models and a master key (`peers.LITELLM_KEY`)."""
    yield from _litellm(auth=True)


@pytest.fixture(scope="session")
def litellm_noauth_url() -> Iterator[str]:
    """The LiteLLM proxy with no key check at all."""
    yield from _litellm(auth=False)


@pytest.fixture(scope="session")
def llama_url() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server running the tiny generated GGUF model (n_ctx 512)."""
    python = _installed(peers.ensure_llama, "llama-cpp-python[server]")
    try:
        model = peers.ensure_tiny_model(python)
    except peers.InstallError as exc:
        pytest.skip(f"the tiny GGUF model could not be generated: {exc}")
    port = peers.free_port()
    cmd = [
        str(python), "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "tiny-llama",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "512", "--n_threads", "2", "--seed", "0",
    ]  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    with _serve("llama", cmd, port, base + "/v1/models", timeout=120):
        yield base + "/v1"


@pytest.fixture
def make_core() -> Iterator[Callable[..., OpenRouterCore]]:
    """Build cores for a server URL (no retries unless asked); all are closed after the test."""
    cores: list[OpenRouterCore] = []

    def make(server_url: str, **kwargs: Any) -> OpenRouterCore:
        kwargs.setdefault("api_key", "sk-integration")
        kwargs.setdefault("retry_config", RetryConfig(strategy="none"))
        core = OpenRouterCore(server_url=server_url, **kwargs)
        cores.append(core)
        return core

    yield make
    for core in cores:
        core.close()


def pytest_report_header() -> str:
    return f"integration peers cache: {peers.CACHE_DIR} (override with OPENROUTER_PEERS_CACHE)"
