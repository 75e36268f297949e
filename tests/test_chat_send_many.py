"""`chat_send_many`: ordered results, one shared 429 back-off, resume files, progress, and process pools."""

from __future__ import annotations

import dataclasses
import multiprocessing
import pickle
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from conftest import FakeTime

from openrouter_core import OpenRouterCore, RetryConfig, errors, models
from openrouter_core.testing import MockServer, RecordedRequest, Reply, error_reply, text_reply
from openrouter_funcs import BatchRecord, chat_send, chat_send_many, chat_send_many_async


def ask(i: int, **extra: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": f"q{i}"}], **extra}


def text_of(result: Any) -> str:
    response = result.unwrap()
    assert isinstance(response, models.ChatResponse)
    content = response.choices[0].message.content
    assert isinstance(content, str)
    return content


class Recorder:
    """A handler that timestamps every request, answers the first one with a 429, and can stall one."""

    def __init__(self, retry_after: dict[str, str], stall_after_429: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.times: list[tuple[float, str]] = []
        self.retry_after = retry_after
        self.stall = stall_after_429
        self.limited_at: float | None = None
        self.stalled = False
        self.hold_429 = 0.15 if stall_after_429 else 0.0

    def __call__(self, request: RecordedRequest) -> Reply | None:
        with self.lock:
            # Stamped under the lock, so the order of the stamps is the order the handler saw the requests.
            now = time.monotonic()
            first = not self.times
            self.times.append((now, request.json()["messages"][0]["content"]))
            if first:
                self.limited_at = now
                limited = error_reply(429, "Rate limit exceeded", headers=self.retry_after)
                # Held back briefly: the workers started with this one send theirs before the 429 is seen,
                # however slowly their threads start.
                return dataclasses.replace(limited, delay_before_headers=self.hold_429)
            content = request.json()["messages"][0]["content"]
            body = text_reply(f"You said: {content}").body or b""
            if self.stall and now - (self.limited_at or now) < 0.5:
                # Sent with the first request: answered slowly, so the 429 is seen while they are in flight.
                return Reply(body=body, delay_before_headers=0.2)
            if self.stall and not self.stalled:
                self.stalled = True  # the first request after the pause: the probe
                return Reply(body=body, delay_before_headers=self.stall)
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    server.reset()
    with OpenRouterCore(api_key="sk-test", server_url=server.base_url) as made:
        yield made


def test_results_come_back_in_input_order(server: MockServer, core: OpenRouterCore) -> None:
    requests: list[Any] = [ask(i) for i in range(40)]
    requests[5] = {"model": "m", "messages": "not a list"}
    requests[7] = ask(7, stream=True)
    results = chat_send_many(core, requests, concurrency=6, progress=False)
    assert len(results) == 40
    assert isinstance(results[5].error, errors.SDKValidationError)
    assert [text_of(r) for i, r in enumerate(results) if i != 5] == [
        f"You said: q{i}" for i in range(40) if i != 5
    ]
    assert len(server.requests) == 39  # the invalid one was never sent
    assert chat_send_many(core, []) == []


def test_a_429_pauses_the_whole_batch_then_one_probe_goes_first(
    server: MockServer, core: OpenRouterCore
) -> None:
    recorder = Recorder({"Retry-After": "1"}, stall_after_429=0.3)
    server.set_handler(recorder)
    results = chat_send_many(core, [ask(i) for i in range(12)], concurrency=4, progress=False)
    assert [text_of(r) for r in results] == [f"You said: q{i}" for i in range(12)]
    assert len(recorder.times) == 13  # the rate-limited request was sent again, once
    limited_at = recorder.limited_at
    assert limited_at is not None
    later = sorted(t - limited_at for t, _ in recorder.times if t > limited_at)
    # The 3 sent with the first one are in flight; nobody starts a request during the Retry-After ...
    assert len([t for t in later if t < 0.1]) == 3, later
    assert [t for t in later if 0.1 <= t < 0.95] == [], later
    after = [t for t in later if t >= 0.95]
    assert len(after) == 9, later
    # ... then the probe goes alone: the others wait for its (stalled) answer.
    assert after[1] >= after[0] + 0.25, later


def test_back_off_uses_the_cores_clock_and_sleep(server: MockServer, fake_time: FakeTime) -> None:
    server.reset()
    server.set_handler(Recorder({"Retry-After": "20"}))
    with OpenRouterCore(server_url=server.base_url, clock=fake_time.clock, sleep=fake_time.sleep) as core:
        started = time.monotonic()
        results = chat_send_many(core, [ask(i) for i in range(6)], concurrency=3, progress=False)
    assert time.monotonic() - started < 5
    assert all(r.ok for r in results)
    assert fake_time.sleeps and max(fake_time.sleeps) == pytest.approx(20, abs=0.01)
    assert fake_time.now >= 1020


def test_without_retries_a_429_is_returned(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(error_reply(429, "slow down", headers={"retry-after-ms": "10"}))
    results = chat_send_many(core, [ask(0)], retries=RetryConfig(strategy="none"))
    assert isinstance(results[0].error, errors.TooManyRequestsResponseError)
    server.enqueue(*(error_reply(429, "slow down", headers={"retry-after-ms": "10"}) for _ in range(2)))
    retry_twice = RetryConfig(max_attempts=2)
    results = chat_send_many(core, [ask(0)], retries=retry_twice)
    assert isinstance(results[0].error, errors.TooManyRequestsResponseError)
    assert len(server.requests) == 3


def test_resume_file(server: MockServer, core: OpenRouterCore, tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    no_retry = RetryConfig(strategy="none")
    server.enqueue(error_reply(500, "upstream failed"))
    first = chat_send_many(core, [ask(i) for i in range(5)], concurrency=1, resume=path, retries=no_retry)
    assert isinstance(first[0].error, errors.InternalServerResponseError)
    lines = path.read_bytes().splitlines()
    records = [msgspec.json.decode(line, type=BatchRecord) for line in lines]
    assert sorted(r.index for r in records) == [0, 1, 2, 3, 4]
    failed = next(r for r in records if r.index == 0)
    assert not failed.ok and failed.error is not None
    assert failed.error.type == "InternalServerResponseError" and failed.error.status_code == 500
    good = next(r for r in records if r.index == 1)
    assert good.ok and good.response is not None and good.v == 1 and len(good.request_sha256) == 64

    with path.open("ab") as handle:
        handle.write(b'{"index": 3, "request_sha')  # a line cut short by a crash
    server.reset()
    changed = [ask(i) for i in range(5)]
    changed[2] = ask(22)
    second = chat_send_many(core, changed, resume=str(path))
    assert [text_of(r) for r in second] == [
        "You said: q0",
        "You said: q1",
        "You said: q22",
        "You said: q3",
        "You said: q4",
    ]
    sent = sorted(r.json()["messages"][0]["content"] for r in server.requests)
    assert sent == ["q0", "q22"]  # the failure and the changed request; the rest came from the file
    assert second[1].raw is None and first[1].raw is not None

    server.reset()
    third = chat_send_many(core, changed, resume=path)
    assert all(r.ok for r in third) and server.requests == []


def test_an_unusable_resume_file_sends_nothing(
    server: MockServer, core: OpenRouterCore, tmp_path: Path
) -> None:
    results = chat_send_many(core, [ask(0), ask(1)], resume=tmp_path)
    assert all(isinstance(r.error, errors.SDKValidationError) for r in results)
    bad = chat_send_many(core, [ask(0)], concurrency=0)
    assert isinstance(bad[0].error, errors.SDKValidationError)
    assert server.requests == []


def test_progress_bar_on_stderr(core: OpenRouterCore, capsys: pytest.CaptureFixture[str]) -> None:
    chat_send_many(core, [ask(i) for i in range(10)], concurrency=2, progress=True)
    err = capsys.readouterr().err
    assert "\r" in err and "10/10 ok 10 failed 0" in err and err.endswith("\n")
    chat_send_many(core, [ask(i) for i in range(3)])  # stderr is not a terminal here: no bar
    assert capsys.readouterr().err == ""


def test_progress_counts_invalid_requests_as_failed(
    core: OpenRouterCore, capsys: pytest.CaptureFixture[str]
) -> None:
    requests: list[Any] = [ask(i) for i in range(5)] + [{"model": "m"}, {"model": "m", "messages": 3}]
    results = chat_send_many(core, requests, concurrency=2, progress=True)
    assert [r.ok for r in results] == [True] * 5 + [False] * 2
    final = capsys.readouterr().err.rstrip("\n").rsplit("\r", 1)[-1]
    assert "7/7 ok 5 failed 2" in final, final


async def test_async_twin(server: MockServer, core: OpenRouterCore, tmp_path: Path) -> None:
    recorder = Recorder({"retry-after-ms": "600"}, stall_after_429=0.1)
    server.set_handler(recorder)
    path = tmp_path / "async.jsonl"
    results = await chat_send_many_async(core, [ask(i) for i in range(10)], concurrency=3, resume=path)
    assert [text_of(r) for r in results] == [f"You said: q{i}" for i in range(10)]
    limited_at = recorder.limited_at
    assert limited_at is not None
    later = sorted(t - limited_at for t, _ in recorder.times if t > limited_at)
    assert len([t for t in later if t < 0.1]) == 2, later  # in flight with the first one
    assert [t for t in later if 0.1 <= t < 0.58] == [], later
    after = [t for t in later if t >= 0.58]
    assert len(after) == 8 and after[1] >= after[0] + 0.08, later  # the probe first, alone
    assert len(path.read_bytes().splitlines()) == 10
    server.reset()
    again = await chat_send_many_async(core, [ask(i) for i in range(10)], resume=path)
    assert all(r.ok for r in again) and server.requests == []
    await core.aclose()


def _send_in_worker(core: OpenRouterCore, content: str) -> str:
    result = chat_send(core, {"model": "m", "messages": [{"role": "user", "content": content}]})
    response = result.unwrap()
    assert isinstance(response, models.ChatResponse)
    return str(response.choices[0].message.content)


def test_chat_send_in_a_spawned_process_pool(server: MockServer, core: OpenRouterCore) -> None:
    assert text_of(chat_send(core, ask(0)))  # the parent's client is live ...
    copy = pickle.loads(pickle.dumps(core))  # ... and is not pickled
    assert copy.server_url == core.server_url and copy._client is None
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        replies = pool.starmap(_send_in_worker, [(core, f"from worker {i}") for i in range(4)])
    assert replies == [f"You said: from worker {i}" for i in range(4)]
    assert len(server.requests) == 5


def test_a_batch_that_cannot_start_is_all_errs_not_an_exception() -> None:

    core = OpenRouterCore(api_key="k", server_url="http://127.0.0.1:9/v1")
    request = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    results = chat_send_many(core, None)  # type: ignore[arg-type]
    assert len(results) == 1 and isinstance(results[0].error, errors.UnexpectedClientError)  # type: ignore[union-attr]
    results = chat_send_many(core, [request, request], concurrency="4")  # type: ignore[arg-type]
    assert [type(r.error) for r in results] == [errors.SDKValidationError] * 2  # type: ignore[union-attr]
    unencodable = models.ChatGenerationParams(model="m", messages=[models.ChatUserMessage(content=object())])  # type: ignore[arg-type]
    results = chat_send_many(core, [unencodable])
    assert isinstance(results[0].error, errors.SDKValidationError)  # type: ignore[union-attr]
    core.close()


def test_ctrl_c_stops_a_batch_without_waiting_for_requests_in_flight(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    script = tmp_path / "batch.py"
    script.write_text(
        "import sys\n"
        "from openrouter_core import OpenRouterCore\n"
        "from openrouter_core.testing import Delay, MockServer, Reply\n"
        "from openrouter_funcs import chat_send_many\n"
        "server = MockServer().start()\n"
        "server.set_handler(lambda request: Reply(chunks=[Delay(60.0), b'{}']))\n"
        "core = OpenRouterCore(api_key='k', server_url=server.base_url)\n"
        "print('started', flush=True)\n"
        "chat_send_many(core, [{'messages': [{'role': 'user', 'content': 'hi'}]}] * 8, concurrency=4)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "started"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    try:
        _, stderr = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert "KeyboardInterrupt" in stderr
    assert proc.returncode != 0
