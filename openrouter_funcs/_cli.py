"""`openrouter-chat`: chat with a model from the terminal, on the same standalone functions as the library.

    openrouter-chat "Why is the sky blue?" -m openai/gpt-4o-mini
    git diff | openrouter-chat "Write a commit message for this diff" --usage
    openrouter-chat "Extract the people" --schema person.schema.json < article.txt

The reply streams to stdout as it arrives. Errors are one line on stderr with a non-zero exit status
(1: the request failed, 2: bad usage or configuration, 130: interrupted).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from openrouter_core import OpenRouterCore
    from openrouter_core.errors import OpenRouterError
    from openrouter_core.models import ChatResponse, ChatUsage

__all__ = ["main"]

PROG = "openrouter-chat"
DEFAULT_MODEL = "openrouter/auto"
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
MAX_TIMEOUT_S = 1_000_000  # the library's longest timeout_ms, in seconds


class _Fail(Exception):
    """A one-line error for stderr, with the exit status to return."""

    def __init__(self, message: str, status: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.status = status


class _Output:
    """Writes the reply to stdout, remembering whether the cursor is mid-line."""

    def __init__(self) -> None:
        self.mid_line = False

    def write(self, text: str) -> None:
        if text:
            self.mid_line = not text.endswith("\n")  # before writing: Ctrl-C may land during the flush
            sys.stdout.write(text)
            sys.stdout.flush()

    def end_line(self) -> None:
        if self.mid_line:
            self.write("\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Chat with a model on OpenRouter. The prompt is the arguments, or stdin when piped "
        "(both: the arguments, a blank line, then stdin). The key comes from OPENROUTER_API_KEY.",
    )
    parser.add_argument("prompt", nargs="*", help="the prompt (default: read from stdin)")
    parser.add_argument(
        "-m",
        "--model",
        default=os.environ.get("OPENROUTER_MODEL") or DEFAULT_MODEL,
        help=f"model slug (default: $OPENROUTER_MODEL or {DEFAULT_MODEL})",
    )
    parser.add_argument("-s", "--system", help="a system prompt")
    parser.add_argument("--json", action="store_true", help="print the final response as JSON")
    parser.add_argument(
        "--schema",
        metavar="FILE",
        help="a JSON Schema file: ask for JSON shaped like it (response_format json_schema) and print it",
    )
    parser.add_argument("--no-strict", action="store_true", help="send the --schema with strict: false")
    parser.add_argument("--no-stream", action="store_true", help="wait for the whole reply")
    parser.add_argument("--usage", action="store_true", help="print tokens and cost on stderr at the end")
    parser.add_argument(
        "--base-url",
        default=None,
        help="API base URL (default: $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1)",
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=None, metavar="SECONDS", help="per-attempt timeout (max 1e6)"
    )
    return parser


def _seconds(text: str) -> float:
    """A `--timeout` value: a finite number of seconds, more than 0 and at most 1,000,000."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < seconds <= MAX_TIMEOUT_S:  # also false for NaN
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIMEOUT_S:,}: {text!r}")
    return seconds


def _read_prompt(words: list[str]) -> str:
    prompt = " ".join(words).strip()
    piped = ""
    stdin = sys.stdin
    if stdin is not None and not stdin.isatty():
        piped = stdin.read().strip()
    if prompt and piped:
        return f"{prompt}\n\n{piped}"
    if prompt or piped:
        return prompt or piped
    raise _Fail("no prompt: pass it as an argument or pipe it on stdin", EXIT_USAGE)


def _load_schema(path: str, strict: bool) -> dict[str, Any]:
    import msgspec

    try:
        with open(path, "rb") as handle:
            schema = msgspec.json.decode(handle.read())
    except OSError as exc:
        raise _Fail(f"cannot read the schema file {path!r}: {exc.strerror or exc}", EXIT_USAGE) from exc
    except (msgspec.DecodeError, RecursionError) as exc:
        raise _Fail(f"the schema file {path!r} is not JSON: {exc}", EXIT_USAGE) from exc
    if not isinstance(schema, dict):
        raise _Fail(f"the schema file {path!r} must hold a JSON object", EXIT_USAGE)
    from openrouter_funcs._chat_parse import schema_name

    stem = os.path.basename(path).split(".")[0]
    return {
        "type": "json_schema",
        "json_schema": {"name": schema_name(object, stem), "schema": schema, "strict": strict},
    }


