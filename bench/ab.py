"""An interleaved A/B of this SDK against httpx + json.loads, in one process, on the same loopback server.

`make bench` measures every contender in turn; on a shared machine its async rows swing between runs. This
script alternates the contenders round by round, so all see the same noise. httpx-aiohttp is the floor on
aiohttp's pool (its sync rows are the floor's own). Run it with the project's venv: `.venv/bin/python
bench/ab.py` (about a minute).
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contenders import CONTENDERS

NAMES = ("httpx+json", "httpx-aiohttp", "this SDK")
ROUNDS = 5
CONCURRENT = 200


def cpu_per_call(call: Callable[[], object], count: int) -> float:
    """Client CPU µs per call."""
    started = time.process_time()
    for _ in range(count):
        call()
    return (time.process_time() - started) / count * 1e6


async def async_rounds(contenders: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Sequential async CPU per request, and req/s at CONCURRENT at once, medians of interleaved rounds."""
    rows: dict[str, dict[str, list[float]]] = {name: {"seq": [], "rps": []} for name in NAMES}
    for contender in contenders.values():
        await asyncio.gather(*(contender.arequest() for _ in range(CONCURRENT)))
    for _ in range(ROUNDS):
        for name, contender in contenders.items():
            started = time.process_time()
            for _ in range(200):
                await contender.arequest()
            rows[name]["seq"].append((time.process_time() - started) / 200 * 1e6)
            wall = time.perf_counter()
            await asyncio.gather(*(contender.arequest() for _ in range(CONCURRENT)))
            rows[name]["rps"].append(CONCURRENT / (time.perf_counter() - wall))
    for contender in contenders.values():
        await contender.aclose()
    return {name: {k: statistics.median(v) for k, v in row.items()} for name, row in rows.items()}


def main() -> int:
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("server.py"))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        root = f"http://127.0.0.1:{int(server.stdout.readline())}"
        contenders = {name: CONTENDERS[name](root) for name in NAMES}
        sync: dict[str, dict[str, list[float]]] = {name: {"request": [], "chunk": []} for name in NAMES}
        for contender in contenders.values():
            contender.request()
            contender.stream()
        for _ in range(ROUNDS):
            for name, contender in contenders.items():
                sync[name]["request"].append(cpu_per_call(contender.request, 300))
                sync[name]["chunk"].append(cpu_per_call(contender.stream, 3) / 2000)
        asynchronous = asyncio.run(async_rounds(contenders))
    finally:
        server.terminate()
        server.wait()
    floor = {k: statistics.median(v) for k, v in sync["httpx+json"].items()}
    print("| contender | sync CPU/request | SSE CPU/chunk | async CPU/request | async req/s at 200 |")
    print("|---|---|---|---|---|")
    for name in NAMES:
        request = statistics.median(sync[name]["request"])
        chunk = statistics.median(sync[name]["chunk"])
        seq, rps = asynchronous[name]["seq"], asynchronous[name]["rps"]
        print(
            f"| {name} | {request:,.0f} µs ({request / floor['request']:.2f}x) "
            f"| {chunk:.1f} µs ({chunk / floor['chunk']:.2f}x) "
            f"| {seq:,.0f} µs ({seq / asynchronous['httpx+json']['seq']:.2f}x) "
            f"| {rps:,.0f} ({rps / asynchronous['httpx+json']['rps']:.2f}x) |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
