"""Install (once, cached outside the repo) and run the third-party servers the integration tests talk to.

Run `python tests/integration/peers.py install [prism] [litellm] [llama]` to install ahead of the tests
(`make integration` does); the pytest fixtures call the same `ensure_*` functions, so a missing install is
made on first use. Everything lives under `$OPENROUTER_PEERS_CACHE` (default
`~/.cache/openrouter-funcs-peers`): each server in its own venv or npm prefix, the built llama-cpp-python
wheel in `wheels/`, the generated GGUF model in `models/`, server logs in `logs/`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
CACHE_DIR = Path(
    os.environ.get("OPENROUTER_PEERS_CACHE", Path.home() / ".cache" / "openrouter-funcs-peers")
).expanduser()

# Pinned so that a cached install stays valid and a fresh machine gets what the tests were written against.
PRISM_PACKAGE = "@stoplight/prism-cli@5.16.0"
# 1.110's `proxy` extra needs a `litellm-proxy` release that is not on PyPI; 1.108.7 is what pip resolves.
LITELLM_PACKAGES = ("litellm[proxy]==1.108.7", "prisma")
LLAMA_VERSION = "0.3.36"
GGUF_PACKAGES = ("gguf==0.19.0", "numpy")

# Only the library and its Python bindings: no tools, tests, examples, curl or BLAS (the same flags as the
# peers' own notes), so the build is as short as it can be on 2 cores.
LLAMA_CMAKE_ARGS = " ".join(
    [
        "-DLLAVA_BUILD=OFF",
        "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF",
        "-DLLAMA_BUILD_TOOLS=OFF",
        "-DLLAMA_BUILD_SERVER=OFF",
        "-DLLAMA_CURL=OFF",
        "-DGGML_BLAS=OFF",
        "-DGGML_OPENMP=OFF",
        "-DGGML_NATIVE=OFF",
    ]
)

# The LiteLLM proxy's master key when auth is on.
LITELLM_KEY = "sk-peer-test-key"

# A failed install is remembered this long, so one broken install is not retried by every fixture.
FAILURE_MEMORY_S = 600


class InstallError(RuntimeError):
    """An install step failed; the message says which command and why."""


_current = threading.local()


def log(message: str) -> None:
    who = getattr(_current, "name", None)
    print(f"[peers{':' + who if who else ''}] {message}", file=sys.stderr, flush=True)


def _run(cmd: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 3600) -> None:
    log("$ " + shlex.join(cmd))
    CACHE_DIR.joinpath("logs").mkdir(parents=True, exist_ok=True)
    out_path = CACHE_DIR / "logs" / f"install-{getattr(_current, 'name', 'peers')}.log"
    started = time.monotonic()
    with out_path.open("w") as out:
        try:
            proc = subprocess.run(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **(env or {})},
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise InstallError(f"{shlex.join(cmd)} failed: {exc}") from exc
    if proc.returncode != 0:
        lines = [line.strip() for line in out_path.read_text(errors="replace").splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower() and "WARNING" not in line]
        reason = (errors or lines or ["no output"])[0]
        raise InstallError(f"{shlex.join(cmd)} exited {proc.returncode}: {reason} (full output: {out_path})")
    log(f"  done in {time.monotonic() - started:.0f} s")


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """Serialise installs of one peer across processes (make's install step, pytest, a second run)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _cached(name: str, stamp_value: str, install: Callable[[], Path]) -> Path:
    """Run `install` unless its stamp says the same versions are already installed; return its result."""
    _current.name = name
    stamp = CACHE_DIR / f"{name}.installed"
    failed = CACHE_DIR / f"{name}.failed"
    with _locked(name):
        if stamp.exists() and stamp.read_text().splitlines()[0] == stamp_value:
            path = Path(stamp.read_text().splitlines()[1])
            if path.exists():
                return path
        if failed.exists() and time.time() - failed.stat().st_mtime < FAILURE_MEMORY_S:
            raise InstallError(f"(remembered from {failed}) {failed.read_text()}")
        log(f"installing {name} into {CACHE_DIR}")
        try:
            path = install()
        except InstallError as exc:
            failed.write_text(str(exc))
            raise
        failed.unlink(missing_ok=True)
        stamp.write_text(f"{stamp_value}\n{path}\n")
        return path


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise InstallError(f"`{tool}` is not on PATH; it is needed to install this peer")
    return found


def _venv(path: Path) -> Path:
    """A fresh venv at `path` (made from the interpreter running this), and its python."""
    shutil.rmtree(path, ignore_errors=True)
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", str(path)])
    python = path / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    return python


def ensure_prism() -> Path:
    """The `prism` executable of `@stoplight/prism-cli`, installed with npm into its own prefix."""

    def install() -> Path:
        npm = _need("npm")
        prefix = CACHE_DIR / "prism"
        shutil.rmtree(prefix, ignore_errors=True)
        prefix.mkdir(parents=True)
        _run(
            [
                npm,
                "install",
                "--prefix",
                str(prefix),
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                PRISM_PACKAGE,
            ]
        )
        return prefix / "node_modules" / ".bin" / "prism"

    return _cached("prism", PRISM_PACKAGE, install)


def ensure_litellm() -> Path:
    """The `litellm` executable of the LiteLLM proxy, in its own venv."""

    def install() -> Path:
        python = _venv(CACHE_DIR / "litellm-venv")
        # prisma: without it a missing API key gives 500 instead of 401.
        _run([str(python), "-m", "pip", "install", "-q", *LITELLM_PACKAGES])
        return python.parent / "litellm"

    return _cached("litellm", " ".join(LITELLM_PACKAGES), install)


def _llama_wheel(python: Path) -> Path:
    """The llama-cpp-python wheel from the cache, built first if missing (about 12 minutes on 2 cores)."""
    wheels = CACHE_DIR / "wheels"
    # The wheel is tagged py3-none-linux_x86_64: the bindings load the shared library with ctypes.
    found = sorted(wheels.glob(f"llama_cpp_python-{LLAMA_VERSION}-*-linux_{platform.machine()}.whl"))
    if found:
        log(f"using the cached wheel {found[-1]}")
        return found[-1]
    _need("cmake")
    _need("c++")
    partial = CACHE_DIR / "wheels.partial"
    shutil.rmtree(partial, ignore_errors=True)
    log("building llama-cpp-python from source: about 12 minutes on 2 cores, once per machine")
    _run(
        [
            str(python),
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            f"llama-cpp-python=={LLAMA_VERSION}",
            "-w",
            str(partial),
        ],
        env={"CMAKE_ARGS": LLAMA_CMAKE_ARGS, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)},
    )
    built = sorted(partial.glob("llama_cpp_python-*.whl"))
    if not built:
        raise InstallError(f"pip wheel left no llama_cpp_python wheel in {partial}")
    wheels.mkdir(parents=True, exist_ok=True)
    target = wheels / built[-1].name
    built[-1].replace(target)
    shutil.rmtree(partial, ignore_errors=True)
    return target


