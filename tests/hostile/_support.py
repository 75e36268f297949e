"""Hostile behaviours drawn by hypothesis, the oracle saying what each must give, and the runners."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import resource
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st

from openrouter_core import (
    AsyncChatStream,
    ChatStream,
    Err,
    Ok,
    OpenRouterCore,
    RetryConfig,
    errors,
    models,
)
from openrouter_core.errors import OpenRouterError, chat_error_class
from openrouter_core.testing import (
    Reply,
    bomb_reply,
    cut_at,
    cut_in_head,
    empty_reply,
    encoded_reply,
    error_reply,
    garbage_body_reply,
    html_reply,
    huge_reply,
    lying_gzip_reply,
    payload_of,
    split_writes,
    sse_event,
    sse_events_reply,
    stall_at,
    stall_before_headers,
    stream_reply,
    text_reply,
    truncated_json_reply,
    wrong_types_reply,
)
from openrouter_funcs import chat_send, chat_send_async

T = TypeVar("T")

KEY = "sk-or-v1-HOSTILE-SECRET-7f3a9c0d1e2b4a5968"
# `make soak` runs several processes on a shared machine: HOSTILE_SLACK stretches every deadline and stall
# alike, so that a starved process still sees a fast reply as fast and a long stall as too long.
SLACK = float(os.environ.get("HOSTILE_SLACK", "1"))
TIMEOUT_MS = round(400 * SLACK)
IDLE_MS = round(250 * SLACK)
CONNECT_MS = round(300 * SLACK)
CAP = 256 * 1024
SHORT_STALL = 0.01
LONG_STALL = 0.7 * SLACK  # longer than TIMEOUT_MS and IDLE_MS: the call must time out
CI_EXAMPLES = 40
FUZZ_EXAMPLES = 1000
REQUEST: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
STREAM_REQUEST: dict[str, Any] = {**REQUEST, "stream": True}
ECHO = "You said: hi"
NO_RETRY = RetryConfig(strategy="none")
PATIENT: dict[str, Any] = {"timeout_ms": 10_000, "idle_timeout_ms": 10_000, "connect_timeout_ms": 10_000}
"""Timeouts for tests of what comes back, not of deadlines: load on the machine must not time them out."""

ErrorTypes = tuple[type[OpenRouterError], ...]


# -- counters -------------------------------------------------------------------------------------


@dataclass
class Stats:
    """Counts every case run, every exception that escaped a call or a stream, and every wrong outcome."""

    cases: int = 0
    escapes: int = 0
    wrong: int = 0
    fuzz: bool = False
    started: float = 0.0
    escaped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    resources_at_start: tuple[int, int] = (0, 0)

    def report(self, resources_at_end: tuple[int, int] | None = None) -> None:
        """Write the figures `make soak` adds up to `HOSTILE_SOAK_REPORT` (progress, or the final figures)."""
        if not SOAK_REPORT:
            return
        figures: dict[str, Any] = {
            "cases": self.cases,
            "escapes": self.escapes,
            "wrong": self.wrong,
            "seconds": time.monotonic() - self.started,
            "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "fds_start": self.resources_at_start[0],
            "threads_start": self.resources_at_start[1],
            "failures": (self.escaped + self.failures)[:20],
        }
        if resources_at_end is not None:
            figures["fds_end"], figures["threads_end"] = resources_at_end
            figures["fds_open"] = sorted(_fd_targets())
        with open(SOAK_REPORT + ".tmp", "w") as out:
            json.dump(figures, out)
        os.replace(SOAK_REPORT + ".tmp", SOAK_REPORT)

    def summary(self, seconds: float) -> str:
        profile = "fuzz" if self.fuzz else "ci"
        return (
            f"hostile-server suite ({profile} profile): {self.cases} cases, {self.escapes} escapes, "
            f"{self.wrong} wrong outcomes, {seconds:.1f} s"
        )


STATS = Stats()
SOAK_REPORT = os.environ.get("HOSTILE_SOAK_REPORT")
"""Where a `make soak` process writes its figures."""
SOAK_UNTIL = float(os.environ.get("HOSTILE_SOAK_UNTIL", "0"))
"""When a `make soak` process stops drawing cases (time.time()), or 0."""


def open_resources() -> tuple[int, int]:
    """Open sockets, pipes and event-loop fds (epoll, eventfd), and live threads, of this process.

    Files are left out: pytest's output capture opens and closes its own as it goes.
    """
    kinds = ("socket:", "pipe:", "anon_inode:")
    return sum(
        target.split(":", 1)[1].startswith(kinds) for target in _fd_targets()
    ), threading.active_count()


def _fd_targets() -> list[str]:
    targets = []
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            targets.append(f"{name}:{os.readlink(f'/proc/self/fd/{name}')}")
    return targets


def settled_resources(baseline: tuple[int, int], timeout: float = 5.0) -> tuple[int, int]:
    """The counts once closed connections and finished threads are gone (or after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        now = open_resources()
        if all(n <= b for n, b in zip(now, baseline, strict=True)) or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


FIGURES: dict[str, str] = {}
"""Resource figures measured by test_resources.py, printed in the terminal summary."""
OVERSHOOTS: dict[str, float] = {}
"""Deadline overshoots (seconds) measured by test_deadlines.py, printed in the terminal summary."""


def profile(slow: bool = False) -> settings:
    """The hypothesis settings of the property tests: the long "fuzz" run or the fixed-seed "ci" slice.

    `slow` tests (a fork or several event loops per case) draw a tenth as many cases. `HOSTILE_EXAMPLES`
    (set by `make soak`) replaces the fuzz profile's count.
    """
    fuzz = STATS.fuzz or _fuzz_requested() or SOAK_EXAMPLES is not None
    base = settings.get_profile("fuzz" if fuzz else "ci")
    examples = SOAK_EXAMPLES if SOAK_EXAMPLES is not None else base.max_examples
    examples = max(1, examples // 10) if slow else examples
    if SOAK_EXAMPLES is not None:  # a soak records failures and goes on: nothing to shrink
        return settings(base, max_examples=examples, phases=[Phase.explicit, Phase.generate])
    return settings(base, max_examples=examples)


SOAK_EXAMPLES = int(os.environ["HOSTILE_EXAMPLES"]) if os.environ.get("HOSTILE_EXAMPLES") else None


def _fuzz_requested() -> bool:
    return os.environ.get("HOSTILE_PROFILE") == "fuzz"


def scale(ci: int, fuzz: int) -> int:
    """A count for the current profile (the issue's full counts run under fuzz)."""
    return fuzz if STATS.fuzz or _fuzz_requested() else ci


def guarded(call: Callable[[], T]) -> T:
    """Run one case; any exception but KeyboardInterrupt and cancellation is an escape, counted and failed."""
    if SOAK_UNTIL and time.time() > SOAK_UNTIL:
        pytest.skip("the soak's time is up")
    with STATS.lock:
        STATS.cases += 1
        progress = STATS.cases % 200 == 0
    if progress:
        STATS.report()
    try:
        return call()
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise
    except BaseException as exc:
        with STATS.lock:
            STATS.escapes += 1
            STATS.escaped.append(repr(exc))
        raise AssertionError(f"an exception escaped: {exc!r}") from exc


# -- what a case must give --------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamExpect:
    """The delta text of every chunk delivered, in order, and the type `.error` must have (None: no error)."""

    texts: tuple[str, ...]
    error: ErrorTypes | None


@dataclass(frozen=True)
class Expect:
    ok_text: str | None = None
    errors: ErrorTypes = ()
    stream: StreamExpect | None = None


@dataclass(frozen=True)
class Case:
    label: str
    target: str  # "mock", "slow_short", "slow_long" or "refused"
    reply: Reply | None
    expect: Expect

    def __repr__(self) -> str:
        return f"Case({self.label!r}, target={self.target!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints a failing dataclass field by field: a bomb's body would make that 250 kB.
        printer.text(repr(self))


# -- plain (non-SSE) replies ------------------------------------------------------------------------

STATUSES = [
    200,
    201,
    301,
    400,
    401,
    402,
    403,
    404,
    408,
    413,
    418,
    422,
    429,
    500,
    502,
    503,
    504,
    520,
    524,
    529,
    599,
]
ERROR_STATUSES = [s for s in STATUSES if s >= 400]
RETRY_AFTER = [
    "0",
    "5",
    "-1",
    "1.5",
    "nan",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Thu, 01 Jan 2099 00:00:00 GMT",
    "soon",
]
RETRY_AFTER_MS = ["0", "100", "-5", "nan", "1e309", "x"]
_VALUE_CHARS = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
texts = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]),
    max_size=30,
)


