"""`ClusterLimiter`: one rate limit, in-flight count, back-off and budget for every worker of a job.

Plain Python with an injectable clock, so its rules are tested without Ray; `openrouter_funcs.ray` runs it
as a named Ray actor. Workers call it in batches (`sync`): what they finished since their last call, and
how many attempts they want to start now. Nothing here waits: a worker is told how long to wait instead.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

__all__ = ["BUDGET", "ClusterLimiter", "Grant", "LimiterSettings", "Report", "Totals"]

BUDGET = "budget"
"""`Grant.stop` when the budget is spent."""

POLL_S = 0.05
"""How soon a worker asks again while another worker's probe is out or the in-flight cap is full."""

logger = logging.getLogger("openrouter.ray")


class LimiterSettings(msgspec.Struct, frozen=True):
    """What the limiter enforces; None turns a limit off."""

    rps: float | None = None
    burst: float = 1.0
    headroom_s: float = 0.05
    max_in_flight: int | None = None
    budget_usd: float | None = None
    backoff_initial_s: float = 0.5
    backoff_exponent: float = 2.0
    backoff_max_s: float = 30.0
    worker_timeout_s: float = 30.0
    log_every_s: float = 10.0


class Report(msgspec.Struct, frozen=True):
    """What one worker finished since its last call."""

    finished: int = 0
    rows_ok: int = 0
    rows_failed: int = 0
    cost: float = 0.0
    probe_ok: bool = False


class Grant(msgspec.Struct, frozen=True):
    """The limiter's answer: start `granted` attempts now (the first is the probe when `probe`), or wait."""

    granted: int = 0
    probe: bool = False
    wait_s: float = 0.0
    stop: str | None = None
    spent_usd: float = 0.0


class Totals(msgspec.Struct, frozen=True):
    """Running totals of a job, across every worker."""

    rows: int = 0
    ok: int = 0
    failed: int = 0
    cost: float = 0.0
    pauses: int = 0
    rate_limited: int = 0
    probes: int = 0
    attempts: int = 0
    in_flight: int = 0
    workers_lost: int = 0
    budget_spent: bool = False


@dataclass
class _Worker:
    in_flight: int = 0
    last_seen: float = 0.0


