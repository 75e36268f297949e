"""A whole reply replayed as a one-event stream, for a server that answered `"stream": true` with JSON."""

from __future__ import annotations

from typing import Any

import httpx
import msgspec

from openrouter_core._models._response import ChatResponse

__all__ = ["as_event_stream"]


def _as_chunk(response: ChatResponse) -> dict[str, Any]:
    chunk: dict[str, Any] = msgspec.to_builtins(response)
    chunk["object"] = "chat.completion.chunk"
    for choice in chunk.get("choices", []):
        delta = choice.pop("message", {}) or {}
        for index, call in enumerate(delta.get("tool_calls") or []):
            call.setdefault("index", index)
        choice["delta"] = delta
    return chunk


def as_event_stream(response: ChatResponse, request: httpx.Request | None = None) -> httpx.Response:
    """An `text/event-stream` response holding `response` as one chunk then `[DONE]` (sync and async)."""
    body = b"data: " + msgspec.json.encode(_as_chunk(response)) + b"\n\ndata: [DONE]\n\n"
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body, request=request)
