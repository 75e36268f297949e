"""``python -m openrouter_core.testing``: serve the mock until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from ._server import MockServer

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run a mock OpenRouter server in the foreground, printing its base URL, until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m openrouter_core.testing",
        description="Serve a mock OpenRouter API (default echo replies) until interrupted.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="port to bind, 0 for any free one (default: 0)")
    parser.add_argument("--prefix", default="/api/v1", help="API path prefix (default: %(default)s)")
    args = parser.parse_args(argv)
    server = MockServer(host=args.host, port=args.port, prefix=args.prefix)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(server.base_url, flush=True)
    print("Serving mock OpenRouter API; press Ctrl-C to stop.", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
