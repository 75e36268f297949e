"""Running a function in a forked child and collecting what it returns (a JSON-able value) or that it hung."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any


def fork(child: Callable[[], Any]) -> tuple[int, int]:
    """Start `child` in a forked process; returns its pid and the read end of the pipe it answers on."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() of a multi-threaded process
        pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        os.close(read)
        code = 0
        try:
            out = {"value": child()}
        except BaseException:
            out = {"escaped": traceback.format_exc()}
            code = 1
        with contextlib.suppress(BaseException):
            os.write(write, json.dumps(out).encode())
        os._exit(code)
    os.close(write)
    return pid, read


def join(pid: int, read: int, timeout: float) -> dict[str, Any]:
    """What the child answered ({"value": ...} or {"escaped": traceback}), or {"hung": True} (then killed)."""
    deadline = time.monotonic() + timeout
    data = b""
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return {"hung": True}
            piece = os.read(read, 1 << 16)
            if not piece:
                break
            data += piece
    finally:
        os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data) if data else {"escaped": "the child died without answering"}
