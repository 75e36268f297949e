"""The thin client's namespaces for the endpoints around chat: a table of methods derived from the functions.

`OpenRouter` wires them as `client.models`, `client.generations`, `client.credits`, `client.key` and
`client.embeddings`. Each method is its function on the client's core, unwrapped: the value, or the error
raised; it takes exactly the function's arguments after the core.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, TypeVar

from typing_extensions import ParamSpec

from openrouter_core._core import OpenRouterCore
from openrouter_core.result import Result
from openrouter_funcs._credits_get import credits_get, credits_get_async
from openrouter_funcs._embeddings_create import embeddings_create, embeddings_create_async
from openrouter_funcs._generation_get import generation_get, generation_get_async
from openrouter_funcs._key_get import key_get, key_get_async
from openrouter_funcs._models_list import models_list, models_list_async

__all__ = ["Credits", "Embeddings", "Generations", "Key", "Models", "unwrapped", "unwrapped_async"]

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


def _method_of(fn: Callable[..., Any], method: M) -> M:
    """`method` named after `fn`, documented as it, and signed as it with `self` for the core."""
    signature = inspect.signature(fn)
    returns = str(signature.return_annotation)
    if returns.startswith("Result[") and returns.endswith(", OpenRouterError]"):
        returns = returns[len("Result[") : -len(", OpenRouterError]")]
    parameters = list(signature.parameters.values())
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    target: Any = method
    target.__name__ = fn.__name__
    target.__doc__ = f"`{fn.__name__}`, unwrapped: the value, or the error raised."
    target.__signature__ = signature.replace(parameters=[self, *parameters[1:]], return_annotation=returns)
    return method


class _Namespace:
    __slots__ = ("_core",)

    def __init__(self, core: OpenRouterCore) -> None:
        self._core = core


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