def _one_line(error: OpenRouterError | str) -> str:
    text = error if isinstance(error, str) else str(error) or type(error).__name__
    text = " ".join(text.split())
    return text if len(text) <= 500 else text[:497] + "..."


def _describe_usage(usage: ChatUsage | None) -> str:
    if usage is None:
        return "usage: not reported"
    text = (
        f"usage: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion"
        f" = {usage.total_tokens} tokens"
    )
    if usage.cost is not None:
        text += f", cost ${usage.cost:.6f}"
    return text


def _content(response: ChatResponse) -> str:
    if not response.choices:
        return ""
    content = response.choices[0].message.content
    if isinstance(content, list):
        return "".join(part.text for part in content if isinstance(part.text, str))
    return content if isinstance(content, str) else ""


def _core(args: argparse.Namespace) -> OpenRouterCore:
    from openrouter_core import OpenRouterCore
    from openrouter_core._core import DEFAULT_SERVER_URL

    core = OpenRouterCore(
        server_url=args.base_url,
        timeout_ms=None if args.timeout is None else max(1, round(args.timeout * 1000)),
        app_title=os.environ.get("OPENROUTER_APP_TITLE") or PROG,
    )
    if core.config_error is not None:
        raise _Fail(_one_line(core.config_error), EXIT_USAGE)
    if core.server_url == DEFAULT_SERVER_URL and not core.api_key():
        raise _Fail("OPENROUTER_API_KEY is not set", EXIT_USAGE)
    return core


def _run(args: argparse.Namespace, out: _Output) -> int:
    prompt = _read_prompt(args.prompt)
    response_format = _load_schema(args.schema, not args.no_strict) if args.schema else None
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": prompt})
    request: dict[str, Any] = {"model": args.model, "messages": messages}
    if response_format is not None:
        request["response_format"] = response_format
    stream = not (args.json or args.schema or args.no_stream)
    if stream:
        request["stream"] = True
        if args.usage:
            request["stream_options"] = {"include_usage": True}

    import msgspec

    from openrouter_core import ChatStream
    from openrouter_funcs._chat_send import chat_send

    with _core(args) as core:
        res = chat_send(core, request)
        if not res.ok:
            raise _Fail(_one_line(res.error))
        reply = res.value
        if isinstance(reply, ChatStream):
            usage = None
            with reply:
                for chunk in reply:
                    for choice in chunk.choices:
                        out.write(choice.delta.content or "")
                    usage = chunk.usage or usage
            out.end_line()
            if reply.error is not None:
                raise _Fail(_one_line(reply.error))
        else:
            usage = reply.usage
            if args.json:
                out.write(msgspec.json.format(msgspec.json.encode(reply), indent=2).decode() + "\n")
            elif args.schema:
                text = _content(reply)
                try:
                    value = msgspec.json.decode(text)
                except (msgspec.DecodeError, RecursionError) as exc:
                    raise _Fail(f"the model's reply is not valid JSON ({exc}): {_one_line(text)}") from exc
                out.write(msgspec.json.format(msgspec.json.encode(value), indent=2).decode() + "\n")
            else:
                out.write(_content(reply))
                out.end_line()
    if args.usage:
        print(_describe_usage(usage), file=sys.stderr, flush=True)
    return 0


def _exit_quietly_on_broken_pipe() -> NoReturn:
    # Python would complain about the flush of a closed stdout at exit; point it at /dev/null instead.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(EXIT_BROKEN_PIPE)


def main(argv: list[str] | None = None) -> int:
    """Run `openrouter-chat` with `argv` (default: the command line); returns the exit status."""
    out = _Output()
    try:
        args = _parser().parse_args(argv)
        return _run(args, out)
    except _Fail as fail:
        out.end_line()
        print(f"{PROG}: error: {fail}", file=sys.stderr, flush=True)
        return fail.status
    except KeyboardInterrupt:
        try:
            out.end_line()
            print(f"{PROG}: interrupted", file=sys.stderr, flush=True)
        except (OSError, ValueError, KeyboardInterrupt):
            pass
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _exit_quietly_on_broken_pipe()
    except Exception as exc:  # no traceback for the user, whatever happens
        out.end_line()
        from openrouter_core._safe_text import safe_str, type_name

        print(f"{PROG}: error: {type_name(exc)}: {_one_line(safe_str(exc))}", file=sys.stderr, flush=True)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
