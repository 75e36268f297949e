"""`ChatRows`: the Ray Data callable class that sends one request per row, inside a map worker actor.

Each worker gets the core by pickling and builds its own HTTP clients on first use. Every HTTP attempt
(retries and tool-loop turns too) passes the cluster limiter through an httpx request hook; rate limits are
seen by an httpx response hook (status and headers) and by the core's `on_error` hook (a rate limit inside
a 200 body). A context variable ties the hooks' calls to the row they belong to.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import httpx
import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import (
    BudgetExceededError,
    ChatError,
    OpenRouterError,
    SDKValidationError,
    UnexpectedClientError,
)
from openrouter_core._models._request_input import ChatRequestInput
from openrouter_core._models._response import ChatResponse
from openrouter_core._retries import parse_retry_after
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_parse import chat_parse_async
from openrouter_funcs._chat_send import SendOptions, chat_send_async, whole_reply_async
from openrouter_funcs._tools import Tools, chat_run_tools_async
from openrouter_funcs.ray._gate import BudgetStop, RowState, WorkerGate
from openrouter_funcs.ray._limiter import Report
from openrouter_funcs.ray._rows import RowOutcome, outcome_of, outcome_table
from openrouter_funcs.ray._schema import ShippedSchema

__all__ = ["NAMESPACE", "CallSpec", "ChatRows"]

NAMESPACE = "openrouter_funcs"
"""The Ray namespace of the limiter actors."""

RequestFn = Callable[[dict[str, Any]], ChatRequestInput]
"""What turns a row into its chat request (a `ChatRequest` typed dict, a Struct or a `dict[str, Any]`)."""

_ROW: ContextVar[RowState | None] = ContextVar("openrouter_ray_row", default=None)


class CallSpec(msgspec.Struct, frozen=True):
    """What to do with each row: build its request, then send it, parse it or run the tool loop."""

    request: Any
    parse: ShippedSchema | None = None
    tools: Any = None
    max_turns: int = 8
    timeout_ms: int | None = None
    headers: dict[str, str] | None = None
    extra_body: dict[str, Any] | None = None
    budget_usd: float | None = None


class ChatRows:
    """One map worker: rows in, the same rows plus the outcome columns out; never raises for a row."""

    def __init__(
        self,
        core: OpenRouterCore,
        spec: CallSpec,
        limiter_name: str,
        max_in_flight: int,
        heartbeat_s: float,
        id_column: str,
        done_ids: pa.Array | None,
    ) -> None:
        self._core = core
        self._spec = spec
        self._limiter_name = limiter_name
        self._max_in_flight = max_in_flight
        self._heartbeat_s = heartbeat_s
        self._id_column = id_column
        self._done_ids = done_ids
        # Made on the worker's event loop by the first batch; the constructor runs on another thread.
        self._gate: WorkerGate | None = None
        self._slots: asyncio.Semaphore | None = None
        self._retry_codes = core.retry_config.status_codes

    async def __call__(self, batch: pa.Table) -> pa.Table:
        gate, slots = self._setup()
        if self._done_ids is not None and len(self._done_ids) and batch.num_rows:
            if self._id_column not in batch.column_names:
                raise ValueError(f"resume_from needs the id column {self._id_column!r}; the rows have none")
            column = batch[self._id_column]
            done = self._done_ids.cast(column.type, safe=False)
            batch = batch.filter(pc.invert(pc.is_in(column, value_set=done)))
        rows = batch.to_pylist()
        outcomes = await asyncio.gather(*(self._row(row, gate, slots) for row in rows))
        await gate.flush()
        return outcome_table(batch, list(outcomes), with_parsed=self._spec.parse is not None)

    def _setup(self) -> tuple[WorkerGate, asyncio.Semaphore]:
        if self._gate is not None and self._slots is not None:
            return self._gate, self._slots
        import ray

        limiter = ray.get_actor(self._limiter_name, namespace=NAMESPACE)
        worker = uuid.uuid4().hex

        def sync(report: Report, want: int) -> Any:
            return limiter.sync.remote(worker, report, want)

        def pause(retry_after_s: float | None) -> Any:
            return limiter.pause.remote(worker, retry_after_s)

        self._gate = WorkerGate(sync, pause, heartbeat_s=self._heartbeat_s)
        self._slots = asyncio.Semaphore(self._max_in_flight)
        core = self._core
        hooks = core.hooks
        core.hooks = msgspec.structs.replace(hooks, on_error=(*hooks.on_error, self._on_error))
        client = core.async_client
        events = client.event_hooks
        client.event_hooks = {
            "request": [*events["request"], self._on_request],
            "response": [*events["response"], self._on_response],
        }
        return self._gate, self._slots

    async def _row(self, row: dict[str, Any], gate: WorkerGate, slots: asyncio.Semaphore) -> RowOutcome:
        async with slots:
            state = RowState()
            token = _ROW.set(state)
            try:
                outcome = await self._outcome(row, state, gate)
            except Exception as exc:  # a bug of ours must still come back as a row
                error = UnexpectedClientError(f"{type(exc).__name__}: {exc}")
                error.__cause__ = exc
                outcome = outcome_of(Err(error), state.attempts)
            finally:
                if state.attempt_open:
                    self._close(state, rate_limited=False)
                _ROW.reset(token)
            gate.row_done(outcome.ok, outcome.cost or 0.0)
            return outcome

    async def _outcome(self, row: dict[str, Any], state: RowState, gate: WorkerGate) -> RowOutcome:
        spec = self._spec
        if gate.stopped:
            return outcome_of(Err(self._budget_error(gate)), 0)
        try:
            request = spec.request(row)
        except Exception as exc:
            error = SDKValidationError(f"request(row) raised {type(exc).__name__}: {exc}", path="request")
            return outcome_of(Err(error), 0)
        res: Result[ChatResponse, OpenRouterError]
        parsed: Any = None
        core = self._core
        options = SendOptions(timeout_ms=spec.timeout_ms, headers=spec.headers, extra_body=spec.extra_body)
        if spec.parse is not None:
            got = await chat_parse_async(core, request, spec.parse.type, **options)
            res = Ok(got.value.response, got.raw) if got.ok else got
            parsed = got.value.value if got.ok else None
        elif spec.tools is not None:
            tools: Tools = spec.tools
            run = await chat_run_tools_async(core, request, tools, max_turns=spec.max_turns, **options)
            res = Ok(run.value.response, run.raw) if run.ok else run
        else:
            res = await whole_reply_async(await chat_send_async(core, request, **options))
        if not res.ok and state.budget_stopped:
            res = Err(self._budget_error(gate))
        return outcome_of(res, state.attempts, parsed, has_parsed=spec.parse is not None)

    def _budget_error(self, gate: WorkerGate) -> BudgetExceededError:
        budget = self._spec.budget_usd or 0.0
        return BudgetExceededError(
            f"budget_usd={budget:g} is spent (${gate.spent_usd:.4f} so far): this row was not sent",
            budget_usd=budget,
            spent_usd=gate.spent_usd,
        )

    def _close(self, state: RowState, rate_limited: bool) -> None:
        assert self._gate is not None
        self._gate.attempt_done(state.probe, rate_limited)
        state.attempt_open = False
        state.probe = False

    def _hooked(self) -> tuple[RowState, WorkerGate] | None:
        """The row a hook acts for and the gate (None outside a row), with its attempt still open closed as
        not rate limited: the previous turn of a tool loop got through, or it failed before a response."""
        state = _ROW.get()
        if state is None or self._gate is None:
            return None
        if state.attempt_open:
            self._close(state, rate_limited=False)
        return state, self._gate

    async def _on_request(self, request: httpx.Request) -> None:
        row = self._hooked()
        if row is None:
            return
        state, gate = row
        try:
            state.probe = await gate.admit()
        except BudgetStop:
            state.budget_stopped = True
            raise
        state.attempt_open = True
        state.attempts += 1

    async def _on_response(self, response: httpx.Response) -> None:
        state = _ROW.get()
        if state is None or self._gate is None or not state.attempt_open:
            return
        status = response.status_code
        hint = parse_retry_after(response.headers)
        limited = status == 429 or (status in self._retry_codes and hint is not None)
        self._close(state, rate_limited=limited)
        if limited:
            await self._gate.rate_limited(hint)

    def _on_error(self, error: OpenRouterError) -> None:
        row = self._hooked()
        if row is None:
            return
        gate = row[1]
        if isinstance(error, ChatError) and error.status_code < 400:
            # A rate limit inside a 200 body; status-level ones were handled by the response hook.
            code = int(error.code) if isinstance(error.code, str) and error.code.isdigit() else error.code
            hint = parse_retry_after(error.headers) if error.headers else None
            if code == 429 or (code in self._retry_codes and hint is not None):
                gate.rate_limited_soon(hint)
