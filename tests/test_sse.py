from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrouter_core._sse import SSEDecoder, decode_all

BOM = b"\xef\xbb\xbf"


def feed_all(decoder: SSEDecoder, chunks: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    for chunk in chunks:
        out.extend(decoder.feed(chunk))
    return out


def bytewise(stream: bytes) -> list[bytes]:
    return [stream[i : i + 1] for i in range(len(stream))]


def reference_decode(stream: bytes) -> tuple[list[bytes], str, str, int | None]:
    """Direct transcription of WHATWG HTML §9.2.6 plus the lenient final dispatch, on the whole stream."""
    if stream.startswith(BOM):
        stream = stream[3:]
    lines = re.split(rb"\r\n|\r|\n", stream)
    out: list[bytes] = []
    data: list[bytes] = []
    has_data = False
    event = b""
    last_id = ""
    event_type = ""
    retry: int | None = None

    def dispatch() -> None:
        nonlocal data, has_data, event, event_type
        if has_data:
            out.append(b"\n".join(data))
            event_type = event.decode("utf-8", "replace")
        data, has_data, event = [], False, b""

    for line in lines[:-1] + ([lines[-1]] if lines[-1] else []):
        if not line:
            dispatch()
            continue
        if line.startswith(b":"):
            continue
        name, colon, value = line.partition(b":")
        if colon and value.startswith(b" "):
            value = value[1:]
        if name == b"data":
            data.append(value)
            has_data = True
        elif name == b"event":
            event = value
        elif name == b"id":
            if b"\0" not in value:
                last_id = value.decode("utf-8", "replace")
        elif name == b"retry" and re.fullmatch(rb"[0-9]+", value):
            retry = int(value)
    dispatch()
    return out, last_id, event_type, retry


# --- line endings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"])
def test_each_line_ending(eol: bytes) -> None:
    stream = b"data: a" + eol + eol + b"data: b" + eol + eol
    assert decode_all([stream]) == [b"a", b"b"]


def test_mixed_line_endings() -> None:
    stream = b"data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\rdata: e\n\n"
    assert decode_all([stream]) == [b"a\nb\nc", b"d", b"e"]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n\r") == [b"a\nb"]
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"data: c\r\n\r\n") == [b"c"]
    assert decoder.flush() == []


def test_crlf_split_with_empty_chunks_between() -> None:
    assert decode_all([b"data: a\r", b"", b"", b"\ndata: b\r\n\r", b"", b"\n"]) == [b"a\nb"]


def test_lone_cr_at_chunk_end_then_other_content() -> None:
    assert decode_all([b"data: a\r", b"data: b\r", b"\r"]) == [b"a\nb"]


# --- fields -------------------------------------------------------------------------------------------


def test_comments_are_ignored() -> None:
    stream = b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {}\n: inline comment\n\n"
    assert decode_all([stream]) == [b"{}"]


def test_multi_line_data_joined_with_lf() -> None:
    assert decode_all([b"data: one\ndata: two\ndata:three\n\n"]) == [b"one\ntwo\nthree"]


def test_event_field_sets_event_type_of_last_dispatched_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: error\ndata: x\n\n") == [b"x"]
    assert decoder.event_type == "error"
    assert decoder.feed(b"data: y\n\n") == [b"y"]
    assert decoder.event_type == ""
    assert decoder.feed(b"event: ping\n\n") == []
    assert decoder.event_type == ""


def test_id_field_persists_across_events() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\ndata: a\n\ndata: b\n\n") == [b"a", b"b"]
    assert decoder.last_event_id == "7"
    assert decoder.feed(b"id\ndata: c\n\n") == [b"c"]
    assert decoder.last_event_id == ""


def test_id_without_data_still_updates_last_event_id() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 9\n\n") == []
    assert decoder.last_event_id == "9"


def test_id_containing_nul_is_ignored() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 1\n\nid: 2\x003\ndata: x\n\n") == [b"x"]
    assert decoder.last_event_id == "1"