@st.composite
def extra_headers(draw: st.DrawFn) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    if draw(st.booleans()):
        items.append(("Retry-After", draw(st.sampled_from(RETRY_AFTER))))
    if draw(st.booleans()):
        items.append(("retry-after-ms", draw(st.sampled_from(RETRY_AFTER_MS))))
    names = st.from_regex(r"X-[A-Za-z0-9-]{1,16}", fullmatch=True)
    for name, value in draw(st.lists(st.tuples(names, st.text(_VALUE_CHARS, max_size=40)), max_size=3)):
        items.append((name, value.strip()))
    return items


OFFERED = ["gzip", "x-gzip", "deflate"]
STACKED = st.lists(st.sampled_from(OFFERED), min_size=2, max_size=3)
LYING = st.one_of(
    st.tuples(st.sampled_from(["br", "zstd", "compress", "x-bogus", "snappy"])),
    st.tuples(st.sampled_from(OFFERED), st.sampled_from(["br", "zstd"])),
)


def _status_class(status: int, code: int | str | None) -> type[OpenRouterError]:
    if status >= 400:
        return chat_error_class(status)
    if 200 <= status < 300:
        return chat_error_class(code)
    return errors.OpenRouterDefaultError


def _undecodable(status: int) -> ErrorTypes:
    if 200 <= status < 300:
        return (errors.ResponseValidationError, errors.OpenRouterDefaultError)
    return (errors.OpenRouterDefaultError,)


