"""The error tree: one documented hierarchy, picklable, never shadowing a builtin, never leaking the key."""

from __future__ import annotations

import builtins
import inspect
import pickle

import pytest

from openrouter_core import errors

STATUS_CLASSES = {
    400: errors.BadRequestResponseError,
    401: errors.UnauthorizedResponseError,
    402: errors.PaymentRequiredResponseError,
    403: errors.ForbiddenResponseError,
    404: errors.NotFoundResponseError,
    408: errors.RequestTimeoutResponseError,
    413: errors.PayloadTooLargeResponseError,
    422: errors.UnprocessableEntityResponseError,
    429: errors.TooManyRequestsResponseError,
    500: errors.InternalServerResponseError,
    502: errors.BadGatewayResponseError,
    503: errors.ServiceUnavailableResponseError,
    524: errors.EdgeNetworkTimeoutResponseError,
    529: errors.ProviderOverloadedResponseError,
}


def error_classes() -> list[type[errors.OpenRouterError]]:
    return [obj for obj in vars(errors).values() if inspect.isclass(obj) and issubclass(obj, Exception)]


def test_every_error_is_an_openrouter_error_with_a_docstring() -> None:
    classes = error_classes()
    assert len(classes) >= 26
    for cls in classes:
        assert issubclass(cls, errors.OpenRouterError)
        assert cls.__doc__ and cls.__doc__.strip()


def test_no_error_shadows_a_builtin_name() -> None:
    for cls in error_classes():
        assert not hasattr(builtins, cls.__name__), cls.__name__


def test_the_tree_is_documented_in_one_place() -> None:
    for cls in error_classes():
        assert cls.__name__ in errors.__doc__, cls.__name__


@pytest.mark.parametrize(("status", "cls"), sorted(STATUS_CLASSES.items()))
def test_chat_error_class_per_status(status: int, cls: type[errors.ChatError]) -> None:
    assert errors.chat_error_class(status) is cls
    assert errors.chat_error_class(str(status)) is cls
    assert issubclass(cls, errors.ChatError)


def test_unknown_codes_fall_back_to_chat_error() -> None:
    assert errors.chat_error_class(418) is errors.ChatError
    assert errors.chat_error_class("server_error") is errors.ChatError
    assert errors.chat_error_class(None) is errors.ChatError


def test_errors_pickle_with_their_fields() -> None:
    error = errors.TooManyRequestsResponseError(
        "slow down", status_code=429, code=429, metadata={"k": 1}, headers={"retry-after": "2"}, body="{}"
    )
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is errors.TooManyRequestsResponseError
    assert (back.status_code, back.code, back.metadata, back.headers) == (
        429,
        429,
        {"k": 1},
        {"retry-after": "2"},
    )
    timeout = pickle.loads(pickle.dumps(errors.RequestTimeoutError("late", deadline="total")))
    assert timeout.deadline == "total"


def test_default_error_message_and_body_cut() -> None:
    error = errors.OpenRouterDefaultError(
        "API error occurred", status_code=418, body="teapot", content_type="text/plain"
    )
    assert str(error) == "API error occurred: Status 418 Content-Type text/plain. Body: teapot"
    long = errors.OpenRouterDefaultError("API error occurred", status_code=500, body="x" * 10_500)
    assert long.body.endswith("...and 500 more chars")
    assert len(long.body) < 10_100


def test_chat_error_str_shows_status_code_and_message() -> None:
    error = errors.BadGatewayResponseError("Provider returned error", status_code=200, code=502)
    assert str(error) == "200 (code 502): Provider returned error"
    assert str(errors.UnauthorizedResponseError("No auth", status_code=401, code=401)) == "401: No auth"


def test_a_provider_error_names_the_provider_and_quotes_its_message() -> None:
    raw = '{"error": {"message": "This model\'s maximum context length is 8192 tokens.", "type": "invalid"}}'
    error = errors.BadRequestResponseError(
        "Provider returned error", status_code=400, code=400, metadata={"provider_name": "OpenAI", "raw": raw}
    )
    assert error.provider_name == "OpenAI"
    assert str(error) == (
        "400: Provider returned error (provider OpenAI: This model's maximum context length is 8192 tokens.)"
    )
    plain = errors.ChatError("Provider returned error", status_code=502, metadata={"raw": "upstream\n  down"})
    assert str(plain) == "502: Provider returned error (upstream: upstream down)"
    named = errors.ChatError("Overloaded", status_code=529, metadata={"provider_name": "Google"})
    assert str(named) == "529: Overloaded (provider Google)"
    huge = errors.ChatError("Provider returned error", status_code=400, metadata={"raw": "x" * 5000})
    assert huge.upstream_message is not None and len(huge.upstream_message) == 500
    assert str(huge).endswith("...)") and len(str(huge)) < 600
    assert pickle.loads(pickle.dumps(error)).provider_name == "OpenAI"


def test_a_stream_error_says_it_failed_mid_way() -> None:
    error = errors.BadGatewayResponseError("Provider died", status_code=200, code=502, chunks_before=1)
    assert str(error) == "Stream failed mid-way after 1 chunk (error event, code 502): Provider died"
    assert pickle.loads(pickle.dumps(error)).chunks_before == 1
