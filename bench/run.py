"""`make bench`: this SDK beside raw httpx (json.loads, msgspec), openai and the official openrouter SDK.

Everything runs against bench/server.py in its own process, so only client CPU is counted. Each measure runs
every contender in the same run, and each figure's ratio is to the httpx + json.loads floor of that run.
Prints a Markdown table; writes everything to bench/results.json. `--quick` is a ~1 minute smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

NAMES = ["httpx+json", "httpx+msgspec", "this SDK", "openai", "openrouter"]
# The async rows add the transports that hold up at concurrency: aiohttp's pool under httpx, httpx2, openai's.
ASYNC_NAMES = [*NAMES, "httpx2", "httpx-aiohttp", "openai+aiohttp"]
ASTREAM_NAMES = ["httpx+json", "httpx2", "httpx-aiohttp", "this SDK", "openai", "openai+aiohttp"]
FLOOR = "httpx+json"
LEVELS = [1, 50, 200, 1000]
POOLS = {"httpx+json pool 100/100": [100, 100], "httpx+json pool 200/200": [200, 200]}

_REQUEST = (
    '{"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Why is the sky blue?"}]}'
)
_HTTPX_CALL = (
    "c = httpx.Client()\nr = c.post(os.environ['BENCH_URL'] + '/chat/completions', content={enc}, "
    "headers={{'Authorization': 'Bearer k', 'Content-Type': 'application/json'}}); {dec}(r.content)"
)
IMPORTS = {
    "python -c pass": "pass",
    "httpx+json": "import httpx, json",
    "httpx+msgspec": "import httpx, msgspec",
    "this SDK": "from openrouter_funcs import chat_send",
    "openai": "from openai import OpenAI",
    "openrouter": "from openrouter import OpenRouter",
}
# Each script's last line is the request, on a client `c` built before it (rss() repeats that line).
FIRST = {
    "python -c pass": "pass",
    "httpx+json": "import os, httpx, json\n"
    + _HTTPX_CALL.format(enc=f"json.dumps({_REQUEST}).encode()", dec="json.loads"),
    "httpx+msgspec": "import os, httpx, msgspec\n"
    + _HTTPX_CALL.format(enc=f"msgspec.json.encode({_REQUEST})", dec="msgspec.json.decode"),
    "this SDK": "import os\nfrom openrouter_core import OpenRouterCore\n"
    "from openrouter_funcs import chat_send\n"
    f"c = OpenRouterCore(api_key='k', server_url=os.environ['BENCH_URL'])\nchat_send(c, {_REQUEST}).unwrap()",
    "openai": "import os\nfrom openai import OpenAI\n"
    "c = OpenAI(base_url=os.environ['BENCH_URL'], api_key='k', max_retries=0)\n"
    f"c.chat.completions.create(**{_REQUEST})",
    "openrouter": "import os\nfrom openrouter import OpenRouter\n"
    f"c = OpenRouter(api_key='k', server_url=os.environ['BENCH_URL'])\nc.chat.send(**{_REQUEST})",
}
_MODULES_PROBE = """
import sys, httpx, msgspec
httpx.Client().post(sys.argv[1] + "/chat/completions", content=b"{{}}").read()
floor = set(sys.modules)
from openrouter_funcs import chat_send
from openrouter_core import OpenRouterCore
at_import = sorted(set(sys.modules) - floor)
chat_send(OpenRouterCore(api_key="k", server_url=sys.argv[1]), {request}).unwrap()
print({{"after_import": at_import, "after_one_call": sorted(set(sys.modules) - floor)}})
"""


def _env(root: str) -> dict[str, str]:
    env = dict(os.environ, BENCH_URL=f"{root}/small/v1", PYTHONPATH=str(HERE))
    env.pop("OPENROUTER_DEBUG", None)
    # Cold starts are measured as installed packages run: from bytecode (see compile_sources).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_sources() -> None:
    """Byte-compile this SDK as `pip install` does for the peers, so every cold start loads bytecode."""
    root = HERE.parent
    paths = [str(root / "openrouter_core"), str(root / "openrouter_funcs")]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *paths], check=True)


def _spawn(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run `python -c code`: (wall s, child CPU s, stdout); raises with stderr's last line on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError((proc.stderr.strip().splitlines() or ["exit " + str(proc.returncode)])[-1][:120])
    child = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, child, proc.stdout


def cold(scripts: dict[str, str], root: str, reps: int) -> dict[str, Any]:
    """Median wall and CPU ms of each script in a fresh interpreter, interleaved, net of `python -c pass`."""
    env = _env(root)
    walls: dict[str, list[float]] = {name: [] for name in scripts}
    cpus: dict[str, list[float]] = {name: [] for name in scripts}
    errors: dict[str, str] = {}
    for rep in range(reps + 1):  # the first pass warms the bytecode caches and is not counted
        for name, code in scripts.items():
            if name in errors:
                continue
            try:
                wall, child, _ = _spawn(code, env)
            except Exception as exc:
                errors[name] = f"n/a ({exc})"
                continue
            if rep:
                walls[name].append(wall * 1e3)
                cpus[name].append(child * 1e3)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    out: dict[str, Any] = {"python -c pass": {"wall_ms": base_wall, "cpu_ms": base_cpu}}
    for name in scripts:
        if name in errors:
            out[name] = {"error": errors[name]}
        elif name != "python -c pass":
            out[name] = {
                "wall_ms": statistics.median(walls[name]) - base_wall,
                "cpu_ms": statistics.median(cpus[name]) - base_cpu,
            }
    return out


def rss(root: str, reps: int) -> dict[str, Any]:
    """Peak RSS MiB net of a bare interpreter, after import and 100 sequential requests."""
    env = _env(root)
    probe = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    scripts = {name: _hundred(code) + "\n" + probe for name, code in FIRST.items()}
    peaks: dict[str, list[float]] = {name: [] for name in scripts}
    out: dict[str, Any] = {}
    for _ in range(reps):
        for name, code in scripts.items():
            if name in out:
                continue
            try:
                peaks[name].append(int(_spawn(code, env)[2].split()[-1]) / 1024)
            except Exception as exc:
                out[name] = {"error": f"n/a ({exc})"}
    base = statistics.median(peaks["python -c pass"])
    for name, values in peaks.items():
        if name not in out and name != "python -c pass":
            out[name] = {"mib": statistics.median(values) - base}
    out["python -c pass"] = {"mib": base}
    return out


def _hundred(code: str) -> str:
    """The first-response script with its last line (the request) made 100 times on the same client."""
    *setup, call = code.split("\n")
    return code if call == "pass" else "\n".join([*setup, "for _ in range(100): " + call])


def modules(root: str) -> dict[str, Any]:
    """The modules this SDK adds to those httpx + msgspec load for one sync request."""
    code = _MODULES_PROBE.format(request=_REQUEST)
    proc = subprocess.run(
        [sys.executable, "-c", code, f"{root}/small/v1"], env=_env(root), capture_output=True, text=True
    )
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1]}
    return eval(proc.stdout)  # our own probe's repr of a dict of lists


def worker(spec: dict[str, Any]) -> Any:
    """Run one in-process measure (inside a fresh process) and return its figures."""
    import measures

    kind = spec.pop("measure")
    return getattr(measures, kind)(**spec)


def run_worker(spec: dict[str, Any], timeout: float = 150) -> dict[str, Any]:
    """One measure of one contender in a fresh process; a failure becomes {"error": "n/a (reason)"}."""
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"n/a (timed out after {timeout:.0f} s)"}
    if proc.returncode:
        reason = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return {"error": f"n/a ({reason[:120]})"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def start_server() -> tuple[subprocess.Popen[str], str]:
    """The loopback server in its own process, and its root URL."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py")], stdout=subprocess.PIPE, text=True, env=_env("")
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


