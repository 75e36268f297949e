"""Canned replies of the embedded server for the endpoints around chat, in the shape of the OpenAPI spec.

``GET /models`` (with its main filters and ``offset``/``limit`` pages), ``GET /generation?id=``,
``GET /credits``, ``GET /key`` and ``POST /embeddings`` (deterministic unit vectors derived from
the model and each input, so equal inputs embed equally and different inputs differently).
"""

from __future__ import annotations

import base64
import hashlib
import struct
import time
from typing import Any
from urllib.parse import parse_qs

import msgspec

from ._builders import DEFAULT_MODEL, DEFAULT_PROVIDER, error_reply
from ._script import RecordedRequest, Reply

__all__ = ["EMBEDDING_MODEL", "endpoint_reply", "mock_embedding"]

EMBEDDING_MODEL = "openrouter/mock-embed"
"""The embeddings model listed by ``GET /models?output_modalities=embeddings``."""

_encode = msgspec.json.encode
_CREATED = 1735689600
_DEFAULT_DIMENSIONS = 8
_MAX_DIMENSIONS = 4096
_EMBEDDING_PRICE = 2e-8
_PROMPT_PRICE = 1e-6
_COMPLETION_PRICE = 2e-6


def endpoint_reply(request: RecordedRequest, prefix: str) -> Reply | None:
    """The reply for one of the routes above, or ``None`` when the request is for none of them."""
    if not request.path.startswith(prefix):
        return None
    path = request.path[len(prefix) :]
    if request.method in ("GET", "HEAD"):
        getter = _GETTERS.get(path)
        return None if getter is None else getter(request)
    if request.method == "POST" and path == "/embeddings":
        return _embeddings(request)
    return None


def _query(request: RecordedRequest) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(request.query, keep_blank_values=True).items()}


def _bearer(request: RecordedRequest) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _unauthorized() -> Reply:
    return error_reply(401, "Missing Authentication header")


def _names(value: str) -> set[str]:
    return {name.strip() for name in value.split(",") if name.strip()}


# -- GET /models ---------------------------------------------------------------------------------

_CHAT_PARAMETERS = ["max_tokens", "temperature", "top_p", "stop", "seed", "tools", "tool_choice"]
_CATALOG: list[tuple[str, str, int, list[str], list[str], dict[str, str]]] = [
    (
        DEFAULT_MODEL,
        "Mock: Echo",
        8192,
        ["text"],
        _CHAT_PARAMETERS,
        {"prompt": "0.000001", "completion": "0.000002", "request": "0", "image": "0"},
    ),
    (
        "openrouter/mock-large",
        "Mock: Echo Large",
        131072,
        ["text"],
        [*_CHAT_PARAMETERS, "reasoning", "include_reasoning", "response_format", "structured_outputs"],
        {"prompt": "0.000003", "completion": "0.000015", "request": "0", "image": "0"},
    ),
    (
        EMBEDDING_MODEL,
        "Mock: Embed",
        8192,
        ["embeddings"],
        [],
        {"prompt": "0.00000002", "completion": "0", "request": "0", "image": "0"},
    ),
]


def _model(
    model_id: str, name: str, context: int, outputs: list[str], parameters: list[str], pricing: dict[str, str]
) -> dict[str, Any]:
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": None,
        "name": name,
        "created": _CREATED,
        "description": "Deterministic mock model served by openrouter_core.testing.",
        "context_length": context,
        "architecture": {
            "modality": "text->" + outputs[0],
            "input_modalities": ["text"],
            "output_modalities": outputs,
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": pricing,
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": 4096 if "text" in outputs else None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": parameters,
        "default_parameters": {"temperature": None, "top_p": None, "frequency_penalty": None},
        "supported_voices": None,
        "knowledge_cutoff": None,
        "expiration_date": None,
        "links": {"details": f"/api/v1/models/{model_id}/endpoints"},
    }


def _int_param(query: dict[str, str], name: str, minimum: int) -> int | Reply | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    if not text.isdigit() or int(text) < minimum:
        return error_reply(400, f"Invalid {name}: expected an integer >= {minimum}")
    return int(text)


def _matches(model: dict[str, Any], query: dict[str, str]) -> bool:
    outputs = _names(query.get("output_modalities", "text"))
    if "all" not in outputs and not outputs & set(model["architecture"]["output_modalities"]):
        return False
    if not _names(query.get("input_modalities", "")) <= set(model["architecture"]["input_modalities"]):
        return False
    if not _names(query.get("supported_parameters", "")) <= set(model["supported_parameters"]):
        return False
    needle = query.get("q", "").lower()
    return not needle or needle in model["id"].lower() or needle in model["name"].lower()


