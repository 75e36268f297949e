"""`Hooks`: callables the core runs once per attempt, around each HTTP exchange."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import httpx
import msgspec

from openrouter_core._errors import OpenRouterError, UnexpectedClientError
from openrouter_core._safe_text import safe_str, type_name

__all__ = [
    "AfterResponse",
    "BeforeRequest",
    "Hooks",
    "OnError",
    "run_after_response",
    "run_before_request",
    "run_on_error",
]

BeforeRequest = Callable[[httpx.Request], "httpx.Request | None"]
"""Sees each attempt's request before it is sent; returns a replacement, or None to keep it."""
AfterResponse = Callable[[httpx.Response], None]
"""Sees each attempt's response as soon as its headers arrive (the body is not read yet)."""
OnError = Callable[[OpenRouterError], None]
"""Sees the error of each failed attempt, retried or not."""


class Hooks(msgspec.Struct, frozen=True):
    """Hooks run in order, once per attempt; an exception inside one becomes `Err(UnexpectedClientError)`."""

    before_request: Sequence[BeforeRequest] = ()
    after_response: Sequence[AfterResponse] = ()
    on_error: Sequence[OnError] = ()


def _failed(kind: str, hook: object, exc: Exception) -> UnexpectedClientError:
    try:
        name = safe_str(getattr(hook, "__qualname__", type_name(hook)))
    except Exception:
        name = type_name(hook)
    error = UnexpectedClientError(f"{kind} hook {name} raised {type_name(exc)}: {safe_str(exc)}")
    error.__cause__ = exc
    return error


def run_before_request(hooks: Hooks, request: httpx.Request) -> httpx.Request:
    """The request after every `before_request` hook; raises `UnexpectedClientError` if one fails."""
    for hook in hooks.before_request:
        try:
            replaced = hook(request)
        except Exception as exc:
            raise _failed("before_request", hook, exc) from exc
        if replaced is not None:
            request = replaced
    return request


def run_after_response(hooks: Hooks, response: httpx.Response) -> None:
    """Run every `after_response` hook; raises `UnexpectedClientError` if one fails."""
    for hook in hooks.after_response:
        try:
            hook(response)
        except Exception as exc:
            raise _failed("after_response", hook, exc) from exc


def run_on_error(hooks: Hooks, error: OpenRouterError) -> OpenRouterError:
    """Run every `on_error` hook; returns the hook's own failure instead if one raises."""
    for hook in hooks.on_error:
        try:
            hook(error)
        except Exception as exc:
            return _failed("on_error", hook, exc)
    return error
