"""The canned bodies the loopback server sends: a 1.7 KB reply, a 61 KB one with 20 tool calls, SSE."""

from __future__ import annotations

import json
from typing import Any

CREATED = 1732700000
MODEL = "openai/gpt-4o-mini"
_LOREM = (
    "The sky looks blue because molecules in the air scatter short wavelengths of sunlight more strongly "
    "than long ones, an effect named after Lord Rayleigh. "
)


def _usage() -> dict[str, Any]:
    return {
        "prompt_tokens": 14,
        "completion_tokens": 312,
        "total_tokens": 326,
        "cost": 0.0001893,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": 2.1e-06,
            "upstream_inference_completions_cost": 0.0001872,
        },
        "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
    }


def _reply(message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": "gen-1732700000-AbCdEfGhIjKlMnOpQrSt",
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion",
        "created": CREATED,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "index": 0,
                "message": message,
            }
        ],
        "system_fingerprint": "fp_0ba0d124f1",
        "usage": _usage(),
    }


def small_body() -> bytes:
    """A typical 1.7 KB non-streaming chat reply."""
    content = (_LOREM * 10)[:1030]
    message = {"role": "assistant", "content": content, "refusal": None, "reasoning": None}
    return json.dumps(_reply(message, "stop"), separators=(",", ":")).encode()


def _tool_call(i: int) -> dict[str, Any]:
    rows = [{"id": f"row-{i}-{j}", "title": _LOREM[: 40 + j % 30], "score": j / 7} for j in range(24)]
    return {
        "id": f"call_{i:03d}_Xy7Qz9Lm2Np4Rs6Tu8Vw",
        "type": "function",
        "function": {"name": f"store_results_{i}", "arguments": json.dumps({"query": f"q{i}", "rows": rows})},
    }


def large_body() -> bytes:
    """A 61 KB reply whose message carries 20 tool calls."""
    message = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "reasoning": None,
        "tool_calls": [_tool_call(i) for i in range(20)],
    }
    return json.dumps(_reply(message, "tool_calls"), separators=(",", ":")).encode()


def _chunk(delta: dict[str, Any], finish: str | None, usage: bool = False) -> bytes:
    chunk: dict[str, Any] = {
        "id": "gen-1732700000-AbCdEfGhIjKlMnOpQrSt",
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "logprobs": None,
            }
        ],
        "system_fingerprint": "fp_0ba0d124f1",
    }
    if usage:
        chunk["usage"] = _usage()
    return json.dumps(chunk, separators=(",", ":")).encode()


def chunk_payload() -> bytes:
    """One typical content chunk's JSON (the `data:` payload)."""
    return _chunk({"role": "assistant", "content": " scatter"}, None)


def sse_events(n: int) -> list[bytes]:
    """The events of an SSE stream: `n` content chunks, a finish chunk with usage, then `[DONE]`."""
    words = _LOREM.split(" ")
    events = [b": OPENROUTER PROCESSING\n\n"]
    for i in range(n):
        delta = {"role": "assistant", "content": " " + words[i % len(words)]}
        events.append(b"data: " + _chunk(delta, None) + b"\n\n")
    events.append(b"data: " + _chunk({"role": "assistant", "content": ""}, "stop", usage=True) + b"\n\n")
    events.append(b"data: [DONE]\n\n")
    return events