class ClusterLimiter:
    """Token bucket for `rps`, cluster-wide in-flight count, shared pause with one probe after it, budget."""

    def __init__(self, settings: LimiterSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        now = clock()
        # No start-up burst: the bucket starts with one token when the first attempt is asked for (actors
        # take seconds to start, and a burst saved meanwhile would go out with their slow first requests).
        self._tokens = min(1.0, settings.burst)
        self._refilled: float | None = None
        # `burst` is what the server may see above `rps` in any second. Requests reach it a little later
        # than their grant, some later than others, which bunches them up: the bucket keeps `headroom_s`
        # worth of requests of the burst unspent to absorb that.
        rps = settings.rps or 0.0
        self._capacity = max(1.0, settings.burst - rps * settings.headroom_s)
        self._workers: dict[str, _Worker] = {}
        self._in_flight = 0
        self._pause_until = 0.0
        self._paused = False
        self._probe_holder: str | None = None
        self._streak = 0
        self._totals = Totals()
        self._logged = now

    def sync(self, worker: str, report: Report, want: int) -> Grant:
        """Record `report` from `worker`, then grant up to `want` new attempts or say how long to wait."""
        now = self._clock()
        self._expire(now)
        state = self._workers.setdefault(worker, _Worker())
        state.last_seen = now
        self._apply(worker, state, report)
        self._maybe_log(now)
        budget = self.settings.budget_usd
        if budget is not None and self._totals.cost >= budget:
            self._totals = msgspec.structs.replace(self._totals, budget_spent=True)
            return Grant(stop=BUDGET, spent_usd=self._totals.cost)
        if want <= 0:
            return Grant()
        if now < self._pause_until:
            return Grant(wait_s=self._pause_until - now)
        if self._probe_holder is not None:
            return Grant(wait_s=POLL_S)
        count = want if not self._paused else 1
        cap = self.settings.max_in_flight
        if cap is not None:
            count = min(count, cap - self._in_flight)
            if count <= 0:
                return Grant(wait_s=POLL_S)
        if self.settings.rps is not None:
            self._refill(now)
            count = min(count, math.floor(self._tokens))
            if count <= 0:
                return Grant(wait_s=(1.0 - self._tokens) / self.settings.rps)
            self._tokens -= count
        probe = self._paused
        if probe:
            self._paused = False
            self._probe_holder = worker
            self._totals = msgspec.structs.replace(self._totals, probes=self._totals.probes + 1)
        state.in_flight += count
        self._in_flight += count
        self._totals = msgspec.structs.replace(
            self._totals, attempts=self._totals.attempts + count, in_flight=self._in_flight
        )
        return Grant(granted=count, probe=probe)

    def pause(self, worker: str, retry_after_s: float | None) -> float:
        """A rate limit seen by `worker`: nobody sends until it passes; returns the pause in seconds.

        `retry_after_s` is the server's hint; without one the pause grows with each rate limit in a row.
        """
        now = self._clock()
        settings = self.settings
        if retry_after_s is None:
            delay = settings.backoff_initial_s * settings.backoff_exponent**self._streak
        else:
            delay = retry_after_s
        delay = max(0.0, min(delay, settings.backoff_max_s))
        self._streak += 1
        totals = self._totals
        new_pause = now >= self._pause_until and not self._paused
        self._pause_until = max(self._pause_until, now + delay)
        self._paused = True
        if self._probe_holder == worker:
            self._probe_holder = None  # the probe was rate limited too: pause again, probe again
        self._totals = msgspec.structs.replace(
            totals, pauses=totals.pauses + new_pause, rate_limited=totals.rate_limited + 1
        )
        if new_pause:
            logger.warning("openrouter: rate limited, every worker pauses %.2f s", delay)
        return self._pause_until - now

    def totals(self) -> Totals:
        """The running totals."""
        self._expire(self._clock())
        return self._totals

    def _apply(self, worker: str, state: _Worker, report: Report) -> None:
        finished = min(report.finished, state.in_flight)
        state.in_flight -= finished
        self._in_flight -= finished
        if report.probe_ok and self._probe_holder == worker:
            self._probe_holder = None
        if report.rows_ok:
            self._streak = 0
        totals = self._totals
        rows = report.rows_ok + report.rows_failed
        if rows or finished or report.cost:
            self._totals = msgspec.structs.replace(
                totals,
                rows=totals.rows + rows,
                ok=totals.ok + report.rows_ok,
                failed=totals.failed + report.rows_failed,
                cost=totals.cost + report.cost,
                in_flight=self._in_flight,
            )

    def _refill(self, now: float) -> None:
        rps = self.settings.rps
        assert rps is not None
        if self._refilled is not None:
            self._tokens = min(self._capacity, self._tokens + (now - self._refilled) * rps)
        self._refilled = now

    def _expire(self, now: float) -> None:
        """Return the slots (and the probe) of workers silent for longer than `worker_timeout_s`."""
        limit = now - self.settings.worker_timeout_s
        for worker, state in list(self._workers.items()):
            if state.last_seen >= limit:
                continue
            del self._workers[worker]
            self._in_flight -= state.in_flight
            lost = state.in_flight > 0 or self._probe_holder == worker
            if self._probe_holder == worker:
                self._probe_holder = None
                self._paused = True  # the next attempt is a probe again
            if lost:
                logger.warning(
                    "openrouter: worker %s went silent; its %d attempts in flight are returned",
                    worker,
                    state.in_flight,
                )
                self._totals = msgspec.structs.replace(
                    self._totals, workers_lost=self._totals.workers_lost + 1, in_flight=self._in_flight
                )

    def _maybe_log(self, now: float) -> None:
        if now - self._logged < self.settings.log_every_s:
            return
        self._logged = now
        totals = self._totals
        logger.info(
            "openrouter: rows %d ok %d failed %d cost $%.4f rate-limit pauses %d in flight %d",
            totals.rows,
            totals.ok,
            totals.failed,
            totals.cost,
            totals.pauses,
            totals.in_flight,
        )
