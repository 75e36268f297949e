"""Issue 10 item 3: compression bombs and lying encodings end in an `Err` / `stream.error`, and the peak
resident memory of the process grows by less than 256 MiB for every bomb.

Peak RSS is the kernel's high-water mark (`VmHWM`), reset before each call through `/proc/self/clear_refs`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections.abc import Callable
from typing import Any

import pytest

from openrouter_core import AsyncChatStream, ChatStream, Err, Ok, errors
from openrouter_core.testing import MockServer, Reply, bomb_reply, encoded_reply, stream_reply, text_reply
from openrouter_funcs import chat_send, chat_send_async

from . import _support
from ._support import REQUEST, STREAM_REQUEST, make_core

MiB = 1024 * 1024
BOUND = 256 * MiB


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no {field} in /proc/self/status")


def peak_growth(call: Callable[[], Any]) -> tuple[Any, int]:
    """What `call` returns, and how far the process's peak RSS rose above its RSS before the call."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current RSS
    before = _status("VmRSS")
    result = call()
    return result, _status("VmHWM") - before


@functools.cache
def bombs() -> dict[str, tuple[Reply, type[errors.OpenRouterError], bool]]:
    """Each bomb: the reply, the error it must give, and whether it is a stream (built once: ~3 s)."""
    return {
        # The 980-byte body that inflated to 529 MiB, and its 5 KB sibling that asked for 3 GiB.
        "gzip, gzip 512 MiB": (bomb_reply(512 * MiB, "gzip", "gzip"), errors.ResponseValidationError, False),
        "gzip, gzip 3 GiB": (
            bomb_reply(3 * 1024 * MiB, "gzip", "gzip"),
            errors.ResponseValidationError,
            False,
        ),
        "deflate, gzip 512 MiB": (
            bomb_reply(512 * MiB, "deflate", "gzip"),
            errors.ResponseValidationError,
            False,
        ),
        "gzip 1 GiB": (bomb_reply(1024 * MiB, "gzip"), errors.ResponseTooLargeError, False),
        "deflate 1 GiB": (bomb_reply(1024 * MiB, "deflate"), errors.ResponseTooLargeError, False),
        "gzip 1 GiB, status 500": (bomb_reply(1024 * MiB, status=500), errors.ResponseTooLargeError, False),
        "SSE event of 512 MiB, gzip": (
            bomb_reply(512 * MiB, "gzip", stream=True),
            errors.ResponseTooLargeError,
            True,
        ),
        "SSE event of 512 MiB, gzip, gzip": (
            bomb_reply(512 * MiB, "gzip", "gzip", stream=True),
            errors.ResponseValidationError,
            True,
        ),
    }


def _outcome_error(res: Any) -> errors.OpenRouterError | None:
    if isinstance(res, Err):
        return res.error  # type: ignore[no-any-return]
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream | AsyncChatStream), res
    return res.value.error


def _options(overrides: dict[str, Any]) -> dict[str, Any]:
    return {"timeout_ms": 60_000, "idle_timeout_ms": 60_000, "max_response_bytes": 64 * MiB, **overrides}


def _run_sync(url: str, stream: bool, **options: Any) -> Any:
    with make_core(url, **_options(options)) as core:
        res = chat_send(core, STREAM_REQUEST if stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, ChatStream):
            assert list(res.value) == []
        return res


async def _run_async(url: str, stream: bool, **options: Any) -> Any:
    async with make_core(url, **_options(options)) as core:
        res = await chat_send_async(core, STREAM_REQUEST if stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, AsyncChatStream):
            assert [chunk async for chunk in res.value] == []
        return res


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("name", list(bombs()))
def test_every_bomb_is_an_error_within_256_mib(mock: MockServer, name: str, mode: str) -> None:
    reply, error, stream = bombs()[name]
    mock.reset()
    mock.enqueue(reply)
    if mode == "sync":
        res, growth = peak_growth(lambda: _support.guarded(lambda: _run_sync(mock.base_url, stream)))
    else:
        res, growth = peak_growth(
            lambda: _support.guarded(lambda: asyncio.run(_run_async(mock.base_url, stream)))
        )
    _support.FIGURES[f"bomb {name} ({mode})"] = f"peak RSS +{growth / MiB:.1f} MiB"
    assert type(_outcome_error(res)) is error, res
    assert growth < BOUND, f"{name}: peak RSS grew by {growth / MiB:.0f} MiB"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_inflating_stops_at_the_remaining_budget(mock: MockServer, mode: str) -> None:
    """With a 1 MiB cap a 1 GiB gzip body is abandoned after about 1 MiB of output, not a whole read's 64."""
    mock.reset()
    mock.enqueue(bombs()["gzip 1 GiB"][0])
    cap = {"max_response_bytes": MiB}
    if mode == "sync":
        res, growth = peak_growth(lambda: _run_sync(mock.base_url, False, **cap))
    else:
        res, growth = peak_growth(lambda: asyncio.run(_run_async(mock.base_url, False, **cap)))
    assert isinstance(res, Err) and isinstance(res.error, errors.ResponseTooLargeError), res
    assert growth < 24 * MiB, f"peak RSS grew by {growth / MiB:.0f} MiB for a 1 MiB cap"


