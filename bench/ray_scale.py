"""`make bench-ray`: 100,000 chat requests over 4 Ray actors, this SDK beside ray.data.llm's HTTP processor.

bench/server.py answers on loopback in its own process. Each contender runs in a driver process of its own
with its own small local Ray instance (2 CPUs, a 200 MB object store, no dashboard; actors ask for a quarter
of a CPU), so their memory figures don't mix. The driver streams the output with `iter_batches` and only
counts rows and `ok` rows, as a job writing Parquet would hold no row either. Reported per contender: rows/s
over the whole run (actor start-up included), the driver's resident memory before the run and its peak
(`VmHWM`), and the rows that came back. Table to stdout, JSON to bench/results-ray.json.
`--rows N` changes the size; `--only NAME` runs one contender.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROWS = 100_000
ACTORS = 4
BATCH = 64
# Ours at two depths of requests in flight per actor (which did better changed with the machine's load).
IN_FLIGHT = {"this SDK, 8 in flight/actor": 8, "this SDK, 32 in flight/actor": 32}
CONTENDERS = [*IN_FLIGHT, "ray.data.llm"]


def _memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _prompt(index: int) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"Question number {index}: why is the sky blue?"}]


def _ours(url: str, rows: int, in_flight: int) -> Any:
    import ray.data

    from openrouter_core import OpenRouterCore
    from openrouter_funcs.ray import chat_map_batches

    return chat_map_batches(
        ray.data.range(rows),
        OpenRouterCore(server_url=url, api_key="sk-bench"),
        request=lambda row: {"model": "openai/gpt-4o-mini", "messages": _prompt(row["id"])},
        concurrency=ACTORS,
        max_in_flight=in_flight,
        batch_size=BATCH,
    ).select_columns(["id", "ok"])


def _ray_llm(url: str, rows: int) -> Any:
    import ray.data
    from ray.data.llm import HttpRequestProcessorConfig, build_processor

    config = HttpRequestProcessorConfig(
        url=url + "/chat/completions",
        headers={"Authorization": "Bearer sk-bench"},
        concurrency=ACTORS,
        batch_size=BATCH,
        http_request_stage={"num_cpus": 0.25},
    )
    processor = build_processor(
        config,
        preprocess=lambda row: {
            "id": row["id"],
            "payload": {"model": "openai/gpt-4o-mini", "messages": _prompt(row["id"])},
        },
        postprocess=lambda row: {"id": row["id"], "ok": bool(row["http_response"].get("choices"))},
    )
    return processor(ray.data.range(rows))


def run_one(name: str, url: str, rows: int) -> dict[str, Any]:
    """Run one contender in this process, on a local Ray instance of its own."""
    import ray

    ray.init(
        num_cpus=2,
        object_store_memory=200 * 1024 * 1024,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        before = _memory_kib("VmRSS")
        started = time.perf_counter()
        out = _ours(url, rows, IN_FLIGHT[name]) if name in IN_FLIGHT else _ray_llm(url, rows)
        seen = ok = 0
        for batch in out.iter_batches(batch_size=4096, batch_format="pyarrow"):
            seen += batch.num_rows
            ok += sum(1 for value in batch["ok"].to_pylist() if value)
        seconds = time.perf_counter() - started
        return {
            "contender": name,
            "rows": seen,
            "ok": ok,
            "seconds": round(seconds, 2),
            "rows_per_s": round(seen / seconds, 1),
            "driver_rss_before_mib": round(before / 1024, 1),
            "driver_peak_rss_mib": round(_memory_kib("VmHWM") / 1024, 1),
        }
    finally:
        ray.shutdown()


def _contender(name: str, url: str, rows: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--one", name, "--url", url, "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"contender": name, "error": done.stderr.strip().splitlines()[-1:] or ["no output"]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def main() -> None:
    """Start the server, run each contender in its own driver process, print the table, write the JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only", choices=CONTENDERS)
    parser.add_argument("--one", choices=CONTENDERS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.url, args.rows)), flush=True)
        return
    server = subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/small/v1"
        results = [_contender(name, url, args.rows) for name in ([args.only] if args.only else CONTENDERS)]
    finally:
        server.terminate()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    where = f"bench/server.py on loopback, {os.cpu_count()} cores, load {load}"
    print(f"\n{args.rows:,} rows, {ACTORS} actors, {where}\n")
    print("| contender | rows back | ok | seconds | rows/s | driver RSS before | driver peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for result in results:
        if "error" in result:
            print(f"| {result['contender']} | failed: {result['error']} | | | | | |")
            continue
        print(
            f"| {result['contender']} | {result['rows']:,} | {result['ok']:,} | {result['seconds']} |"
            f" {result['rows_per_s']:,} | {result['driver_rss_before_mib']} MiB |"
            f" {result['driver_peak_rss_mib']} MiB |"
        )
    report = {
        "rows": args.rows,
        "actors": ACTORS,
        "batch_size": BATCH,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
        "results": results,
    }
    (HERE / "results-ray.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
