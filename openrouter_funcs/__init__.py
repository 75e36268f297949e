"""Standalone functions for OpenRouter that return `Ok`/`Err` instead of raising, plus the thin client.

Each function lives with its `_async` twin in a module of its own (most pairs derived from one plan, see
`openrouter_core._call`), and this package loads them on first use, so `from openrouter_funcs import
chat_send` imports only what `chat_send` needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openrouter_funcs._chat_parse import (
        Parsed,
        chat_parse,
        chat_parse_async,
        chat_parse_response,
        response_format_for,
    )
    from openrouter_funcs._chat_send import SendOptions, chat_send, chat_send_async
    from openrouter_funcs._chat_send_many import BatchRecord, chat_send_many, chat_send_many_async
    from openrouter_funcs._client import AsyncRaisingChatStream, OpenRouter, RaisingChatStream
    from openrouter_funcs._cost_ledger import CostLedger, CostLine
    from openrouter_funcs._credits_get import credits_get, credits_get_async
    from openrouter_funcs._embeddings_create import embeddings_create, embeddings_create_async
    from openrouter_funcs._generation_get import generation_get, generation_get_async
    from openrouter_funcs._key_get import key_get, key_get_async
    from openrouter_funcs._models_list import models_list, models_list_async
    from openrouter_funcs._otel import instrument, uninstrument
    from openrouter_funcs._tools import ToolRun, chat_run_tools, chat_run_tools_async, function_tool

__all__ = [
    "AsyncRaisingChatStream",
    "BatchRecord",
    "CostLedger",
    "CostLine",
    "OpenRouter",
    "Parsed",
    "RaisingChatStream",
    "SendOptions",
    "ToolRun",
    "chat_parse",
    "chat_parse_async",
    "chat_parse_response",
    "chat_run_tools",
    "chat_run_tools_async",
    "chat_send",
    "chat_send_async",
    "chat_send_many",
    "chat_send_many_async",
    "credits_get",
    "credits_get_async",
    "embeddings_create",
    "embeddings_create_async",
    "function_tool",
    "generation_get",
    "generation_get_async",
    "instrument",
    "key_get",
    "key_get_async",
    "models_list",
    "models_list_async",
    "response_format_for",
    "uninstrument",
]

_IMPORT_MAP = {
    "AsyncRaisingChatStream": "openrouter_funcs._client",
    "BatchRecord": "openrouter_funcs._chat_send_many",
    "CostLedger": "openrouter_funcs._cost_ledger",
    "CostLine": "openrouter_funcs._cost_ledger",
    "OpenRouter": "openrouter_funcs._client",
    "RaisingChatStream": "openrouter_funcs._client",
    "Parsed": "openrouter_funcs._chat_parse",
    "SendOptions": "openrouter_funcs._chat_send",
    "ToolRun": "openrouter_funcs._tools",
    "chat_parse": "openrouter_funcs._chat_parse",
    "chat_parse_async": "openrouter_funcs._chat_parse",
    "chat_parse_response": "openrouter_funcs._chat_parse",
    "chat_run_tools": "openrouter_funcs._tools",
    "chat_run_tools_async": "openrouter_funcs._tools",
    "chat_send": "openrouter_funcs._chat_send",
    "chat_send_async": "openrouter_funcs._chat_send",
    "chat_send_many": "openrouter_funcs._chat_send_many",
    "chat_send_many_async": "openrouter_funcs._chat_send_many",
    "credits_get": "openrouter_funcs._credits_get",
    "credits_get_async": "openrouter_funcs._credits_get",
    "embeddings_create": "openrouter_funcs._embeddings_create",
    "embeddings_create_async": "openrouter_funcs._embeddings_create",
    "function_tool": "openrouter_funcs._tools",
    "generation_get": "openrouter_funcs._generation_get",
    "generation_get_async": "openrouter_funcs._generation_get",
    "instrument": "openrouter_funcs._otel",
    "key_get": "openrouter_funcs._key_get",
    "key_get_async": "openrouter_funcs._key_get",
    "models_list": "openrouter_funcs._models_list",
    "models_list_async": "openrouter_funcs._models_list",
    "response_format_for": "openrouter_funcs._chat_parse",
    "uninstrument": "openrouter_funcs._otel",
}
# Names whose module needs an optional extra, and that extra.
_EXTRAS = {"instrument": "otel", "uninstrument": "otel"}


def __getattr__(name: str) -> Any:
    module = _IMPORT_MAP.get(name)
    if module is None:
        raise AttributeError(f"module 'openrouter_funcs' has no attribute {name!r}")
    try:
        loaded = import_module(module)
    except ModuleNotFoundError as exc:
        if name not in _EXTRAS:
            raise
        extra = _EXTRAS[name]
        hint = f"pip install 'openrouter-funcs[{extra}]'"
        raise ImportError(f"{name} needs the {extra!r} extra: {hint}") from exc
    value = getattr(loaded, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
