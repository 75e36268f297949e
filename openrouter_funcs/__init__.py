"""Standalone functions for OpenRouter that return `Ok`/`Err` instead of raising, plus the thin client.

Each function lives in its own module and this package loads them on first use, so
`from openrouter_funcs import chat_send` imports only what `chat_send` needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter_funcs._chat_send import chat_send
    from openrouter_funcs._chat_send_async import chat_send_async
    from openrouter_funcs._client import OpenRouter

__all__ = ["OpenRouter", "chat_send", "chat_send_async"]

_IMPORT_MAP = {
    "OpenRouter": "openrouter_funcs._client",
    "chat_send": "openrouter_funcs._chat_send",
    "chat_send_async": "openrouter_funcs._chat_send_async",
}


def __getattr__(name: str) -> Any:
    module = _IMPORT_MAP.get(name)
    if module is None:
        raise AttributeError(f"module 'openrouter_funcs' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
