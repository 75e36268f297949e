"""Sending a `Prepared` request with httpx's async client, retrying; the async twin of `_transport`."""

from __future__ import annotations

from typing import TypeVar

import anyio
import httpx

from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._hooks import run_after_response, run_on_error
from openrouter_core._log import log_request, log_response
from openrouter_core._prepare import Prepared
from openrouter_core._retries import RetryPlan
from openrouter_core._stream_async import aclose_quietly
from openrouter_core._transport import (
    BodyBuffer,
    Decode,
    OpenStream,
    body_bytes_async,
    build_request,
    is_stream,
    map_exception,
    outcome_result,
    start_stream_reads,
    total_timeout,
)
from openrouter_core.result import Result

__all__ = ["send_async"]

T = TypeVar("T")
S = TypeVar("S")


async def _read(core: OpenRouterCore, response: httpx.Response, deadline: float) -> bytes:
    buffer = BodyBuffer(core, response, deadline)
    async for chunk in body_bytes_async(response):
        buffer.add(chunk)
    return buffer.body()


async def _attempt(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None,
    attempt: int,
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    # An event-loop deadline is exact even against a server that drips one byte at a time.
    arrived: list[httpx.Response] = []  # the response, if its headers came before the deadline (for res.raw)
    with anyio.move_on_after(prepared.timeout_s):
        return await _exchange(core, prepared, decode, open_stream, attempt, arrived)
    return total_timeout(prepared.timeout_s), arrived[0] if arrived else None


async def _exchange(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None,
    attempt: int,
    arrived: list[httpx.Response],
) -> tuple[T | S | OpenRouterError, httpx.Response | None]:
    deadline = core.clock() + prepared.timeout_s
    log_request(prepared.method, prepared.url, prepared.headers, attempt)
    try:
        client = core.async_client
        response = await client.send(build_request(core, client, prepared), stream=True)
    except Exception as exc:
        return map_exception(exc), None
    arrived.append(response)
    log_response(response.status_code, response.headers)
    streaming = False
    try:
        if core.hooks.after_response:
            run_after_response(core.hooks, response)
        if open_stream is not None and is_stream(response):
            start_stream_reads(response, core.idle_timeout_ms / 1000)
            stream = open_stream(response)
            streaming = True  # only now does the stream own the response (a failed open_stream closes it)
            return stream, response
        body = await _read(core, response, deadline)
    except Exception as exc:
        return map_exception(exc), response
    finally:
        if not streaming:
            with anyio.CancelScope(shield=True):
                await aclose_quietly(response)
    return decode(response.status_code, response.headers, body), response


async def send_async(
    core: OpenRouterCore,
    prepared: Prepared,
    decode: Decode[T],
    open_stream: OpenStream[S] | None = None,
) -> Result[T | S, OpenRouterError]:
    """Send with retries; a 200 event stream becomes `open_stream(response)`, anything else is decoded."""
    plan = RetryPlan(prepared.retry, core.clock, core.rng)
    sleep = core.async_sleep or anyio.sleep
    started = core.clock()
    while True:
        outcome, response = await _attempt(core, prepared, decode, open_stream, plan.attempts)
        delay = None
        if isinstance(outcome, OpenRouterError):
            if core.hooks.on_error:
                outcome = run_on_error(core.hooks, outcome)
            delay = plan.delay_after(outcome)
        if delay is None:
            return outcome_result(core, outcome, response, started, core.clock(), plan.attempts)
        await sleep(delay)
