"""Builders for realistic OpenRouter replies (JSON bodies, SSE streams, error bodies)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ._http import header_items
from ._script import Chunk, Delay, HeaderItems, RecordedRequest, Reply

__all__ = [
    "DEFAULT_MODEL",
    "echo_reply",
    "error_reply",
    "route_metadata",
    "sse_event",
    "stream_reply",
    "text_reply",
]

DEFAULT_MODEL = "openrouter/mock"
"""The model name used when neither the request nor the builder names one."""
DEFAULT_PROVIDER = "MockProvider"

_encode = msgspec.json.encode
_ids = itertools.count(1)
_PROMPT_PRICE = 1e-6
_COMPLETION_PRICE = 2e-6
_STREAM_HEADERS = [("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")]


def _generation_id(created: int) -> str:
    return f"gen-{created}-mock{next(_ids):016d}"


def _estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


def _usage(prompt: int, completion: int, reasoning_tokens: int) -> dict[str, Any]:
    prompt_cost = prompt * _PROMPT_PRICE
    completion_cost = completion * _COMPLETION_PRICE
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": round(prompt_cost + completion_cost, 12),
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": round(prompt_cost, 12),
            "upstream_inference_completions_cost": round(completion_cost, 12),
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens, "image_tokens": 0},
    }


def _resolve_usage(
    usage: tuple[int, int] | None, content: str | None, reasoning: str | None, tool_text: str
) -> dict[str, Any]:
    reasoning_tokens = _estimate_tokens(reasoning or "")
    if usage is None:
        completion = _estimate_tokens(content or "") + reasoning_tokens + _estimate_tokens(tool_text)
        usage = (10, max(completion, 1))
    return _usage(usage[0], usage[1], reasoning_tokens)


def _finish(finish_reason: str | None, tool_calls: Sequence[tuple[str, str]] | None) -> str:
    if finish_reason is not None:
        return finish_reason
    return "tool_calls" if tool_calls else "stop"


def _reasoning_details(text: str) -> list[dict[str, Any]]:
    return [{"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}]


def _json_headers(headers: HeaderItems | None) -> HeaderItems:
    return {} if headers is None else headers


def text_reply(
    content: str | None,
    *,
    model: str = DEFAULT_MODEL,
    usage: tuple[int, int] | None = None,
    finish_reason: str | None = None,
    provider: str = DEFAULT_PROVIDER,
    tool_calls: Sequence[tuple[str, str]] | None = None,
    reasoning: str | None = None,
    headers: HeaderItems | None = None,
    status: int = 200,
    openrouter_metadata: Mapping[str, Any] | None = None,
) -> Reply:
    """Build a non-streaming chat completion (``usage`` is ``(prompt, completion)``, else estimated).

    ``openrouter_metadata`` (see :func:`route_metadata`) is added to the body as the router would.
    """
    created = int(time.time())
    message: dict[str, Any] = {
        "role": "assistant",
        "content": content,
        "refusal": None,
        "reasoning": reasoning,
    }
    if reasoning is not None:
        message["reasoning_details"] = _reasoning_details(reasoning)
    tool_text = ""
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_mock{next(_ids):016d}",
                "index": index,
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for index, (name, arguments) in enumerate(tool_calls)
        ]
        tool_text = "".join(name + arguments for name, arguments in tool_calls)
    finish = _finish(finish_reason, tool_calls)
    body = {
        "id": _generation_id(created),
        "provider": provider,
        "model": model,
        "object": "chat.completion",
        "created": created,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "index": 0,
                "message": message,
            }
        ],
        "system_fingerprint": None,
        "usage": _resolve_usage(usage, content, reasoning, tool_text),
    }
    if openrouter_metadata is not None:
        body["openrouter_metadata"] = dict(openrouter_metadata)
    return Reply(status=status, headers=_json_headers(headers), body=_encode(body))


def route_metadata(
    model: str = DEFAULT_MODEL,
    provider: str = DEFAULT_PROVIDER,
    *,
    requested: str | None = None,
    failed: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    """An ``openrouter_metadata`` object: ``failed`` are ``(provider, status)`` tries before ``provider``."""
    attempts = [{"model": model, "provider": name, "status": status} for name, status in failed]
    attempts.append({"model": model, "provider": provider, "status": 200})
    return {
        "requested": requested if requested is not None else model,
        "strategy": "direct" if not failed else "fallback",
        "region": "iad",
        "summary": f"available={len(attempts)}, selected={provider}",
        "attempt": len(attempts),
        "is_byok": False,
        "endpoints": {
            "available": [
                {"model": model, "provider": item["provider"], "selected": item["provider"] == provider}
                for item in attempts
            ],
            "total": len(attempts),
        },
        "attempts": attempts,
    }


def sse_event(data: Mapping[str, Any] | str | bytes, *, event: str | None = None) -> bytes:
    """Encode one server-sent event (mappings become JSON; each line of text gets its own ``data:``)."""
    if isinstance(data, Mapping):
        payload = _encode(data)
    elif isinstance(data, str):
        payload = data.encode()
    else:
        payload = data
    head = b"" if event is None else b"event: " + event.encode() + b"\n"
    lines = b"".join(b"data: " + line + b"\n" for line in payload.split(b"\n"))
    return head + lines + b"\n"


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def stream_reply(
    content: str = "",
    *,
    chunk_size: int = 8,
    model: str = DEFAULT_MODEL,
    usage: tuple[int, int] | None = None,
    reasoning: str | None = None,
    tool_calls: Sequence[tuple[str, str]] | None = None,
    finish_reason: str | None = None,
    provider: str = DEFAULT_PROVIDER,
    keepalive_comments: bool = True,
    done: bool = True,
    error: Mapping[str, Any] | None = None,
    event_delay: float = 0.0,
    headers: HeaderItems | None = None,
    openrouter_metadata: Mapping[str, Any] | None = None,
) -> Reply:
    """Build a streaming chat completion as SSE, one event per write (``error`` ends it in-band).

    ``openrouter_metadata`` arrives in the last chunk (the one with ``usage``), as the router sends it.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be >= 1")
    created = int(time.time())
    gen_id = _generation_id(created)

    def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {
            "index": 0,
            "delta": delta,
            "finish_reason": finish,
            "native_finish_reason": finish,
            "logprobs": None,
        }
        return sse_event(
            {
                "id": gen_id,
                "provider": provider,
                "model": model,
                "object": "chat.completion.chunk",
                "created": created,
                "choices": [choice],
            }
        )

    events: list[bytes] = []
    if keepalive_comments:
        events.append(b": OPENROUTER PROCESSING\n\n")
    events.append(chunk({"role": "assistant", "content": ""}))
    for piece in _pieces(reasoning or "", chunk_size):
        events.append(
            chunk(
                {
                    "role": "assistant",
                    "content": "",
                    "reasoning": piece,
                    "reasoning_details": _reasoning_details(piece),
                }
            )
        )
    for piece in _pieces(content, chunk_size):
        events.append(chunk({"role": "assistant", "content": piece}))
    tool_text = ""
    for index, (name, arguments) in enumerate(tool_calls or ()):
        tool_text += name + arguments
        opening = {
            "index": index,
            "id": f"call_mock{next(_ids):016d}",
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        events.append(chunk({"role": "assistant", "content": None, "tool_calls": [opening]}))
        for piece in _pieces(arguments, chunk_size):
            fragment = {"index": index, "function": {"arguments": piece}}
            events.append(chunk({"role": "assistant", "content": None, "tool_calls": [fragment]}))
    if error is not None:
        events.append(
            sse_event(
                {
                    "id": gen_id,
                    "provider": provider,
                    "model": model,
                    "object": "chat.completion.chunk",
                    "created": created,
                    "error": dict(error),
                    "choices": [
                        {
                            "index": 0,
                            "delta": {"content": ""},
                            "finish_reason": "error",
                            "native_finish_reason": "error",
                        }
                    ],
                }
            )
        )
    else:
        events.append(chunk({"role": "assistant", "content": ""}, _finish(finish_reason, tool_calls)))
        last: dict[str, Any] = {
            "id": gen_id,
            "provider": provider,
            "model": model,
            "object": "chat.completion.chunk",
            "created": created,
            "choices": [],
            "usage": _resolve_usage(usage, content, reasoning, tool_text),
        }
        if openrouter_metadata is not None:
            last["openrouter_metadata"] = dict(openrouter_metadata)
        events.append(sse_event(last))
        if done:
            events.append(b"data: [DONE]\n\n")
    chunks: list[Chunk] = []
    for event in events:
        if event_delay and chunks:
            chunks.append(Delay(event_delay))
        chunks.append(event)
    extra = header_items(headers) if headers is not None else []
    overridden = {name.lower() for name, _ in extra}
    merged = [item for item in _STREAM_HEADERS if item[0].lower() not in overridden] + extra
    return Reply(headers=merged, chunks=chunks, content_type="text/event-stream")


def error_reply(
    status: int,
    message: str,
    *,
    code: int | str | None = None,
    metadata: Mapping[str, Any] | None = None,
    headers: HeaderItems | None = None,
    error_type: str | None = None,
    availability: Mapping[str, Any] | None = None,
) -> Reply:
    """Build OpenRouter's JSON error response ``{"error": {"code", "message", "metadata"?}}``.

    ``error_type`` goes to ``metadata.error_type`` (an ``ApiErrorType`` such as ``provider_overloaded``);
    ``availability`` is sent as ``error.availability`` (``code``, ``retryable``, ``retry_after``, ...).
    """
    error: dict[str, Any] = {"code": status if code is None else code, "message": message}
    if metadata is not None or error_type is not None:
        error["metadata"] = dict(metadata or {})
        if error_type is not None:
            error["metadata"]["error_type"] = error_type
    if availability is not None:
        error["availability"] = dict(availability)
    return Reply(status=status, headers=_json_headers(headers), body=_encode({"error": error}))


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
        )
    return ""


