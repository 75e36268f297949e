"""`chat_send_many_async`: `chat_send_many` on anyio tasks (asyncio or trio) and httpx's async client."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._request import ChatGenerationParams
from openrouter_core._models._response import ChatResponse
from openrouter_core.result import Err, Result
from openrouter_funcs._chat_send import chat_send_async, whole_reply_async
from openrouter_funcs._chat_send_many import DEFAULT_CONCURRENCY, BatchResult, BatchRun, Request, unstartable

__all__ = ["chat_send_many_async"]


class _AsyncGate:
    """The batch-wide pause of `Gate`, for tasks on one event loop."""

    def __init__(
        self, clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]], batch: BatchRun
    ) -> None:
        import anyio  # with the first async batch, not with the client

        self._cond = anyio.Condition()
        self._clock = clock
        self._sleep = sleep
        self._batch = batch
        self.pause_until = 0.0
        self.paused = False
        self.probing = False

    async def enter(self) -> bool:
        while True:
            async with self._cond:
                while self.probing:
                    await self._cond.wait()
                delay = self.pause_until - self._clock()
                if delay <= 0:
                    if self.paused:
                        self.paused = False
                        self.probing = True
                        return True
                    return False
            self._batch.show_pause(delay)
            await self._sleep(delay)

    async def leave(self, probe: bool, pause: float | None) -> None:
        async with self._cond:
            if pause is not None:
                self.pause_until = max(self.pause_until, self._clock() + pause)
                self.paused = True
            if probe:
                self.probing = False
                self._cond.notify_all()


async def _send_one(
    core: OpenRouterCore,
    params: ChatGenerationParams,
    retries: RetryConfig,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
    extra_body: Mapping[str, Any] | None,
) -> BatchResult:
    return await whole_reply_async(
        await chat_send_async(
            core, params, retries=retries, timeout_ms=timeout_ms, headers=headers, extra_body=extra_body
        )
    )


async def chat_send_many_async(
    core: OpenRouterCore,
    requests: Iterable[Request],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    resume: str | os.PathLike[str] | None = None,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> list[Result[ChatResponse, OpenRouterError]]:
    """`chat_send_many` on `concurrency` tasks (asyncio or trio): one `Ok`/`Err` per request, in input order.

    Cancelling the call cancels the requests in flight; finished results are already in the resume file.
    """
    try:
        batch = BatchRun(
            core, requests, concurrency=concurrency, progress=progress, resume=resume, retries=retries
        )
    except Exception as exc:
        return unstartable(requests, exc)
    try:
        if batch.pending:
            await _run_tasks(core, batch, timeout_ms, headers, extra_body)
    finally:
        results = batch.close()
    return results


async def _run_tasks(
    core: OpenRouterCore,
    batch: BatchRun,
    timeout_ms: int | None,
    headers: Mapping[str, str] | None,
    extra_body: Mapping[str, Any] | None,
) -> None:
    import anyio

    gate = _AsyncGate(core.clock, core.async_sleep or anyio.sleep, batch)
    queue = iter(batch.pending)

    async def run_one(index: int) -> BatchResult:
        params = batch.params[index]
        assert params is not None
        attempts = 1
        while True:
            probe = await gate.enter()
            pause: float | None = None
            try:
                result = await _send_one(core, params, batch.call_retries, timeout_ms, headers, extra_body)
                if not result.ok:
                    pause = batch.rate_limit_delay(result.error, attempts)
            finally:
                with anyio.CancelScope(shield=True):
                    await gate.leave(probe, pause)
            if pause is None:
                return result
            attempts += 1

    async def worker() -> None:
        while (index := next(queue, None)) is not None:
            try:
                result = await run_one(index)
            except Exception as exc:  # a bug of ours must still come back as a value
                result = Err(map_exception(exc))
            try:
                batch.finish(index, result)
            except Exception:  # a failing progress bar must neither lose nor change the result
                batch.results[index] = result

    # Cancelling the call cancels every worker; a worker's own failure is already a value.
    async with anyio.create_task_group() as workers:
        for _ in range(min(batch.concurrency, len(batch.pending))):
            workers.start_soon(worker)
