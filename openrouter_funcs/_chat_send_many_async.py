"""The async batch runner of `chat_send_many_async`: anyio tasks (asyncio or trio) on httpx's async client.

Loaded with the first async batch, so that neither the package nor the client imports anyio.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

from openrouter_core._core import OpenRouterCore
from openrouter_core._exchange import map_exception
from openrouter_core.result import Err
from openrouter_funcs._chat_send import ChatOptions
from openrouter_funcs._chat_send_many import BatchResult, BatchRun, GateState

__all__ = ["run_tasks"]


class _AsyncGate:
    """The batch-wide pause for tasks on one event loop."""

    def __init__(
        self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]], batch: BatchRun
    ) -> None:
        self._cond = anyio.Condition()
        self._clock = clock
        self._sleep = sleep
        self._batch = batch
        self._state = GateState()

    async def enter(self) -> bool:
        while True:
            async with self._cond:
                while self._state.probing:
                    await self._cond.wait()
                delay, probe = self._state.admit(self._clock())
                if delay <= 0:
                    return probe
            self._batch.show_pause(delay)
            await self._sleep(delay)

    async def leave(self, probe: bool, pause: float | None) -> None:
        async with self._cond:
            if self._state.report(probe, pause, self._clock()):
                self._cond.notify_all()


async def run_tasks(core: OpenRouterCore, batch: BatchRun, options: ChatOptions) -> None:
    """Send the batch's pending requests, `batch.concurrency` tasks at a time."""
    gate = _AsyncGate(core.clock, core.async_sleep or anyio.sleep, batch)
    options = options.with_retries(batch.call_retries)
    queue = iter(batch.pending)

    async def run_one(index: int) -> BatchResult:
        attempts = 1
        while True:
            probe = await gate.enter()
            pause: float | None = None
            try:
                result = await options.reply_async(core, batch.request(index))
                pause = batch.pause_after(result, attempts)
            finally:
                with anyio.CancelScope(shield=True):
                    await gate.leave(probe, pause)
            if pause is None:
                return result
            attempts += 1

    async def worker() -> None:
        while not batch.over_budget and (index := next(queue, None)) is not None:
            try:
                result = await run_one(index)
            except Exception as exc:  # a bug of ours must still come back as a value
                result = Err(map_exception(exc))
            batch.finish(index, result)

    # Cancelling the call cancels every worker; a worker's own failure is already a value.
    async with anyio.create_task_group() as workers:
        for _ in range(min(batch.concurrency, len(batch.pending))):
            workers.start_soon(worker)
