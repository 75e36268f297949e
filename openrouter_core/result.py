"""`Ok`/`Err`: the Result values every standalone function returns instead of raising.

`res.ok` is `True` on `Ok` and `False` on `Err`, so `if res.ok:` narrows the union under mypy, and
`match res: case Ok(value): ... case Err(error): ...` narrows under every type checker. An `Ok` is truthy and
an `Err` falsy, whatever they hold, so `if res:` never passes on a failure. `Err.value` and `Ok.error` are
typed `NoReturn` and raise an `AttributeError` that shows the result: `res.value` after `if res.ok:`
type-checks even under pyright, which does not narrow on `.ok`, and a forgotten check names the failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, NoReturn, TypeAlias, TypeVar, final

if TYPE_CHECKING:
    from returns.result import Result as ReturnsResult

    from openrouter_core._raw import RawResponse

__all__ = ["Err", "Ok", "Result", "to_returns"]

_T_co = TypeVar("_T_co", covariant=True)
_E_co = TypeVar("_E_co", bound=Exception, covariant=True)
_T = TypeVar("_T")
_E = TypeVar("_E", bound=Exception)


class _Frozen:
    """Immutability, equality and hashing by the slots' values, for `Ok` and `Err`."""

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__match_args__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), *self._values()))

    def __reduce__(self) -> tuple[type[Any], tuple[object, ...]]:
        return (type(self), self._values())


# Plain final classes rather than msgspec Structs: pyright narrows `match` only on classes it can see through.
@final
class Ok(_Frozen, Generic[_T_co]):
    """A successful result holding `value`, and `raw`: the HTTP status, headers and timing behind it."""

    __slots__ = ("raw", "value")
    __match_args__ = ("value", "raw")
    ok: ClassVar[Literal[True]] = True
    value: _T_co
    raw: RawResponse | None

    def __init__(self, value: _T_co, raw: RawResponse | None = None) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "raw", raw)

    @property
    def error(self) -> NoReturn:
        """Raise `AttributeError`: an `Ok` has no error (typed `NoReturn` so the `Ok | Err` union checks)."""
        raise AttributeError(f"the call succeeded, so there is no error: {self!r}")

    def __bool__(self) -> Literal[True]:
        return True

    def unwrap(self) -> _T_co:
        """Return the value."""
        return self.value

    def unwrap_or(self, default: object) -> _T_co:
        """Return the value (the default is only used by `Err`)."""
        return self.value

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


@final
class Err(_Frozen, Generic[_E_co]):
    """A failed result holding `error` (returned, not raised), and `raw` when a response arrived."""

    __slots__ = ("error", "raw")
    __match_args__ = ("error", "raw")
    ok: ClassVar[Literal[False]] = False
    error: _E_co
    raw: RawResponse | None

    def __init__(self, error: _E_co, raw: RawResponse | None = None) -> None:
        object.__setattr__(self, "error", error)
        object.__setattr__(self, "raw", raw)

    @property
    def value(self) -> NoReturn:
        """Raise `AttributeError` naming the failure: check `res.ok` (or `match`) before reading `value`."""
        raise AttributeError(
            f"the call failed, so there is no value: {type(self.error).__name__}: {self.error}"
        ) from None

    def __bool__(self) -> Literal[False]:
        return False

    def unwrap(self) -> NoReturn:
        """Raise the error."""
        raise self.error

    def unwrap_or(self, default: _T) -> _T:
        """Return `default`."""
        return default

    def __repr__(self) -> str:
        return f"Err({self.error!r})"


Result: TypeAlias = Ok[_T] | Err[_E]
"""`Ok[T] | Err[E]`: a true union, so checks on `.ok` and `match` narrow it."""


def to_returns(res: Result[_T, _E]) -> ReturnsResult[_T, _E]:
    """Convert to `returns.result.Success`/`Failure`, for `flow`/`bind` pipelines."""
    from returns.result import Failure, Success

    if isinstance(res, Ok):
        return Success(res.value)
    failure: ReturnsResult[Any, _E] = Failure(res.error)
    return failure
