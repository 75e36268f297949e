"""The main job: a non-streaming and a streaming chat through `chat_send`, printing the reply and usage,
then the same through the `openrouter-chat` command.

It talks to the embedded OpenRouter-compatible server on loopback, or, with `LIVE=1` and
`OPENROUTER_API_KEY` set, to the real API.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack

from openrouter_core import ChatStream, OpenRouterCore, models
from openrouter_core.testing import MockServer
from openrouter_funcs import chat_send


def describe(usage: models.ChatUsage | None) -> str:
    """One line of token counts and cost."""
    if usage is None:
        return "not reported"
    cost = f", cost ${usage.cost:.6f}" if usage.cost is not None else ""
    return f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens{cost}"


def main() -> int:
    with ExitStack() as stack:
        server: MockServer | None = None
        if os.environ.get("LIVE") == "1" and os.environ.get("OPENROUTER_API_KEY"):
            core = stack.enter_context(OpenRouterCore())
            model = os.environ.get("MODEL", "openai/gpt-4o-mini")
            print(f"talking to {core.server_url}")
        else:
            server = stack.enter_context(MockServer())
            core = stack.enter_context(OpenRouterCore(api_key="demo-key", server_url=server.base_url))
            model = "openrouter/mock"
            print(f"talking to the embedded server at {server.base_url} (LIVE=1 for the real API)")

        request = models.ChatGenerationParams(
            model=model,
            messages=[models.ChatUserMessage(content="Say hello in five words.")],
        )
        res = chat_send(core, request)
        if not res.ok:
            print(f"error: {res.error}", file=sys.stderr)
            return 1
        reply = res.value
        assert isinstance(reply, models.ChatResponse)
        print(f"reply:  {reply.choices[0].message.content}")
        print(f"usage:  {describe(reply.usage)}")

        stream_request = {
            "model": model,
            "messages": [{"role": "user", "content": "Now stream a short greeting."}],
            "stream": True,
        }
        res = chat_send(core, stream_request)
        if not res.ok:
            print(f"error: {res.error}", file=sys.stderr)
            return 1
        stream = res.value
        assert isinstance(stream, ChatStream)
        print("stream: ", end="", flush=True)
        usage = None
        with stream:
            for chunk in stream:
                for choice in chunk.choices:
                    if choice.delta.content:
                        print(choice.delta.content, end="", flush=True)
                usage = chunk.usage or usage
        print()
        if stream.error is not None:
            print(f"stream error: {stream.error}", file=sys.stderr)
            return 1
        print(f"usage:  {describe(usage)}")

        return run_cli(core.server_url, model, live=server is None)
    return 0


def run_cli(base_url: str, model: str, *, live: bool) -> int:
    """The same chat through the `openrouter-chat` command, run as a subprocess."""
    prompt = "Say hi from the command line."
    command = [sys.executable, "-m", "openrouter_funcs._cli", prompt, "-m", model, "--base-url", base_url]
    command.append("--usage")
    env = dict(os.environ)
    if not live:
        env["OPENROUTER_API_KEY"] = "demo-key"
        command.append("--no-log")  # a chat with the embedded server does not belong in your conversation log
    print(f'cli:    $ openrouter-chat "{prompt}" {" ".join(command[4:])}')
    done = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    for line in done.stdout.splitlines():
        print(f"        {line}")
    for line in done.stderr.splitlines():
        print(f"        (stderr) {line}")
    if done.returncode != 0:
        print(f"cli exited with status {done.returncode}", file=sys.stderr)
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
