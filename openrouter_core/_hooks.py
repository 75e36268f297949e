"""`Hooks`: callables the core runs once per attempt around each HTTP exchange, and once per operation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

from openrouter_core._errors import OpenRouterError, UnexpectedClientError
from openrouter_core._log import logger
from openrouter_core._safe_text import safe_str, type_name

if TYPE_CHECKING:
    from openrouter_core._models._request import ChatGenerationParams
    from openrouter_core._models._stream import ChatStreamingResponseChunk
    from openrouter_core.result import Result

__all__ = [
    "AfterResponse",
    "BeforeRequest",
    "CallObserver",
    "CallStart",
    "Hooks",
    "OnCall",
    "OnError",
    "run_after_response",
    "run_before_request",
    "run_on_error",
    "start_call",
]

BeforeRequest = Callable[[httpx.Request], "httpx.Request | None"]
"""Sees each attempt's request before it is sent; returns a replacement, or None to keep it."""
AfterResponse = Callable[[httpx.Response], None]
"""Sees each attempt's response as soon as its headers arrive (the body is not read yet)."""
OnError = Callable[[OpenRouterError], None]
"""Sees the error of each failed attempt, retried or not."""


class CallStart:
    """What an operation is, as it starts: the `operation` name and the fields that apply to it.

    Operations: `chat` (one chat completion, `params` set), `invoke_agent` (a `chat_run_tools` loop,
    `params` set), `execute_tool` (one tool of that loop, `tool_*` set) and `chat_send_many` (a batch,
    `batch_size` set).
    """

    __slots__ = (
        "batch_size",
        "operation",
        "params",
        "server_url",
        "tool_arguments",
        "tool_call_id",
        "tool_description",
        "tool_name",
    )

    def __init__(
        self,
        operation: str,
        server_url: str,
        *,
        params: ChatGenerationParams | None = None,
        tool_name: str = "",
        tool_call_id: str = "",
        tool_arguments: str = "",
        tool_description: str = "",
        batch_size: int = 0,
    ) -> None:
        self.operation = operation
        self.server_url = server_url
        self.params = params
        self.tool_name = tool_name
        self.tool_call_id = tool_call_id
        self.tool_arguments = tool_arguments
        self.tool_description = tool_description
        self.batch_size = batch_size

    def __repr__(self) -> str:
        return f"CallStart({self.operation!r})"


class CallObserver:
    """Follows one operation from start to end; every method does nothing unless overridden.

    `finished` is called once, in the thread or task that started the operation, before the function
    returns. A stream's chunks and end come later, wherever the stream is read.
    """

    def request(self, params: ChatGenerationParams) -> ChatGenerationParams:
        """The chat request to send instead of `params` (for example with trace ids added)."""
        return params

    def retrying(self, error: OpenRouterError, delay_s: float) -> None:
        """An attempt failed with `error`; the next one starts after `delay_s` seconds."""

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        """The operation's result (for a chat stream, `Ok(stream)` as soon as its headers arrived)."""

    def chunk(self, chunk: ChatStreamingResponseChunk) -> None:
        """A stream delivered `chunk`."""

    def stream_end(self, error: OpenRouterError | None, closed_early: bool) -> None:
        """A stream ended: read to its end, failed with `error`, or closed by the caller."""


OnCall = Callable[[CallStart], "CallObserver | None"]
"""Sees each operation start; returns a `CallObserver` to follow it, or None to let it pass."""


class Hooks(msgspec.Struct, frozen=True):
    """Hooks run in order, once per attempt; an exception inside one becomes `Err(UnexpectedClientError)`.

    `on_call` hooks run once per operation instead; they and their observers only watch, so an exception
    inside them is logged to the `openrouter` logger and changes nothing.
    """

    before_request: Sequence[BeforeRequest] = ()
    after_response: Sequence[AfterResponse] = ()
    on_error: Sequence[OnError] = ()
    on_call: Sequence[OnCall] = ()


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


def _observer_failed(where: str, exc: Exception) -> None:
    logger.warning("on_call %s raised %s: %s", where, type(exc).__name__, exc)


class _Observers(CallObserver):
    """Every observer of one operation, each shielded from the others' and from the call's failures."""

    __slots__ = ("_each",)

    def __init__(self, each: list[CallObserver]) -> None:
        self._each = each

    def request(self, params: ChatGenerationParams) -> ChatGenerationParams:
        for observer in self._each:
            try:
                params = observer.request(params)
            except Exception as exc:
                _observer_failed("request", exc)
        return params

    def retrying(self, error: OpenRouterError, delay_s: float) -> None:
        for observer in self._each:
            try:
                observer.retrying(error, delay_s)
            except Exception as exc:
                _observer_failed("retrying", exc)

    def finished(self, result: Result[Any, OpenRouterError]) -> None:
        for observer in self._each:
            try:
                observer.finished(result)
            except Exception as exc:
                _observer_failed("finished", exc)

    def chunk(self, chunk: ChatStreamingResponseChunk) -> None:
        for observer in self._each:
            try:
                observer.chunk(chunk)
            except Exception as exc:
                _observer_failed("chunk", exc)

    def stream_end(self, error: OpenRouterError | None, closed_early: bool) -> None:
        for observer in self._each:
            try:
                observer.stream_end(error, closed_early)
            except Exception as exc:
                _observer_failed("stream_end", exc)


def start_call(hooks: Hooks, start: CallStart) -> CallObserver | None:
    """Run every `on_call` hook; the observers they return as one, or None when none wants to watch."""
    if not hooks.on_call:
        return None
    each: list[CallObserver] = []
    for hook in hooks.on_call:
        try:
            observer = hook(start)
        except Exception as exc:
            _observer_failed("hook", exc)
            continue
        if observer is not None:
            each.append(observer)
    return _Observers(each) if each else None
