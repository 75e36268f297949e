"""One daemon thread that enforces sync deadlines by shutting down the socket of a response that overran.

httpx's sync read timeout bounds each wait for bytes, not the whole body: a server that drips a byte just
before every timeout could hold a call forever. Shutting the socket down wakes the blocked read at once.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time

import httpx

__all__ = ["Watch", "response_socket", "shutdown_socket", "watchdog"]


def response_socket(response: httpx.Response) -> socket.socket | None:
    """The socket under a response from httpx's default transport, or None (mock transports have none)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    return sock if isinstance(sock, socket.socket) else None


def shutdown_socket(response: httpx.Response) -> None:
    """Wake any read blocked on the response's socket, in whatever thread, by shutting the socket down."""
    sock = response_socket(response)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class Watch:
    """One armed deadline; `fired` tells whether the watchdog cut the connection."""

    __slots__ = ("fired", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock: socket.socket | None = sock
        self.fired = False


class Watchdog:
    """Shuts down the sockets of responses whose deadline passed, from one lazily started thread."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        # Also run in a forked child: the parent's thread does not exist there, and its lock may be held.
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._wake = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._live = 0

    def arm(self, deadline: float, response: httpx.Response) -> Watch | None:
        """Watch `response` until `deadline` (time.monotonic); None when it has no socket to cut."""
        sock = response_socket(response)
        if sock is None:
            return None
        watch = Watch(sock)
        with self._wake:
            self._live += 1
            if len(self._heap) > 64 and len(self._heap) > 2 * self._live:
                # Disarmed entries wait for their deadline in the heap; drop them before they pile up.
                self._heap = [entry for entry in self._heap if entry[2].sock is not None]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (deadline, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="openrouter-watchdog", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is watch:
                self._wake.notify()
        return watch

    def disarm(self, watch: Watch | None) -> None:
        """Stop watching, before the connection goes back to the pool."""
        if watch is not None:
            with self._wake:
                if watch.sock is not None:
                    watch.sock = None
                    self._live -= 1

    def _run(self) -> None:
        with self._wake:
            while True:
                heap = self._heap
                while heap and heap[0][2].sock is None:
                    heapq.heappop(heap)
                if not heap:
                    self._wake.wait()
                    continue
                delay = heap[0][0] - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                watch = heapq.heappop(heap)[2]
                sock, watch.sock = watch.sock, None
                if sock is not None:
                    self._live -= 1
                    watch.fired = True
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


watchdog = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=watchdog._reset)
