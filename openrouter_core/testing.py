"""An embedded OpenRouter-compatible HTTP server on loopback, for testing code that calls the API.

Start it with ``with MockServer() as server:``, point a client at ``server.base_url`` and script
byte-exact replies with :class:`Reply` (or the :func:`text_reply`, :func:`stream_reply` and
:func:`error_reply` builders); :class:`Delay` and :class:`Close` inside ``Reply.chunks`` inject
stalls and dropped connections. Unscripted chat completions get a deterministic echo reply.
Run ``python -m openrouter_core.testing --port 8080`` to serve it from a terminal.
"""

from __future__ import annotations

from openrouter_core._testing._builders import (
    DEFAULT_MODEL,
    echo_reply,
    error_reply,
    route_metadata,
    sse_event,
    stream_reply,
    text_reply,
)
from openrouter_core._testing._cli import main as _main
from openrouter_core._testing._encodings import bomb_reply, encoded_reply
from openrouter_core._testing._faults import (
    SlowAcceptServer,
    bare_error_event_reply,
    cut_at,
    cut_in_head,
    drip_reply,
    empty_reply,
    error_chunk_stream_reply,
    garbage_body_reply,
    garbage_sse_reply,
    html_reply,
    huge_reply,
    lying_gzip_reply,
    no_done_stream_reply,
    payload_of,
    refused_url,
    split_writes,
    sse_events_reply,
    stall_at,
    stall_before_headers,
    status_reply,
    truncated_json_reply,
    unaccepted_listener,
    wrong_types_reply,
)
from openrouter_core._testing._script import Chunk, Close, Delay, Handler, HeaderItems, RecordedRequest, Reply
from openrouter_core._testing._server import MockServer

__all__ = [
    "Chunk",
    "Close",
    "DEFAULT_MODEL",
    "Delay",
    "Handler",
    "HeaderItems",
    "MockServer",
    "RecordedRequest",
    "Reply",
    "SlowAcceptServer",
    "bare_error_event_reply",
    "bomb_reply",
    "cut_at",
    "cut_in_head",
    "drip_reply",
    "echo_reply",
    "empty_reply",
    "encoded_reply",
    "error_chunk_stream_reply",
    "error_reply",
    "garbage_body_reply",
    "garbage_sse_reply",
    "html_reply",
    "huge_reply",
    "lying_gzip_reply",
    "no_done_stream_reply",
    "payload_of",
    "refused_url",
    "route_metadata",
    "split_writes",
    "sse_event",
    "sse_events_reply",
    "stall_at",
    "stall_before_headers",
    "status_reply",
    "stream_reply",
    "text_reply",
    "truncated_json_reply",
    "unaccepted_listener",
    "wrong_types_reply",
]

if __name__ == "__main__":
    raise SystemExit(_main())