@st.composite
def plain_replies(draw: st.DrawFn) -> tuple[str, Reply, Expect, bool]:
    """A non-SSE reply, what it must give, and whether wire faults may be applied to it."""
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "error_json",
                "truncated",
                "wrong_types",
                "garbage",
                "html",
                "empty",
                "gzip",
                "huge",
                "encoded",
                "stacked",
                "lying_encoding",
                "inflating",
            ]
        )
    )
    status = draw(st.sampled_from(STATUSES))
    headers = draw(extra_headers())
    if kind == "valid":
        text = draw(texts)
        return kind, text_reply(text, headers=headers), Expect(ok_text=text), True
    if kind == "encoded":
        text = draw(texts)
        coding = draw(st.sampled_from(OFFERED))
        return (
            f"{kind}:{coding}",
            encoded_reply(text_reply(text, headers=headers), coding),
            Expect(ok_text=text),
            True,
        )
    if kind in ("stacked", "lying_encoding"):
        codings = draw(STACKED if kind == "stacked" else LYING)
        reply = encoded_reply(text_reply(draw(texts), status=status), *codings)
        return (
            f"{kind}:{','.join(codings)}:{status}",
            reply,
            Expect(errors=(errors.ResponseValidationError,)),
            False,
        )
    if kind == "inflating":
        coding = draw(st.sampled_from(OFFERED))
        size = draw(st.integers(CAP + 1, 256 * CAP))
        reply = bomb_reply(size, coding, status=status)
        return (
            f"{kind}:{coding}:{size}:{status}",
            reply,
            Expect(errors=(errors.ResponseTooLargeError,)),
            False,
        )
    if kind == "error_json":
        status = draw(st.sampled_from([200, 201, 301, *ERROR_STATUSES]))
        code: int | str = draw(
            st.one_of(st.sampled_from(ERROR_STATUSES), st.sampled_from(["429", "rate_limited", "", "x9"]))
        )
        if status >= 400 and draw(st.booleans()):
            code = status
        reply = error_reply(status, draw(texts) or "boom", code=code, headers=headers)
        return f"{kind}:{status}:{code!r}", reply, Expect(errors=(_status_class(status, code),)), True
    label = f"{kind}:{status}"
    if kind == "truncated":
        reply = truncated_json_reply(draw(st.integers(0, 400)), status=status, headers=headers)
    elif kind == "wrong_types":
        reply = wrong_types_reply(status, variant=draw(st.integers(0, 7)))
    elif kind == "garbage":
        reply = garbage_body_reply(
            draw(st.integers(1, 2048)), seed=draw(st.integers(0, 2**16)), status=status
        )
    elif kind == "html":
        reply = html_reply(status)
    elif kind == "empty":
        reply = empty_reply(status)
    elif kind == "gzip":
        reply = lying_gzip_reply(status=status, truncated=draw(st.booleans()))
        return (
            label,
            reply,
            Expect(errors=(errors.ResponseValidationError, errors.OpenRouterDefaultError)),
            False,
        )
    else:
        size = draw(st.integers(CAP + 1, 4 * CAP))
        reply = huge_reply(size, declare_length=draw(st.booleans()), status=status)
        return label, reply, Expect(errors=(errors.ResponseTooLargeError,)), False
    return label, reply, Expect(errors=_undecodable(status)), True


