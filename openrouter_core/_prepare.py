"""Turning a call's arguments into a `Prepared` request: validate, encode, merge headers. No I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError, SDKValidationError, UnexpectedClientError
from openrouter_core._headers import check_headers, merge_headers
from openrouter_core._safe_text import safe_str
from openrouter_core.result import Err, Ok, Result

__all__ = ["Prepared", "prepare", "prepare_get", "to_struct", "validation_error"]

S = TypeVar("S", bound=msgspec.Struct)

_ENCODER = msgspec.json.Encoder()
_PATH = re.compile(r" - at `([^`]*)`$")
_FIELD = re.compile(r"(?:unknown|required) field `([^`]*)`")


class Prepared(msgspec.Struct, frozen=True):
    """One call, ready to send: everything but the I/O."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout_s: float
    retry: RetryConfig


def validation_error(exc: msgspec.ValidationError, prefix: str = "request") -> SDKValidationError:
    """An `SDKValidationError` naming the field path that msgspec reported."""
    text = str(exc)
    match = _PATH.search(text)
    path = match.group(1) if match else "$"
    field = _FIELD.search(text)
    if field:
        path = f"{path}.{field.group(1)}"
    return SDKValidationError(f"invalid {prefix}: {text}", path=path)


def to_struct(request: S | Mapping[str, Any], model: type[S]) -> Result[S, SDKValidationError]:
    """`request` as a `model` struct: a struct passes through, a mapping is converted and validated."""
    if isinstance(request, model):
        return Ok(request)
    if not isinstance(request, Mapping):
        return Err(
            SDKValidationError(
                f"request must be a {model.__name__} or a mapping, not {type(request).__name__}", path="$"
            )
        )
    try:
        return Ok(msgspec.convert(request, model))
    except msgspec.ValidationError as exc:
        return Err(validation_error(exc))


def _encode(body: msgspec.Struct, extra_body: Mapping[str, Any] | None) -> bytes:
    if not extra_body:
        return _ENCODER.encode(body)
    fields = msgspec.to_builtins(body)
    fields.update(extra_body)
    return _ENCODER.encode(fields)


def prepare(
    core: OpenRouterCore,
    method: str,
    url: str,
    body: msgspec.Struct | None,
    *,
    stream: bool,
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
    extra_body: Mapping[str, Any] | None,
) -> Result[Prepared, OpenRouterError]:
    """Validate and encode one call's request; no I/O."""
    if core.config_error is not None:
        return Err(core.config_error)
    try:
        auth = core.auth_headers()
    except OpenRouterError as invalid:
        return Err(invalid)
    except Exception as exc:
        failed = UnexpectedClientError(f"the api_key callable failed: {type(exc).__name__}")
        failed.__cause__ = exc
        return Err(failed)
    if extra_body is not None and not isinstance(extra_body, Mapping):
        return Err(SDKValidationError("extra_body must be a mapping of JSON fields", path="extra_body"))
    if timeout_ms is not None and (not isinstance(timeout_ms, (int, float)) or timeout_ms <= 0):
        return Err(
            SDKValidationError("timeout_ms must be a positive number of milliseconds", path="timeout_ms")
        )
    merged = dict(core.base_headers)
    merged.update(auth)
    if stream:
        merged["Accept"] = "text/event-stream"
    if headers:
        try:
            check_headers(headers)
        except SDKValidationError as error:
            return Err(error)
        merged = merge_headers(merged, headers)
    try:
        content = None if body is None else _encode(body, extra_body)
    except (TypeError, ValueError, msgspec.EncodeError) as exc:
        return Err(SDKValidationError(f"request body cannot be encoded as JSON: {safe_str(exc)}", path="$"))
    timeout = core.timeout_ms if timeout_ms is None else timeout_ms
    return Ok(
        Prepared(
            method=method,
            url=url,
            headers=merged,
            body=content,
            timeout_s=timeout / 1000,
            retry=core.retry_config if retries is None else retries,
        )
    )


def prepare_get(
    core: OpenRouterCore,
    url: str,
    retries: RetryConfig | None,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
) -> Result[Prepared, OpenRouterError]:
    """A `GET` of `url` with the call's options: the endpoints around chat that take no body."""
    return prepare(
        core,
        "GET",
        url,
        None,
        stream=False,
        retries=retries,
        timeout_ms=timeout_ms,
        headers=headers,
        extra_body=None,
    )
