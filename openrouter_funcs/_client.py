"""`OpenRouter`: the thin client, a table of methods derived from the standalone functions.

Each method is its function on the client's core, unwrapped: the value, or the error raised (`send_many`
returns one `Ok`/`Err` per request, so one failure does not hide the other results). A stream comes back
as a `RaisingChatStream`, whose loop raises the stream's error too. A method takes exactly its function's
arguments after the core, and carries its signature.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, Concatenate, TypeVar, overload

from typing_extensions import ParamSpec

from openrouter_core._core import OpenRouterCore
from openrouter_core._models._response import ChatResponse
from openrouter_core.result import Result
from openrouter_funcs._chat_parse import chat_parse, chat_parse_async
from openrouter_funcs._chat_send import SendOptions, chat_send, chat_send_async
from openrouter_funcs._chat_send_many import chat_send_many, chat_send_many_async
from openrouter_funcs._credits_get import credits_get, credits_get_async
from openrouter_funcs._embeddings_create import embeddings_create, embeddings_create_async
from openrouter_funcs._generation_get import generation_get, generation_get_async
from openrouter_funcs._key_get import key_get, key_get_async
from openrouter_funcs._models_list import models_list, models_list_async
from openrouter_funcs._tools import chat_run_tools, chat_run_tools_async

if TYPE_CHECKING:
    from types import TracebackType

    import httpx
    from typing_extensions import Unpack

    from openrouter_core._errors import OpenRouterError
    from openrouter_core._models._request_input import ChatRequestInput
    from openrouter_core._models._request_types import ChatRequestNonStreaming, ChatRequestStreaming
    from openrouter_core._models._stream import ChatStreamingResponseChunk
    from openrouter_core._stream import ChatStream
    from openrouter_core._stream_async import AsyncChatStream
    from openrouter_core._stream_state import StreamView

__all__ = [
    "AsyncRaisingChatStream",
    "Chat",
    "Credits",
    "Embeddings",
    "Generations",
    "Key",
    "Models",
    "OpenRouter",
    "RaisingChatStream",
]

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M")


def unwrapped(
    fn: Callable[Concatenate[OpenRouterCore, P], Result[T, Any]],
) -> Callable[Concatenate[Any, P], T]:
    """A method that calls `fn` on its namespace's core and unwraps the result (the error is raised)."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return fn(self._core, *args, **kwargs).unwrap()

    return _method_of(fn, method)


