"""`chat_send_many`: thousands of chat completions, bounded concurrency, one shared rate-limit back-off.

Results come back in input order, each an `Ok(ChatResponse)` or an `Err`. A 429 pauses the whole batch
(not just the request that got it) until its `Retry-After` passes; then one request goes first as a probe
and the others follow only if it gets through, so a rate limit never turns into a thundering herd.
With `resume="results.jsonl"` every finished result is appended to the file as it completes, and a
rerun reuses the successful ones instead of sending them again.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sized
from typing import IO, TYPE_CHECKING, Any, Concatenate

import msgspec
from typing_extensions import ParamSpec

from openrouter_core._call import Observed, like
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import (
    BudgetExceededError,
    OpenRouterError,
    RequestAbortedError,
    SDKValidationError,
    TooManyRequestsResponseError,
)
from openrouter_core._exchange import map_exception
from openrouter_core._hooks import CallObserver, CallStart, start_call
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_core._prepare import to_struct
from openrouter_core._retries import is_final, log_retry, server_delay
from openrouter_core._safe_text import safe_repr, safe_str, type_name
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_send import ChatOptions, SendOptions

if TYPE_CHECKING:
    from types import TracebackType

    from openrouter_core._models._request_input import ChatRequestInput

__all__ = [
    "DEFAULT_CONCURRENCY",
    "BatchErrorInfo",
    "BatchRecord",
    "BatchRun",
    "Progress",
    "chat_send_many",
    "start_batch",
    "unstartable",
]

DEFAULT_CONCURRENCY = 8
"""Requests in flight at once, by default."""

RECORD_VERSION = 1

BatchResult = Result[ChatResponse, OpenRouterError]


class BatchErrorInfo(msgspec.Struct, frozen=True, omit_defaults=True):
    """A failed request in the resume file: the error's class name, message and HTTP status if any."""

    type: str
    message: str
    status_code: int | None = None


class BatchRecord(msgspec.Struct, frozen=True, omit_defaults=True):
    """One line of a resume file: the result of the request at `index` of the batch.

    `request_sha256` is the SHA-256 of the request's JSON as sent (without `extra_body`); a record is
    reused on a rerun only when the request at `index` still has that hash and `ok` is true (a failed
    request is sent again). `response` is the whole `ChatResponse`; `error` describes a failure.
    """

    index: int
    request_sha256: str
    ok: bool
    response: ChatResponse | None = None
    error: BatchErrorInfo | None = None
    v: int = RECORD_VERSION


P = ParamSpec("P")
_RECORD_DECODER = msgspec.json.Decoder(BatchRecord)
_ENCODER = msgspec.json.Encoder()


def request_key(params: ChatGenerationParams) -> str:
    """The `request_sha256` of a request."""
    return hashlib.sha256(_ENCODER.encode(params)).hexdigest()


def load_records(path: str | os.PathLike[str]) -> dict[int, BatchRecord]:
    """The successful records of a resume file by index (later lines win; unreadable lines are skipped)."""
    found: dict[int, BatchRecord] = {}
    try:
        with open(path, "rb") as handle:
            for line in handle:
                if not line.strip():
                    continue
                try:
                    record = _RECORD_DECODER.decode(line)
                except (msgspec.DecodeError, RecursionError):
                    continue  # a line cut short by a crash, or not ours
                if record.ok and record.response is not None:
                    found[record.index] = record
                else:
                    found.pop(record.index, None)
    except FileNotFoundError:
        pass
    return found


def record_for(index: int, key: str, result: BatchResult) -> BatchRecord:
    """The resume-file record of a finished result."""
    if result.ok:
        return BatchRecord(index=index, request_sha256=key, ok=True, response=result.value)
    error = result.error
    status = getattr(error, "status_code", None)
    info = BatchErrorInfo(
        type=type(error).__name__, message=str(error), status_code=status if isinstance(status, int) else None
    )
    return BatchRecord(index=index, request_sha256=key, ok=False, error=info)


