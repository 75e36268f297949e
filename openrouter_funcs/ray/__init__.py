"""Chat completions over a Ray Data `Dataset`, with one rate limit, back-off and budget for the whole cluster.

`chat_map_batches(ds, core, request=...)` returns a lazy `Dataset`: every input row once (less those a
resume skips), its columns kept, plus `ok`, `content`, `response`, `error_type`, `error`, `status_code`,
`cost`, `prompt_tokens`, `completion_tokens`, `generation_id` and `attempts`. A failed request is a row
with `ok = False`, never a failed dataset. Needs the `[ray]` extra; importing `openrouter_funcs` alone
never imports Ray.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import ray
import ray.data

from openrouter_core._core import OpenRouterCore
from openrouter_funcs._tools import DEFAULT_MAX_TURNS, Tools
from openrouter_funcs.ray._limiter import ClusterLimiter, LimiterSettings, Totals, logger
from openrouter_funcs.ray._resume import done_ids
from openrouter_funcs.ray._rows import OUTPUT_SCHEMA, PARSED_FIELD
from openrouter_funcs.ray._schema import ShippedSchema
from openrouter_funcs.ray._udf import NAMESPACE, CallSpec, ChatRows, RequestFn

__all__ = [
    "LimiterSettings",
    "NAMESPACE",
    "OUTPUT_COLUMNS",
    "Totals",
    "chat_map_batches",
    "chat_totals",
    "limiter",
    "start_limiter",
]

OUTPUT_COLUMNS = (*OUTPUT_SCHEMA.names, PARSED_FIELD.name)
"""The columns `chat_map_batches` adds (`parsed` only with `parse=`)."""

_STARTED: dict[str, Any] = {}


def limiter(name: str) -> Any:
    """The handle of the named limiter actor of a running job (raises `ValueError` if there is none)."""
    return ray.get_actor(name, namespace=NAMESPACE)


def chat_totals(limiter_name: str) -> Totals:
    """Running totals of the job whose limiter is `limiter_name`: rows, ok, failed, cost, pauses..."""
    totals: Totals = ray.get(limiter(limiter_name).totals.remote())
    return totals


def _positive(name: str, value: float | None, kind: type = float) -> None:
    if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0):
        raise ValueError(f"{name} must be a positive number or None, not {value!r}")
    if kind is int and value is not None and not isinstance(value, int):
        raise ValueError(f"{name} must be an int, not {value!r}")


def chat_map_batches(
    ds: ray.data.Dataset,
    core: OpenRouterCore,
    *,
    request: RequestFn,
    parse: type | None = None,
    tools: Tools | None = None,
    max_turns: int = DEFAULT_MAX_TURNS,
    concurrency: int = 4,
    max_in_flight: int = 16,
    rps: float | None = None,
    burst: float | None = None,
    max_in_flight_total: int | None = None,
    budget_usd: float | None = None,
    id_column: str = "id",
    resume_from: str | Sequence[str] | None = None,
    batch_size: int | None = None,
    num_cpus: float = 0.25,
    limiter_name: str | None = None,
    worker_timeout_s: float = 30.0,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> ray.data.Dataset:
    """One chat completion per row of `ds` (`request(row)` builds it), on `concurrency` Ray actors.

    Each actor keeps up to `max_in_flight` requests in flight. A named limiter actor shared by every
    actor enforces `rps` for the whole cluster (a token bucket holding at most `burst` tokens, by default
    a tenth of a second's worth), the cluster-wide cap `max_in_flight_total`, a shared pause after any
    rate limit (then one probe request first), and `budget_usd`: once the summed `usage.cost` reaches it,
    no request is sent and the remaining rows get `error_type = "BudgetExceededError"`. `parse=` decodes
    each reply into a schema (the `parsed` column holds it as JSON); `tools=` runs the tool loop.
    `resume_from` names earlier output (Parquet, a path or several): rows whose `id_column` already has
    an `ok` row there are skipped. Raises `ValueError` for invalid arguments; a row never raises.
    """
    if not callable(request):
        raise ValueError("request must be a callable that turns a row into a chat request")
    if parse is not None and tools is not None:
        raise ValueError("pass parse= or tools=, not both")
    for name, value in (("concurrency", concurrency), ("max_in_flight", max_in_flight)):
        _positive(name, value, int)
    _positive("max_in_flight_total", max_in_flight_total, int)
    _positive("batch_size", batch_size, int)
    _positive("max_turns", max_turns, int)
    for name, number in (
        ("rps", rps),
        ("burst", burst),
        ("budget_usd", budget_usd),
        ("num_cpus", num_cpus),
        ("worker_timeout_s", worker_timeout_s),
    ):
        _positive(name, number)
    backoff = core.retry_config.backoff
    settings = LimiterSettings(
        rps=float(rps) if rps is not None else None,
        burst=float(burst) if burst is not None else max(1.0, (rps or 0.0) / 10),
        max_in_flight=max_in_flight_total,
        budget_usd=budget_usd,
        backoff_initial_s=backoff.initial_interval / 1000,
        backoff_exponent=backoff.exponent,
        backoff_max_s=backoff.max_interval / 1000,
        worker_timeout_s=worker_timeout_s,
    )
    name = limiter_name or f"chat-{uuid.uuid4().hex[:12]}"
    start_limiter(name, settings)
    done = done_ids(resume_from, id_column) if resume_from is not None else None
    spec = CallSpec(
        request=request,
        parse=ShippedSchema(parse) if parse is not None else None,
        tools=tools,
        max_turns=max_turns,
        timeout_ms=timeout_ms,
        headers=dict(headers) if headers is not None else None,
        extra_body=dict(extra_body) if extra_body is not None else None,
        budget_usd=budget_usd,
    )
    return ds.map_batches(
        ChatRows,
        fn_constructor_kwargs={
            "core": core,
            "spec": spec,
            "limiter_name": name,
            "max_in_flight": max_in_flight,
            "heartbeat_s": worker_timeout_s / 4,
            "id_column": id_column,
            "done_ids": done,
        },
        batch_format="pyarrow",
        batch_size=batch_size or max_in_flight,
        compute=ray.data.ActorPoolStrategy(size=concurrency),
        num_cpus=num_cpus,
    )


class _LoggingLimiter(ClusterLimiter):
    """The limiter as an actor: its running totals and pauses go to the driver's log through stderr."""

    def __init__(self, settings: LimiterSettings) -> None:
        super().__init__(settings)
        if not logger.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)


def start_limiter(name: str, settings: LimiterSettings) -> Any:
    """The named limiter actor, created now unless one of that name is running (its settings stay)."""
    actor = ray.remote(_LoggingLimiter).options(
        name=name, namespace=NAMESPACE, get_if_exists=True, num_cpus=0, max_restarts=0
    )
    handle = actor.remote(settings)
    ray.get(handle.totals.remote())  # fail here, not in every worker, if it cannot start
    # A named actor goes when its last handle does: the driver keeps one for as long as it runs.
    _STARTED[name] = handle
    return handle