def _models(request: RecordedRequest) -> Reply:
    query = _query(request)
    numbers: dict[str, int | None] = {}
    for name, minimum in (("offset", 0), ("limit", 1), ("context", 1)):
        value = _int_param(query, name, minimum)
        if isinstance(value, Reply):
            return value
        numbers[name] = value
    offset, limit, context = numbers["offset"], numbers["limit"], numbers["context"]
    models = [model for model in (_model(*entry) for entry in _CATALOG) if _matches(model, query)]
    if context is not None:
        models = [model for model in models if model["context_length"] >= context]
    if query.get("sort") == "context-high-to-low":
        models.sort(key=lambda model: -model["context_length"])
    total = len(models)
    next_url = None
    if offset is not None or limit is not None:
        start = offset or 0
        size = min(limit or 500, 1000)
        models = models[start : start + size]
        if start + size < total:
            rest = {name: value for name, value in query.items() if name not in ("offset", "limit")}
            rest.update(offset=str(start + size), limit=str(size))
            next_url = request.path + "?" + "&".join(f"{name}={value}" for name, value in rest.items())
    return Reply(body=_encode({"data": models, "total_count": total, "links": {"next": next_url}}))


# -- GET /generation -----------------------------------------------------------------------------


def _digest_int(text: str, modulo: int) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % modulo


def _generation(request: RecordedRequest) -> Reply:
    generation_id = _query(request).get("id", "")
    if not generation_id:
        return error_reply(400, "Missing required query parameter: id")
    if not generation_id.startswith("gen-"):
        return error_reply(404, f"Generation {generation_id} not found")
    parts = generation_id.split("-")
    created = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else _CREATED
    prompt = 10 + _digest_int(generation_id, 90)
    completion = 1 + _digest_int(generation_id[::-1], 200)
    cost = round(prompt * _PROMPT_PRICE + completion * _COMPLETION_PRICE, 12)
    latency = 200 + _digest_int(generation_id + "latency", 800)
    data = {
        "id": generation_id,
        "upstream_id": "chatcmpl-mock-" + hashlib.sha256(generation_id.encode()).hexdigest()[:24],
        "request_id": "req-mock-" + hashlib.sha256(generation_id.encode()).hexdigest()[24:40],
        "total_cost": cost,
        "usage": cost,
        "cache_discount": None,
        "upstream_inference_cost": None,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime(created)),
        "model": DEFAULT_MODEL,
        "app_id": None,
        "streamed": False,
        "cancelled": False,
        "provider_name": DEFAULT_PROVIDER,
        "latency": latency,
        "moderation_latency": None,
        "generation_time": latency - 50,
        "finish_reason": "stop",
        "native_finish_reason": "stop",
        "service_tier": None,
        "tokens_prompt": prompt,
        "tokens_completion": completion,
        "native_tokens_prompt": prompt,
        "native_tokens_completion": completion,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": 0,
        "num_media_prompt": None,
        "num_input_audio_prompt": None,
        "num_media_completion": 0,
        "num_search_results": None,
        "num_fetches": None,
        "web_search_engine": None,
        "origin": "",
        "is_byok": False,
        "external_user": None,
        "api_type": "completions",
        "preset_id": None,
        "router": None,
        "session_id": None,
        "response_cache_source_id": None,
        "provider_responses": [
            {
                "id": "chatcmpl-mock",
                "endpoint_id": "mock-endpoint",
                "model_permaslug": DEFAULT_MODEL,
                "provider_name": DEFAULT_PROVIDER,
                "status": 200,
                "latency": latency - 50,
                "is_byok": False,
            }
        ],
        "user_agent": None,
        "http_referer": None,
        "data_region": "global",
        "workspace_id": None,
    }
    return Reply(body=_encode({"data": data}))


# -- GET /credits and GET /key -------------------------------------------------------------------


def _credits(request: RecordedRequest) -> Reply:
    if _bearer(request) is None:
        return _unauthorized()
    return Reply(body=_encode({"data": {"total_credits": 100.0, "total_usage": 25.75}}))


