"""`openrouter_funcs.ray` on a real local Ray instance against the embedded server (skipped without Ray).

One small Ray instance serves the whole module: 2 CPUs, a 200 MB object store, no dashboard. Map actors ask
for a quarter of a CPU each, since they only wait on the network.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from openrouter_core import BackoffStrategy, OpenRouterCore, RetryConfig
from openrouter_core.testing import (
    MockServer,
    RecordedRequest,
    Reply,
    cut_in_head,
    echo_reply,
    error_reply,
    garbage_body_reply,
    text_reply,
)

if os.environ.get("OPENROUTER_REQUIRE_RAY") and importlib.util.find_spec("ray") is None:
    raise ImportError("OPENROUTER_REQUIRE_RAY is set (as in CI) but Ray is not installed")
ray = pytest.importorskip(
    "ray", reason="Ray is not installed (the [ray] extra could not be installed here): Ray tests skipped"
)
pytest.importorskip("ray.data", reason="ray[data] is not installed: Ray tests skipped")

from openrouter_funcs.ray import chat_map_batches, chat_totals, limiter, start_limiter  # noqa: E402
from openrouter_funcs.ray._limiter import LimiterSettings, Report  # noqa: E402

# Ray's own deprecation notices about its own settings are not ours to fix.
pytestmark = pytest.mark.filterwarnings(r"ignore::DeprecationWarning:ray\.")

ROOT = Path(__file__).resolve().parents[1]
OBJECT_STORE_BYTES = 200 * 1024 * 1024


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray instance for the module; yields its address for other drivers to join."""
    # ray.init sets RAY_* variables and PYTHONBREAKPOINT, which the children of later tests would inherit.
    environ = dict(os.environ)
    ray.init(
        num_cpus=2,
        object_store_memory=OBJECT_STORE_BYTES,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
    )
    # The workers cannot import this module: what it sends them (schemas, functions) goes by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        os.environ.clear()
        os.environ.update(environ)


class Arrivals:
    """A server handler that records when each request arrived and replies by the row it names."""

    def __init__(self, reply: Any = None) -> None:
        self.times: list[tuple[float, int]] = []
        self.lock = threading.Lock()
        self._reply = reply

    def __call__(self, request: RecordedRequest) -> Reply | None:
        row = row_of(request)
        now = time.monotonic()
        with self.lock:
            self.times.append((now, row))
            index = len(self.times) - 1
        return self._reply(request, row, index) if self._reply is not None else None


def slow(reply: Reply, seconds: float) -> Reply:
    """`reply` sent only after `seconds`."""
    return dataclasses.replace(reply, delay_before_headers=seconds)


def row_of(request: RecordedRequest) -> int:
    content = request.json()["messages"][0]["content"]
    return int(content.split()[1])


def asker() -> Any:
    """The request of a row, as a closure: cloudpickle ships it by value (workers cannot import tests)."""

    def request(row: dict[str, Any]) -> dict[str, Any]:
        return {"model": "m", "messages": [{"role": "user", "content": f"row {row['id']}"}]}

    return request


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