@pytest.mark.parametrize(("line", "expected"), [(b"retry: 1500", 1500), (b"retry:20", 20)])
def test_retry_digits(line: bytes, expected: int) -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    assert decoder.feed(line + b"\n\n") == []
    assert decoder.retry == expected


@pytest.mark.parametrize("value", [b"", b"1.5", b"-1", b"10s", b" 10", b"\xd9\xa3"])
def test_retry_non_digits_ignored(value: bytes) -> None:
    decoder = SSEDecoder()
    decoder.feed(b"retry: 100\n\nretry: " + value + b"\n\n")
    assert decoder.retry == 100


def test_retry_with_too_many_digits_is_ignored() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 100\n\nretry: " + b"9" * 5000 + b"\ndata: x\n\n") == [b"x"]
    assert decoder.retry == 100


def test_unknown_fields_ignored() -> None:
    assert decode_all([b"foo: bar\nDATA: no\ndata : no\ndata: yes\n\n"]) == [b"yes"]


def test_field_without_colon_has_empty_value() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data\n\ndata\ndata\n\nevent: e\nevent\ndata: z\n\n") == [b"", b"\n", b"z"]
    assert decoder.event_type == ""


def test_data_without_space() -> None:
    assert decode_all([b"data:{}\n\ndata:  two spaces\n\n"]) == [b"{}", b" two spaces"]


def test_empty_data_is_dispatched() -> None:
    assert decode_all([b"data:\n\ndata: \n\n"]) == [b"", b""]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode_all([b"event: x\nid: 1\nretry: 5\n\n\n\n"]) == []


def test_payload_colons_and_spaces_preserved() -> None:
    payload = b'{"a": "b: c",  "d":" e " }  '
    assert decode_all([b"data: " + payload + b"\n\n"]) == [payload]


def test_payload_bytes_not_decoded() -> None:
    payload = b"\xff\xfe\x00 \xc3\xa9"
    assert decode_all([b"data: " + payload + b"\n\n"]) == [payload]


def test_done_is_an_ordinary_payload() -> None:
    assert decode_all([b'data: {"x":1}\n\ndata: [DONE]\n\n']) == [b'{"x":1}', b"[DONE]"]


# --- stream boundaries --------------------------------------------------------------------------------


def test_bom_skipped_at_stream_start() -> None:
    assert decode_all([BOM + b"data: a\n\n"]) == [b"a"]


def test_bom_split_across_chunks() -> None:
    assert decode_all([b"\xef", b"", b"\xbb", b"\xbfdata: a\n\n"]) == [b"a"]


def test_only_one_bom_skipped() -> None:
    # The second BOM makes the first line's field name "\ufeffdata", an unknown field.
    assert decode_all([BOM + BOM + b"data: a\n\ndata: b\n\n"]) == [b"b"]


def test_bom_prefix_only_stream() -> None:
    assert decode_all([b"\xef\xbb"]) == []


def test_flush_dispatches_event_without_trailing_blank_line() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\nevent: last\ndata: b\n") == [b"a"]
    assert decoder.flush() == [b"b"]
    assert decoder.event_type == "last"


def test_flush_dispatches_final_line_without_line_end() -> None:
    assert decode_all([b"data: a\n\ndata: b"]) == [b"a", b"b"]
    assert decode_all([b"data: a\r\n\r\ndata: x\r\ndata: b"]) == [b"a", b"x\nb"]


def test_flush_without_data_returns_nothing_and_resets() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 3\nevent: e") == []
    assert decoder.flush() == []
    assert decoder.last_event_id == "3"
    assert decoder.feed(b"data: fresh\n\n") == [b"fresh"]
    assert decoder.flush() == []


def test_event_split_mid_event_over_many_chunks() -> None:
    stream = b'data: {"choices":[{"delta":{"content":"hello"}}]}\n\n' * 3
    assert decode_all(bytewise(stream)) == [b'{"choices":[{"delta":{"content":"hello"}}]}'] * 3
    assert (
        decode_all([stream[:10], stream[10:60], stream[60:]])
        == [b'{"choices":[{"delta":{"content":"hello"}}]}'] * 3
    )


