"""Issue 10's fault families of the caller's side, drawn by hypothesis: echoed secrets and hostile config.

Echoed secrets: a server puts the key (str, `Bearer `-prefixed or callable) into any status's body, an
OpenRouter error's message or nested metadata, a response header, an unparseable 200 body, a stream's error
or malformed event, amid drawn text. The call must not raise, must give the class the reply calls for, and
the key must be in no text a user can reach (str, repr, attributes, tracebacks, raw headers, `on_error`).
Hostile config: a drawn option (per-call or core timeouts, size cap, retries, headers, server URL, a request
or `extra_body` number) gets a drawn value, hostile or fine. Hostile values give `SDKValidationError` or
`InvalidRequestError` with nothing sent, fine ones an `Ok`; building a `RetryConfig`/`BackoffStrategy` from
hostile values raises `TypeError`/`ValueError` and nothing else. `make fuzz` draws both families too.
"""

from __future__ import annotations

import asyncio
import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from openrouter_core import (
    AsyncChatStream,
    BackoffStrategy,
    ChatStream,
    Err,
    Hooks,
    Ok,
    OpenRouterCore,
    RetryConfig,
    errors,
)
from openrouter_core.errors import OpenRouterError, chat_error_class
from openrouter_core.testing import MockServer, Reply, error_reply, sse_event, sse_events_reply
from openrouter_funcs import chat_send, chat_send_async

from ._support import KEY, PATIENT, REQUEST, STATS, STREAM_REQUEST, guarded, make_core, profile

# -- echoed secrets ---------------------------------------------------------------------------------

KEY_FORMS: dict[str, Callable[[], Any]] = {
    "str": lambda: KEY,
    "bearer": lambda: f"Bearer {KEY}",
    "callable": lambda: lambda: KEY,
}
PLACES = ["body", "message", "metadata", "header", "bad_200", "stream_error", "stream_bad"]
_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters='"\\{}'), max_size=20
)


@dataclass(frozen=True)
class Echo:
    key_form: str
    place: str
    reply: Reply
    error: type[OpenRouterError]
    stream: bool


@st.composite
def echoes(draw: st.DrawFn) -> Echo:
    place = draw(st.sampled_from(PLACES))
    status = draw(st.sampled_from([400, 401, 403, 404, 418, 422, 500, 502, 599]))
    secret = draw(st.sampled_from([KEY, f"Bearer {KEY}"]))
    text = f"{draw(_TEXT)}{secret}{draw(_TEXT)}"
    stream = place.startswith("stream")
    if place == "body":
        reply = Reply(status=status, body=text.encode(), content_type="text/plain")
        error: type[OpenRouterError] = errors.OpenRouterDefaultError
    elif place in ("message", "metadata", "header"):
        message = text if place == "message" else "refused"
        metadata = {"echo": {"deep": [draw(_TEXT), text]}} if place == "metadata" else None
        headers = {"X-Echo": text} if place == "header" else None
        reply = error_reply(status, message, metadata=metadata, headers=headers)
        error = chat_error_class(status)
    elif place == "bad_200":
        reply = Reply(status=200, body=f'{{"id": "{text}", '.encode())
        error = errors.ResponseValidationError
    elif place == "stream_error":
        code = draw(st.sampled_from([400, 429, 502]))
        reply = sse_events_reply(
            [sse_event({"error": {"code": code, "message": text, "metadata": {"k": text}}})]
        )
        error = chat_error_class(code)
    else:
        reply = sse_events_reply([f"data: {{{text}\n\n".encode()])
        error = errors.ResponseValidationError
    return Echo(draw(st.sampled_from(sorted(KEY_FORMS))), place, reply, error, stream)


def _texts_of(error: BaseException) -> list[str]:
    return [str(error), repr(error), repr(vars(error)), "".join(traceback.format_exception(error))]


@dataclass
class EchoOutcome:
    result: Any
    stream: ChatStream | AsyncChatStream | None = None
    hooked: list[str] = field(default_factory=list)