# -- SSE streams ------------------------------------------------------------------------------------

NOISE = [
    b": OPENROUTER PROCESSING\n\n",
    b":\n\n",
    b"event: ping\n\n",
    b"id: 42\n\n",
    b"retry: 1000\n\n",
    b"retry: soon\n\n",
    b"x-garbage: \x00\xff\xfe binary\n\n",
    b"no colon at all\n\n",
    b": \xc3\x28 invalid utf-8 in a comment\n\n",
    b"\r\n",
    b"event: \n: two lines\n\n",
]
BAD_EVENTS = [
    b"data: {not json\n\n",
    b'data: {"choices": "x"}\n\n',
    b"data: \xff\xfe\n\n",
    b"data: 42\n\n",
    b'data: {"id": 5, "choices": []}\n\n',
    b'data: {"choices": [{"delta": 5}]}\n\n',
    b"data: null\n\n",
]


@dataclass(frozen=True)
class Event:
    data: bytes
    kind: str  # noise, chunk, finish, error_chunk, bare_error, bad, done
    text: str = ""
    error: type[OpenRouterError] | None = None


def classify(data: bytes) -> Event:
    """What one SSE event of `stream_reply` is, for the oracle."""
    payload = data.removeprefix(b"data: ").rstrip(b"\n")
    if not data.startswith(b"data: "):
        return Event(data, "noise")
    if payload == b"[DONE]":
        return Event(data, "done")
    obj = json.loads(payload)
    text = "".join(choice.get("delta", {}).get("content") or "" for choice in obj.get("choices", []))
    if "error" in obj:
        if obj.get("choices"):
            return Event(data, "error_chunk", text, chat_error_class(obj["error"]["code"]))
        return Event(data, "bare_error", "", chat_error_class(obj["error"]["code"]))
    if any(choice.get("finish_reason") for choice in obj.get("choices", [])):
        return Event(data, "finish", text)
    return Event(data, "chunk", text)


def events_of(reply: Reply) -> list[Event]:
    return [classify(bytes(item)) for item in reply.chunks or () if isinstance(item, bytes)]


def stream_expect(
    events: list[Event], fault_at: int | None, fault: type[OpenRouterError] | None
) -> StreamExpect:
    """What a client must see when the events are sent and, at payload offset `fault_at`, `fault` strikes."""
    texts: list[str] = []
    error: type[OpenRouterError] | None = None
    finished = False
    position = 0
    for event in events:
        end = position + len(event.data)
        if fault_at is not None and end > fault_at:
            final = error or fault
            return StreamExpect(tuple(texts), (final,) if final else None)
        position = end
        if event.kind in ("chunk", "finish", "error_chunk"):
            texts.append(event.text)
        if event.kind in ("finish", "error_chunk"):
            finished = True
        if event.kind in ("error_chunk", "bare_error", "bad"):
            error = error or event.error or errors.ResponseValidationError
        if event.kind in ("bare_error", "bad", "done"):
            return StreamExpect(tuple(texts), (error,) if error else None)
    if fault_at is not None and fault is not None:
        error = error or fault
    elif not finished and error is None:
        error = errors.StreamTruncatedError
    return StreamExpect(tuple(texts), (error,) if error else None)


