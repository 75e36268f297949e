"""Ok/Err: the TS-shaped Result, pattern matching, unwrap, and the bridge to `returns`."""

from __future__ import annotations

import pickle

import pytest

from openrouter_core import Err, Ok, Result, errors, to_returns


def parse(text: str) -> Result[int, errors.SDKValidationError]:
    if text.isdigit():
        return Ok(int(text))
    return Err(errors.SDKValidationError(f"not a number: {text}", path="$"))


def test_ok_holds_value_and_is_ok() -> None:
    res = parse("42")
    assert res.ok is True
    assert isinstance(res, Ok)
    assert res.value == 42
    assert res.unwrap() == 42
    assert res.unwrap_or(0) == 42


def test_err_holds_error_and_unwrap_raises_it() -> None:
    res = parse("x")
    assert res.ok is False
    assert isinstance(res, Err)
    assert isinstance(res.error, errors.SDKValidationError)
    assert res.unwrap_or(-1) == -1
    with pytest.raises(errors.SDKValidationError, match="not a number"):
        res.unwrap()


def test_results_are_immutable_hashable_and_compare_by_value() -> None:
    assert Ok(1) == Ok(1)
    assert Ok(1) != Ok(2)
    assert hash(Ok("a")) == hash(Ok("a"))
    with pytest.raises(AttributeError):
        Ok(1).value = 2  # type: ignore[misc]
    error = ValueError("boom")
    assert Err(error) == Err(error)


def test_match_on_ok_and_on_error_class() -> None:
    def describe(res: Result[int, errors.OpenRouterError]) -> str:
        match res:
            case Ok(value):
                return f"ok {value}"
            case Err(errors.TooManyRequestsResponseError()):
                return "slow down"
            case Err(error):
                return f"failed: {type(error).__name__}"
        return "unreachable"

    limited = errors.TooManyRequestsResponseError("rate limited", status_code=429, code=429)
    assert describe(Ok(3)) == "ok 3"
    assert describe(Err(limited)) == "slow down"
    assert describe(Err(errors.APIConnectionError("down"))) == "failed: APIConnectionError"


def test_repr_is_readable() -> None:
    assert repr(Ok(1)) == "Ok(1)"
    assert repr(Err(errors.InvalidRequestError("no url"))) == "Err(InvalidRequestError('no url'))"


def test_results_pickle() -> None:
    assert pickle.loads(pickle.dumps(Ok([1, 2]))) == Ok([1, 2])
    back = pickle.loads(pickle.dumps(Err(errors.StreamTruncatedError("cut"))))
    assert isinstance(back.error, errors.StreamTruncatedError)
    assert back.error.message == "cut"


def test_to_returns_is_lossless_and_composes() -> None:
    from returns.pipeline import flow
    from returns.pointfree import bind
    from returns.result import Failure, Success

    assert to_returns(Ok(5)) == Success(5)
    error = errors.APIConnectionError("down")
    assert to_returns(Err(error)) == Failure(error)
    assert to_returns(Err(error)).failure() is error

    def halve(n: int) -> Success[int] | Failure[Exception]:
        return Success(n // 2)

    assert flow(to_returns(parse("8")), bind(halve)) == Success(4)


def test_match_args_and_slots() -> None:
    assert not hasattr(Ok(1), "__dict__")
    assert Ok.__match_args__ == ("value", "raw")
    assert Err.__match_args__ == ("error", "raw")


def test_reading_value_of_an_err_says_the_call_failed_and_shows_the_error() -> None:
    res: Result[int, errors.OpenRouterError] = Err(errors.APIConnectionError("connection refused"))
    with pytest.raises(AttributeError, match=r"call failed.*APIConnectionError: connection refused"):
        _ = res.value


def test_reading_error_of_an_ok_says_the_call_succeeded() -> None:
    res = parse("7")
    with pytest.raises(AttributeError, match=r"call succeeded.*Ok\(7\)"):
        _ = res.error


def test_ok_is_truthy_and_err_falsy_whatever_they_hold() -> None:
    assert Ok(0)
    assert Ok(None)
    assert Ok("")
    assert not Err(errors.SDKValidationError("x", path="$"))
    assert [bool(parse(text)) for text in ("1", "x", "0")] == [True, False, True]