def _check_echo(echo: Echo, outcome: EchoOutcome) -> None:
    try:
        res = outcome.result
        texts = [repr(res), repr(res.raw), *outcome.hooked]
        if outcome.stream is not None:
            assert outcome.stream.error is not None, f"{echo}: the stream must fail"
            actual: BaseException = outcome.stream.error
            texts.append(repr(outcome.stream))
        else:
            assert isinstance(res, Err), f"{echo}: expected Err, got {res!r}"
            actual = res.error
        assert type(actual) is echo.error, f"{echo}: expected {echo.error}, got {actual!r}"
        texts += _texts_of(actual)
        leaks = [text for text in texts if KEY in text]
        assert not leaks, f"{echo}: the key leaked: {leaks[0][:300]}"
    except AssertionError:
        with STATS.lock:
            STATS.wrong += 1
        raise


def _echo_core(url: str, echo: Echo, hooked: list[str]) -> OpenRouterCore:
    hooks = Hooks(on_error=[lambda error: hooked.extend(_texts_of(error))])
    return make_core(url, api_key=KEY_FORMS[echo.key_form](), hooks=hooks, **PATIENT)


def _run_echo_sync(url: str, echo: Echo) -> EchoOutcome:
    hooked: list[str] = []
    with _echo_core(url, echo, hooked) as core:
        res = chat_send(core, STREAM_REQUEST if echo.stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, ChatStream):
            list(res.value)
            return EchoOutcome(res, res.value, hooked)
        return EchoOutcome(res, None, hooked)


async def _run_echo_async(url: str, echo: Echo) -> EchoOutcome:
    hooked: list[str] = []
    async with _echo_core(url, echo, hooked) as core:
        res = await chat_send_async(core, STREAM_REQUEST if echo.stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, AsyncChatStream):
            async for _ in res.value:
                pass
            return EchoOutcome(res, res.value, hooked)
        return EchoOutcome(res, None, hooked)


@profile()
@given(echo=echoes())
def test_echoed_secrets_sync(echo: Echo, mock: MockServer) -> None:
    mock.reset()
    mock.enqueue(echo.reply)
    _check_echo(echo, guarded(lambda: _run_echo_sync(mock.base_url, echo)))


@profile()
@given(echo=echoes())
def test_echoed_secrets_async(echo: Echo, mock: MockServer) -> None:
    mock.reset()
    mock.enqueue(echo.reply)
    _check_echo(echo, guarded(lambda: asyncio.run(_run_echo_async(mock.base_url, echo))))


# -- hostile configuration --------------------------------------------------------------------------

HOSTILE_NUMBERS: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    0,
    -1,
    -0.5,
    True,
    False,
    "100",
    b"1",
    1e308,
    10**400,
    [1],
]
TIMEOUT_OPTIONS = ["timeout_ms", "connect_timeout_ms", "idle_timeout_ms"]
REFUSED_URL = errors.InvalidRequestError
FRAMING = [
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Connection",
    "Upgrade",
    "TE",
    "Keep-Alive",
    "Expect",
]


@dataclass(frozen=True)
class Config:
    """Where a drawn value goes: `core` options, `call` keyword arguments, a `request`, a URL `tail`."""

    label: str
    core: dict[str, Any] = field(default_factory=dict)
    call: dict[str, Any] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=lambda: dict(REQUEST))
    url: Callable[[str], str] = lambda base: base
    refused: type[OpenRouterError] | None = errors.SDKValidationError

    def __repr__(self) -> str:
        return f"Config({self.label})"


