"""ChatStream over httpx.MockTransport: SSE rules, errors set on `.error`, collect(), closing."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from conftest import USER_HELLO, chunk, sse

from openrouter_core import ChatStream, Err, Ok, OpenRouterCore, errors, models
from openrouter_funcs import chat_send

MakeCore = Callable[..., OpenRouterCore]
STREAM = {**USER_HELLO, "stream": True}


class Body(httpx.SyncByteStream):
    """A response body delivered in the given pieces, optionally failing after them; records closing."""

    def __init__(self, pieces: list[bytes], fail: Exception | None = None) -> None:
        self.pieces = pieces
        self.fail = fail
        self.closed = False
        self.served = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.served += 1
            yield piece
        if self.fail is not None:
            raise self.fail

    def close(self) -> None:
        self.closed = True


def open_stream(make_core: MakeCore, body: Body) -> ChatStream:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)

    res = chat_send(make_core(handler), STREAM)
    assert isinstance(res, Ok) and isinstance(res.value, ChatStream)
    return res.value


def contents(stream: ChatStream) -> list[str]:
    return [c.choices[0].delta.content or "" for c in stream if c.choices]


def test_chunks_are_yielded_and_the_stream_closes_itself(make_core: MakeCore) -> None:
    body = Body([sse(chunk("Hel"), chunk("lo"), chunk(finish="stop"))])
    stream = open_stream(make_core, body)
    assert contents(stream) == ["Hel", "lo", ""]
    assert stream.error is None
    assert body.closed


def test_comments_event_names_ids_and_multiline_data(make_core: MakeCore) -> None:
    first = json.dumps(chunk("a"))
    half = len(first) // 2
    raw = (
        ": OPENROUTER PROCESSING\n\n"
        f"event: message\nid: 7\ndata: {first[:half]}\ndata: {first[half:]}\n\n"
        f"data: {json.dumps(chunk('b', finish='stop'))}\r\n\r\n"
        "data: [DONE]\r\r"
    ).encode()
    stream = open_stream(make_core, Body([raw]))
    assert contents(stream) == ["a", "b"]
    assert stream.error is None


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_any_split_of_the_body_gives_the_same_chunks(make_core: MakeCore, size: int) -> None:
    raw = sse(": keepalive\n\n", chunk("x"), chunk("y"), chunk("z", finish="stop"))
    pieces = [raw[i : i + size] for i in range(0, len(raw), size)]
    stream = open_stream(make_core, Body(pieces))
    assert contents(stream) == ["x", "y", "z"]
    assert stream.error is None


def test_last_event_without_blank_line_is_delivered(make_core: MakeCore) -> None:
    raw = sse(chunk("a"), done=False) + f"data: {json.dumps(chunk('b', finish='stop'))}".encode()
    stream = open_stream(make_core, Body([raw]))
    assert contents(stream) == ["a", "b"]
    assert stream.error is None


def test_done_ends_the_stream_and_ignores_what_follows(make_core: MakeCore) -> None:
    raw = sse(chunk("a", finish="stop")) + sse(chunk("never"), done=False)
    stream = open_stream(make_core, Body([raw]))
    assert contents(stream) == ["a"]


def test_finish_reason_without_done_is_complete(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("a"), chunk(finish="stop"), done=False)]))
    assert contents(stream) == ["a", ""]
    assert stream.error is None


def test_neither_done_nor_finish_reason_is_truncated(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("a"), chunk("b"), done=False)]))
    assert contents(stream) == ["a", "b"]
    assert isinstance(stream.error, errors.StreamTruncatedError)
    assert isinstance(stream.collect(), Err)


def test_in_band_error_chunk_is_yielded_and_sets_error(make_core: MakeCore) -> None:
    error_chunk = chunk(
        finish="error",
        error={
            "code": 502,
            "message": "Provider disconnected",
            "metadata": {"error_type": "provider_unavailable"},
        },
    )
    stream = open_stream(make_core, Body([sse(chunk("par"), chunk("tial"), error_chunk)]))
    seen = list(stream)
    assert len(seen) == 3
    assert seen[2].error is not None and seen[2].choices[0].finish_reason == "error"
    error = stream.error
    assert isinstance(error, errors.BadGatewayResponseError)
    assert error.status_code == 200 and error.code == 502
    assert error.message == "Provider disconnected"
    assert error.metadata == {"error_type": "provider_unavailable"}
    assert "".join(c.choices[0].delta.content or "" for c in stream.chunks) == "partial"


def test_bare_error_event_ends_the_stream_without_a_chunk(make_core: MakeCore) -> None:
    bare = {"error": {"code": "server_error", "message": "Internal error"}}
    stream = open_stream(make_core, Body([sse(chunk("a"), bare, chunk("never"))]))
    assert contents(stream) == ["a"]
    assert type(stream.error) is errors.ChatError
    assert stream.error.code == "server_error"


def test_bare_rate_limit_event_is_typed_by_code(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse({"error": {"code": 429, "message": "slow"}})]))
    assert list(stream) == []
    assert isinstance(stream.error, errors.TooManyRequestsResponseError)


def test_malformed_event_keeps_earlier_chunks_and_sets_error(make_core: MakeCore) -> None:
    raw = sse(chunk("a"), done=False) + b"data: {not json\n\n" + sse(chunk("never"))
    stream = open_stream(make_core, Body([raw]))
    assert contents(stream) == ["a"]
    assert isinstance(stream.error, errors.ResponseValidationError)
    assert stream.error.body == "{not json"


def test_wrongly_typed_event_is_response_validation_error(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse({"choices": "nope"})]))
    assert list(stream) == []
    assert isinstance(stream.error, errors.ResponseValidationError)


def test_dropped_connection_mid_stream(make_core: MakeCore) -> None:
    body = Body([sse(chunk("a"), done=False)], fail=httpx.RemoteProtocolError("peer closed connection"))
    stream = open_stream(make_core, body)
    assert contents(stream) == ["a"]
    assert isinstance(stream.error, errors.APIConnectionError)
    assert isinstance(stream.error.__cause__, httpx.RemoteProtocolError)
    assert body.closed


def test_idle_timeout_mid_stream(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("a"), done=False)], fail=httpx.ReadTimeout("idle")))
    assert contents(stream) == ["a"]
    assert isinstance(stream.error, errors.RequestTimeoutError)
    assert stream.error.deadline == "read"


def test_break_releases_the_connection(make_core: MakeCore) -> None:
    body = Body([sse(chunk("a")), sse(chunk("b")), sse(chunk("c", finish="stop"))])
    stream = open_stream(make_core, body)
    for _ in stream:
        break
    gc.collect()
    assert body.closed
    assert stream.error is None
    assert body.served == 1


def test_with_block_and_close_release_the_connection(make_core: MakeCore) -> None:
    body = Body([sse(chunk("a")), sse(chunk("b", finish="stop"))])
    with open_stream(make_core, body) as stream:
        next(iter(stream))
    assert body.closed
    body2 = Body([sse(chunk("a", finish="stop"))])
    stream2 = open_stream(make_core, body2)
    stream2.close()
    assert body2.closed
    assert list(stream2) == []


def test_collect_assembles_everything(make_core: MakeCore) -> None:
    events: list[dict[str, Any]] = [
        chunk(None, provider="Prov", system_fingerprint=None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "role": "assistant",
                        "reasoning": "Let me ",
                        "reasoning_details": [
                            {
                                "type": "reasoning.text",
                                "text": "Let me ",
                                "index": 0,
                                "format": "anthropic-claude-v1",
                            }
                        ],
                    },
                }
            ]
        },
        chunk(None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "reasoning": "think.",
                        "reasoning_details": [
                            {"type": "reasoning.text", "text": "think.", "signature": "sig", "index": 0}
                        ],
                    },
                }
            ]
        },
        chunk(None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "reasoning_details": [
                            {"type": "reasoning.encrypted", "data": "enc", "index": 1},
                            {"type": "reasoning.future_kind", "index": 2},
                        ]
                    },
                }
            ]
        },
        chunk("The answer"),
        chunk(" is 42.")
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "content": " is 42.",
                        "annotations": [
                            {
                                "type": "url_citation",
                                "url_citation": {"url": "https://a.example", "title": "A"},
                            }
                        ],
                    },
                }
            ]
        },
        chunk(None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 0,
                                "id": "call_1",
                                "type": "function",
                                "function": {"name": "get_weather", "arguments": '{"ci'},
                            }
                        ]
                    },
                }
            ]
        },
        chunk(None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 1,
                                "id": "call_2",
                                "type": "function",
                                "function": {"name": "get_time", "arguments": "{}"},
                            }
                        ]
                    },
                }
            ]
        },
        chunk(None)
        | {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {"index": 0, "id": None, "type": None, "function": {"arguments": 'ty": "Paris"}'}}
                        ]
                    },
                }
            ]
        },
        chunk(None, finish="tool_calls")
        | {
            "choices": [
                {"index": 0, "delta": {}, "finish_reason": "tool_calls", "native_finish_reason": "tool_use"}
            ]
        },
        chunk(None)
        | {
            "choices": [],
            "usage": {
                "prompt_tokens": 5,
                "completion_tokens": 7,
                "total_tokens": 12,
                "cost": 0.001,
                "completion_tokens_details": {"reasoning_tokens": 3},
            },
        },
    ]
    stream = open_stream(make_core, Body([sse(*events)]))
    chunks = iter(stream)
    first = next(chunks)  # collect() includes chunks already read while the iterator is alive
    assert first.provider == "Prov"
    res = stream.collect()
    assert isinstance(res, Ok)
    response = res.value
    assert isinstance(response, models.ChatResponse)
    assert (response.id, response.model, response.provider, response.created) == ("gen-s", "m", "Prov", 1)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.native_finish_reason == "tool_use"
    message = choice.message
    assert message.content == "The answer is 42."
    assert message.reasoning == "Let me think."
    assert isinstance(message.reasoning_details, list)
    assert [(d.type, d.text, d.signature, d.data) for d in message.reasoning_details] == [
        ("reasoning.text", "Let me think.", "sig", models.UNSET),
        ("reasoning.encrypted", models.UNSET, models.UNSET, "enc"),
        ("reasoning.future_kind", models.UNSET, models.UNSET, models.UNSET),
    ]
    assert message.reasoning_details[0].format == "anthropic-claude-v1"
    assert isinstance(message.tool_calls, list)
    assert [(t.id, t.function.name, json.loads(t.function.arguments)) for t in message.tool_calls] == [
        ("call_1", "get_weather", {"city": "Paris"}),
        ("call_2", "get_time", {}),
    ]
    assert isinstance(message.annotations, list)
    assert message.annotations[0].url_citation is not models.UNSET
    assert response.usage is not None
    assert (response.usage.total_tokens, response.usage.cost) == (12, 0.001)


def test_collected_message_goes_back_into_the_next_request(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("Hi there"), chunk(finish="stop"))]))
    res = stream.collect()
    assert isinstance(res, Ok)
    follow_up = models.ChatGenerationParams(
        model="m",
        messages=[
            models.ChatUserMessage(content="hello"),
            res.value.choices[0].message,
            models.ChatUserMessage(content="and?"),
        ],
    )
    import msgspec

    assert json.loads(msgspec.json.encode(follow_up))["messages"][1] == {
        "role": "assistant",
        "content": "Hi there",
    }


def test_collect_returns_the_error_of_a_failed_stream(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("a"), {"error": {"code": 503, "message": "gone"}})]))
    res = stream.collect()
    assert isinstance(res, Err) and isinstance(res.error, errors.ServiceUnavailableResponseError)
    assert [c.choices[0].delta.content for c in stream.chunks] == ["a"]


def test_multiple_choices_are_kept_apart(make_core: MakeCore) -> None:
    events = [
        {
            "id": "g",
            "choices": [{"index": 0, "delta": {"content": "A"}}, {"index": 1, "delta": {"content": "B"}}],
        },
        {
            "id": "g",
            "choices": [
                {"index": 1, "delta": {"content": "b"}, "finish_reason": "stop"},
                {"index": 0, "delta": {"content": "a"}, "finish_reason": "length"},
            ],
        },
    ]
    res = open_stream(make_core, Body([sse(*events)])).collect()
    assert isinstance(res, Ok)
    assert [(c.index, c.message.content, c.finish_reason) for c in res.value.choices] == [
        (0, "Aa", "length"),
        (1, "Bb", "stop"),
    ]


def test_error_status_on_a_stream_request_is_an_err(make_core: MakeCore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(529, json={"error": {"code": 529, "message": "overloaded"}})

    res = chat_send(make_core(handler), STREAM)
    assert isinstance(res, Err) and isinstance(res.error, errors.ProviderOverloadedResponseError)


def test_collect_after_an_early_close_is_an_err_not_a_partial_reply(make_core: MakeCore) -> None:
    stream = open_stream(make_core, Body([sse(chunk("Hel")), sse(chunk("lo", finish="stop"))]))
    for _ in stream:
        break
    res = stream.collect()
    assert isinstance(res, Err) and isinstance(res.error, errors.RequestAbortedError)
    assert stream.error is None  # leaving the loop is not a failure of the stream


def test_absurdly_nested_events_never_raise(make_core: MakeCore) -> None:
    # Whether msgspec reaches Python's recursion limit here depends on the Python version (3.11 does, 3.13
    # copes): either way iterating and collecting give values, never a RecursionError.
    deep = '{"choices": [], "openrouter_metadata": ' + '{"endpoints": ' * 5000 + "1" + "}" * 5000 + "}"
    raw = sse(chunk("ok"), done=False) + f"data: {deep}\n\n".encode() + sse(chunk("end", finish="stop"))
    stream = open_stream(make_core, Body([raw]))
    delivered = contents(stream)
    assert delivered[0] == "ok"
    assert stream.error is None or isinstance(stream.error, errors.ResponseValidationError)
    again = open_stream(make_core, Body([raw])).collect()
    assert isinstance(again, Ok) or isinstance(again.error, errors.ResponseValidationError)