class Progress:
    """A one-line progress bar on stderr: done/total, successes, failures, rate, ETA and rate-limit pauses."""

    __slots__ = (
        "_last_draw",
        "_out",
        "_started",
        "_width",
        "done",
        "failed",
        "paused_for",
        "skipped",
        "total",
        "unsent",
    )

    def __init__(self, total: int, skipped: int, out: IO[str], invalid: int = 0) -> None:
        self.total = total
        self.skipped = skipped
        self.unsent = skipped + invalid  # resumed or invalid: done without a request, so out of the rate
        self.done = skipped + invalid
        self.failed = invalid
        self.paused_for = 0.0
        self._out = out
        self._started = time.monotonic()
        self._last_draw = 0.0
        self._width = 0

    def line(self) -> str:
        """The bar as text."""
        total = max(self.total, 1)
        filled = int(24 * self.done / total)
        bar = "#" * filled + "." * (24 - filled)
        elapsed = max(time.monotonic() - self._started, 1e-9)
        sent = self.done - self.unsent
        rate = sent / elapsed
        text = f"[{bar}] {self.done}/{self.total} ok {self.done - self.failed} failed {self.failed}"
        if sent:
            text += f" {rate:.1f}/s"
            if self.done < self.total:
                text += f" eta {_duration((self.total - self.done) / rate)}"
        if self.paused_for > 0:
            text += f" (rate limited: paused {_duration(self.paused_for)})"
        return text

    def draw(self, force: bool = False) -> None:
        """Redraw, at most ten times a second unless forced."""
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        text = self.line()
        padding = " " * max(0, self._width - len(text))
        self._width = len(text)
        try:
            self._out.write("\r" + text + padding)
            self._out.flush()
        except (OSError, ValueError):
            pass

    def close(self) -> None:
        """Draw the final state and end the line."""
        self.paused_for = 0.0
        self.draw(force=True)
        try:
            self._out.write("\n")
            self._out.flush()
        except (OSError, ValueError):
            pass


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{max(seconds, 0.0):.1f}s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class BatchRun:
    """The state both `chat_send_many` and its async twin share: requests, results, resume file, progress."""

    def __init__(
        self,
        core: OpenRouterCore,
        requests: Iterable[ChatRequestInput],
        *,
        concurrency: int,
        progress: bool | None,
        resume: str | os.PathLike[str] | None,
        retries: RetryConfig | None,
        budget_usd: float | None = None,
    ) -> None:
        self.lock = threading.Lock()
        self.budget_usd: float | None = None
        self.spent_usd = 0.0
        items = list(requests)
        self.results: list[BatchResult | None] = [None] * len(items)
        self.params: list[ChatGenerationParams | None] = [None] * len(items)
        self.keys: list[str] = [""] * len(items)
        self.pending: list[int] = []
        self.concurrency = concurrency
        config = retries if retries is not None else core.retry_config
        # 429s are the batch's business (one shared pause); the per-call retries handle everything else.
        self.call_retries = msgspec.structs.replace(config, status_codes=config.status_codes - {429})
        self.rate_limit_attempts = (
            1
            if config.strategy == "none" or 429 not in config.status_codes
            else (max(config.max_attempts, 1))
        )
        self.backoff = config.backoff
        self.streak = 0
        self._file: IO[bytes] | None = None
        self.progress: Progress | None = None
        invalid = _invalid_options(concurrency, resume)
        if invalid is not None:
            self.results = [Err(invalid) for _ in items]
            return
        if budget_usd is not None and (not isinstance(budget_usd, (int, float)) or not budget_usd >= 0):
            error = SDKValidationError(
                f"budget_usd must be a number of dollars, at least 0, not {budget_usd!r}", path="budget_usd"
            )
            self.results = [Err(error) for _ in items]
            return
        self.budget_usd = budget_usd
        for index, request in enumerate(items):
            try:
                params = to_struct(request, ChatGenerationParams)
            except Exception as exc:  # a mapping whose own methods raise fails alone, not the batch
                self.results[index] = Err(map_exception(exc))
                continue
            if not params.ok:
                self.results[index] = Err(params.error)
                continue
            try:
                self.keys[index] = request_key(params.value)
            except (TypeError, ValueError, msgspec.EncodeError) as exc:
                invalid = SDKValidationError(
                    f"request cannot be encoded as JSON: {safe_str(exc)}", path=f"$[{index}]"
                )
                self.results[index] = Err(invalid)
                continue
            self.params[index] = params.value
        reused = self._resume(resume) if resume is not None else 0
        self.pending = [index for index, result in enumerate(self.results) if result is None]
        show = progress if progress is not None else _stderr_is_tty()
        if show and items and sys.stderr:
            refused = sum(1 for result in self.results if result is not None and not result.ok)
            self.progress = Progress(len(items), reused, sys.stderr, refused)

    def _resume(self, path: str | os.PathLike[str]) -> int:
        try:
            records = load_records(path)
            self._file = open(path, "ab+")  # noqa: SIM115 - closed by close()
            if self._file.tell() > 0:
                self._file.seek(-1, os.SEEK_END)
                if self._file.read(1) != b"\n":
                    self._file.write(b"\n")  # end a line cut short by a crash, so ours starts clean
        except OSError as exc:
            error = SDKValidationError(
                f"cannot use the resume file {safe_repr(os.fspath(path))}: {safe_str(exc)}", path="resume"
            )
            for index, result in enumerate(self.results):
                if result is None:
                    self.results[index] = Err(error)
            return 0
        reused = 0
        for index, record in records.items():
            if (
                0 <= index < len(self.results)
                and self.results[index] is None
                and record.request_sha256 == self.keys[index]
                and record.response is not None
            ):
                self.results[index] = Ok(record.response)
                reused += 1
        return reused

    def request(self, index: int) -> ChatGenerationParams:
        """The checked request of a pending slot."""
        params = self.params[index]
        assert params is not None  # pending slots are the ones whose request was checked
        return params

    def pause_after(self, result: BatchResult, attempts: int) -> float | None:
        """How long the whole batch pauses after a 429, or None (no 429, or the request has had its tries)."""
        if result.ok:
            return None
        error = result.error
        if not isinstance(error, TooManyRequestsResponseError) or attempts >= self.rate_limit_attempts:
            return None
        if is_final(error):
            return None
        cap = self.backoff.max_interval / 1000
        with self.lock:
            asked = server_delay(error)
            server = (asked, "the server (Retry-After or the error body)") if asked is not None else None
            if server is None:
                server = (
                    self.backoff.ceiling_ms(self.streak + 1) / 1000,
                    f"the batch's backoff after {self.streak + 1} rate limit(s) in a row",
                )
            self.streak += 1
        delay = min(server[0], cap)
        source = server[1] if server[0] <= cap else f"{server[1]}, capped by max_interval"
        log_retry(attempts + 1, self.rate_limit_attempts, delay, "429, the whole batch pauses", source)
        return delay

    @property
    def over_budget(self) -> bool:
        """Whether the results so far cost `budget_usd` or more, so no further request may start."""
        return self.budget_usd is not None and self.spent_usd >= self.budget_usd

    def finish(self, index: int, result: BatchResult) -> None:
        """Store a result, add up its cost, append it to the resume file and move the progress bar."""
        with self.lock:
            self.results[index] = result
            # A failing progress bar or resume file must neither lose nor change the result.
            with contextlib.suppress(Exception):
                self._account(index, result)

    def _account(self, index: int, result: BatchResult) -> None:
        if result.ok:
            self.streak = 0
            usage = result.value.usage
            if usage is not None and usage.cost is not None:
                self.spent_usd += usage.cost
        if self._file is not None:
            try:
                self._file.write(_ENCODER.encode(record_for(index, self.keys[index], result)) + b"\n")
                self._file.flush()
            except (OSError, ValueError):
                pass
        if self.progress is not None:
            self.progress.done += 1
            self.progress.failed += 0 if result.ok else 1
            self.progress.draw()

    def show_pause(self, seconds: float) -> None:
        """Tell the progress bar the batch is paused."""
        if self.progress is not None:
            with self.lock:
                self.progress.paused_for = seconds
                self.progress.draw(force=True)
                self.progress.paused_for = 0.0

    def close(self) -> list[BatchResult]:
        """Close the resume file and the progress line; every result, in input order."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.progress is not None:
            self.progress.close()
        stopped: BatchResult = Err(RequestAbortedError("the batch stopped before this request was sent"))
        if self.over_budget:
            assert self.budget_usd is not None
            stopped = Err(
                BudgetExceededError(
                    f"the batch spent ${self.spent_usd:.6f}, reaching budget_usd={self.budget_usd:g}, "
                    "before this request was sent",
                    budget_usd=self.budget_usd,
                    spent_usd=self.spent_usd,
                )
            )
        return [result if result is not None else stopped for result in self.results]


def _invalid_options(concurrency: object, resume: object) -> SDKValidationError | None:
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        return SDKValidationError(
            f"concurrency must be an int of at least 1, not {safe_repr(concurrency)}", path="concurrency"
        )
    # `open(True)` would open (and later close) file descriptor 1, stdout: only names of files are taken.
    if resume is not None and not isinstance(resume, (str, os.PathLike)):
        return SDKValidationError(
            f"resume must be a str or path-like file name, not {type_name(resume)}", path="resume"
        )
    return None


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (OSError, ValueError):
        return False


class GateState:
    """The batch-wide pause, without locks or waiting: after a 429 nobody sends until it passes, then one
    probe goes first. `Gate` and the async runner's gate hold it under their own lock."""

    __slots__ = ("pause_until", "paused", "probing")

    def __init__(self) -> None:
        self.pause_until = 0.0
        self.paused = False
        self.probing = False

    def admit(self, now: float) -> tuple[float, bool]:
        """How long to wait still (0 or less: go now), and whether the request going now is the probe."""
        delay = self.pause_until - now
        if delay > 0:
            return delay, False
        probe, self.paused = self.paused, False
        self.probing = probe
        return delay, probe

    def report(self, probe: bool, pause: float | None, now: float) -> bool:
        """Record a request's outcome (`pause` seconds after a 429); True when waiting requests may go on."""
        if pause is not None:
            self.pause_until = max(self.pause_until, now + pause)
            self.paused = True
        if probe:
            self.probing = False
        return probe


