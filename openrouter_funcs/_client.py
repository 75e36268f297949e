"""`OpenRouter`: the thin client whose methods unwrap the standalone functions and raise their errors."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_funcs._chat_send import chat_send
from openrouter_funcs._client_endpoints import Credits, Embeddings, Generations, Key, Models
from openrouter_funcs._client_extras import ChatExtras

if TYPE_CHECKING:
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream

__all__ = ["Chat", "OpenRouter"]


class Chat(ChatExtras):
    """`client.chat`: `send` and `send_async`, returning the value or raising the error."""

    __slots__ = ("_core",)

    def __init__(self, core: OpenRouterCore) -> None:
        self._core = core

    def send(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatResponse | ChatStream:
        """`chat_send`, unwrapped: the response or stream, or the error raised."""
        return chat_send(
            self._core,
            request,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        ).unwrap()

    async def send_async(
        self,
        request: ChatGenerationParams | Mapping[str, Any],
        *,
        retries: RetryConfig | None = None,
        timeout_ms: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> ChatResponse | AsyncChatStream:
        """`chat_send_async`, unwrapped: the response or stream, or the error raised."""
        from openrouter_funcs._chat_send_async import chat_send_async

        result = await chat_send_async(
            self._core,
            request,
            retries=retries,
            timeout_ms=timeout_ms,
            headers=headers,
            extra_body=extra_body,
        )
        return result.unwrap()


class OpenRouter(OpenRouterCore):
    """The client: `OpenRouter(api_key=...).chat.send(request)` returns the response or raises the error.

    It takes exactly the arguments of `OpenRouterCore`, and is one (as in the TypeScript SDK, where both
    extend the same base), so it can be passed wherever a core is expected.
    """

    @cached_property
    def chat(self) -> Chat:
        """`send`, `parse`, `run_tools`, `send_many` and their async twins."""
        return Chat(self)

    @cached_property
    def models(self) -> Models:
        """`list` and `list_async`."""
        return Models(self)

    @cached_property
    def generations(self) -> Generations:
        """`get` and `get_async`."""
        return Generations(self)

    @cached_property
    def credits(self) -> Credits:
        """`get` and `get_async`."""
        return Credits(self)

    @cached_property
    def key(self) -> Key:
        """`get` and `get_async`."""
        return Key(self)

    @cached_property
    def embeddings(self) -> Embeddings:
        """`create` and `create_async`."""
        return Embeddings(self)

    @property
    def core(self) -> OpenRouterCore:
        """The client itself, as the core the standalone functions take."""
        return self