def by_id(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        assert row["id"] not in found, f"row {row['id']} came out twice"
        found[row["id"]] = row
    return found


def test_the_module_all_is_sorted_and_documented() -> None:
    import openrouter_funcs.ray as module

    assert list(module.__all__) == sorted(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        if callable(value):
            assert value.__doc__, name


def test_every_row_once_with_its_own_reply(cluster: str, server: MockServer) -> None:
    core = OpenRouterCore(server_url=server.base_url)
    ds = ray.data.range(2000, override_num_blocks=8).map(lambda row: {**row, "tag": f"t{row['id']}"})
    out = chat_map_batches(
        ds, core, request=asker(), concurrency=4, max_in_flight=16, limiter_name="every-row"
    )
    rows = by_id(out.take_all())
    assert sorted(rows) == list(range(2000))
    for index, row in rows.items():
        assert row["ok"], row
        assert row["content"] == f"You said: row {index}"
        assert row["tag"] == f"t{index}"  # the input's columns are kept
        assert row["attempts"] == 1
        assert row["error_type"] is None
        assert row["generation_id"].startswith("gen-")
        assert row["cost"] > 0
        assert msgspec.json.decode(row["response"])["choices"][0]["message"]["content"] == row["content"]
    assert len(server.requests) == 2000
    totals = chat_totals("every-row")
    assert (totals.rows, totals.ok, totals.failed, totals.in_flight) == (2000, 2000, 0, 0)


def test_rps_holds_for_the_whole_cluster(cluster: str, tmp_path: Path) -> None:
    stamps = tmp_path / "arrivals.txt"
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("arrivals_server.py")), str(stamps)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        base_url = server.stdout.readline().strip()
        core = OpenRouterCore(server_url=base_url)
        rps, burst = 100.0, 10.0
        out = chat_map_batches(
            ray.data.range(350, override_num_blocks=8),
            core,
            request=asker(),
            concurrency=4,
            max_in_flight=16,
            rps=rps,
            burst=burst,
            limiter_name="rate",
        )
        rows = out.take_all()
    finally:
        assert server.stdin is not None and server.stdout is not None
        server.stdin.close()
        server.wait(30)
        server.stdout.close()
    assert len(rows) == 350
    assert all(row["ok"] for row in rows)
    times = sorted(float(line) for line in stamps.read_text().split())
    assert len(times) == 350
    busiest = max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))
    assert busiest <= rps + burst, f"{busiest} requests in one second"
    assert times[-1] - times[0] >= (350 - burst) / rps - 1.0  # the limit was really applied


def test_a_429_pauses_every_actor_then_one_probe_goes_first(cluster: str, server: MockServer) -> None:
    limited_at: list[float] = []
    probe: list[int] = []

    def reply(request: RecordedRequest, row: int, index: int) -> Reply:
        now = arrivals.times[index][0]
        if index == 60:
            limited_at.append(now)
            return error_reply(429, "Rate limit exceeded", headers={"Retry-After": "2"})
        if limited_at and not probe and now >= limited_at[0] + 1.0:
            probe.append(index)
            return slow(echo_reply(request), 0.5)
        return echo_reply(request)

    arrivals = Arrivals(reply)
    server.set_handler(arrivals)
    core = OpenRouterCore(server_url=server.base_url)
    actors, per_actor = 4, 4
    out = chat_map_batches(
        ray.data.range(240, override_num_blocks=8),
        core,
        request=asker(),
        concurrency=actors,
        max_in_flight=per_actor,
        limiter_name="pause",
    )
    rows = by_id(out.take_all())
    assert sorted(rows) == list(range(240))
    assert all(row["ok"] for row in rows.values())
    assert sum(row["attempts"] == 2 for row in rows.values()) == 1  # the rate-limited row, retried
    (limited,) = limited_at
    after = sorted(when for when, _ in arrivals.times if when > limited)
    # Requests let through before the limiter heard of the 429 may still land just after it; none later.
    racing = [when for when in after if when < limited + 2.0]
    assert len(racing) <= actors * per_actor
    assert all(when < limited + 0.5 for when in racing), [round(w - limited, 3) for w in racing]
    resumed = [when for when in after if when >= limited + 0.5]
    assert resumed[0] >= limited + 2.0
    (probe_index,) = probe
    assert arrivals.times[probe_index][0] == resumed[0]
    assert resumed[1] >= resumed[0] + 0.5  # the others waited for the probe's reply
    assert chat_totals("pause").pauses == 1


def test_failures_are_rows_and_the_dataset_completes(cluster: str, server: MockServer) -> None:
    def reply(request: RecordedRequest, row: int, index: int) -> Reply:
        kind = row % 4
        if kind == 1:
            return error_reply(400, "bad request")
        if kind == 2:
            return garbage_body_reply(64, seed=row)
        if kind == 3:
            return cut_in_head(text_reply("never arrives"), 0)
        return echo_reply(request)

    server.set_handler(Arrivals(reply))
    retries = RetryConfig(max_attempts=2, backoff=BackoffStrategy(initial_interval=10, max_interval=20))
    core = OpenRouterCore(server_url=server.base_url, retry_config=retries)
    out = chat_map_batches(
        ray.data.range(200, override_num_blocks=4), core, request=asker(), concurrency=2, limiter_name="fails"
    )
    rows = by_id(out.take_all())
    assert sorted(rows) == list(range(200))
    expected = {
        0: (True, None, 200),
        1: (False, "BadRequestResponseError", 400),
        2: (False, "ResponseValidationError", 200),
        3: (False, "APIConnectionError", None),
    }
    for index, row in rows.items():
        assert (row["ok"], row["error_type"], row["status_code"]) == expected[index % 4], row
        if not row["ok"]:
            assert row["error"]
            assert row["content"] is None and row["response"] is None
    assert all(row["attempts"] == 2 for index, row in rows.items() if index % 4 == 3)  # retried once
    totals = chat_totals("fails")
    assert (totals.rows, totals.ok, totals.failed) == (200, 50, 150)


