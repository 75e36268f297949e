"""Turning a finished HTTP response (status, headers, body) into `Ok(model)` or the right error. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

import msgspec

from openrouter_core._errors import (
    Availability,
    ChatError,
    OpenRouterDefaultError,
    OpenRouterError,
    ResponseValidationError,
    chat_error_class,
)
from openrouter_core._models._response import ErrorBody

__all__ = ["ResponseDecoder", "chat_error"]

T = TypeVar("T")

_ERROR_DECODER = msgspec.json.Decoder(ErrorBody)


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def chat_error(
    status_code: int,
    code: int | str | None,
    message: str | None,
    metadata: Mapping[str, Any] | None,
    *,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    openrouter_metadata: Mapping[str, Any] | None = None,
    user_id: str | None = None,
    availability: object = None,
) -> ChatError:
    """The `ChatError` subclass for an OpenRouter error: by HTTP status if it is an error, else by `code`."""
    cls = chat_error_class(status_code if status_code >= 400 else code)
    error_type = metadata.get("error_type") if isinstance(metadata, Mapping) else None
    return cls(
        message or f"API error occurred: {_text(body)[:1000]}",
        status_code=status_code,
        code=code,
        metadata=metadata,
        openrouter_metadata=openrouter_metadata,
        user_id=user_id,
        body=_text(body),
        headers=headers,
        error_type=error_type if isinstance(error_type, str) else None,
        availability=Availability.from_body(availability),
    )


def _error_body(status: int, headers: Mapping[str, str], body: bytes) -> ChatError | None:
    try:
        parsed = _ERROR_DECODER.decode(body)
    except (msgspec.DecodeError, RecursionError):
        return None
    detail = parsed.error
    if detail is None:
        return None
    return chat_error(
        status,
        detail.code,
        detail.message,
        detail.metadata,
        body=body,
        headers=headers,
        openrouter_metadata=parsed.openrouter_metadata,
        user_id=parsed.user_id,
        availability=detail.availability,
    )


def _is_json(content_type: str) -> bool:
    return "json" in content_type


class ResponseDecoder(Generic[T]):
    """Decodes a finished response into `T`, or the error its status and body call for."""

    __slots__ = ("_decode",)

    def __init__(self, model: type[T]) -> None:
        self._decode = msgspec.json.Decoder(model).decode

    def __call__(self, status: int, headers: Mapping[str, str], body: bytes) -> T | OpenRouterError:
        """Decode one response: the model, or the error (returned, not raised)."""
        if 200 <= status < 300:
            try:
                return self._decode(body)
            except (msgspec.DecodeError, RecursionError) as exc:
                # A 200 made only of `{"error": ...}` is an API error, not a schema mismatch (python-sdk #44).
                error: OpenRouterError | None = _error_body(status, headers, body)
                return error if error is not None else self._undecodable(status, headers, body, exc)
        content_type = headers.get("content-type", "")
        if status >= 400:
            error = _error_body(status, headers, body) if _is_json(content_type) or body[:1] == b"{" else None
            return (
                error
                if error is not None
                else self._default_error("API error occurred", status, headers, body)
            )
        return self._default_error("Unexpected Status or Content-Type", status, headers, body)

    def _undecodable(
        self, status: int, headers: Mapping[str, str], body: bytes, exc: Exception
    ) -> OpenRouterError:
        content_type = headers.get("content-type", "")
        if not _is_json(content_type) and body.lstrip()[:1] not in (b"{", b"["):
            return self._default_error("Unexpected Status or Content-Type", status, headers, body)
        return ResponseValidationError(
            f"Response validation failed: {exc}", body=_text(body), status_code=status
        )

    @staticmethod
    def _default_error(
        message: str, status: int, headers: Mapping[str, str], body: bytes
    ) -> OpenRouterDefaultError:
        return OpenRouterDefaultError(
            message,
            status_code=status,
            body=_text(body),
            headers=headers,
            content_type=headers.get("content-type", ""),
        )
