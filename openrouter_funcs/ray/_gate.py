"""`WorkerGate`: one worker's side of the cluster limiter, on the worker's event loop.

Every HTTP attempt of a row (retries and tool-loop turns included) waits in `admit()` for a grant. The
waiting attempts of a worker are asked for together in one call to the limiter, which also carries what
finished since the last call, so a worker makes one limiter call per round, not one per request. A
rate limit seen by this worker pauses it at once and is reported to the limiter before anything else.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from openrouter_funcs.ray._limiter import BUDGET, Grant, Report

__all__ = ["BudgetStop", "RowState", "WorkerGate"]

Sync = Callable[[Report, int], Awaitable[Grant]]
"""Calls the limiter's `sync` for this worker."""
Pause = Callable[[float | None], Awaitable[float]]
"""Calls the limiter's `pause` for this worker."""

STALE_GRANT_S = 0.1
"""A grant that took longer than this to come back is handed back unused: sent late, its requests would
bunch up with the ones granted after it and overshoot `rps` at the server."""

REPORT_EVERY_S = 0.25
"""Longest a finished row waits before the limiter hears of it (its cost counts toward the budget)."""


class BudgetStop(Exception):
    """Raised inside the request hook when the limiter says the budget is spent."""


@dataclass
class RowState:
    """One row's attempts, seen by the hooks through a context variable."""

    attempts: int = 0
    attempt_open: bool = False
    probe: bool = False
    budget_stopped: bool = False


class WorkerGate:
    """Admits this worker's attempts as the cluster limiter allows, and reports what they did."""

    def __init__(
        self, sync: Sync, pause: Pause, *, heartbeat_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sync = sync
        self._pause = pause
        self._heartbeat_s = heartbeat_s
        self._clock = clock
        self._waiters: deque[asyncio.Future[bool]] = deque()
        self._finished = 0
        self._rows_ok = 0
        self._rows_failed = 0
        self._cost = 0.0
        self._probe_ok = False
        self._in_flight = 0
        self._pause_until = 0.0
        self._last_call = 0.0
        self._wake: asyncio.Event | None = None
        self._pump_task: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self.stopped = False
        self.spent_usd = 0.0

    async def admit(self) -> bool:
        """Wait until this attempt may start; True when it is the probe after a pause.

        Raises `BudgetStop` when the budget is spent.
        """
        if self.stopped:
            raise BudgetStop
        waiter: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        self._kick(wake=len(self._waiters) == 1)
        return await waiter

    def attempt_done(self, probe: bool, rate_limited: bool) -> None:
        """An admitted attempt ended (its headers came, or it failed)."""
        self._finished += 1
        self._in_flight -= 1
        if probe and not rate_limited:
            self._probe_ok = True
            self._kick()  # the whole cluster waits for this news

    def row_done(self, ok: bool, cost: float) -> None:
        """A row finished; its cost counts toward the budget."""
        if ok:
            self._rows_ok += 1
        else:
            self._rows_failed += 1
        self._cost += cost
        self._kick(wake=False)

    async def rate_limited(self, retry_after_s: float | None) -> None:
        """Pause this worker at once and the whole cluster as soon as the limiter hears of it."""
        hint = 0.0 if retry_after_s is None else retry_after_s
        self._pause_until = max(self._pause_until, self._clock() + hint)
        pause = await self._pause(retry_after_s)
        self._pause_until = max(self._pause_until, self._clock() + pause)

    def rate_limited_soon(self, retry_after_s: float | None) -> None:
        """`rate_limited` from synchronous code on the worker's loop (a hook that cannot await)."""
        task = asyncio.get_running_loop().create_task(self._report_pause(retry_after_s))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        hint = 0.0 if retry_after_s is None else retry_after_s
        self._pause_until = max(self._pause_until, self._clock() + hint)

    async def _report_pause(self, retry_after_s: float | None) -> None:
        pause = await self._pause(retry_after_s)
        self._pause_until = max(self._pause_until, self._clock() + pause)

    async def flush(self) -> None:
        """Tell the limiter everything finished so far (the end of a batch)."""
        report = self._take_report()
        if report != Report():
            grant = await self._sync(report, 0)
            if grant.stop == BUDGET:
                self.stopped = True
                self.spent_usd = grant.spent_usd

    def _kick(self, wake: bool = True) -> None:
        """Start the pump if it is idle; `wake` also cuts short a wait that new work should end."""
        if self._wake is None:
            self._wake = asyncio.Event()
        if wake:
            self._wake.set()
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = asyncio.get_running_loop().create_task(self._pump())

    def _take_report(self) -> Report:
        report = Report(
            finished=self._finished,
            rows_ok=self._rows_ok,
            rows_failed=self._rows_failed,
            cost=self._cost,
            probe_ok=self._probe_ok,
        )
        self._finished = self._rows_ok = self._rows_failed = 0
        self._cost = 0.0
        self._probe_ok = False
        return report

    def _has_report(self) -> bool:
        return bool(self._finished or self._rows_ok or self._rows_failed or self._cost or self._probe_ok)

    async def _pump(self) -> None:
        """The one loop that talks to the limiter for this worker, while there is anything to say."""
        wake = self._wake
        assert wake is not None
        while True:
            self._drop_cancelled()
            heartbeat_due = self._in_flight > 0 and self._clock() - self._last_call >= self._heartbeat_s
            if self._probe_ok or heartbeat_due:
                await self._call(0)
            if not self._waiters:
                if not self._has_report() and self._in_flight <= 0:
                    return
                # Rows finished or attempts out: report soon, and keep our slots alive meanwhile.
                wake.clear()
                await _wait(wake, REPORT_EVERY_S if self._has_report() else self._heartbeat_s)
                if not self._waiters and self._has_report():
                    await self._call(0)
                continue
            wait_s = self._pause_until - self._clock()
            if wait_s <= 0:
                grant = await self._call(len(self._waiters))
                if grant is None or grant.granted >= len(self._waiters) or grant.stop:
                    continue
                wait_s = grant.wait_s
            # New rows don't end this wait (the limiter said when to ask again); a probe's result does.
            wake.clear()
            await _wait(wake, min(wait_s, self._heartbeat_s))

    async def _call(self, want: int) -> Grant | None:
        report = self._take_report()
        self._last_call = self._clock()
        try:
            grant = await self._sync(report, want)
        except Exception as exc:  # the limiter is gone: the attempts waiting fail as values, not hang
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(exc)
            return None
        if grant.granted and not grant.probe and self._clock() - self._last_call > STALE_GRANT_S:
            self._finished += grant.granted
            return Grant()  # ask again at once
        if grant.stop == BUDGET:
            self.stopped = True
            self.spent_usd = grant.spent_usd
            while self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(BudgetStop())
            return grant
        probe = grant.probe
        unused = 0
        for _ in range(grant.granted):
            if not self._waiters:
                unused += 1
                continue
            waiter = self._waiters.popleft()
            if waiter.done():  # cancelled meanwhile: its grant goes back
                unused += 1
                continue
            self._in_flight += 1
            waiter.set_result(probe)
            probe = False
        if unused:
            self._finished += unused
            if probe:
                self._probe_ok = True  # a probe nobody used: let the next one go
        return grant

    def _drop_cancelled(self) -> None:
        self._waiters = deque(waiter for waiter in self._waiters if not waiter.done())


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)