@st.composite
def sse_replies(draw: st.DrawFn) -> tuple[str, list[Event]]:
    """The events of a hostile 200 event stream."""
    content = draw(texts)
    size = draw(st.integers(1, 8))
    ending = draw(st.sampled_from(["done", "no_done", "no_finish", "bare_error", "error_chunk", "bad"]))
    code = draw(st.sampled_from([502, 429, 500, "provider_error", 400]))
    if ending == "error_chunk":
        events = events_of(
            stream_reply(
                content, chunk_size=size, keepalive_comments=False, error={"code": code, "message": "died"}
            )
        )
    else:
        events = events_of(stream_reply(content, chunk_size=size, keepalive_comments=False))
    if ending == "no_done":
        events = events[:-1]
    elif ending == "no_finish":
        events = events[:-3]
    elif ending == "bare_error":
        events = [*events[:-3], classify(sse_event({"error": {"code": code, "message": "bare"}}))]
    elif ending == "bad":
        where = draw(st.integers(0, len(events) - 3))
        bad = Event(draw(st.sampled_from(BAD_EVENTS)), "bad", error=errors.ResponseValidationError)
        events = [*events[:where], bad, *events[where:]]
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(events)))
        events.insert(where, Event(draw(st.sampled_from(NOISE)), "noise"))
    return f"sse:{ending}", events


# -- wire faults and whole cases --------------------------------------------------------------------


def echo_expect(stream: bool) -> Expect:
    if not stream:
        return Expect(ok_text=ECHO)
    events = events_of(stream_reply(ECHO))
    return Expect(stream=stream_expect(events, None, None))