def ensure_llama() -> Path:
    """The python of a venv with `llama-cpp-python[server]` (from the cached wheel) and `gguf`."""

    def install() -> Path:
        python = _venv(CACHE_DIR / "llama-venv")
        wheel = _llama_wheel(python)
        _run([str(python), "-m", "pip", "install", "-q", f"{wheel}[server]", *GGUF_PACKAGES])
        return python

    return _cached("llama", f"llama-cpp-python=={LLAMA_VERSION} {' '.join(GGUF_PACKAGES)}", install)


def ensure_tiny_model(python: Path) -> Path:
    """The tiny random-weight GGUF model, generated by `make_tiny_gguf.py` with the llama venv's `gguf`."""
    generator = HERE / "make_tiny_gguf.py"
    digest = hashlib.sha256(generator.read_bytes()).hexdigest()[:16]

    def install() -> Path:
        out = CACHE_DIR / "models" / "tiny-random-llama.gguf"
        out.parent.mkdir(parents=True, exist_ok=True)
        _run([str(python), str(generator), str(out), "--seed", "0"])
        return out

    return _cached("tiny-model", digest, install)


INSTALLERS: dict[str, Callable[[], Path]] = {
    "prism": ensure_prism,
    "litellm": ensure_litellm,
    "llama": lambda: ensure_tiny_model(ensure_llama()),
}


def install(names: Sequence[str]) -> int:
    """Install the named peers (all when none), the slow llama build alongside the others; 1 if any failed."""
    names = list(names) or list(INSTALLERS)
    for stale in CACHE_DIR.glob("*.failed"):
        stale.unlink()  # asked explicitly: try again
    failures: dict[str, str] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        futures = {name: pool.submit(INSTALLERS[name]) for name in names}
        for name, future in futures.items():
            try:
                log(f"{name}: ready at {future.result()}")
            except InstallError as exc:
                failures[name] = str(exc)
    for name, reason in failures.items():
        log(f"{name}: INSTALL FAILED, its tests will be skipped: {reason}")
    log(f"install step took {time.monotonic() - started:.0f} s")
    return 1 if failures else 0


# --- running a server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A server process started in its own session, stopped by its PID (and its process group)."""

    def __init__(
        self, name: str, cmd: Sequence[str], *, port: int, env: Mapping[str, str | None] | None = None
    ) -> None:
        self.name = name
        self.port = port
        logs = CACHE_DIR / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.log_path = logs / f"{name}-{port}.log"
        log(f"starting {name} on 127.0.0.1:{port}: {shlex.join(cmd)} (log {self.log_path})")
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                list(cmd),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None},
                start_new_session=True,
            )
        self.pid = self.proc.pid

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, url: str, *, timeout: float, ok: Callable[[httpx.Response], bool]) -> None:
        """Poll `url` until `ok(response)`; raise with the log tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode} during start-up:\n{self.log_tail()}"
                )
            try:
                if ok(httpx.get(url, timeout=2)):
                    log(f"{self.name} ready in {time.monotonic() - started:.1f} s")
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f} s at {url}:\n{self.log_tail()}")

    def stop(self) -> None:
        """TERM the process group led by our PID, then KILL it after 10 s."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Children that left the group are still ours if they outlived the leader; the group is gone now.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        log(f"stopped {self.name} (PID {self.pid})")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "install" or not set(args[1:]) <= set(INSTALLERS):
        print(f"usage: {sys.argv[0]} install [{'|'.join(INSTALLERS)} ...]", file=sys.stderr)
        sys.exit(2)
    sys.exit(install(args[1:]))
