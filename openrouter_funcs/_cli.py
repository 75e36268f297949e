"""`openrouter-chat`: chat with a model from the terminal, on the same standalone functions as the library.

The reply streams to stdout as it arrives; each exchange is kept in a local SQLite log so `-c` can
continue it (see `_cli_log`). Errors are one line on stderr with a non-zero exit status (1: the request
failed, 2: bad usage or configuration, 130: interrupted); a retry is announced on stderr while it waits.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from openrouter_core import OpenRouterCore
    from openrouter_core.errors import OpenRouterError
    from openrouter_core.models import ChatResponse, ChatUsage
    from openrouter_funcs._cli_log import ConversationLog, Exchange

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


EXAMPLES = """examples:
  openrouter-chat "Why is the sky blue?" -m openai/gpt-4o-mini
  git diff | openrouter-chat "Write a commit message for this diff" --usage
  openrouter-chat "And in one sentence?" -c           continue the last conversation
  openrouter-chat "Be terse" -t 0.2 --max-tokens 200 -o seed=42 -o 'stop=["###"]'
  openrouter-chat "Extract the people" --schema person.schema.json < article.txt
  openrouter-chat --models gpt                        models whose id or name contains "gpt", with prices
  openrouter-chat logs -n 5                           the last 5 exchanges of the conversation log