def unwrapped_async(
    fn: Callable[Concatenate[OpenRouterCore, P], Awaitable[Result[T, Any]]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """`unwrapped` for an async function."""

    async def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return (await fn(self._core, *args, **kwargs)).unwrap()

    return _method_of(fn, method)


def on_core(fn: Callable[Concatenate[OpenRouterCore, P], T]) -> Callable[Concatenate[Any, P], T]:
    """A method that calls `fn` on its namespace's core and returns what it returns (a coroutine too)."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return fn(self._core, *args, **kwargs)

    return _method_of(fn, method, unwrap=False)


def _method_of(fn: Callable[..., Any], method: M, *, unwrap: bool = True) -> M:
    """`method` named after `fn`, documented as it, and signed as it with `self` for the core."""
    signature = inspect.signature(fn)
    returns = str(signature.return_annotation)
    if unwrap and returns.startswith("Result[") and returns.endswith(", OpenRouterError]"):
        returns = returns[len("Result[") : -len(", OpenRouterError]")]
    parameters = list(signature.parameters.values())
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    target: Any = method
    target.__name__ = fn.__name__
    what = "unwrapped: the value, or the error raised" if unwrap else "on the client's core"
    target.__doc__ = f"`{fn.__name__}`, {what}."
    target.__signature__ = signature.replace(parameters=[self, *parameters[1:]], return_annotation=returns)
    return method


class _RaisingView:
    """What both raising streams show of the stream they wrap."""

    __slots__ = ("stream",)

    def __init__(self, stream: StreamView) -> None:
        self.stream = stream
        """The underlying stream, whose loop never raises."""

    @property
    def error(self) -> OpenRouterError | None:
        """Why the stream failed, or None while it is fine."""
        return self.stream.error

    @property
    def chunks(self) -> list[ChatStreamingResponseChunk]:
        """Every chunk delivered so far."""
        return self.stream.chunks

    @property
    def response(self) -> httpx.Response:
        """The HTTP response the chunks are read from."""
        return self.stream.response

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.stream!r}>"


class RaisingChatStream(_RaisingView):
    """What `client.chat.send` returns for a stream: the loop raises the stream's error after the last chunk.

    Every good chunk is yielded first, so a reply cut short mid-way is still on screen when the error is
    raised; leaving the loop early is not an error. `collect()` returns the whole reply or raises.
    """

    __slots__ = ()
    stream: ChatStream

    def __iter__(self) -> Iterator[ChatStreamingResponseChunk]:
        yield from self.stream
        if self.stream.error is not None:
            raise self.stream.error

    def collect(self) -> ChatResponse:
        """Read the rest of the stream and return the whole reply, or raise why it is incomplete."""
        return self.stream.collect().unwrap()

    def close(self) -> None:
        """Release the connection."""
        self.stream.close()

    def __enter__(self) -> RaisingChatStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stream.close()


class AsyncRaisingChatStream(_RaisingView):
    """What `client.chat.send_async` returns for a stream: `async for` raises the error after the chunks."""

    __slots__ = ()
    stream: AsyncChatStream

    async def __aiter__(self) -> AsyncIterator[ChatStreamingResponseChunk]:
        async for chunk in self.stream:
            yield chunk
        if self.stream.error is not None:
            raise self.stream.error

    async def collect(self) -> ChatResponse:
        """Read the rest of the stream and return the whole reply, or raise why it is incomplete."""
        return (await self.stream.collect()).unwrap()

    async def aclose(self) -> None:
        """Release the connection."""
        await self.stream.aclose()

    async def __aenter__(self) -> AsyncRaisingChatStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stream.aclose()


class _Namespace:
    __slots__ = ("_core",)

    def __init__(self, core: OpenRouterCore) -> None:
        self._core = core


class Chat(_Namespace):
    """`client.chat`: `send`, `parse`, `run_tools` and `send_many`, each with its `_async` twin."""

    __slots__ = ()

    @overload
    def send(self, request: ChatRequestStreaming, **options: Unpack[SendOptions]) -> RaisingChatStream: ...

    @overload
    def send(self, request: ChatRequestNonStreaming, **options: Unpack[SendOptions]) -> ChatResponse: ...

    @overload
    def send(
        self, request: ChatRequestInput, **options: Unpack[SendOptions]
    ) -> ChatResponse | RaisingChatStream: ...

    def send(
        self, request: ChatRequestInput, **options: Unpack[SendOptions]
    ) -> ChatResponse | RaisingChatStream:
        """`chat_send`, unwrapped: the response or a stream whose loop raises, or the error raised."""
        reply = chat_send(self._core, request, **options).unwrap()
        return reply if isinstance(reply, ChatResponse) else RaisingChatStream(reply)

    @overload
    async def send_async(
        self, request: ChatRequestStreaming, **options: Unpack[SendOptions]
    ) -> AsyncRaisingChatStream: ...

    @overload
    async def send_async(
        self, request: ChatRequestNonStreaming, **options: Unpack[SendOptions]
    ) -> ChatResponse: ...

    @overload
    async def send_async(
        self, request: ChatRequestInput, **options: Unpack[SendOptions]
    ) -> ChatResponse | AsyncRaisingChatStream: ...

    async def send_async(
        self, request: ChatRequestInput, **options: Unpack[SendOptions]
    ) -> ChatResponse | AsyncRaisingChatStream:
        """`chat_send_async`, unwrapped: the response or a stream whose loop raises, or the error raised."""
        reply = (await chat_send_async(self._core, request, **options)).unwrap()
        return reply if isinstance(reply, ChatResponse) else AsyncRaisingChatStream(reply)

    parse = unwrapped(chat_parse)
    parse_async = unwrapped_async(chat_parse_async)
    run_tools = unwrapped(chat_run_tools)
    run_tools_async = unwrapped_async(chat_run_tools_async)
    send_many = on_core(chat_send_many)
    send_many_async = on_core(chat_send_many_async)


class Models(_Namespace):
    """`client.models`: `list` and `list_async`, returning the listing or raising the error."""

    __slots__ = ()
    list = unwrapped(models_list)
    list_async = unwrapped_async(models_list_async)


class Generations(_Namespace):
    """`client.generations`: `get` and `get_async`, returning a generation's metadata or raising."""

    __slots__ = ()
    get = unwrapped(generation_get)
    get_async = unwrapped_async(generation_get_async)


class Credits(_Namespace):
    """`client.credits`: `get` and `get_async`, returning the credits or raising the error."""

    __slots__ = ()
    get = unwrapped(credits_get)
    get_async = unwrapped_async(credits_get_async)


class Key(_Namespace):
    """`client.key`: `get` and `get_async`, returning the current key's limits and usage or raising."""

    __slots__ = ()
    get = unwrapped(key_get)
    get_async = unwrapped_async(key_get_async)


class Embeddings(_Namespace):
    """`client.embeddings`: `create` and `create_async`, returning the vectors or raising the error."""

    __slots__ = ()
    create = unwrapped(embeddings_create)
    create_async = unwrapped_async(embeddings_create_async)


class OpenRouter(OpenRouterCore):
    """The client: `OpenRouter(api_key=...).chat.send(request)` returns the response or raises the error.

    A stream it returns raises too: its loop raises the stream's error after the last good chunk.

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