@st.composite
def cases(draw: st.DrawFn, stream: bool) -> Case:
    target = draw(st.sampled_from(["mock"] * 16 + ["slow_short", "slow_long", "refused"]))
    if target == "refused":
        return Case("refused", target, None, Expect(errors=(errors.APIConnectionError,)))
    if target == "slow_long":
        return Case("slow accept (long)", target, None, Expect(errors=(errors.RequestTimeoutError,)))
    if target == "slow_short":
        return Case("slow accept (short)", target, None, echo_expect(stream))
    if stream and draw(st.integers(0, 9)) < 7:
        label, events = draw(sse_replies())
        reply = sse_events_reply([event.data for event in events])
        expect = Expect(stream=stream_expect(events, None, None))
        faultable = True
        encoding = draw(st.sampled_from(["none"] * 6 + ["encoded", "stacked", "lying", "event_bomb"]))
        if encoding == "encoded":
            coding = draw(st.sampled_from(OFFERED))
            return Case(f"{label}+{coding}", target, encoded_reply(reply, coding), expect)
        if encoding in ("stacked", "lying"):
            codings = draw(STACKED if encoding == "stacked" else LYING)
            bad = Expect(errors=(errors.ResponseValidationError,))
            return Case(f"{label}+{','.join(codings)}", target, encoded_reply(reply, *codings), bad)
        if encoding == "event_bomb":
            size = draw(st.integers(CAP + 1, 256 * CAP))
            coding = draw(st.sampled_from(OFFERED))
            too_large = Expect(stream=StreamExpect((), (errors.ResponseTooLargeError,)))
            return Case(
                f"sse event bomb:{coding}:{size}", target, bomb_reply(size, coding, stream=True), too_large
            )
    else:
        label, reply, expect, faultable = draw(plain_replies())
        events = []
    payload = payload_of(reply)
    fault = draw(
        st.sampled_from(["none"] * 4 + ["split", "head_cut", "stall_headers", "cut", "reset", "stall"])
    )
    if not faultable or fault == "none":
        return Case(label, target, reply, expect)
    if fault == "split":
        return Case(f"{label}+split", target, split_writes(reply, draw(st.integers(1, 16))), expect)
    if fault == "head_cut":
        return Case(
            f"{label}+head_cut",
            target,
            cut_in_head(reply, draw(st.integers(0, 30))),
            Expect(errors=(errors.APIConnectionError,)),
        )
    if fault == "stall_headers":
        if draw(st.booleans()):
            return Case(
                f"{label}+short_stall_headers", target, stall_before_headers(reply, SHORT_STALL), expect
            )
        return Case(
            f"{label}+stall_headers",
            target,
            stall_before_headers(reply, LONG_STALL),
            Expect(errors=(errors.RequestTimeoutError,)),
        )
    if not payload:
        return Case(label, target, reply, expect)
    # A position in thousandths, not bytes: a payload length varies (ids, timestamps), and a bound that moves
    # between two draws of the same case makes hypothesis stop a long run (FlakyStrategyDefinition).
    last = len(payload) - 1 if not events else len(payload)
    offset = draw(st.integers(0, 1000)) * last // 1000
    long_stall = fault == "stall" and draw(st.booleans())
    if fault == "stall" and not long_stall:
        return Case(f"{label}+short_stall@{offset}", target, stall_at(reply, offset, SHORT_STALL), expect)
    error: type[OpenRouterError] = (
        errors.RequestTimeoutError if fault == "stall" else errors.APIConnectionError
    )
    faulted = (
        stall_at(reply, offset, LONG_STALL)
        if fault == "stall"
        else cut_at(reply, offset, reset=fault == "reset")
    )
    label = f"{label}+{fault}@{offset}/{len(payload)}"
    if events:
        return Case(label, target, faulted, Expect(stream=stream_expect(events, offset, error)))
    return Case(label, target, faulted, Expect(errors=(error,)))


# -- running a case and checking it -----------------------------------------------------------------


def make_core(url: str, **overrides: Any) -> OpenRouterCore:
    options: dict[str, Any] = {
        "api_key": KEY,
        "server_url": url,
        "retry_config": NO_RETRY,
        "timeout_ms": TIMEOUT_MS,
        "idle_timeout_ms": IDLE_MS,
        "connect_timeout_ms": CONNECT_MS,
        "max_response_bytes": CAP,
    }
    options.update(overrides)
    return OpenRouterCore(**options)


@dataclass
class Outcome:
    result: Any
    yielded: list[models.ChatStreamingResponseChunk] | None = None
    stream: ChatStream | AsyncChatStream | None = None


def run_sync(core: OpenRouterCore, stream: bool) -> Outcome:
    res = chat_send(core, STREAM_REQUEST if stream else REQUEST)
    if isinstance(res, Ok) and isinstance(res.value, ChatStream):
        yielded = list(res.value)
        return Outcome(res, yielded, res.value)
    return Outcome(res)


async def run_async(url: str, stream: bool) -> Outcome:
    async with make_core(url) as core:
        res = await chat_send_async(core, STREAM_REQUEST if stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, AsyncChatStream):
            yielded = [chunk async for chunk in res.value]
            return Outcome(res, yielded, res.value)
        return Outcome(res)


def chunk_text(chunk: models.ChatStreamingResponseChunk) -> str:
    return "".join(choice.delta.content or "" for choice in chunk.choices)


def texts_for_key(outcome: Outcome) -> Iterator[str]:
    """Every text a user could print from the outcome: the key must be in none of them."""
    res = outcome.result
    yield repr(res)
    yield str(res)
    yield repr(getattr(res, "raw", None))
    errors_seen: list[BaseException] = []
    if isinstance(res, Err):
        errors_seen.append(res.error)
    if outcome.stream is not None:
        yield repr(outcome.stream)
        if outcome.stream.error is not None:
            errors_seen.append(outcome.stream.error)
    for error in errors_seen:
        yield str(error)
        yield repr(error)
        yield "".join(traceback.format_exception(error))