exit status: 0 the reply was printed, 1 the request failed, 2 bad usage, 130 interrupted.
"""


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _temperature(text: str) -> float:
    value = _finite(text)
    if not 0 <= value <= 2:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2, not {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _parser() -> argparse.ArgumentParser:
    from openrouter_core import __version__

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Chat with a model on OpenRouter. The prompt is the arguments, or stdin when piped\n"
        "(both: the arguments, a blank line, then stdin). The key comes from OPENROUTER_API_KEY.\n"
        f"Each exchange is logged for -c; `{PROG} logs --help` shows the log, and `{PROG} -- logs`\n"
        "sends the word 'logs' as a prompt.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("prompt", nargs="*", help="the prompt (default: read from stdin)")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__} (openrouter-funcs)")
    parser.add_argument(
        "-m",
        "--model",
        help=f"model id (default: the continued conversation's, else $OPENROUTER_MODEL or {DEFAULT_MODEL});"
        " --models lists them",
    )
    parser.add_argument("-s", "--system", help="a system prompt")
    parser.add_argument("-t", "--temperature", type=_temperature, help="sampling temperature, 0 to 2")
    parser.add_argument("--max-tokens", type=_count, metavar="N", help="the longest reply, in tokens")
    parser.add_argument(
        "-o",
        "--option",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any request field; VALUE is JSON if it parses, else a string (repeatable: -o seed=42)",
    )
    conversation = parser.add_mutually_exclusive_group()
    conversation.add_argument(
        "-c", "--continue", dest="continue_last", action="store_true", help="continue the last conversation"
    )
    conversation.add_argument("--cid", metavar="ID", help="continue the conversation with this id")
    parser.add_argument("--no-log", action="store_true", help="do not record this exchange in the log")
    parser.add_argument(
        "--models",
        nargs="?",
        const="",
        metavar="SUBSTRING",
        help="list the models (those whose id or name contains SUBSTRING) with their prices, and exit",
    )
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


def _logs_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} logs",
        description="Show the conversation log: the latest exchanges, or one conversation.",
        epilog=f"examples:\n  {PROG} logs -n 3\n  {PROG} logs --cid ID\n  {PROG} logs --path",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-n", "--count", type=_count, default=10, help="how many exchanges (default: 10)")
    parser.add_argument("--cid", metavar="ID", help="every exchange of this conversation")
    parser.add_argument("--json", action="store_true", help="print the exchanges as JSON")
    parser.add_argument("--path", action="store_true", help="print where the log is kept, and exit")
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


def _core(args: argparse.Namespace, needs_key: bool = True) -> OpenRouterCore:
    from openrouter_core import OpenRouterCore
    from openrouter_core._core import DEFAULT_SERVER_URL

    core = OpenRouterCore(
        server_url=args.base_url,
        timeout_ms=None if args.timeout is None else max(1, round(args.timeout * 1000)),
        app_title=os.environ.get("OPENROUTER_APP_TITLE") or PROG,
    )
    if core.config_error is not None:
        raise _Fail(_one_line(core.config_error), EXIT_USAGE)
    if needs_key and core.server_url == DEFAULT_SERVER_URL and not core.api_key():
        raise _Fail("OPENROUTER_API_KEY is not set", EXIT_USAGE)
    return core


class _RetryLine(logging.Handler):
    """Shows each retry the SDK logs as one line on stderr, while the wait runs."""

    def __init__(self, out: _Output) -> None:
        super().__init__(logging.INFO)
        self.out = out
        self.attempts = 1

    def emit(self, record: logging.LogRecord) -> None:
        notice = getattr(record, "openrouter_retry", None)
        if notice is None:
            return
        self.attempts = notice.attempt
        self.out.end_line()
        print(
            f"{PROG}: retrying in {notice.delay:.1f} s ({notice.reason}, attempt {notice.attempt}/"
            f"{notice.max_attempts})",
            file=sys.stderr,
            flush=True,
        )


@contextlib.contextmanager
def _retry_lines(out: _Output) -> Iterator[_RetryLine]:
    logger = logging.getLogger("openrouter")
    handler = _RetryLine(out)
    level = logger.level
    logger.addHandler(handler)
    if level == logging.NOTSET or level > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _parse_options(pairs: list[str]) -> dict[str, Any]:
    import msgspec

    fields: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise _Fail(f"-o takes FIELD=VALUE, not {pair!r}", EXIT_USAGE)
        if name in ("messages", "stream"):
            raise _Fail(f"-o {name}=... is not allowed: the prompt and --no-stream set it", EXIT_USAGE)
        try:
            fields[name] = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError):
            fields[name] = text
    return fields


def _history(args: argparse.Namespace, log: ConversationLog | None) -> tuple[str | None, list[Exchange]]:
    """The conversation to continue (its id and exchanges), or a new one (None)."""
    if not (args.continue_last or args.cid):
        return None, []
    if log is None:
        raise _Fail("the conversation log cannot be read", EXIT_USAGE)
    try:
        cid = args.cid or log.last_conversation()
        exchanges = log.conversation(cid) if cid else []
    except Exception as exc:
        raise _Fail(f"cannot read the conversation log {str(log.path)!r}: {exc}", EXIT_USAGE) from exc
    if cid is None:
        raise _Fail("there is no conversation to continue yet (the log is empty)", EXIT_USAGE)
    if not exchanges:
        raise _Fail(f"no conversation {cid!r} in the log ({PROG} logs lists them)", EXIT_USAGE)
    return cid, exchanges


def _request(
    args: argparse.Namespace, prompt: str, system: str | None, history: list[Exchange]
) -> dict[str, Any]:
    from openrouter_core._prepare import to_struct
    from openrouter_core.models import ChatGenerationParams

    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    for exchange in history:
        messages.append({"role": "user", "content": exchange.prompt})
        messages.append({"role": "assistant", "content": exchange.reply})
    messages.append({"role": "user", "content": prompt})
    request: dict[str, Any] = {**_parse_options(args.option), "model": args.model, "messages": messages}
    if args.temperature is not None:
        request["temperature"] = args.temperature
    if args.max_tokens is not None:
        request["max_tokens"] = args.max_tokens
    if args.schema:
        request["response_format"] = _load_schema(args.schema, not args.no_strict)
    checked = to_struct(request, ChatGenerationParams)
    if not checked.ok:
        raise _Fail(f"invalid request field: {_one_line(checked.error)}", EXIT_USAGE)
    return request


def _open_log(args: argparse.Namespace) -> ConversationLog | None:
    if args.no_log and not (args.continue_last or args.cid):
        return None
    from openrouter_funcs._cli_log import ConversationLog, default_log_path

    return ConversationLog(default_log_path())


def _run(args: argparse.Namespace, out: _Output) -> int:
    if args.models is not None:
        return _list_models(args, out)
    log = _open_log(args)
    try:
        return _chat(args, out, log)
    finally:
        if log is not None:
            log.close()


def _chat(args: argparse.Namespace, out: _Output, log: ConversationLog | None) -> int:
    cid, history = _history(args, log)
    if not args.model:
        args.model = history[-1].model if history else os.environ.get("OPENROUTER_MODEL") or DEFAULT_MODEL
    prompt = _read_prompt(args.prompt)
    system = args.system if args.system or not history else history[0].system
    request = _request(args, prompt, system, history)
    stream = not (args.json or args.schema or args.no_stream)
    if stream:
        request["stream"] = True
        if args.usage:
            request["stream_options"] = {"include_usage": True}

    import msgspec

    from openrouter_core import ChatStream
    from openrouter_funcs._chat_send import chat_send

    with _core(args) as core, _retry_lines(out) as retries:
        res = chat_send(core, request)
        if not res.ok:
            attempts = res.raw.attempts if res.raw is not None else retries.attempts
            after = f" (after {attempts} attempts)" if attempts > 1 else ""
            raise _Fail(_one_line(res.error) + after)
        reply = res.value
        if isinstance(reply, ChatStream):
            usage = None
            text: list[str] = []
            with reply:
                for chunk in reply:
                    for choice in chunk.choices:
                        out.write(choice.delta.content or "")
                        text.append(choice.delta.content or "")
                    usage = chunk.usage or usage
            out.end_line()
            if reply.error is not None:
                raise _Fail(_one_line(reply.error))
            answer = "".join(text)
        else:
            usage = reply.usage
            answer = _content(reply)
            if args.json:
                out.write(msgspec.json.format(msgspec.json.encode(reply), indent=2).decode() + "\n")
            elif args.schema:
                try:
                    value = msgspec.json.decode(answer)
                except (msgspec.DecodeError, RecursionError) as exc:
                    raise _Fail(f"the model's reply is not valid JSON ({exc}): {_one_line(answer)}") from exc
                out.write(msgspec.json.format(msgspec.json.encode(value), indent=2).decode() + "\n")
            else:
                out.write(answer)
                out.end_line()
    if log is not None and not args.no_log:
        _record(log, cid, args.model, system, prompt, answer, usage)
    if args.usage:
        print(_describe_usage(usage), file=sys.stderr, flush=True)
    return 0


def _record(
    log: ConversationLog,
    cid: str | None,
    model: str,
    system: str | None,
    prompt: str,
    answer: str,
    usage: ChatUsage | None,
) -> None:
    import time

    from openrouter_funcs._cli_log import Exchange

    exchange = Exchange(
        conversation_id=cid or log.new_id(),
        model=model,
        system=system,
        prompt=prompt,
        reply=answer,
        prompt_tokens=usage.prompt_tokens if usage is not None else None,
        completion_tokens=usage.completion_tokens if usage is not None else None,
        cost=usage.cost if usage is not None else None,
        created=time.time(),
    )
    try:
        log.record(exchange)
    except Exception as exc:  # the reply is printed: a log that cannot be written only costs -c later
        print(f"{PROG}: warning: cannot write the conversation log {str(log.path)!r}: {exc}", file=sys.stderr)


def _per_million(price: str | None) -> str:
    try:
        value = float(price) * 1_000_000 if price is not None else math.nan
    except ValueError:
        return "?"
    if not math.isfinite(value):
        return "?"
    if value < 0:
        return "varies"
    return f"${value:.2f}".rstrip("0").rstrip(".") if value else "free"


def _list_models(args: argparse.Namespace, out: _Output) -> int:
    from openrouter_funcs._models_list import models_list

    needle = args.models.lower()
    with _core(args, needs_key=False) as core, _retry_lines(out):
        res = models_list(core)
    if not res.ok:
        raise _Fail(_one_line(res.error))
    found = [model for model in res.value.data if needle in model.id.lower() or needle in model.name.lower()]
    if not found:
        raise _Fail(f"no model id or name contains {args.models!r}")
    width = max(len(model.id) for model in found)
    out.write(f"{'model':<{width}}  {'input $/M':>10}  {'output $/M':>10}  {'context':>9}\n")
    for model in sorted(found, key=lambda model: model.id):
        pricing = model.pricing
        prompt = _per_million(pricing.prompt if pricing is not None else None)
        completion = _per_million(pricing.completion if pricing is not None else None)
        context = f"{model.context_length:,}" if model.context_length else "?"
        out.write(f"{model.id:<{width}}  {prompt:>10}  {completion:>10}  {context:>9}\n")
    return 0


def _logs(argv: list[str], out: _Output) -> int:
    import datetime

    import msgspec

    from openrouter_funcs._cli_log import ConversationLog, default_log_path

    args = _logs_parser().parse_args(argv)
    path = default_log_path()
    if args.path:
        out.write(f"{path}\n")
        return 0
    if not path.exists():
        out.write(f"the conversation log is empty ({path})\n")
        return 0
    log = ConversationLog(path)
    try:
        exchanges = log.conversation(args.cid) if args.cid else log.recent(args.count)
    except Exception as exc:
        raise _Fail(f"cannot read the conversation log {str(path)!r}: {exc}", EXIT_FAILED) from exc
    finally:
        log.close()
    if args.cid and not exchanges:
        raise _Fail(f"no conversation {args.cid!r} in the log", EXIT_USAGE)
    if args.json:
        out.write(
            msgspec.json.format(msgspec.json.encode([e._asdict() for e in exchanges]), indent=2).decode()
        )
        out.write("\n")
        return 0
    for exchange in exchanges:
        when = datetime.datetime.fromtimestamp(exchange.created).strftime("%Y-%m-%d %H:%M:%S")
        out.write(f"# {when}  conversation {exchange.conversation_id}  {exchange.model}\n")
        if exchange.system:
            out.write(f"system: {_one_line(exchange.system)}\n")
        out.write(f"> {_one_line(exchange.prompt)}\n{exchange.reply.rstrip()}\n\n")
    if not exchanges:
        out.write(f"the conversation log is empty ({path})\n")
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
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["logs"]:
            return _logs(argv[1:], out)
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