def test_budget_stops_sending_and_says_why(cluster: str, server: MockServer) -> None:
    server.set_handler(Arrivals(lambda request, row, index: text_reply(f"row {row}", usage=(10_000, 0))))
    core = OpenRouterCore(server_url=server.base_url)
    actors, per_actor = 4, 4
    out = chat_map_batches(
        ray.data.range(400, override_num_blocks=8),
        core,
        request=asker(),
        concurrency=actors,
        max_in_flight=per_actor,
        budget_usd=1.0,
        limiter_name="budget",
    )
    rows = by_id(out.take_all())
    assert sorted(rows) == list(range(400))
    sent = len(server.requests)
    assert 100 <= sent <= 100 + actors * per_actor
    done = [row for row in rows.values() if row["ok"]]
    assert len(done) == sent
    assert all(row["cost"] == pytest.approx(0.01) for row in done)
    stopped = [row for row in rows.values() if not row["ok"]]
    assert {row["error_type"] for row in stopped} == {"BudgetExceededError"}
    assert all("budget_usd=1" in row["error"] and row["attempts"] == 0 for row in stopped)


class Answer(msgspec.Struct):
    n: int


def test_parse_yields_the_parsed_value_as_json(cluster: str, server: MockServer) -> None:
    server.set_handler(Arrivals(lambda request, row, index: text_reply(f'{{"n": {row * 2}}}')))
    core = OpenRouterCore(server_url=server.base_url)
    out = chat_map_batches(
        ray.data.range(40), core, request=asker(), parse=Answer, concurrency=2, limiter_name="parse"
    )
    rows = by_id(out.take_all())
    assert sorted(rows) == list(range(40))
    for index, row in rows.items():
        assert row["ok"]
        assert msgspec.json.decode(row["parsed"]) == {"n": index * 2}
    sent = server.requests[0].json()
    assert sent["response_format"]["type"] == "json_schema"


def test_the_tool_loop_runs_per_row_and_every_turn_is_counted(cluster: str, server: MockServer) -> None:
    def reply(request: RecordedRequest, row: int, index: int) -> Reply:
        messages = request.json()["messages"]
        if messages[-1]["role"] == "tool":
            return text_reply(f"sum is {messages[-1]['content']}")
        return text_reply(None, tool_calls=[("add", f'{{"a": {row}, "b": 1}}')])

    server.set_handler(Arrivals(reply))
    core = OpenRouterCore(server_url=server.base_url)

    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    out = chat_map_batches(
        ray.data.range(30), core, request=asker(), tools=[add], concurrency=2, limiter_name="tools"
    )
    rows = by_id(out.take_all())
    for index, row in rows.items():
        assert (row["ok"], row["content"], row["attempts"]) == (True, f"sum is {index + 1}", 2)
    assert chat_totals("tools").attempts == 60


def test_a_dead_worker_gives_back_its_slots(cluster: str) -> None:
    start_limiter("lost", LimiterSettings(max_in_flight=4, worker_timeout_s=1.0))

    @ray.remote(num_cpus=0)
    class Worker:
        def grab(self, want: int) -> int:
            grant = ray.get(limiter("lost").sync.remote("doomed", Report(), want))
            return int(grant.granted)

    doomed = Worker.remote()  # type: ignore[attr-defined]
    assert ray.get(doomed.grab.remote(4)) == 4
    ray.kill(doomed)
    handle = limiter("lost")
    assert ray.get(handle.sync.remote("alive", Report(), 4)).granted == 0
    deadline = time.monotonic() + 20
    granted = 0
    while time.monotonic() < deadline and not granted:
        time.sleep(0.2)
        granted = ray.get(handle.sync.remote("alive", Report(), 4)).granted
    assert granted == 4
    assert ray.get(handle.totals.remote()).workers_lost == 1