def check(case: Case, outcome: Outcome, stream: bool) -> None:
    try:
        _check(case, outcome, stream)
    except AssertionError as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1].line
        wrong(str(exc) or f"{case}: {where}")


def wrong(message: str) -> None:
    """Count a wrong outcome and fail the test; under `make soak`, record it and let the run go on."""
    with STATS.lock:
        STATS.wrong += 1
        if SOAK_REPORT:
            STATS.failures.append(message[:600])
            return
    raise AssertionError(message)


def _check(case: Case, outcome: Outcome, stream: bool) -> None:
    res = outcome.result
    expect = case.expect
    for text in texts_for_key(outcome):
        assert KEY not in text, f"the API key leaked: {text[:300]}"
    assert isinstance(res, (Ok, Err)), res
    if expect.ok_text is not None:
        assert isinstance(res, Ok), f"{case}: expected Ok, got {res!r}"
        if stream:  # a whole reply to a stream request is replayed as a one-chunk stream
            assert isinstance(res.value, AsyncChatStream | ChatStream), res.value
            assert outcome.yielded is not None and outcome.stream is not None
            assert outcome.stream.error is None, f"{case}: {outcome.stream.error!r}"
            assert "".join(chunk_text(chunk) for chunk in outcome.yielded) == expect.ok_text
            return
        assert isinstance(res.value, models.ChatResponse), res.value
        assert res.value.choices[0].message.content == expect.ok_text
        return
    if expect.errors:
        assert isinstance(res, Err), f"{case}: expected Err{expect.errors}, got {res!r}"
        assert type(res.error) in expect.errors, f"{case}: expected {expect.errors}, got {res.error!r}"
        return
    assert expect.stream is not None
    assert isinstance(res, Ok), f"{case}: expected a stream, got {res!r}"
    assert isinstance(res.value, AsyncChatStream | ChatStream), res.value
    assert outcome.yielded is not None and outcome.stream is not None
    delivered = tuple(chunk_text(chunk) for chunk in outcome.yielded)
    assert delivered == expect.stream.texts, f"{case}: delivered {delivered}, expected {expect.stream.texts}"
    assert outcome.stream.chunks == outcome.yielded, "chunks yielded must stay delivered"
    error = outcome.stream.error
    if expect.stream.error is None:
        assert error is None, f"{case}: the stream did not fail, yet .error is {error!r}"
    else:
        assert type(error) in expect.stream.error, (
            f"{case}: expected .error {expect.stream.error}, got {error!r}"
        )


# -- calls answered by the mock's echo (fork, event loops, close races) -------------------------------


def tagged(tag: str, stream: bool) -> dict[str, Any]:
    """A request whose echo reply quotes `tag`, so a reply delivered to the wrong caller is caught."""
    return {"model": "m", "messages": [{"role": "user", "content": tag}], "stream": stream}


def echo_sync(core: OpenRouterCore, tag: str, stream: bool) -> str | None:
    """None when the call got its own echo back; otherwise what it got instead."""
    res = chat_send(core, tagged(tag, stream))
    if isinstance(res, Ok) and isinstance(res.value, ChatStream):
        res = res.value.collect()
    if isinstance(res, Ok) and isinstance(res.value, models.ChatResponse):
        text = res.value.choices[0].message.content
        return None if text == f"You said: {tag}" else f"{tag}: got {text!r}"
    return f"{tag}: {res!r}"


async def echo_async(core: OpenRouterCore, tag: str, stream: bool) -> str | None:
    """The async twin of `echo_sync`."""
    res = await chat_send_async(core, tagged(tag, stream))
    if isinstance(res, Ok) and isinstance(res.value, AsyncChatStream):
        res = await res.value.collect()
    if isinstance(res, Ok) and isinstance(res.value, models.ChatResponse):
        text = res.value.choices[0].message.content
        return None if text == f"You said: {tag}" else f"{tag}: got {text!r}"
    return f"{tag}: {res!r}"
