"""A call written once: its pure plan checks the arguments and says what to do (a `Job`: for an endpoint, the
request to send and how to read the reply); two drivers turn the plan into the public sync and async
functions, with the one exception guard of each side.

    def _credits_get(core, *, retries=None, timeout_ms=None, headers=None) -> Planned[CreditsResponse]: ...
    credits_get = run(_credits_get)
    credits_get_async = run_async(_credits_get)

The derived functions take exactly the plan's parameters (`ParamSpec`), so type checkers, `help()` and
`inspect.signature` show the plan's signature with the `Result` it returns, and the plan's docstring.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Protocol, TypeAlias, TypeVar

from typing_extensions import ParamSpec

from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError, RequestAbortedError
from openrouter_core._exchange import Decode, map_exception
from openrouter_core._hooks import CallObserver
from openrouter_core._prepare import Prepared
from openrouter_core._transport import send
from openrouter_core.result import Err, Result

if TYPE_CHECKING:
    from types import TracebackType

__all__ = [
    "INTERRUPTED",
    "Call",
    "Job",
    "Observed",
    "Planned",
    "guarded",
    "guarded_async",
    "like",
    "planned",
    "run",
    "run_async",
]

P = ParamSpec("P")
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
R = TypeVar("R")


class Job(Protocol[T_co]):
    """What a plan asks the drivers to do: the same work, as sync or async I/O."""

    def run(self, core: OpenRouterCore) -> Result[T_co, OpenRouterError]:
        """Do it with the core's sync client."""
        ...

    def run_async(self, core: OpenRouterCore) -> Awaitable[Result[T_co, OpenRouterError]]:
        """Do it with the core's async client."""
        ...


class Call(Generic[T]):
    """One request to send (with retries), and how to turn its reply into `T` or the error it calls for."""

    __slots__ = ("decode", "prepared")

    def __init__(self, prepared: Prepared, decode: Decode[T]) -> None:
        self.prepared = prepared
        self.decode = decode

    def run(self, core: OpenRouterCore) -> Result[T, OpenRouterError]:
        """Send it with the sync client."""
        return send(core, self.prepared, self.decode)

    async def run_async(self, core: OpenRouterCore) -> Result[T, OpenRouterError]:
        """Send it with the async client (loaded on the first call, not at import)."""
        from openrouter_core._transport_async import send_async

        return await send_async(core, self.prepared, self.decode)


Planned: TypeAlias = "Job[T] | Err[OpenRouterError]"
"""What a plan returns: the job to do, or why there is none (then nothing is sent)."""


def planned(prepared: Result[Prepared, OpenRouterError], decode: Decode[T]) -> Call[T] | Err[OpenRouterError]:
    """The call of a prepared request, or the error that kept it from being prepared."""
    if isinstance(prepared, Err):
        return prepared
    return Call(prepared.value, decode)


INTERRUPTED: Result[Any, OpenRouterError] = Err(RequestAbortedError("the call was interrupted"))
"""What observers hear when a call ends by KeyboardInterrupt or cancellation instead of a result."""


class Observed(Generic[T]):
    """A `with` block whose `result` its `on_call` observer hears at the end (`INTERRUPTED` if it was left
    by KeyboardInterrupt or cancellation); an exception (a bug of ours) becomes the result as an `Err`."""

    __slots__ = ("observer", "result")

    def __init__(self, observer: CallObserver | None) -> None:
        self.observer = observer
        self.result: Result[T, OpenRouterError] = INTERRUPTED

    def __enter__(self) -> Observed[T]:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if isinstance(exc, Exception):  # a bug of ours must still come back as a value (and be heard)
            self.result = Err(map_exception(exc))
        if self.observer is not None:
            self.observer.finished(self.result)
        return isinstance(exc, Exception)


def guarded(fn: Callable[P, Result[R, OpenRouterError]]) -> Callable[P, Result[R, OpenRouterError]]:
    """`fn`, with any exception it lets out (a bug of ours) returned as `Err` instead."""

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> Result[R, OpenRouterError]:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # a bug of ours must still come back as a value
            return Err(map_exception(exc))

    return call


def guarded_async(
    fn: Callable[P, Awaitable[Result[R, OpenRouterError]]],
) -> Callable[P, Coroutine[Any, Any, Result[R, OpenRouterError]]]:
    """`guarded` for a coroutine function."""

    @functools.wraps(fn)
    async def call(*args: P.args, **kwargs: P.kwargs) -> Result[R, OpenRouterError]:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:  # a bug of ours must still come back as a value
            return Err(map_exception(exc))

    return call


def run(
    plan: Callable[Concatenate[OpenRouterCore, P], Planned[T]],
) -> Callable[Concatenate[OpenRouterCore, P], Result[T, OpenRouterError]]:
    """The sync function of `plan`: plan, then do the job; every failure an `Err`."""

    def call(core: OpenRouterCore, /, *args: P.args, **kwargs: P.kwargs) -> Result[T, OpenRouterError]:
        job = plan(core, *args, **kwargs)
        return job if isinstance(job, Err) else job.run(core)

    return like(plan, guarded(call))


def run_async(
    plan: Callable[Concatenate[OpenRouterCore, P], Planned[T]],
) -> Callable[Concatenate[OpenRouterCore, P], Coroutine[Any, Any, Result[T, OpenRouterError]]]:
    """The async function of `plan`: plan, then do the job on the async client."""

    async def call(core: OpenRouterCore, /, *args: P.args, **kwargs: P.kwargs) -> Result[T, OpenRouterError]:
        job = plan(core, *args, **kwargs)
        return job if isinstance(job, Err) else await job.run_async(core)

    return like(plan, guarded_async(call), "_async")


def like(plan: Callable[..., Any], fn: R, suffix: str = "", *, returns: str | None = None) -> R:
    """`fn` named, documented and signed as the public function of `plan` (`_key_get` -> `key_get`), its
    return annotation `returns`, or the `Result` of what the plan returns."""
    signature = inspect.signature(plan)
    if returns is None:
        returns = str(signature.return_annotation)
    if returns.startswith("Planned[") and returns.endswith("]"):
        returns = f"Result[{returns[len('Planned[') : -1]}, OpenRouterError]"
    target: Any = fn
    target.__name__ = target.__qualname__ = plan.__name__.removeprefix("_") + suffix
    target.__module__ = plan.__module__
    target.__doc__ = plan.__doc__
    core, *rest = signature.parameters.values()
    core = core.replace(kind=inspect.Parameter.POSITIONAL_ONLY)  # as the drivers take it
    target.__signature__ = signature.replace(parameters=[core, *rest], return_annotation=returns)
    if hasattr(target, "__wrapped__"):
        del target.__wrapped__
    return fn