LYING = ["br", "zstd", "compress", "x-bogus", "gzip, gzip", "deflate, deflate", "gzip, br", "identity, br"]


@pytest.mark.parametrize("coding", LYING)
@pytest.mark.parametrize("stream", [False, True])
def test_codings_not_offered_are_refused(mock: MockServer, coding: str, stream: bool) -> None:
    """Nothing is decoded in a coding the SDK did not offer: sync and async give `ResponseValidationError`."""
    reply = encoded_reply(stream_reply("hi") if stream else text_reply("hi"), *coding.split(", "))
    for run in (
        lambda: _run_sync(mock.base_url, stream),
        lambda: asyncio.run(_run_async(mock.base_url, stream)),
    ):
        mock.reset()
        mock.enqueue(reply)
        res = _support.guarded(run)
        assert isinstance(res, Err) and type(res.error) is errors.ResponseValidationError, res
        assert "offered" in res.error.message


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "identity", "identity, gzip", "GZIP"])
@pytest.mark.parametrize("stream", [False, True])
def test_offered_codings_still_decode(mock: MockServer, coding: str, stream: bool) -> None:
    codings = [c for c in coding.lower().split(", ") if c != "identity"]
    reply = encoded_reply(stream_reply("squeezed") if stream else text_reply("squeezed"), *codings)
    reply = dataclasses.replace(reply, headers=[("Content-Encoding", coding)])
    mock.reset()
    mock.enqueue(reply)
    _assert_squeezed(_whole_sync(mock.base_url, stream))
    mock.reset()
    mock.enqueue(reply)
    _assert_squeezed(asyncio.run(_whole_async(mock.base_url, stream)))


def _assert_squeezed(res: Any) -> None:
    assert isinstance(res, Ok), res
    assert res.value.choices[0].message.content == "squeezed"


def _whole_sync(url: str, stream: bool) -> Any:
    with make_core(url) as core:
        res = chat_send(core, STREAM_REQUEST if stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, ChatStream):
            return res.value.collect()
        return res


async def _whole_async(url: str, stream: bool) -> Any:
    async with make_core(url) as core:
        res = await chat_send_async(core, STREAM_REQUEST if stream else REQUEST)
        if isinstance(res, Ok) and isinstance(res.value, AsyncChatStream):
            return await res.value.collect()
        return res


def test_raw_deflate_without_zlib_header_still_decodes(mock: MockServer) -> None:
    import zlib

    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(text_reply("raw").body or b"") + compressor.flush()
    mock.reset()
    mock.enqueue(Reply(body=body, headers={"Content-Encoding": "deflate"}))
    with make_core(mock.base_url) as core:
        res = chat_send(core, REQUEST)
    assert isinstance(res, Ok) and res.value.choices[0].message.content == "raw", res


def test_one_sse_event_is_capped_even_uncompressed(mock: MockServer) -> None:
    """An event that never ends is cut at `max_response_bytes`, with the events before it delivered."""
    first = stream_reply("ok", keepalive_comments=False).chunks
    assert first is not None
    endless = Reply(
        chunks=[first[0], b"data: " + b"a" * (64 * 1024), *([b"a" * (64 * 1024)] * 8)],
        content_type="text/event-stream",
    )
    mock.reset()
    mock.enqueue(endless)
    with make_core(mock.base_url, max_response_bytes=256 * 1024) as core:
        res = chat_send(core, STREAM_REQUEST)
        assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
        chunks = list(res.value)
    assert len(chunks) == 1
    assert isinstance(res.value.error, errors.ResponseTooLargeError), res.value.error