class Gate:
    """The batch-wide pause for threads."""

    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None], batch: BatchRun) -> None:
        self._cond = threading.Condition()
        self._clock = clock
        self._sleep = sleep
        self._batch = batch
        self._state = GateState()

    def enter(self) -> bool:
        """Wait until requests may be sent; True when this one is the probe after a pause."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: not self._state.probing)
                delay, probe = self._state.admit(self._clock())
                if delay <= 0:
                    return probe
            self._batch.show_pause(delay)
            self._sleep(delay)

    def leave(self, probe: bool, pause: float | None) -> None:
        """Report a request's outcome: `pause` seconds after a 429, else None."""
        with self._cond:
            if self._state.report(probe, pause, self._clock()):
                self._cond.notify_all()


def _chat_send_many(
    core: OpenRouterCore,
    requests: Iterable[ChatRequestInput],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    resume: str | os.PathLike[str] | None = None,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
    budget_usd: float | None = None,
) -> BatchJob:
    """Send every request, `concurrency` at a time; one `Ok(ChatResponse)` or `Err` per request, in input
    order. Never raises (except `KeyboardInterrupt`, and cancellation of the async call).

    A 429 pauses the whole batch until its `Retry-After` (capped by the retry config's `max_interval`)
    passes, then one probe request goes first; a request is tried up to `max_attempts` times for 429s.
    `progress` draws a bar on stderr (default: when stderr is a terminal). `resume` names a JSONL file
    of `BatchRecord` lines: results are appended as they finish, and a rerun reuses the successful ones.
    Streamed requests are collected into whole responses. `chat_send_many` runs on threads;
    `chat_send_many_async` on tasks (asyncio or trio), and cancelling it cancels the requests in flight.
    With `budget_usd`, once the finished results cost that much (their `usage.cost`) no further request
    starts: those in flight finish, and the rest come back as `Err(BudgetExceededError)`.
    """
    settings = {
        "concurrency": concurrency,
        "progress": progress,
        "resume": resume,
        "retries": retries,
        "budget_usd": budget_usd,
    }
    return BatchJob(
        requests,
        settings,
        ChatOptions(SendOptions(timeout_ms=timeout_ms, headers=headers, extra_body=extra_body)),
    )


