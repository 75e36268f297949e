"""`OpenRouter`: the thin client whose methods unwrap the standalone functions and raise their errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_funcs._chat_send import chat_send
from openrouter_funcs._client_endpoints import Credits, Embeddings, Generations, Key, Models
from openrouter_funcs._client_extras import ChatExtras

if TYPE_CHECKING:
    from types import TracebackType

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


class OpenRouter:
    """The client: `OpenRouter(api_key=...).chat.send(request)` returns the response or raises the error."""

    __slots__ = ("chat", "core", "credits", "embeddings", "generations", "key", "models")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.core = OpenRouterCore(*args, **kwargs)
        self.chat = Chat(self.core)
        self.models = Models(self.core)
        self.generations = Generations(self.core)
        self.credits = Credits(self.core)
        self.key = Key(self.core)
        self.embeddings = Embeddings(self.core)

    def close(self) -> None:
        """Close the HTTP clients the core created."""
        self.core.close()

    async def aclose(self) -> None:
        """Close the sync and async HTTP clients the core created."""
        await self.core.aclose()

    def __enter__(self) -> OpenRouter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> OpenRouter:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"OpenRouter({self.core!r})"
