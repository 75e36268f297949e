"""`Ok`/`Err`: the Result values every standalone function returns instead of raising.

`res.ok` is `True` on `Ok` and `False` on `Err`, so `if res.ok:` narrows the union under mypy, and
`match res: case Ok(value): ... case Err(error): ...` narrows under every type checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, NoReturn, TypeVar

import msgspec

if TYPE_CHECKING:
    from returns.result import Result as ReturnsResult

    from openrouter_core._raw import RawResponse

__all__ = ["Err", "Ok", "Result", "to_returns"]

_T_co = TypeVar("_T_co", covariant=True)
_E_co = TypeVar("_E_co", bound=Exception, covariant=True)
_T = TypeVar("_T")
_E = TypeVar("_E", bound=Exception)


class Ok(msgspec.Struct, Generic[_T_co], frozen=True):
    """A successful result holding `value`, and `raw`: the HTTP status, headers and timing behind it."""

    value: _T_co
    raw: RawResponse | None = None
    ok: ClassVar[Literal[True]] = True

    def unwrap(self) -> _T_co:
        """Return the value."""
        return self.value

    def unwrap_or(self, default: object) -> _T_co:
        """Return the value (the default is only used by `Err`)."""
        return self.value

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


class Err(msgspec.Struct, Generic[_E_co], frozen=True):
    """A failed result holding `error` (returned, not raised), and `raw` when a response arrived."""

    error: _E_co
    raw: RawResponse | None = None
    ok: ClassVar[Literal[False]] = False

    def unwrap(self) -> NoReturn:
        """Raise the error."""
        raise self.error

    def unwrap_or(self, default: _T) -> _T:
        """Return `default`."""
        return default

    def __repr__(self) -> str:
        return f"Err({self.error!r})"


Result = Ok[_T] | Err[_E]
"""`Ok[T] | Err[E]`: a true union, so checks on `.ok` and `match` narrow it."""


def to_returns(res: Result[_T, _E]) -> ReturnsResult[_T, _E]:
    """Convert to `returns.result.Success`/`Failure`, for `flow`/`bind` pipelines."""
    from returns.result import Failure, Success

    if isinstance(res, Ok):
        return Success(res.value)
    failure: ReturnsResult[Any, _E] = Failure(res.error)
    return failure