class BatchJob:
    """A batch to run: opened (requests checked, resume file read) when it starts, on either side."""

    __slots__ = ("options", "requests", "settings")

    def __init__(
        self, requests: Iterable[ChatRequestInput], settings: dict[str, Any], options: ChatOptions
    ) -> None:
        self.requests = requests
        self.settings = settings
        self.options = options

    def start(self, core: OpenRouterCore) -> BatchScope | list[BatchResult]:
        """The batch opened (requests checked, resume file read, observers told), or its error per slot."""
        try:
            return BatchScope(core, BatchRun(core, self.requests, **self.settings))
        except Exception as exc:
            return unstartable(self.requests, exc)

    def run(self, core: OpenRouterCore) -> list[BatchResult]:
        """The batch on daemon threads."""
        scope = self.start(core)
        if isinstance(scope, list):
            return scope
        with scope:
            if scope.batch.pending:
                _run_threads(core, scope.batch, self.options, scope.watch.observer is not None)
        return scope.results

    async def run_async(self, core: OpenRouterCore) -> list[BatchResult]:
        """The batch on anyio tasks (loaded with the first async batch)."""
        from openrouter_funcs._chat_send_many_async import run_tasks

        scope = self.start(core)
        if isinstance(scope, list):
            return scope
        with scope:
            if scope.batch.pending:
                await run_tasks(core, scope.batch, self.options)
        return scope.results


