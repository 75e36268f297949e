"""`openrouter-chat`: the command-line tool, as a subprocess, in-process, and in a real terminal (tmux)."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from openrouter_core.testing import MockServer, error_reply, stream_reply, text_reply
from openrouter_funcs._cli import main

CLI = [sys.executable, "-m", "openrouter_funcs._cli"]


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh(server: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.reset()
    # The conversation log goes to a fresh data directory, never the user's own.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    env.update(extra)
    return env


def run(
    server: MockServer, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args, "--base-url", server.base_url],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env if env is not None else clean_env(OPENROUTER_API_KEY="sk-cli"),
        timeout=30,
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], status: int, text: str) -> None:
    assert proc.returncode == status, proc
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("openrouter-chat: ") and text in lines[0], lines[0]


def test_streams_the_reply_and_prints_usage_on_stderr(server: MockServer) -> None:
    proc = run(server, "Why", "is", "the", "sky", "blue?", "-m", "openai/gpt-4o-mini", "--usage")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "You said: Why is the sky blue?\n"
    assert proc.stderr.startswith("usage: ") and "completion" in proc.stderr and "cost $" in proc.stderr
    sent = server.last_request.json()
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["model"] == "openai/gpt-4o-mini"
    assert server.last_request.headers["authorization"] == "Bearer sk-cli"


def test_reads_the_prompt_from_piped_stdin(server: MockServer) -> None:
    proc = run(server, stdin="summarise this\n")
    assert proc.stdout == "You said: summarise this\n"
    proc = run(server, "Translate:", "--system", "You translate.", stdin="bonjour")
    assert proc.returncode == 0
    messages = server.last_request.json()["messages"]
    assert messages == [
        {"role": "system", "content": "You translate."},
        {"role": "user", "content": "Translate:\n\nbonjour"},
    ]


def test_json_prints_the_whole_response(server: MockServer) -> None:
    proc = run(server, "hi", "--json")
    assert proc.returncode == 0
    body = msgspec.json.decode(proc.stdout)
    assert body["choices"][0]["message"]["content"] == "You said: hi"
    assert "stream" not in server.last_request.json()


def test_schema_sends_json_schema_and_prints_the_json(server: MockServer, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    path = tmp_path / "person.schema.json"
    path.write_bytes(msgspec.json.encode(schema))
    server.enqueue(text_reply('{"name":"Ada","age":36}'), text_reply("not json at all"))
    proc = run(server, "Who wrote the first program?", "--schema", str(path))
    assert proc.returncode == 0, proc.stderr
    assert msgspec.json.decode(proc.stdout) == {"name": "Ada", "age": 36}
    assert proc.stdout.startswith("{\n  ")
    response_format = server.last_request.json()["response_format"]
    assert response_format == {
        "type": "json_schema",
        "json_schema": {"name": "person", "schema": schema, "strict": True},
    }
    assert_one_line_error(run(server, "again", "--schema", str(path)), 1, "not valid JSON")
    assert_one_line_error(run(server, "x", "--schema", str(tmp_path / "missing.json")), 2, "cannot read")


def test_errors_are_one_line_with_a_status(server: MockServer) -> None:
    server.enqueue(error_reply(401, "No auth credentials found"))
    assert_one_line_error(run(server, "hi"), 1, "401: No auth credentials found")
    server.enqueue(stream_reply("partial answer", error={"code": 502, "message": "Provider\ndied"}))
    proc = run(server, "hi")
    assert proc.stdout == "partial answer\n"
    assert_one_line_error(proc, 1, "mid-way after 3 chunks (error event, code 502): Provider died")
    assert_one_line_error(run(server, stdin=""), 2, "no prompt")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    proc = subprocess.run(
        [*CLI, "hi", "--base-url", f"http://127.0.0.1:{closed_port}/api/v1"],
        input="",
        capture_output=True,
        text=True,
        env=clean_env(OPENROUTER_API_KEY="k"),
        timeout=30,
        check=False,
    )
    *retries, last = proc.stderr.splitlines()
    assert [line.split(" s (")[1] for line in retries] == [
        f"APIConnectionError, attempt {n}/4)" for n in (2, 3, 4)
    ]
    assert last.startswith("openrouter-chat: error: Unable to make request (POST http://127.0.0.1:"), last
    assert last.endswith("Connection refused') (after 4 attempts)") and proc.returncode == 1, last
    no_key = subprocess.run(
        [*CLI, "hi"], input="", capture_output=True, text=True, env=clean_env(), timeout=30, check=False
    )
    assert_one_line_error(no_key, 2, "OPENROUTER_API_KEY is not set")


def test_base_url_comes_from_the_environment(server: MockServer) -> None:
    proc = subprocess.run(
        [*CLI, "from env"],
        input="",
        capture_output=True,
        text=True,
        env=clean_env(OPENROUTER_BASE_URL=server.base_url),
        timeout=30,
        check=False,
    )
    assert proc.stdout == "You said: from env\n"


def test_ctrl_c_exits_130_without_a_traceback(server: MockServer) -> None:
    server.enqueue(stream_reply("tick " * 100, chunk_size=5, event_delay=0.2))
    proc = subprocess.Popen(
        [*CLI, "count slowly", "--base-url", server.base_url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(OPENROUTER_API_KEY="k"),
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.read(5)  # the stream has started
        assert first == b"tick "
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.decode() == "openrouter-chat: interrupted\n"
    assert out.endswith(b"\n")


def test_in_process(
    server: MockServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["hello", "--base-url", server.base_url, "--no-stream", "--usage"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "You said: hello\n"
    assert captured.err.startswith("usage: ")
    assert main(["hello", "--base-url", "ftp://nowhere"]) == 2
    assert "needs http(s)" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["--bogus-flag"])
    assert exited.value.code == 2


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("openrouter-chat")
    assert script.exists(), "reinstall the package: pip install -e ."
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30, check=True)
    assert "usage: openrouter-chat" in proc.stdout and "--schema" in proc.stdout


def in_terminal(server: MockServer, *args: str) -> list[str]:
    """Run the command in a real terminal (a detached tmux session); every distinct screen, until it exits."""
    tmux = shutil.which("tmux")
    assert tmux, "tmux is required for this test: apt-get install -y tmux"
    command = " ".join(
        [
            "env",
            "OPENROUTER_API_KEY=k",
            f"XDG_DATA_HOME={shlex.quote(os.environ['XDG_DATA_HOME'])}",
            *map(shlex.quote, CLI),
            *map(shlex.quote, args),
            "--base-url",
            shlex.quote(server.base_url),
            "; echo EXIT=$?; sleep 60",
        ]
    )
    socket_name = f"openrouter-test-{uuid.uuid4().hex[:8]}"
    base = [tmux, "-L", socket_name, "-f", "/dev/null"]
    subprocess.run(
        [*base, "new-session", "-d", "-s", "chat", "-x", "120", "-y", "20", command], check=True, timeout=10
    )
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = subprocess.run(
                [*base, "capture-pane", "-p", "-t", "chat"], capture_output=True, text=True, timeout=10
            ).stdout
            if not seen or screen != seen[-1]:
                seen.append(screen)
            if "EXIT=" in screen:
                break
            time.sleep(0.05)
    finally:
        subprocess.run([*base, "kill-server"], check=False, timeout=10)
    return seen


def test_streams_into_a_real_terminal(server: MockServer) -> None:
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    server.enqueue(stream_reply(" ".join(words), chunk_size=6, event_delay=0.4))
    seen = in_terminal(server, "spell the alphabet", "--usage")
    final = seen[-1]
    assert "alpha bravo charlie delta echo foxtrot" in final, final
    assert "EXIT=0" in final and "usage: " in final, final
    # The reply appeared piece by piece, as it streamed, not all at once at the end.
    partial = [screen for screen in seen if "alpha" in screen and "foxtrot" not in screen]
    assert partial, seen


def test_a_retry_shows_one_line_in_a_real_terminal_while_it_waits(server: MockServer) -> None:
    server.enqueue(
        error_reply(429, "Rate limit exceeded", headers={"retry-after": "1.5"}),
        stream_reply("after the wait", chunk_size=5),
    )
    seen = in_terminal(server, "hello")
    waiting = [screen for screen in seen if "retrying in" in screen and "EXIT=" not in screen]
    assert waiting, seen
    assert "openrouter-chat: retrying in 1.5 s (429, attempt 2/4)" in waiting[0], waiting[0]
    assert "after the wait" in seen[-1] and "EXIT=0" in seen[-1], seen[-1]


def test_continuing_a_conversation_in_a_real_terminal(server: MockServer) -> None:
    assert "EXIT=0" in in_terminal(server, "my name is Ada")[-1]
    final = in_terminal(server, "what is my name?", "-c")[-1]
    assert "You said: what is my name?" in final and "EXIT=0" in final, final
    history = [message["content"] for message in server.last_request.json()["messages"]]
    assert history == ["my name is Ada", "You said: my name is Ada", "what is my name?"]


def test_version_and_examples_in_help() -> None:
    from openrouter_core import __version__

    version = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=30, check=False)
    assert (
        version.returncode == 0
        and version.stdout.strip() == f"openrouter-chat {__version__} (openrouter-funcs)"
    )
    helped = subprocess.run([*CLI, "--help"], capture_output=True, text=True, timeout=30, check=False)
    assert "examples:" in helped.stdout and "openrouter-chat logs -n 5" in helped.stdout
    assert "-t TEMPERATURE, --temperature TEMPERATURE" in helped.stdout
    logs_help = subprocess.run(
        [*CLI, "logs", "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    assert logs_help.returncode == 0 and "examples:" in logs_help.stdout


def test_temperature_max_tokens_and_any_field_are_sent(server: MockServer) -> None:
    proc = run(
        server,
        "hi",
        "-t",
        "0.2",
        "--max-tokens",
        "50",
        "-o",
        "seed=42",
        "-o",
        'stop=["###"]',
        "-o",
        "user=ada",
    )
    assert proc.returncode == 0, proc.stderr
    sent = server.last_request.json()
    assert (sent["temperature"], sent["max_tokens"], sent["seed"], sent["stop"], sent["user"]) == (
        0.2,
        50,
        42,
        ["###"],
        "ada",
    )


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["-t", "3"], "between 0 and 2"),
        (["-t", "nan"], "not a finite number"),
        (["--max-tokens", "0"], "at least 1"),
        (["--timeout", "0"], "more than 0 and at most"),
        (["--timeout", "inf"], "more than 0 and at most"),
        (["-o", "seed"], "FIELD=VALUE"),
        (["-o", "temprature=1"], "unknown field `temprature`"),
        (["-o", 'seed="many"'], "$.seed"),
        (["-o", "messages=[]"], "not allowed"),
        (["--cid", "nosuch"], "no conversation 'nosuch'"),
        (["-c"], "no conversation to continue"),
        (["-c", "--cid", "x"], "not allowed with argument"),
    ],
)
def test_usage_errors_exit_2_and_send_nothing(server: MockServer, args: list[str], text: str) -> None:
    proc = run(server, "hi", *args)
    assert proc.returncode == 2, proc
    assert text in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert server.requests == []


def test_the_log_continues_and_lists_conversations(server: MockServer) -> None:
    assert run(server, "first question", "-s", "Be brief.", "-m", "openai/gpt-4o-mini").returncode == 0
    assert run(server, "follow-up", "-c").returncode == 0
    sent = server.last_request.json()
    assert sent["model"] == "openai/gpt-4o-mini"  # the continued conversation's model
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert run(server, "unrelated", "--no-stream").returncode == 0
    assert len(server.last_request.json()["messages"]) == 1
    assert run(server, "not kept", "--no-log").returncode == 0
    listed = subprocess.run(
        [*CLI, "logs", "--json"], capture_output=True, text=True, env=clean_env(), timeout=30, check=True
    )
    exchanges = msgspec.json.decode(listed.stdout)
    assert [e["prompt"] for e in exchanges] == ["first question", "follow-up", "unrelated"]
    first_cid = exchanges[0]["conversation_id"]
    assert exchanges[1]["conversation_id"] == first_cid != exchanges[2]["conversation_id"]
    assert exchanges[1]["reply"] == "You said: follow-up" and exchanges[1]["prompt_tokens"] > 0
    assert run(server, "third", "--cid", first_cid).returncode == 0
    assert len(server.last_request.json()["messages"]) == 6
    shown = subprocess.run(
        [*CLI, "logs", "--cid", first_cid],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=30,
        check=True,
    )
    assert shown.stdout.count(f"conversation {first_cid}") == 3 and "> third" in shown.stdout
    server.enqueue(error_reply(400, "Bad request"))
    assert run(server, "lost", "-c").returncode == 1  # a failed request is not logged
    again = subprocess.run(
        [*CLI, "logs", "-n", "1", "--json"],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=30,
        check=True,
    )
    assert [e["prompt"] for e in msgspec.json.decode(again.stdout)] == ["third"]


def test_models_are_listed_with_prices(server: MockServer) -> None:
    proc = run(server, "--models", env=clean_env())  # listing models needs no key
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["model", "input", "$/M", "output", "$/M", "context"]
    assert lines[1].split() == ["openrouter/mock", "$1", "$2", "8,192"]
    assert lines[2].split() == ["openrouter/mock-large", "$3", "$15", "131,072"]
    only = run(server, "--models", "LARGE")
    assert [line.split()[0] for line in only.stdout.splitlines()[1:]] == ["openrouter/mock-large"]
    assert_one_line_error(run(server, "--models", "zzz"), 1, "no model id or name contains 'zzz'")


def test_retries_are_announced_and_counted_in_the_final_error(server: MockServer) -> None:
    limited = error_reply(429, "Rate limit exceeded", headers={"retry-after-ms": "50"})
    server.enqueue(limited, text_reply("made it"))
    proc = run(server, "hi", "--no-stream")
    assert proc.returncode == 0 and proc.stdout == "made it\n"
    assert proc.stderr == "openrouter-chat: retrying in 0.1 s (429, attempt 2/4)\n"
    server.enqueue(limited, limited, limited, limited)
    proc = run(server, "hi")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[:3] == [f"openrouter-chat: retrying in 0.1 s (429, attempt {n}/4)" for n in (2, 3, 4)]
    assert lines[3] == "openrouter-chat: error: 429: Rate limit exceeded (after 4 attempts)"
