"""The embedded mock server: an asyncio HTTP/1.1 server on its own loop in a daemon thread."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
from collections import deque
from types import TracebackType

from ._builders import echo_reply, error_reply
from ._features import ResponseCache, lost_reasoning_reply
from ._http import BadRequest, ConnectionDone, read_request, write_reply
from ._routes import endpoint_reply
from ._script import Handler, RecordedRequest, Reply

__all__ = ["MockServer"]

_READ_LIMIT = 1 << 20
_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


class MockServer:
    """An OpenRouter-compatible HTTP/1.1 server on loopback, scripted with :class:`Reply` objects.

    Requests to ``POST {prefix}/chat/completions`` are answered with the enqueued replies in FIFO
    order, then by the handler installed with :meth:`set_handler`, then by :func:`echo_reply`.
    The handler also sees every other route first; returning ``None`` falls back to the built-in
    routes (``GET {prefix}/models``, ``/generation``, ``/credits``, ``/key``, ``POST
    {prefix}/embeddings`` and a JSON 404 for anything else). The handler runs on the
    server's event loop, so it must not block: script stalls with :class:`Delay` instead.

    Like OpenRouter, a chat request with ``X-OpenRouter-Cache: true`` is answered from ``cache`` when
    it can (``X-OpenRouter-Cache-Status: HIT`` with ``-Age``, ``-TTL`` and ``-Source-Id``; a hit takes
    no scripted reply), and a 200 to it is kept for ``X-OpenRouter-Cache-TTL`` seconds (``MISS``);
    ``X-OpenRouter-Cache-Clear: true`` drops the entry first. With ``require_reasoning_details=True`` it
    acts like Gemini 3: a tool result after an assistant tool call sent back without its
    ``reasoning_details`` gets a 400 (``error_type`` ``invalid_request``) before any scripted reply.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/api/v1",
        *,
        require_reasoning_details: bool = False,
    ) -> None:
        self.require_reasoning_details = require_reasoning_details
        self.cache = ResponseCache()
        self._host = host
        self._requested_port = port
        self._prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        self._completions_path = self._prefix + "/chat/completions"
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[Reply] = deque()
        self._handler: Handler | None = None
        self._requests: list[RecordedRequest] = []
        self._errors: list[BaseException] = []
        self._connections = itertools.count(1)
        self._connections_opened = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._port: int | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> MockServer:
        """Bind the socket and start serving in a background thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("MockServer is already running")
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=self._run, args=(loop, ready, failure), name="openrouter-mock-server", daemon=True
        )
        self._loop = loop
        self._thread = thread
        thread.start()
        if not ready.wait(_START_TIMEOUT):
            self.stop()
            raise RuntimeError("MockServer did not start in time")
        if failure:
            thread.join()
            self._thread = None
            self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread (idempotent)."""
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        if threading.current_thread() is thread:
            raise RuntimeError("MockServer.stop() cannot be called from the server thread")
        with contextlib.suppress(RuntimeError):  # the loop may already be closed
            loop.call_soon_threadsafe(self._request_stop)
        thread.join(_STOP_TIMEOUT)
        if thread.is_alive():
            raise RuntimeError("MockServer thread did not stop in time")
        self._thread = None
        self._loop = None
        self._port = None

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> MockServer:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"url={self.base_url!r}" if self._port is not None else "stopped"
        return f"<MockServer {state}>"

    # -- addresses -------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        """The host the server binds to."""
        return self._host

    @property
    def port(self) -> int:
        """The bound TCP port (the OS-chosen one when constructed with ``port=0``)."""
        if self._port is None:
            raise RuntimeError("MockServer is not running")
        return self._port

    @property
    def url(self) -> str:
        """The origin, e.g. ``http://127.0.0.1:PORT``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base URL, e.g. ``http://127.0.0.1:PORT/api/v1``."""
        return self.url + self._prefix

    # -- scripting -------------------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        """Append replies to the FIFO queue served to ``POST /chat/completions``."""
        for reply in replies:
            if not isinstance(reply, Reply):
                raise TypeError(f"enqueue() takes Reply objects, got {reply!r}")
        with self._lock:
            self._queue.extend(replies)

    def set_handler(self, handler: Handler | None) -> None:
        """Install (or remove with ``None``) a ``(RecordedRequest) -> Reply | None`` callable."""
        with self._lock:
            self._handler = handler

    def reset(self) -> None:
        """Forget queued replies, the handler, recorded requests, errors and cached responses."""
        with self._lock:
            self._queue.clear()
            self._handler = None
            self._requests.clear()
            self._errors.clear()
        self.cache.clear()

    @property
    def pending(self) -> int:
        """How many enqueued replies have not been served yet."""
        with self._lock:
            return len(self._queue)

    # -- inspection ------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent request (raises ``LookupError`` if there is none)."""
        with self._lock:
            if not self._requests:
                raise LookupError("MockServer has not received any request")
            return self._requests[-1]

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised by the handler or the server while serving (each also answered 500)."""
        with self._lock:
            return list(self._errors)

    @property
    def connections_opened(self) -> int:
        """How many TCP connections have been accepted so far."""
        with self._lock:
            return self._connections_opened

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least ``count`` requests were received; raises ``TimeoutError`` otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"received {len(self._requests)} of {count} requests in {timeout}s")
            return list(self._requests)

    # -- server thread ---------------------------------------------------------------------------

    def _run(
        self, loop: asyncio.AbstractEventLoop, ready: threading.Event, failure: list[BaseException]
    ) -> None:
        try:
            loop.run_until_complete(self._serve(ready, failure))
        except BaseException as exc:  # surface loop crashes to start() instead of dying silently
            failure.append(exc)
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()
                ready.set()

    def _request_stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    async def _serve(self, ready: threading.Event, failure: list[BaseException]) -> None:
        self._stopping = asyncio.Event()
        try:
            server = await asyncio.start_server(
                self._accept, self._host, self._requested_port, limit=_READ_LIMIT
            )
        except OSError as exc:
            failure.append(exc)
            ready.set()
            return
        self._port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stopping.wait()
        finally:
            await self._shutdown(server)

    async def _shutdown(self, server: asyncio.Server) -> None:
        server.close()
        current = asyncio.current_task()
        # Connections accepted just before close() may still be starting: sweep until quiet.
        for _ in range(20):
            pending = [task for task in asyncio.all_tasks() if task is not current]
            if not pending:
                break
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        writers = list(self._writers)
        for writer in writers:
            writer.close()
        for writer in writers:
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        self._writers.clear()
        await server.wait_closed()

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Registered synchronously so that stop() can close sockets whose task never got to run.
        self._writers.add(writer)
        with self._lock:
            self._connections_opened += 1
        asyncio.get_running_loop().create_task(self._connection(next(self._connections), reader, writer))

    async def _connection(
        self, connection_id: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        # With a zero high-water mark drain() waits until each write reached the kernel, which is
        # what makes Delay/Close land exactly between the scripted writes.
        writer.transport.set_write_buffer_limits(high=0)
        try:
            while True:
                try:
                    parsed = await read_request(reader, writer)
                except BadRequest as exc:
                    reply = error_reply(exc.status, exc.message)
                    await write_reply(writer, reply, keep_alive=False, head_only=False)
                    break
                if parsed is None:
                    break
                method, target, version, headers, body = parsed
                path, _, query = target.partition("?")
                request = RecordedRequest(method, path, headers, body, query, version, connection_id)
                self._record(request)
                reply = self._dispatch(request)
                keep_alive = _keep_alive(request, reply)
                await write_reply(writer, reply, keep_alive=keep_alive, head_only=method == "HEAD")
                if not keep_alive:
                    break
        except (ConnectionDone, ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception as exc:
            with self._lock:
                self._errors.append(exc)
        finally:
            if not writer.is_closing():
                writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._writers.discard(writer)

    def _record(self, request: RecordedRequest) -> None:
        with self._changed:
            self._requests.append(request)
            self._changed.notify_all()

    def _dispatch(self, request: RecordedRequest) -> Reply:
        if request.path != self._completions_path or request.method != "POST":
            return self._answer(request)
        if self.require_reasoning_details:
            refused = lost_reasoning_reply(request)
            if refused is not None:
                return refused
        cached = self.cache.lookup(request)
        if cached is not None:
            return cached
        return self.cache.store(request, self._answer(request))

    def _answer(self, request: RecordedRequest) -> Reply:
        is_completion = request.path == self._completions_path
        takes_queue = is_completion and request.method == "POST"
        with self._lock:
            queued = self._queue.popleft() if takes_queue and self._queue else None
            handler = self._handler
        if queued is not None:
            return queued
        if handler is not None:
            try:
                reply = handler(request)
                if reply is not None and not isinstance(reply, Reply):
                    raise TypeError(f"handler returned {reply!r}, expected Reply or None")
            except Exception as exc:
                with self._lock:
                    self._errors.append(exc)
                return error_reply(500, f"MockServer handler raised {type(exc).__name__}: {exc}")
            if reply is not None:
                return reply
        if is_completion:
            if request.method == "POST":
                return echo_reply(request)
            return error_reply(405, f"Method {request.method} not allowed", headers={"Allow": "POST"})
        routed = endpoint_reply(request, self._prefix)  # GET models/generation/credits/key, POST embeddings
        if routed is not None:
            return routed
        return error_reply(404, f"Not found: {request.method} {request.path}")


def _keep_alive(request: RecordedRequest, reply: Reply) -> bool:
    if reply.raw or not reply.keep_alive:
        return False
    connection = request.headers.get("connection", "").lower()
    if request.http_version == "HTTP/1.0":
        return "keep-alive" in connection
    return "close" not in connection
