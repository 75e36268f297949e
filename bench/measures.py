"""The in-process measures, run inside one worker process per (measure, contender): client CPU only."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from contenders import CONTENDERS, HttpxJson, decoders
from payloads import chunk_payload, large_body, small_body

cpu = time.process_time


def _per_op_us(op: Callable[[], object], reps: int, min_s: float) -> float:
    """Median over `reps` batches of the CPU µs one call of `op` costs; each batch lasts at least `min_s`."""
    op()
    n = 1
    while True:
        start = cpu()
        for _ in range(n):
            op()
        if cpu() - start >= min_s / 5:
            break
        n *= 4
    samples = []
    for _ in range(reps):
        start = cpu()
        for _ in range(n):
            op()
        samples.append((cpu() - start) / n * 1e6)
    return statistics.median(samples)


def decode(name: str, reps: int) -> dict[str, Any]:
    """CPU µs to decode the small reply, the large reply and one stream chunk into the contender's types."""
    reply, chunk = decoders(name)
    small, large, one = small_body(), large_body(), chunk_payload()
    return {
        "small_us": _per_op_us(lambda: reply(small), reps, 0.05),
        "large_us": _per_op_us(lambda: reply(large), reps, 0.05),
        "chunk_us": _per_op_us(lambda: chunk(one), reps, 0.05),
    }


def sync_requests(name: str, root: str, kind: str, reps: int, min_s: float) -> dict[str, Any]:
    """Client CPU and wall µs per sequential keep-alive request (median of `reps` batches)."""
    client = CONTENDERS[name](root)
    for _ in range(5):
        client.request(kind)
    cpus, walls = [], []
    for _ in range(reps):
        count, start, wall = 0, cpu(), time.perf_counter()
        while count < 10 or cpu() - start < min_s:
            client.request(kind)
            count += 1
        cpus.append((cpu() - start) / count * 1e6)
        walls.append((time.perf_counter() - wall) / count * 1e6)
    client.close()
    return {"cpu_us": statistics.median(cpus), "wall_us": statistics.median(walls)}


def streams(name: str, root: str, method: str, reps: int, budget_s: float) -> dict[str, Any]:
    """Client CPU µs per chunk of the 2,000-chunk stream, iterated (`stream`) or collected (`collect`)."""
    client = CONTENDERS[name](root)
    op = getattr(client, method)
    op()
    samples, walls, spent = [], [], time.perf_counter()
    for _ in range(reps):
        start, wall = cpu(), time.perf_counter()
        result = op()
        chunks = result if method == "stream" else 2001  # collect() returns the text length
        samples.append((cpu() - start) / chunks * 1e6)
        walls.append((time.perf_counter() - wall) * 1e3)
        if len(samples) >= 2 and time.perf_counter() - spent > budget_s:
            break
    client.close()
    return {"cpu_us_per_chunk": statistics.median(samples), "wall_ms_per_stream": statistics.median(walls)}


def _client(name: str, root: str, pool: list[int] | None) -> Any:
    if pool is None:
        return CONTENDERS[name](root)
    return HttpxJson(root, httpx.Limits(max_connections=pool[0], max_keepalive_connections=pool[1]))


async def _round(client: Any, level: int, batches: int = 1) -> tuple[int, float, float]:
    """`batches` rounds of `level` concurrent requests: (requests, CPU s, wall s)."""
    start, wall = cpu(), time.perf_counter()
    for _ in range(batches):
        if level == 1:
            await client.arequest()
        else:
            await asyncio.gather(*(client.arequest() for _ in range(level)))
    return batches * level, cpu() - start, time.perf_counter() - wall


async def _levels(client: Any, levels: list[int], rounds: int, budget_s: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rate = None
    for level in levels:
        # Every client gets the 1,000 row the targets compare, unless one round would take many budgets.
        if rate is not None and level / rate > 2.5 * budget_s:
            out[str(level)] = {"error": f"n/a (skipped: one round would take ~{level / rate:.0f} s)"}
            continue
        await _round(client, level)  # opens the connections this level needs
        batches = max(1, 100 // level)
        rates, cpus, walls, spent = [], [], [], time.perf_counter()
        for _ in range(rounds):
            count, cpu_s, wall_s = await _round(client, level, batches)
            rates.append(count / wall_s)
            cpus.append(cpu_s / count * 1e6)
            walls.append(wall_s * 1e3)
            if time.perf_counter() - spent > budget_s:
                break
        rate = statistics.median(rates)
        out[str(level)] = {
            "rps": rate,
            "cpu_us_per_request": statistics.median(cpus),
            "wall_ms_per_round": statistics.median(walls),
        }
    await client.aclose()
    return out


def concurrent(
    name: str, root: str, levels: list[int], rounds: int, budget_s: float, pool: list[int] | None = None
) -> dict[str, Any]:
    """req/s, client CPU µs per request and wall ms per round at each concurrency level."""
    client = _client(name, root, pool)
    return asyncio.run(_levels(client, levels, rounds, budget_s))


async def _astreams(client: Any, reps: int, budget_s: float) -> dict[str, Any]:
    await client.astream()
    samples, walls, spent = [], [], time.perf_counter()
    for _ in range(reps):
        start, wall = cpu(), time.perf_counter()
        chunks = await client.astream()
        samples.append((cpu() - start) / chunks * 1e6)
        walls.append((time.perf_counter() - wall) * 1e3)
        if len(samples) >= 2 and time.perf_counter() - spent > budget_s:
            break
    await client.aclose()
    return {"cpu_us_per_chunk": statistics.median(samples), "wall_ms_per_stream": statistics.median(walls)}


def astreams(name: str, root: str, reps: int, budget_s: float) -> dict[str, Any]:
    """Client CPU µs per chunk of the 2,000-chunk stream, iterated with `async for` on an event loop."""
    return asyncio.run(_astreams(CONTENDERS[name](root), reps, budget_s))