def ceiling(root: str) -> dict[str, Any]:
    """The server's own ceiling, measured with a raw-socket keep-alive client."""
    port = root.rsplit(":", 1)[1]
    proc = subprocess.run(
        [sys.executable, str(HERE / "server.py"), "--ceiling", port], capture_output=True, text=True
    )
    return json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr[-200:]}


def collect_all(root: str, quick: bool) -> dict[str, Any]:
    """Every measure, every contender, one run."""
    reps = 3 if quick else 7
    step = _progress()
    res: dict[str, Any] = {"server": ceiling(root)}
    step("server ceiling")
    res["cold_import"] = cold({k: IMPORTS[k] for k in IMPORTS}, root, 3 if quick else 9)
    step("cold import")
    res["cold_first_response"] = cold(FIRST, root, 3 if quick else 9)
    step("cold first response")
    res["sdk_modules"] = modules(root)
    res["rss"] = rss(root, 1 if quick else 3)
    step("peak RSS")
    res["decode"] = {n: run_worker({"measure": "decode", "name": n, "reps": reps}) for n in NAMES}
    step("decode")
    for kind in ("small", "large"):
        spec = {"measure": "sync_requests", "root": root, "kind": kind, "reps": 3 if quick else 5}
        min_s = 0.1 if quick else 0.3
        res[f"sync_{kind}"] = {n: run_worker({**spec, "name": n, "min_s": min_s}) for n in NAMES}
        step(f"sync {kind}")
    for method in ("stream", "collect"):
        spec = {"measure": "streams", "root": root, "method": method, "reps": 2 if quick else 5}
        names = NAMES if method == "stream" else NAMES[:4]
        budget = 1.0 if quick else 4.0
        res[method] = {n: run_worker({**spec, "name": n, "budget_s": budget}) for n in names}
        step(method)
    res["otel"] = otel(root, quick)
    step("instrumentation")
    spec = {
        "measure": "concurrent",
        "root": root,
        "rounds": 1 if quick else 3,
        "budget_s": 2.0 if quick else 6.0,
    }
    res["async"] = {n: run_worker({**spec, "name": n, "levels": LEVELS}, timeout=240) for n in ASYNC_NAMES}
    for label, pool in POOLS.items():
        res["async"][label] = run_worker({**spec, "name": FLOOR, "levels": [200], "pool": pool})
    step("async")
    spec = {"measure": "astreams", "root": root, "reps": 2 if quick else 5, "budget_s": 1.0 if quick else 4.0}
    res["astream"] = {n: run_worker({**spec, "name": n}) for n in ASTREAM_NAMES}
    step("async stream")
    return res