def test_a_map_actor_killed_mid_batch_loses_no_row(cluster: str, server: MockServer, tmp_path: Path) -> None:
    marker = str(tmp_path / "died")

    def request(row: dict[str, Any]) -> dict[str, Any]:
        if row["id"] == 57 and not os.path.exists(marker):
            Path(marker).touch()
            time.sleep(0.2)  # let other rows of this actor get their requests out
            os._exit(1)
        return {"model": "m", "messages": [{"role": "user", "content": f"row {row['id']}"}]}

    server.set_handler(Arrivals(lambda request, row, index: slow(echo_reply(request), 0.05)))
    core = OpenRouterCore(server_url=server.base_url)
    out = chat_map_batches(
        ray.data.range(200, override_num_blocks=8),
        core,
        request=request,
        concurrency=2,
        max_in_flight=4,
        max_in_flight_total=8,  # the dead actor's slots must come back, or the job stalls
        worker_timeout_s=2.0,
        limiter_name="killed",
    )
    rows = by_id(out.take_all())
    assert os.path.exists(marker)
    assert sorted(rows) == list(range(200))
    assert all(row["ok"] for row in rows.values())
    assert chat_totals("killed").in_flight == 0


JOB = """
import sys, time
import ray, ray.data
from openrouter_core import OpenRouterCore
from openrouter_funcs.ray import chat_map_batches

ray.init()
core = OpenRouterCore(server_url=sys.argv[1])
out = chat_map_batches(
    ray.data.range(400, override_num_blocks=40), core, concurrency=2, max_in_flight=4,
    request=lambda row: {"model": "m", "messages": [{"role": "user", "content": f"row {row['id']}"}]},
    resume_from=sys.argv[2],
)
out.write_parquet(sys.argv[2])
"""


def test_resume_after_the_job_is_killed_sends_only_what_is_missing(
    cluster: str, server: MockServer, tmp_path: Path
) -> None:
    server.set_handler(Arrivals(lambda request, row, index: slow(echo_reply(request), 0.2)))
    answers = tmp_path / "answers"
    script = tmp_path / "job.py"
    script.write_text(JOB)
    env = {**os.environ, "RAY_ADDRESS": cluster, "PYTHONPATH": str(ROOT)}
    job = subprocess.Popen(
        [sys.executable, str(script), server.base_url, str(answers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list(answers.glob("*.parquet"))) < 3:
            assert job.poll() is None, "the job ended before it could be killed"
            time.sleep(0.05)
        assert len(list(answers.glob("*.parquet"))) >= 3
    finally:
        job.send_signal(signal.SIGKILL)
        job.wait()
    time.sleep(2.0)  # Ray ends the dead driver's workers; nothing writes after this
    first_run = len(server.requests)
    assert first_run < 400
    kept = ok_ids(answers)
    assert 0 < len(kept) < 400

    rerun = subprocess.run(
        [sys.executable, str(script), server.base_url, str(answers)],
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr.decode()[-3000:]
    assert len(server.requests) - first_run == 400 - len(kept)  # only the missing rows were sent
    final = ok_ids(answers)
    assert sorted(final) == list(range(400))  # none lost, none twice


def ok_ids(answers: Path) -> list[int]:
    """The ids of the ok rows in every readable file (a file cut short by the kill is not readable)."""
    import pyarrow.parquet as pq

    ids: list[int] = []
    for path in sorted(answers.glob("*.parquet")):
        try:
            table = pq.read_table(path, columns=["id", "ok"])
        except Exception:
            continue
        ids.extend(row["id"] for row in table.to_pylist() if row["ok"])
    return ids


DOC = ROOT / "docs" / "ray.md"
DOC_BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_the_ray_page_has_snippets() -> None:
    assert len(DOC_BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(DOC_BLOCKS)))
def test_docs_ray_block_runs(index: int, cluster: str, server: MockServer, tmp_path: Path) -> None:
    """Each block of docs/ray.md as a driver of its own, joining the test's Ray instance via RAY_ADDRESS."""
    env = {
        **os.environ,
        "RAY_ADDRESS": cluster,
        "OPENROUTER_BASE_URL": server.base_url,
        "OPENROUTER_API_KEY": "sk-docs",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", DOC_BLOCKS[index]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout.strip()
    assert printed, f"docs/ray.md block {index} prints nothing to show its result"
    assert "False" not in printed  # every row shown succeeded
