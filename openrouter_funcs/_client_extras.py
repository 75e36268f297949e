"""Thin-client methods for structured outputs, tool loops and batches: `client.chat.parse(...)` and friends.

`ChatExtras` is a mixin for the thin client's `Chat` class (`class Chat(ChatExtras)`): it needs only the
`_core` attribute. Like `send`, each method unwraps its standalone function: the value, or the error
raised. `send_many` is the exception: a batch returns one `Ok`/`Err` per request, so one failure does not
hide the other results.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from openrouter_core._config import RetryConfig
    from openrouter_core._core import OpenRouterCore
    from openrouter_core._errors import OpenRouterError
    from openrouter_core._models._request import ChatGenerationParams
    from openrouter_core._models._response import ChatResponse
    from openrouter_core.result import Result
    from openrouter_funcs._chat_parse import Parsed
    from openrouter_funcs._tools import ToolRun, Tools

__all__ = ["ChatExtras"]

T = TypeVar("T")


class ChatExtras:
    """`client.chat.parse`, `run_tools` and `send_many` (and their `_async` twins) for the thin client."""

    __slots__ = ()
    _core: OpenRouterCore

    def parse(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        schema: type[T],
        *,
        name: str | None = None,
        strict: bool = True,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Parsed[T]:
        """`chat_parse`, unwrapped: `Parsed(value, response)`, or the error raised."""
        from openrouter_funcs._chat_parse import chat_parse

        return chat_parse(
            self._core,
            request,
            schema,
            name=name,
            strict=strict,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        ).unwrap()

    async def parse_async(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        schema: type[T],
        *,
        name: str | None = None,
        strict: bool = True,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Parsed[T]:
        """`chat_parse_async`, unwrapped: `Parsed(value, response)`, or the error raised."""
        from openrouter_funcs._chat_parse_async import chat_parse_async

        result = await chat_parse_async(
            self._core,
            request,
            schema,
            name=name,
            strict=strict,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )
        return result.unwrap()

    def run_tools(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        tools: Tools,
        *,
        max_turns: int = 8,
        strict: bool = False,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ToolRun:
        """`chat_run_tools`, unwrapped: the `ToolRun` transcript, or the error raised."""
        from openrouter_funcs._tools import chat_run_tools

        return chat_run_tools(
            self._core,
            request,
            tools,
            max_turns=max_turns,
            strict=strict,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        ).unwrap()

    async def run_tools_async(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        tools: Tools,
        *,
        max_turns: int = 8,
        strict: bool = False,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ToolRun:
        """`chat_run_tools_async`, unwrapped: the `ToolRun` transcript, or the error raised."""
        from openrouter_funcs._tools_async import chat_run_tools_async

        result = await chat_run_tools_async(
            self._core,
            request,
            tools,
            max_turns=max_turns,
            strict=strict,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )
        return result.unwrap()

    def send_many(
        self,
        requests: Iterable[ChatGenerationParams | Mapping[str, Any]],
        *,
        concurrency: int = 8,
        progress: bool | None = None,
        resume: str | os.PathLike[str] | None = None,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[Result[ChatResponse, OpenRouterError]]:
        """`chat_send_many`: one `Ok`/`Err` per request, in input order (a batch does not raise)."""
        from openrouter_funcs._chat_send_many import chat_send_many

        return chat_send_many(
            self._core,
            requests,
            concurrency=concurrency,
            progress=progress,
            resume=resume,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )

    async def send_many_async(
        self,
        requests: Iterable[ChatGenerationParams | Mapping[str, Any]],
        *,
        concurrency: int = 8,
        progress: bool | None = None,
        resume: str | os.PathLike[str] | None = None,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> list[Result[ChatResponse, OpenRouterError]]:
        """`chat_send_many_async`: one `Ok`/`Err` per request, in input order (a batch does not raise)."""
        from openrouter_funcs._chat_send_many_async import chat_send_many_async

        return await chat_send_many_async(
            self._core,
            requests,
            concurrency=concurrency,
            progress=progress,
            resume=resume,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )
