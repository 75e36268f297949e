"""What calls cost: the `CostLedger`, `budget_usd` on batches, `max_cost_usd` on tool loops, and the early 404
of `generation_get`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import FakeTime, chat_body

from openrouter_core import Hooks, OpenRouterCore, RetryConfig
from openrouter_core.errors import BudgetExceededError, NotFoundResponseError, SDKValidationError
from openrouter_core.testing import MockServer, Reply, stream_reply, text_reply
from openrouter_funcs import (
    CostLedger,
    CostLine,
    chat_run_tools,
    chat_run_tools_async,
    chat_send,
    chat_send_async,
    chat_send_many,
    chat_send_many_async,
    generation_get,
    generation_get_async,
)

HELLO: dict[str, Any] = {"model": "m/x", "messages": [{"role": "user", "content": "hello"}]}
# The mock server prices a prompt token at 1e-6 USD and a completion token at 2e-6 USD.
COST_10_20 = 10 * 1e-6 + 20 * 2e-6


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def ledger() -> CostLedger:
    return CostLedger()


@pytest.fixture
def core(server: MockServer, ledger: CostLedger) -> Iterator[OpenRouterCore]:
    with OpenRouterCore(api_key="sk-test", server_url=server.base_url, hooks=Hooks(on_call=[ledger])) as made:
        yield made


def json_reply(body: dict[str, Any]) -> Reply:
    return Reply(body=json.dumps(body).encode())


# -- the ledger ----------------------------------------------------------------------------------


def test_a_plain_call_is_counted_under_its_model_and_provider(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    server.enqueue(text_reply("hi", model="a/one", usage=(10, 20)))
    assert chat_send(core, HELLO).ok
    assert ledger.lines() == [
        CostLine(
            model="a/one",
            provider="MockProvider",
            calls=1,
            cost_usd=pytest.approx(COST_10_20),
            input_tokens=10,
            output_tokens=20,
        )
    ]
    assert ledger.total_usd == pytest.approx(COST_10_20) and ledger.calls == 1


def test_upstream_cost_and_byok_are_summed_apart(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    usage = {
        "prompt_tokens": 1,
        "completion_tokens": 1,
        "total_tokens": 2,
        "cost": 0.001,
        "is_byok": True,
        "cost_details": {"upstream_inference_cost": 0.02},
    }
    server.enqueue(json_reply(chat_body(usage=usage)), json_reply(chat_body(usage=usage, provider="Q")))
    assert chat_send(core, HELLO).ok and chat_send(core, HELLO).ok
    assert ledger.upstream_usd == pytest.approx(0.04) and ledger.total_usd == pytest.approx(0.002)
    assert ledger.by_provider() == {"P": pytest.approx(0.001), "Q": pytest.approx(0.001)}
    assert ledger.by_model() == {"m": pytest.approx(0.002)}


def test_a_stream_is_counted_once_from_its_usage_chunk(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    server.enqueue(stream_reply("streamed words", model="s/two", usage=(10, 20)))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        collected = stream.collect()
    assert collected.ok
    assert [(line.model, line.calls) for line in ledger.lines()] == [("s/two", 1)]
    assert ledger.total_usd == pytest.approx(COST_10_20)


def test_a_stream_closed_after_its_usage_arrived_is_still_counted(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    server.enqueue(stream_reply("closed before the end", usage=(10, 20)))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    stream = res.value
    for chunk in stream:
        if chunk.usage is not None:
            break  # [DONE] is never read
    assert stream.collect().error is not None  # the caller closed it early
    assert ledger.calls == 1 and ledger.total_usd == pytest.approx(COST_10_20)


def test_a_stream_closed_before_its_usage_costs_nothing_known(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    server.enqueue(stream_reply("a long reply cut short", chunk_size=2, usage=(10, 20)))
    res = chat_send(core, {**HELLO, "stream": True})
    assert res.ok
    with res.value as stream:
        next(iter(stream))
    assert ledger.calls == 0 and ledger.total_usd == 0


def async_core(server: MockServer, ledger: CostLedger) -> OpenRouterCore:
    return OpenRouterCore(api_key="sk-test", server_url=server.base_url, hooks=Hooks(on_call=[ledger]))


async def test_async_calls_and_streams_are_counted(server: MockServer, ledger: CostLedger) -> None:
    server.enqueue(text_reply("a", usage=(10, 20)), stream_reply("b", usage=(10, 20)))
    async with async_core(server, ledger) as core:
        assert (await chat_send_async(core, HELLO)).ok
        res = await chat_send_async(core, {**HELLO, "stream": True})
        assert res.ok
        async with res.value as stream:
            async for _ in stream:
                pass
    assert ledger.calls == 2 and ledger.total_usd == pytest.approx(2 * COST_10_20)


def test_every_request_of_a_batch_and_of_a_tool_loop_is_counted(
    core: OpenRouterCore, server: MockServer, ledger: CostLedger
) -> None:
    requests = [{**HELLO, "model": f"m/{n % 2}"} for n in range(6)]
    results = chat_send_many(core, requests, concurrency=3, progress=False)
    assert all(res.ok for res in results)
    assert ledger.calls == 6 and set(ledger.by_model()) == {"m/0", "m/1"}
    expected = sum(res.value.usage.cost for res in results if res.ok and res.value.usage)
    assert ledger.total_usd == pytest.approx(expected)

    ledger.reset()
    server.enqueue(text_reply(None, tool_calls=[("echo", '{"text": "x"}')], usage=(10, 20)))
    server.enqueue(text_reply("done", usage=(10, 20)))

    def echo(text: str) -> str:
        return text

    assert chat_run_tools(core, HELLO, [echo]).ok
    assert ledger.calls == 2 and ledger.total_usd == pytest.approx(2 * COST_10_20)


def test_track_attaches_a_ledger_to_an_existing_core_once(server: MockServer) -> None:
    ledger = CostLedger()
    with OpenRouterCore(api_key="k", server_url=server.base_url) as core:
        assert ledger.track(ledger.track(core)) is core
        assert list(core.hooks.on_call) == [ledger]
        server.enqueue(text_reply("hi", usage=(10, 20)))
        assert chat_send(core, HELLO).ok
    assert ledger.calls == 1 and "total_usd=0.000050" in repr(ledger)


# -- budget_usd on batches -----------------------------------------------------------------------


def test_a_batch_stops_sending_once_its_budget_is_spent(core: OpenRouterCore, server: MockServer) -> None:
    for _ in range(3):
        server.enqueue(text_reply("ok", usage=(10, 20)))
    results = chat_send_many(core, [HELLO] * 6, concurrency=1, progress=False, budget_usd=2.5 * COST_10_20)
    assert [res.ok for res in results] == [True, True, True, False, False, False]
    assert len(server.requests) == 3
    for res in results[3:]:
        error = res.error if not res.ok else None
        assert isinstance(error, BudgetExceededError)
        assert error.budget_usd == pytest.approx(2.5 * COST_10_20)
        assert error.spent_usd == pytest.approx(3 * COST_10_20)


def test_requests_in_flight_when_the_budget_is_reached_finish(make_core: Any) -> None:
    both_sent = threading.Barrier(2)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= 2:
            both_sent.wait(timeout=10)  # neither of the first two answers before both are in flight
        usage = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "cost": 1.0}
        return httpx.Response(200, json=chat_body(usage=usage))

    core = make_core(handler, hooks=Hooks(on_call=[CostLedger()]))
    results = chat_send_many(core, [HELLO] * 5, concurrency=2, progress=False, budget_usd=1.0)
    assert [res.ok for res in results] == [True, True, False, False, False]
    assert len(seen) == 2
    for res in results[2:]:
        assert not res.ok and isinstance(res.error, BudgetExceededError)
        assert res.error.spent_usd == 2.0


async def test_an_async_batch_keeps_its_budget_too(server: MockServer, ledger: CostLedger) -> None:
    for _ in range(2):
        server.enqueue(text_reply("ok", usage=(10, 20)))
    async with async_core(server, ledger) as core:
        results = await chat_send_many_async(
            core, [HELLO] * 4, concurrency=1, progress=False, budget_usd=1.5 * COST_10_20
        )
    assert [res.ok for res in results] == [True, True, False, False]
    assert len(server.requests) == 2
    assert all(isinstance(res.error, BudgetExceededError) for res in results[2:] if not res.ok)


def test_a_zero_budget_sends_nothing_and_a_bad_one_is_refused(
    core: OpenRouterCore, server: MockServer
) -> None:
    nothing = chat_send_many(core, [HELLO] * 2, progress=False, budget_usd=0)
    assert all(isinstance(res.error, BudgetExceededError) for res in nothing if not res.ok)
    assert not any(res.ok for res in nothing) and server.requests == []
    for bad in (-1.0, float("nan"), "10"):
        refused = chat_send_many(core, [HELLO], progress=False, budget_usd=bad)  # type: ignore[arg-type]
        assert not refused[0].ok and isinstance(refused[0].error, SDKValidationError)
        assert refused[0].error.path == "budget_usd"


# -- max_cost_usd on tool loops ------------------------------------------------------------------


def lookup(city: str) -> str:
    """Look a city up."""
    return f"{city}: sunny"


def test_a_tool_loop_stops_before_the_next_request_once_it_has_spent_max_cost(
    core: OpenRouterCore, server: MockServer
) -> None:
    server.enqueue(text_reply(None, tool_calls=[("lookup", '{"city": "Oslo"}')], usage=(10, 20)))
    res = chat_run_tools(core, HELLO, [lookup], max_cost_usd=COST_10_20)
    assert not res.ok and isinstance(res.error, BudgetExceededError)
    assert res.error.spent_usd == pytest.approx(COST_10_20) and res.error.budget_usd == COST_10_20
    assert [message.role for message in res.error.messages] == ["user", "assistant"]
    assert len(server.requests) == 1


def test_a_tool_loop_under_its_max_cost_runs_to_the_answer(core: OpenRouterCore, server: MockServer) -> None:
    server.enqueue(
        text_reply(None, tool_calls=[("lookup", '{"city": "Oslo"}')], usage=(10, 20)),
        text_reply("It is sunny.", usage=(10, 20)),
    )
    res = chat_run_tools(core, HELLO, [lookup], max_cost_usd=10 * COST_10_20)
    assert res.ok and res.value.content == "It is sunny." and res.value.turns == 2


async def test_the_async_tool_loop_keeps_max_cost_too(server: MockServer, ledger: CostLedger) -> None:
    server.enqueue(text_reply(None, tool_calls=[("lookup", '{"city": "Oslo"}')], usage=(10, 20)))
    async with async_core(server, ledger) as core:
        res = await chat_run_tools_async(core, HELLO, [lookup], max_cost_usd=COST_10_20 / 2)
    assert not res.ok and isinstance(res.error, BudgetExceededError)
    assert len(server.requests) == 1


# -- generation_get and the early 404 ------------------------------------------------------------


def generation_handler(misses: int) -> tuple[list[httpx.Request], Any]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= misses:
            return httpx.Response(404, json={"error": {"code": 404, "message": "Generation not found"}})
        data = {"id": "gen-1", "total_cost": 0.25, "provider_name": "P", "model": "m"}
        return httpx.Response(200, json={"data": data})

    return seen, handler


async def test_generation_get_asks_again_while_the_generation_is_not_recorded_yet(
    make_core: Any, fake_time: FakeTime
) -> None:
    seen, handler = generation_handler(misses=2)
    core = make_core(handler)
    res = generation_get(core, "gen-1")
    assert res.ok and res.value.data.total_cost == 0.25
    assert len(seen) == 3 and fake_time.sleeps == [0.25, 0.5]

    seen.clear()
    fake_time.sleeps.clear()
    res_async = await generation_get_async(core, "gen-1")
    assert res_async.ok and len(seen) == 3 and fake_time.sleeps == [0.25, 0.5]


def test_generation_get_gives_up_after_its_wait_and_can_skip_it(make_core: Any, fake_time: FakeTime) -> None:
    seen, handler = generation_handler(misses=100)
    core = make_core(handler, retry_config=RetryConfig(strategy="none"))
    res = generation_get(core, "gen-1", not_found_wait_ms=3000)
    assert not res.ok and isinstance(res.error, NotFoundResponseError)
    assert fake_time.sleeps == [0.25, 0.5, 1.0, 1.0] and sum(fake_time.sleeps) <= 3
    seen.clear()
    assert isinstance(generation_get(core, "gen-1", not_found_wait_ms=0).error, NotFoundResponseError)
    assert len(seen) == 1
