"""A worker's gate against an in-process limiter (no Ray): batched calls, waits, probes, budget, reports."""

from __future__ import annotations

import asyncio

import pytest

from openrouter_funcs.ray._gate import BudgetStop, WorkerGate
from openrouter_funcs.ray._limiter import ClusterLimiter, Grant, LimiterSettings, Report


class Limiter:
    """A `ClusterLimiter` behind async calls, counting them like the actor's remote calls."""

    def __init__(self, **settings: object) -> None:
        self.limiter = ClusterLimiter(LimiterSettings(**settings))  # type: ignore[arg-type]
        self.calls: list[tuple[str, int]] = []

    def gate(self, worker: str, heartbeat_s: float = 1.0) -> WorkerGate:
        async def sync(report: Report, want: int) -> Grant:
            self.calls.append((worker, want))
            await asyncio.sleep(0)
            return self.limiter.sync(worker, report, want)

        async def pause(retry_after_s: float | None) -> float:
            return self.limiter.pause(worker, retry_after_s)

        return WorkerGate(sync, pause, heartbeat_s=heartbeat_s)


async def test_waiting_attempts_are_asked_for_together() -> None:
    limiter = Limiter()
    gate = limiter.gate("a")
    probes = await asyncio.gather(*(gate.admit() for _ in range(20)))
    assert probes == [False] * 20
    assert limiter.calls == [("a", 20)]
    for _ in range(20):
        gate.attempt_done(probe=False, rate_limited=False)
        gate.row_done(ok=True, cost=0.5)
    await gate.flush()
    totals = limiter.limiter.totals()
    assert (totals.rows, totals.in_flight, totals.cost) == (20, 0, 10.0)


async def test_rate_limited_attempts_wait_for_their_tokens() -> None:
    limiter = Limiter(rps=50.0, burst=1.0)
    gate = limiter.gate("a")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(gate.admit() for _ in range(11)))
    assert loop.time() - started >= 0.2 * 0.9  # 10 tokens after the first, at 50 per second


async def test_a_pause_reported_by_one_worker_holds_the_other_until_the_probe_is_back() -> None:
    limiter = Limiter()
    first, second = limiter.gate("a"), limiter.gate("b")
    await first.rate_limited(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await first.admit() is True  # the probe
    assert loop.time() - started >= 0.15
    other = asyncio.ensure_future(second.admit())
    await asyncio.sleep(0.15)
    assert not other.done()  # the probe is still out
    first.attempt_done(probe=True, rate_limited=False)
    assert await asyncio.wait_for(other, 1.0) is False


async def test_a_spent_budget_stops_every_waiting_attempt() -> None:
    limiter = Limiter(budget_usd=1.0)
    gate = limiter.gate("a")
    assert await gate.admit() is False
    gate.attempt_done(probe=False, rate_limited=False)
    gate.row_done(ok=True, cost=1.0)
    with pytest.raises(BudgetStop):
        await gate.admit()
    assert gate.stopped
    assert gate.spent_usd == 1.0


async def test_a_limiter_that_fails_fails_the_waiting_attempts_instead_of_hanging() -> None:
    async def sync(report: Report, want: int) -> Grant:
        raise ConnectionError("limiter gone")

    async def pause(retry_after_s: float | None) -> float:
        return 0.0

    gate = WorkerGate(sync, pause, heartbeat_s=1.0)
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(gate.admit(), 1.0)
