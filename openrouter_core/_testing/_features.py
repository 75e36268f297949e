"""OpenRouter behaviours of the mock server beyond scripted replies: the response cache and a reasoning
model that, like Gemini 3, refuses a tool turn whose assistant message lost its `reasoning_details`."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
import time
from typing import Any

import msgspec

from ._builders import error_reply
from ._http import header_items
from ._script import RecordedRequest, Reply

__all__ = ["DEFAULT_CACHE_TTL_S", "ResponseCache", "lost_reasoning_reply"]

DEFAULT_CACHE_TTL_S = 300
"""How long an entry lives when the request names no `X-OpenRouter-Cache-TTL`."""

_GENERATION_ID = re.compile(rb'"id"\s*:\s*"([^"]+)"')


def _with_headers(reply: Reply, extra: dict[str, str]) -> Reply:
    return dataclasses.replace(reply, headers=[*header_items(reply.headers), *extra.items()])


def _source_id(reply: Reply) -> str:
    pieces = (
        [reply.body] if reply.body is not None else [c for c in reply.chunks or () if isinstance(c, bytes)]
    )
    for piece in pieces:
        found = _GENERATION_ID.search(bytes(piece))
        if found:
            return found.group(1).decode("utf-8", "replace")
    return ""


class _Entry(msgspec.Struct):
    reply: Reply
    stored: float
    ttl: int
    source_id: str


class ResponseCache:
    """Replies to `X-OpenRouter-Cache: true` requests, keyed by the API key and the exact body bytes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[bytes, _Entry] = {}

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    @staticmethod
    def _key(request: RecordedRequest) -> bytes | None:
        if request.headers.get("x-openrouter-cache", "").lower() != "true":
            return None
        digest = hashlib.sha256(request.headers.get("authorization", "").encode())
        digest.update(b"\0" + request.path.encode() + b"\0" + request.body)
        return digest.digest()

    @staticmethod
    def _ttl(request: RecordedRequest) -> int:
        value = request.headers.get("x-openrouter-cache-ttl", "")
        return min(max(int(value), 1), 86_400) if value.isdigit() else DEFAULT_CACHE_TTL_S

    def lookup(self, request: RecordedRequest) -> Reply | None:
        """The cached reply with `HIT` headers, or None (a `X-OpenRouter-Cache-Clear` drops the entry)."""
        key = self._key(request)
        if key is None:
            return None
        now = time.monotonic()
        with self._lock:
            if request.headers.get("x-openrouter-cache-clear", "").lower() == "true":
                self._entries.pop(key, None)
            entry = self._entries.get(key)
            if entry is not None and now - entry.stored >= entry.ttl:
                del self._entries[key]
                entry = None
        if entry is None:
            return None
        return _with_headers(
            entry.reply,
            {
                "X-OpenRouter-Cache-Status": "HIT",
                "X-OpenRouter-Cache-Age": str(int(now - entry.stored)),
                "X-OpenRouter-Cache-TTL": str(entry.ttl),
                "X-OpenRouter-Cache-Source-Id": entry.source_id,
            },
        )

    def store(self, request: RecordedRequest, reply: Reply) -> Reply:
        """`reply` with `MISS` headers, kept when it is a 200 to a request that asked for caching."""
        key = self._key(request)
        if key is None:
            return reply
        ttl = self._ttl(request)
        if reply.status == 200 and not reply.raw and reply.close_after_bytes is None:
            with self._lock:
                self._entries[key] = _Entry(reply, time.monotonic(), ttl, _source_id(reply))
        return _with_headers(reply, {"X-OpenRouter-Cache-Status": "MISS", "X-OpenRouter-Cache-TTL": str(ttl)})


def lost_reasoning_reply(request: RecordedRequest) -> Reply | None:
    """A 400 when a tool message follows an assistant tool call sent back without its `reasoning_details`."""
    try:
        payload: Any = request.json()
    except msgspec.DecodeError:
        return None
    messages = payload.get("messages") if isinstance(payload, dict) else None
    if not isinstance(messages, list):
        return None
    last_assistant: Any = None
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        if message.get("role") == "assistant":
            last_assistant = message
        elif message.get("role") == "tool" and isinstance(last_assistant, dict):
            details = last_assistant.get("reasoning_details")
            if last_assistant.get("tool_calls") and not (isinstance(details, list) and details):
                return error_reply(
                    400,
                    f"messages[{index}]: the assistant turn before this tool result lost its reasoning "
                    "details; reasoning details must be preserved and sent back unchanged",
                    error_type="invalid_request",
                )
    return None