def echo_reply(request: RecordedRequest) -> Reply:
    """The default reply: "You said: <last user message>", streamed if the request has ``"stream": true``.

    With the request header ``X-OpenRouter-Metadata: enabled`` it carries ``openrouter_metadata``.
    """
    try:
        payload = request.json()
    except msgspec.DecodeError:
        return error_reply(400, "Request body is not valid JSON")
    if not isinstance(payload, dict):
        return error_reply(400, "Request body must be a JSON object")
    messages = payload.get("messages")
    if not isinstance(messages, list):
        return error_reply(400, "Missing required field: messages")
    last_user = ""
    prompt_text = ""
    for message in messages:
        if isinstance(message, dict):
            text = _message_text(message.get("content"))
            prompt_text += text
            if message.get("role") == "user":
                last_user = text
    model = payload.get("model")
    model = model if isinstance(model, str) and model else DEFAULT_MODEL
    content = f"You said: {last_user}"
    usage = (max(_estimate_tokens(prompt_text), 1), max(_estimate_tokens(content), 1))
    route = route_metadata(model) if request.headers.get("x-openrouter-metadata") == "enabled" else None
    if payload.get("stream") is True:
        return stream_reply(content, model=model, usage=usage, openrouter_metadata=route)
    return text_reply(content, model=model, usage=usage, openrouter_metadata=route)
