"""The core of the OpenRouter SDK: configuration, results, errors and models.

Names load on first use, so importing this package costs almost nothing beyond what is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter_core import errors, models
    from openrouter_core._config import BackoffStrategy, RetryConfig
    from openrouter_core._core import OpenRouterCore
    from openrouter_core._headers import openrouter_headers
    from openrouter_core._hooks import CallObserver, CallStart, Hooks
    from openrouter_core._raw import RawResponse
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream
    from openrouter_core._version import __version__
    from openrouter_core.result import Err, Ok, Result, to_returns

__all__ = [
    "AsyncChatStream",
    "BackoffStrategy",
    "CallObserver",
    "CallStart",
    "ChatStream",
    "Err",
    "Hooks",
    "Ok",
    "OpenRouterCore",
    "RawResponse",
    "Result",
    "RetryConfig",
    "__version__",
    "errors",
    "models",
    "openrouter_headers",
    "to_returns",
]

_IMPORT_MAP = {
    "AsyncChatStream": "openrouter_core._stream_async",
    "BackoffStrategy": "openrouter_core._config",
    "CallObserver": "openrouter_core._hooks",
    "CallStart": "openrouter_core._hooks",
    "ChatStream": "openrouter_core._stream",
    "Err": "openrouter_core.result",
    "Hooks": "openrouter_core._hooks",
    "Ok": "openrouter_core.result",
    "OpenRouterCore": "openrouter_core._core",
    "RawResponse": "openrouter_core._raw",
    "Result": "openrouter_core.result",
    "RetryConfig": "openrouter_core._config",
    "to_returns": "openrouter_core.result",
    "__version__": "openrouter_core._version",
    "openrouter_headers": "openrouter_core._headers",
}
_SUBMODULES = frozenset({"errors", "models", "testing", "result"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"openrouter_core.{name}")
    module = _IMPORT_MAP.get(name)
    if module is None:
        raise AttributeError(f"module 'openrouter_core' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