def otel(root: str, quick: bool) -> dict[str, Any]:
    """CPU per sync request and per SSE chunk without and with `instrument()`, alternating in one run."""
    names = ["this SDK", "this SDK + otel"]
    sync = {
        "measure": "sync_requests",
        "root": root,
        "kind": "small",
        "reps": 3,
        "min_s": 0.1 if quick else 0.3,
    }
    stream = {"measure": "streams", "root": root, "method": "stream", "reps": 2 if quick else 5}
    out: dict[str, Any] = {name: {"sync_cpu_us": [], "chunk_cpu_us": []} for name in names}
    for _ in range(1 if quick else 3):
        for name in names:
            figures = run_worker({**sync, "name": name})
            out[name]["sync_cpu_us"].append(figures.get("cpu_us"))
            figures = run_worker({**stream, "name": name, "budget_s": 1.0 if quick else 2.0})
            out[name]["chunk_cpu_us"].append(figures.get("cpu_us_per_chunk"))
    for figures in out.values():
        for key, values in list(figures.items()):
            measured = [value for value in values if value is not None]
            figures[key] = statistics.median(measured) if measured else None
    return out


def _progress() -> Any:
    start = time.perf_counter()

    def step(what: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f} s] {what} done", file=sys.stderr, flush=True)

    return step


def machine() -> dict[str, Any]:
    """What the run ran on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines() if "model name" in ln),
            cpu,
        )
    versions = {}
    for dist in (
        "httpx",
        "msgspec",
        "aiohttp",
        "httpx-aiohttp",
        "httpx2",
        "openai",
        "openrouter",
        "openrouter-funcs",
    ):
        try:
            from importlib.metadata import version

            versions[dist] = version(dist)
        except Exception:
            versions[dist] = "not installed"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "load_1m": os.getloadavg()[0],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a ~1 minute smoke run with fewer repetitions")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    from report import render

    compile_sources()
    server, root = start_server()
    started = time.perf_counter()
    try:
        results = collect_all(root, args.quick)
    finally:
        server.terminate()
        server.wait()
    results["machine"] = {
        **machine(),
        "seconds": round(time.perf_counter() - started, 1),
        "quick": args.quick,
    }
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(render(results))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
