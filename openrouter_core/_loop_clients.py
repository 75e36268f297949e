"""One async httpx client per running event loop, closed by that loop's own shutdown.

An `httpx.AsyncClient` pools connections bound to the loop that opened them: reused from another loop they
fail ("Event loop is closed", "bound to a different event loop"), sometimes after the server already took the
request. So a core keeps one client per asyncio loop. Each client is paired with a parked async generator that
the loop tracks: `asyncio.run` (any `loop.shutdown_asyncgens()`) closes it, and its `finally` closes the
client while the loop still runs. A loop closed without that shutdown leaves its client to be dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable

import httpx

__all__ = ["LoopClients"]

Key = asyncio.AbstractEventLoop | None  # None: no asyncio loop runs (trio through anyio); one shared client


def _running_loop() -> Key:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _Entry:
    """A loop's client and the parked generator that closes it when the loop shuts down."""

    __slots__ = ("client", "closer", "dropped", "retired", "users")

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.closer: AsyncGenerator[None, None] | None = None
        self.dropped = False
        self.retired = False  # aclose() came while calls used it: the last of them closes it
        self.users = 0

    async def release(self) -> None:
        """One call is done with the client; the last call on a retired client closes it."""
        self.users -= 1
        if self.retired and self.users == 0:
            await _close(self)


async def _close_with_loop(entry: _Entry) -> AsyncGenerator[None, None]:
    try:
        yield
    finally:
        if not entry.dropped:
            entry.dropped = True
            await entry.client.aclose()


async def _close(entry: _Entry) -> None:
    closer, entry.closer = entry.closer, None
    if closer is not None:
        await closer.aclose()
    elif not entry.dropped:
        entry.dropped = True
        await entry.client.aclose()


def _finish(entry: _Entry) -> None:
    """End the parked generator without touching the client (its loop is closed, or not ours)."""
    entry.dropped = True
    closer, entry.closer = entry.closer, None
    if closer is not None:
        with contextlib.suppress(StopIteration, RuntimeError):
            closer.aclose().send(None)  # runs the `finally`, which awaits nothing once dropped


class LoopClients:
    """The async clients of one core, one per running event loop."""

    def __init__(self, make: Callable[[], httpx.AsyncClient]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._entries: dict[Key, _Entry] = {}

    def get(self) -> httpx.AsyncClient:
        """The client of the running loop, created on first use there."""
        return self._entry().client

    def acquire(self) -> tuple[httpx.AsyncClient, Callable[[], Awaitable[None]]]:
        """The running loop's client for one call, and what to await once the call is done with it."""
        entry = self._entry()
        entry.users += 1  # only ever touched from the entry's own loop
        return entry.client, entry.release

    def _entry(self) -> _Entry:
        key = _running_loop()
        entry = self._entries.get(key)
        if entry is None or entry.dropped:
            entry = self._add(key)
        return entry

    def _add(self, key: Key) -> _Entry:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and not entry.dropped:
                return entry
            stale = [k for k, e in self._entries.items() if e.dropped or (k is not None and k.is_closed())]
            for old in stale:
                _finish(self._entries.pop(old))
            entry = self._entries[key] = _Entry(self._make())
        if key is not None:
            closer = _close_with_loop(entry)
            # Creating the first step registers the generator with the running loop (its firstiter hook);
            # the step ends at the `yield` without awaiting anything.
            with contextlib.suppress(StopIteration):
                closer.asend(None).send(None)
            entry.closer = closer
        return entry

    async def aclose_current(self) -> None:
        """Close the running loop's client, if it has one."""
        with self._lock:
            entry = self._entries.pop(_running_loop(), None)
        if entry is None:
            return
        if entry.users:
            entry.retired = True  # calls on other tasks still use it
            return
        await _close(entry)

    def current(self) -> httpx.AsyncClient | None:
        """The running loop's client without creating one."""
        entry = self._entries.get(_running_loop())
        return None if entry is None or entry.dropped else entry.client

    def drop_all(self) -> list[httpx.AsyncClient]:
        """Forget every client without closing it (after a fork, or when the core is collected)."""
        with contextlib.suppress(RuntimeError):
            self._lock = threading.Lock()  # the parent's lock may have been held at the fork
        entries, self._entries = self._entries, {}
        for entry in entries.values():
            _finish(entry)
        return [entry.client for entry in entries.values()]

    def release_closed(self) -> None:
        """Finish the generators of closed loops (the core is going away; running loops close theirs)."""
        for key, entry in list(self._entries.items()):
            if key is None or key.is_closed():
                _finish(entry)