class BatchScope:
    """A started batch as a `with` block: however the block ends, the batch is closed into `results` (every
    request's, in input order) and its `on_call` observers hear how it ended."""

    __slots__ = ("batch", "results", "watch")

    def __init__(self, core: OpenRouterCore, batch: BatchRun) -> None:
        self.batch = batch
        self.results: list[BatchResult] = []  # what is left if closing the batch fails (a bug of ours)
        self.watch: Observed[list[BatchResult]] = Observed(start_batch(core, batch))

    def __enter__(self) -> BatchScope:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        with self.watch:
            self.results = self.batch.close()
            self.watch.result = Ok(self.results)
        # A runner's own bug ends the batch, not the call: each request has its result, or says it was unsent.
        return isinstance(exc, Exception)


def _batch(
    plan: Callable[Concatenate[OpenRouterCore, P], BatchJob],
) -> Callable[Concatenate[OpenRouterCore, P], list[BatchResult]]:
    """The sync function of a batch plan (a batch never fails as a whole, so it needs no Result)."""

    def call(core: OpenRouterCore, /, *args: P.args, **kwargs: P.kwargs) -> list[BatchResult]:
        return plan(core, *args, **kwargs).run(core)

    return like(plan, call, returns=RESULTS)


def _batch_async(
    plan: Callable[Concatenate[OpenRouterCore, P], BatchJob],
) -> Callable[Concatenate[OpenRouterCore, P], Coroutine[Any, Any, list[BatchResult]]]:
    """The async function of a batch plan."""

    async def call(core: OpenRouterCore, /, *args: P.args, **kwargs: P.kwargs) -> list[BatchResult]:
        return await plan(core, *args, **kwargs).run_async(core)

    return like(plan, call, "_async", returns=RESULTS)


RESULTS = "list[Result[ChatResponse, OpenRouterError]]"
chat_send_many = _batch(_chat_send_many)
chat_send_many_async = _batch_async(_chat_send_many)


def start_batch(core: OpenRouterCore, batch: BatchRun) -> CallObserver | None:
    """The observers of one batch, or None when no `on_call` hook watches."""
    if not core.hooks.on_call:
        return None
    return start_call(core.hooks, CallStart("chat_send_many", core.server_url, batch_size=len(batch.results)))


def unstartable(requests: object, exc: Exception) -> list[BatchResult]:
    """A batch that could not start: its error in every slot (in one slot, if none can be counted)."""
    error = map_exception(exc)
    try:
        count = len(requests) if isinstance(requests, Sized) else 1
    except Exception:  # the len() that failed may be why the batch could not start
        count = 1
    return [Err(error) for _ in range(max(count, 1))]


def _run_threads(core: OpenRouterCore, batch: BatchRun, options: ChatOptions, observed: bool) -> None:
    gate = Gate(core.clock, core.sleep, batch)
    options = options.with_retries(batch.call_retries)
    stop = threading.Event()
    queue = iter(batch.pending)
    take = threading.Lock()

    def next_index() -> int | None:
        with take:
            return None if stop.is_set() or batch.over_budget else next(queue, None)

    def run_one(index: int) -> BatchResult:
        attempts = 1
        while True:
            probe = gate.enter()
            pause: float | None = None
            try:
                result = options.reply(core, batch.request(index))
                pause = batch.pause_after(result, attempts)
            finally:
                gate.leave(probe, pause)
            if pause is None or stop.is_set():
                return result
            attempts += 1

    def worker() -> None:
        while (index := next_index()) is not None:
            try:
                result = run_one(index)
            except Exception as exc:  # a bug of ours must still come back as a value
                result = Err(map_exception(exc))
            batch.finish(index, result)

    # Daemon threads, not an executor: after Ctrl-C no new request starts, and the interpreter can exit
    # without waiting for the requests still in flight (an executor's threads are joined at exit).
    count = min(batch.concurrency, len(batch.pending))
    # An observed batch's calls run in a copy of the caller's context, so their spans nest under the batch's.
    threads = [
        threading.Thread(
            target=contextvars.copy_context().run if observed else worker,
            args=(worker,) if observed else (),
            name=f"openrouter-batch-{n}",
            daemon=True,
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()
        raise
