"""The embedded server in a process of its own, stamping each request's arrival (for the Ray rate test).

A server inside the test process shares its interpreter with the Ray driver, whose pauses would bunch the
stamps; here they are taken as the requests come in. Prints the base URL, serves echo replies until its
standard input closes, then writes the arrival times (time.monotonic, one per line) to the path given.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path

from openrouter_core.testing import MockServer, RecordedRequest, Reply


def main() -> None:
    with contextlib.suppress(OSError):  # stamps taken late would bunch up; run first when we can
        os.nice(-10)
    stamps: list[float] = []
    lock = threading.Lock()

    def stamp(request: RecordedRequest) -> Reply | None:
        with lock:
            stamps.append(time.monotonic())
        return None

    with MockServer() as server:
        server.set_handler(stamp)
        print(server.base_url, flush=True)
        sys.stdin.read()
    with lock:
        Path(sys.argv[1]).write_text("".join(f"{t!r}\n" for t in stamps))


if __name__ == "__main__":
    main()
