"""`Ok`/`Err`: the Result values every standalone function returns instead of raising.

`res.ok` is `True` on `Ok` and `False` on `Err`, so `if res.ok:` narrows the union under mypy, and
`match res: case Ok(value): ... case Err(error): ...` narrows under every type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, NoReturn, TypeVar

import msgspec

if TYPE_CHECKING:
    from returns.result import Result as ReturnsResult

__all__ = ["Err", "Ok", "Result", "to_returns"]

T_co = TypeVar("T_co", covariant=True)
E_co = TypeVar("E_co", bound=Exception, covariant=True)
T = TypeVar("T")
E = TypeVar("E", bound=Exception)


class Ok(msgspec.Struct, Generic[T_co], frozen=True):
    """A successful result holding `value`."""

    value: T_co
    ok: ClassVar[Literal[True]] = True

    def unwrap(self) -> T_co:
        """Return the value."""
        return self.value

    def unwrap_or(self, default: object) -> T_co:
        """Return the value (the default is only used by `Err`)."""
        return self.value

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


class Err(msgspec.Struct, Generic[E_co], frozen=True):
    """A failed result holding `error`, an exception instance that is returned, not raised."""

    error: E_co
    ok: ClassVar[Literal[False]] = False

    def unwrap(self) -> NoReturn:
        """Raise the error."""
        raise self.error

    def unwrap_or(self, default: T) -> T:
        """Return `default`."""
        return default

    def __repr__(self) -> str:
        return f"Err({self.error!r})"


Result = Ok[T] | Err[E]
"""`Ok[T] | Err[E]`: a true union, so checks on `.ok` and `match` narrow it."""


def to_returns(res: Result[T, E]) -> ReturnsResult[T, E]:
    """Convert to `returns.result.Success`/`Failure`, for `flow`/`bind` pipelines."""
    from returns.result import Failure, Success

    if isinstance(res, Ok):
        return Success(res.value)
    failure: ReturnsResult[Any, E] = Failure(res.error)
    return failure