def test_blank_line_boundary_split_between_chunks() -> None:
    assert decode_all([b"data: a\n", b"\ndata: b\n", b"", b"\n"]) == [b"a", b"b"]


def test_large_event_in_many_chunks() -> None:
    payload = b"x" * 100_000
    stream = b"data: " + payload + b"\n\n"
    chunks = [stream[i : i + 997] for i in range(0, len(stream), 997)]
    assert decode_all(chunks) == [payload]


def test_leading_blank_lines_ignored() -> None:
    assert decode_all([b"\n\n\r\n\rdata: a\n\n"]) == [b"a"]


# --- properties ---------------------------------------------------------------------------------------

EOLS = (b"\n", b"\r", b"\r\n")
line_value = st.binary(max_size=20).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


@st.composite
def event_streams(draw: st.DrawFn) -> tuple[bytes, list[bytes], str]:
    """A stream of random events with random line endings, its expected payloads and last event ID."""
    lines: list[bytes] = []
    expected: list[bytes] = []
    last_id = ""
    n_events = draw(st.integers(0, 6))
    for index in range(n_events):
        data: list[bytes] = []
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["data", "data", "comment", "id", "event", "retry"]))
            value = draw(line_value)
            if kind == "data":
                sep = b": " if value.startswith(b" ") else draw(st.sampled_from([b":", b": "]))
                lines.append(b"data" + sep + value)
                data.append(value)
            elif kind == "comment":
                lines.append(b":" + value)
            elif kind == "id":
                lines.append(b"id: " + value)
                if b"\0" not in value:
                    last_id = value.decode("utf-8", "replace")
            elif kind == "event":
                lines.append(b"event:" + value)
            else:
                lines.append(b"retry: " + value)
        last = index == n_events - 1
        terminated = not last or draw(st.booleans())
        if data:
            expected.append(b"\n".join(data))
        if terminated:
            lines.extend([b""] * draw(st.integers(1, 2)))
    pieces: list[bytes] = []
    prev_eol = b""
    for i, line in enumerate(lines):
        eol = draw(st.sampled_from(EOLS))
        if prev_eol == b"\r" and not line and eol == b"\n":
            # CR followed by an LF-terminated blank line would be a single CRLF line end.
            eol = b"\r\n"
        if i == len(lines) - 1 and line and draw(st.booleans()):
            eol = b""
        pieces.append(line + eol)
        prev_eol = eol
    stream = b"".join(pieces)
    if draw(st.booleans()):
        stream = BOM + stream
    return stream, expected, last_id


@st.composite
def split_points(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(stream)), max_size=12)))
    bounds = [0, *cuts, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), case=event_streams())
def test_property_chunking_does_not_change_events(
    data: st.DataObject, case: tuple[bytes, list[bytes], str]
) -> None:
    stream, expected, last_id = case
    chunks = data.draw(split_points(stream))
    assert decode_all([stream]) == expected
    assert decode_all(chunks) == expected
    assert decode_all(bytewise(stream)) == expected
    decoder = SSEDecoder()
    assert feed_all(decoder, chunks) + decoder.flush() == expected
    assert decoder.last_event_id == last_id


sse_alphabet = st.lists(
    st.sampled_from(
        [b"\n", b"\r", b"\r\n", b":", b" ", b"data", b"event", b"id", b"retry", b"7", b"\0", b"x"]
    )
    | st.binary(max_size=4),
    max_size=40,
).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), stream=st.binary(max_size=200) | sse_alphabet)
def test_property_arbitrary_bytes_never_raise_and_match_reference(data: st.DataObject, stream: bytes) -> None:
    if data.draw(st.booleans()):
        stream = BOM + stream
    chunks = data.draw(split_points(stream))
    payloads, last_id, event_type, retry = reference_decode(stream)
    decoder = SSEDecoder()
    assert feed_all(decoder, chunks) + decoder.flush() == payloads
    assert (decoder.last_event_id, decoder.event_type, decoder.retry) == (last_id, event_type, retry)
    assert decode_all(bytewise(stream)) == payloads