@st.composite
def configs(draw: st.DrawFn) -> Config:
    where = draw(
        st.sampled_from(
            ["call_timeout", "core_timeout", "max_bytes", "header", "url", "request", "extra_body", "fine"]
        )
    )
    bad = draw(st.sampled_from(HOSTILE_NUMBERS))
    if where == "call_timeout":
        return Config(f"timeout_ms={bad!r:.30}", call={"timeout_ms": bad})
    if where == "core_timeout":
        option = draw(st.sampled_from(TIMEOUT_OPTIONS))
        return Config(f"core {option}={bad!r:.30}", core={option: bad})
    if where == "max_bytes":
        value = draw(st.sampled_from([*HOSTILE_NUMBERS, 1.5]))
        return Config(f"max_response_bytes={value!r:.30}", core={"max_response_bytes": value})
    if where == "header":
        name = draw(st.sampled_from(FRAMING))
        name = draw(st.sampled_from([name, name.lower(), name.upper()]))
        on_core = draw(st.booleans())
        headers = {name: draw(st.sampled_from(["chunked", "0", "x", "close"]))}
        if on_core:
            return Config(f"default header {name}", core={"default_headers": headers})
        return Config(f"header {name}", call={"headers": headers})
    if where == "url":
        shape = draw(st.sampled_from(["userinfo", "port", "query", "fragment"]))
        if shape == "userinfo":
            info = draw(st.sampled_from(["alice:pw", "pw", "a:b:c", ":pw"]))
            return Config(
                shape, url=lambda base: base.replace("http://", f"http://{info}@"), refused=REFUSED_URL
            )
        if shape == "port":
            port = draw(st.sampled_from([0, 65536, 103639, 10**12]))
            return Config(
                f"port {port}", url=lambda base: f"http://127.0.0.1:{port}/api/v1", refused=REFUSED_URL
            )
        tail = "?x=1" if shape == "query" else "#f"
        return Config(shape, url=lambda base: base + tail, refused=REFUSED_URL)
    number = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    if where == "request":
        field_name = draw(st.sampled_from(["temperature", "top_p", "frequency_penalty", "presence_penalty"]))
        return Config(f"{field_name}={number}", request={**REQUEST, field_name: number})
    if where == "extra_body":
        nested: Any = number
        for _ in range(draw(st.integers(0, 3))):
            nested = draw(st.sampled_from([[nested], {"k": nested}]))
        return Config(f"extra_body x={nested!r:.40}", call={"extra_body": {"x": nested}})
    fine = draw(st.sampled_from([2000, 5000.5, 10**6, 1e9]))
    return Config(f"fine timeout_ms={fine}", call={"timeout_ms": fine}, refused=None)


def _check_config(config: Config, results: list[Any], sent: int) -> None:
    try:
        for res in results:
            if config.refused is None:
                assert isinstance(res, Ok), f"{config}: expected Ok, got {res!r}"
                continue
            assert isinstance(res, Err), f"{config}: expected Err, got {res!r}"
            assert type(res.error) is config.refused, (
                f"{config}: expected {config.refused}, got {res.error!r}"
            )
        expected = len(results) if config.refused is None else 0
        assert sent == expected, f"{config}: {sent} requests sent, expected {expected}"
    except AssertionError:
        with STATS.lock:
            STATS.wrong += 1
        raise


def _run_config(url: str, config: Config) -> list[Any]:
    target = config.url(url)
    with make_core(target, **{**PATIENT, **config.core}) as core:
        sync = chat_send(core, config.request, **config.call)

    async def run() -> Any:
        async with make_core(target, **{**PATIENT, **config.core}) as core:
            return await chat_send_async(core, config.request, **config.call)

    return [sync, asyncio.run(run())]


@profile()
@given(config=configs())
def test_hostile_config_values(config: Config, mock: MockServer) -> None:
    mock.reset()
    results = guarded(lambda: _run_config(mock.base_url, config))
    _check_config(config, results, len(mock.requests))


RETRY_FIELDS = ["max_attempts", "strategy", "retry_connection_errors", "status_codes"]
BACKOFF_FIELDS = ["initial_interval", "max_interval", "exponent", "max_elapsed_time"]


@profile()
@given(
    field_name=st.sampled_from(RETRY_FIELDS + BACKOFF_FIELDS),
    value=st.sampled_from([*HOSTILE_NUMBERS, "sometimes", frozenset({True}), frozenset({99}), [429], None]),
)
def test_hostile_retry_settings_raise_only_type_or_value_errors(field_name: str, value: Any) -> None:
    def make() -> object:
        try:
            if field_name in BACKOFF_FIELDS:
                return BackoffStrategy(**{field_name: value})
            return RetryConfig(**{field_name: value})
        except (TypeError, ValueError) as exc:
            return exc

    made = guarded(make)
    try:
        if _valid_setting(field_name, value):
            assert not isinstance(made, Exception), f"{field_name}={value!r} was refused: {made!r}"
        else:
            assert isinstance(made, (TypeError, ValueError)), f"{field_name}={value!r} was accepted: {made!r}"
    except AssertionError:
        with STATS.lock:
            STATS.wrong += 1
        raise


def _valid_setting(field_name: str, value: Any) -> bool:
    """The few drawn values that are fine: a bool flag, a strategy name, a zero wait or budget."""
    if field_name == "retry_connection_errors":
        return isinstance(value, bool)
    if field_name == "strategy":
        return value in ("backoff", "none")
    zero_ok = field_name in ("initial_interval", "max_interval", "max_elapsed_time")
    return zero_ok and type(value) is int and value == 0