def _key(request: RecordedRequest) -> Reply:
    key = _bearer(request)
    if key is None:
        return _unauthorized()
    label = f"{key[:10]}...{key[-3:]}" if len(key) > 16 else key[:3] + "..."
    data = {
        "label": label,
        "limit": 100.0,
        "limit_remaining": 74.25,
        "limit_reset": "monthly",
        "usage": 25.75,
        "usage_daily": 1.25,
        "usage_weekly": 6.5,
        "usage_monthly": 25.75,
        "byok_usage": 0.0,
        "byok_usage_daily": 0.0,
        "byok_usage_weekly": 0.0,
        "byok_usage_monthly": 0.0,
        "include_byok_in_limit": False,
        "is_free_tier": False,
        "is_management_key": False,
        "is_provisioning_key": False,
        "creator_user_id": "user_mock",
        "expires_at": None,
        "rate_limit": {
            "requests": -1,
            "interval": "10s",
            "note": "This field is deprecated and safe to ignore.",
        },
    }
    return Reply(body=_encode({"data": data}))


_GETTERS = {"/models": _models, "/generation": _generation, "/credits": _credits, "/key": _key}


# -- POST /embeddings ----------------------------------------------------------------------------


def mock_embedding(model: str, item: Any, dimensions: int = _DEFAULT_DIMENSIONS) -> list[float]:
    """The unit vector the mock server returns for one ``item`` (a text, tokens or a multimodal input)."""
    seed = model.encode() + b"\0" + _encode(item)
    raw = b""
    counter = 0
    while len(raw) < 4 * dimensions:
        raw += hashlib.sha256(seed + counter.to_bytes(4, "big")).digest()
        counter += 1
    values = [int.from_bytes(raw[4 * i : 4 * i + 4], "big") / 0x7FFFFFFF - 1.0 for i in range(dimensions)]
    norm = sum(value * value for value in values) ** 0.5 or 1.0
    # Rounded through float32, as real providers send them.
    return [struct.unpack("<f", struct.pack("<f", value / norm))[0] for value in values]


def _tokens(item: Any) -> int:
    if isinstance(item, str):
        return max((len(item) + 3) // 4, 1)
    if isinstance(item, list):
        return max(len(item), 1)
    if isinstance(item, dict):
        parts = item.get("content")
        if isinstance(parts, list):
            return sum(_tokens(part.get("text", "")) if isinstance(part, dict) else 1 for part in parts)
    return 1


def _inputs(value: Any) -> list[Any] | None:
    if isinstance(value, str):
        return [value] if value else None
    if not isinstance(value, list) or not value:
        return None
    if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value):
        return [value]  # one list of tokens is one input
    if all(isinstance(item, (str, list, dict)) for item in value):
        return value
    return None


def _embeddings(request: RecordedRequest) -> Reply:
    try:
        payload = request.json()
    except msgspec.DecodeError:
        return error_reply(400, "Request body is not valid JSON")
    if not isinstance(payload, dict):
        return error_reply(400, "Request body must be a JSON object")
    model = payload.get("model")
    if not isinstance(model, str) or not model:
        return error_reply(400, "Missing required field: model")
    inputs = _inputs(payload.get("input"))
    if inputs is None:
        return error_reply(400, "input must be a non-empty string or a non-empty array")
    dimensions = payload.get("dimensions", _DEFAULT_DIMENSIONS)
    valid = isinstance(dimensions, int) and not isinstance(dimensions, bool)
    if not valid or not 0 < dimensions <= _MAX_DIMENSIONS:
        return error_reply(400, f"dimensions must be an integer from 1 to {_MAX_DIMENSIONS}")
    as_base64 = payload.get("encoding_format") == "base64"
    data = []
    for index, item in enumerate(inputs):
        vector = mock_embedding(model, item, dimensions)
        embedding: list[float] | str = (
            base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode() if as_base64 else vector
        )
        data.append({"object": "embedding", "embedding": embedding, "index": index})
    tokens = sum(_tokens(item) for item in inputs)
    cost = round(tokens * _EMBEDDING_PRICE, 12)
    body = {
        "id": "embd-mock" + hashlib.sha256(request.body).hexdigest()[:20],
        "object": "list",
        "data": data,
        "model": model,
        "usage": {
            "prompt_tokens": tokens,
            "total_tokens": tokens,
            "cost": cost,
            "is_byok": False,
            "cost_details": {"upstream_inference_cost": None},
        },
    }
    return Reply(body=_encode(body))
