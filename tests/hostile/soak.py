"""`make soak`: the hostile suite's property tests for a long time, in several processes at once.

Each process runs one property test of `test_property.py` or `test_property_runtime.py` (round robin) under
the fuzz profile with its own hypothesis seed, drawing its share of `SOAK_CASES` (the slow runtime tests, a
fork or several event loops per case, a tenth of a share). A process stops drawing at `SOAK_MINUTES`, so the
run ends on time even on a loaded machine; the summary then says how many cases really ran. Deadlines and
stalls are stretched by `HOSTILE_SLACK` (default 4) so that a starved process does not take a slow machine
for a slow server. A wrong outcome or an escape is recorded and the run goes on. Not part of CI.

    SOAK_CASES=100000 SOAK_PROCS=6 SOAK_MINUTES=60 python tests/hostile/soak.py
"""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TESTS = {  # test id: its weight (share of the cases)
    "tests/hostile/test_property.py::test_sync_plain": 1.0,
    "tests/hostile/test_property.py::test_sync_stream": 1.0,
    "tests/hostile/test_property.py::test_async_plain": 1.0,
    "tests/hostile/test_property.py::test_async_stream": 1.0,
    "tests/hostile/test_property_runtime.py::test_fork": 0.1,
    "tests/hostile/test_property_runtime.py::test_event_loops": 0.1,
}
SLACK = "4"
HEARTBEAT = 60.0


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data


def _plan(cases: int, procs: int) -> list[tuple[str, int]]:
    """Each process's test and count: tests round robin, counts by weight."""
    ids = list(TESTS)
    chosen = [ids[i % len(ids)] for i in range(procs)]
    total = sum(TESTS[test] for test in chosen)
    # The slow tests' `profile(slow=True)` draws a tenth of HOSTILE_EXAMPLES: hand them ten times their share.
    return [(test, max(1, math.ceil(cases * TESTS[test] / total))) for test in chosen]


def _examples_env(test: str, count: int) -> str:
    """HOSTILE_EXAMPLES for a process that should draw `count` cases of `test`."""
    return str(count * 10 if TESTS[test] < 1 else count)


def main() -> int:
    cases = int(os.environ.get("SOAK_CASES", "100000"))
    procs = int(os.environ.get("SOAK_PROCS", "6"))
    minutes = float(os.environ.get("SOAK_MINUTES", "60"))
    seed = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
    slack = os.environ.get("HOSTILE_SLACK", SLACK)
    started = time.monotonic()
    until = time.time() + minutes * 60
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    print(
        f"soak: {cases} cases asked, {procs} processes, at most {minutes:g} min, deadlines x{slack}, "
        f"seeds {seed}..{seed + procs - 1}, commit {_commit()}, started {when}; logs in {tmp}",
        flush=True,
    )
    plan = _plan(cases, procs)
    reports = [tmp / f"process-{i}.json" for i in range(procs)]
    running = []
    for i, (test, count) in enumerate(plan):
        env = {
            **os.environ,
            "HOSTILE_EXAMPLES": _examples_env(test, count),
            "HOSTILE_SOAK_REPORT": str(reports[i]),
            "HOSTILE_SOAK_UNTIL": str(until),
            "HOSTILE_SLACK": slack,
        }
        command = [sys.executable, "-m", "pytest", test, "--hypothesis-profile=fuzz"]
        command += [f"--hypothesis-seed={seed + i}", "-p", "no:randomly", "-p", "no:cacheprovider", "-q"]
        with (tmp / f"process-{i}.log").open("w") as log:
            running.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
    last = time.monotonic()
    while any(process.poll() is None for process in running):
        time.sleep(1)
        if time.monotonic() - last >= HEARTBEAT:
            last = time.monotonic()
            done = sum(_read(report).get("cases", 0) for report in reports)
            print(f"  {(last - started) / 60:5.1f} min: {done} cases so far", flush=True)
    figures = [_read(report) for report in reports]
    for i, process in enumerate(running):
        if process.returncode != 0:
            print(f"  process {i} ({plan[i][0]}) exited {process.returncode}: see {tmp}/process-{i}.log")
    return _summary(plan, figures, [p.returncode for p in running], time.monotonic() - started, when)


def _summary(
    plan: list[tuple[str, int]],
    figures: list[dict[str, Any]],
    codes: list[int | None],
    seconds: float,
    when: str,
) -> int:
    total = {key: sum(f.get(key, 0) for f in figures) for key in ("cases", "escapes", "wrong")}
    peak = max((f.get("peak_rss_kib", 0) for f in figures), default=0) / 1024
    fds = max((f.get("fds_end", 0) - f.get("fds_start", 0) for f in figures), default=0)
    threads = max((f.get("threads_end", 0) - f.get("threads_start", 0) for f in figures), default=0)
    for i, f in enumerate(figures):
        test, count = plan[i]
        print(
            f"  process {i} {test.split('::')[1]}: {f.get('cases', 0)}/{count} cases, {f.get('escapes', 0)} "
            f"escapes, {f.get('wrong', 0)} wrong, peak RSS {f.get('peak_rss_kib', 0) / 1024:.0f} MiB, "
            f"fds {f.get('fds_start')} -> {f.get('fds_end')}, threads {f.get('threads_start')} -> "
            f"{f.get('threads_end')}, {f.get('seconds', 0) / 60:.1f} min"
        )
        for failure in f.get("failures", [])[:5]:
            print(f"    {failure}")
    print(
        f"soak ({when}, commit {_commit()}): {total['cases']} cases, {total['escapes']} escapes, "
        f"{total['wrong']} wrong outcomes, peak RSS {peak:.0f} MiB (largest process), leaked fds {fds} "
        f"(sockets, pipes, event-loop fds), leaked threads {threads} (worst process), {len(figures)} "
        f"processes, {seconds / 60:.1f} min"
    )
    bad = total["escapes"] or total["wrong"] or fds > 0 or threads > 0 or any(codes)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
