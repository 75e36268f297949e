"""`chat_run_tools`: the model -> tool -> model loop over your Python functions, to a bounded depth.

Each tool is a plain annotated function (`def weather(city: str, unit: str = "C") -> str`) or a function
taking one msgspec Struct, dataclass or TypedDict. Its JSON Schema comes from msgspec, its arguments are
decoded and validated with msgspec, and whatever goes wrong inside a tool (bad arguments, an exception)
is sent back to the model as the tool's reply instead of crashing the loop.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, get_type_hints, is_typeddict

import msgspec

from openrouter_core._call import Observed, Planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import (
    BudgetExceededError,
    OpenRouterError,
    ResponseValidationError,
    SDKValidationError,
    ToolLoopLimitError,
    UnexpectedClientError,
)
from openrouter_core._hooks import CallObserver, CallStart, start_call
from openrouter_core._models._message import ChatAssistantMessage, ChatToolCall
from openrouter_core._models._request import ChatGenerationParams, ChatMessage, ChatToolMessage
from openrouter_core._models._response import ChatResponse
from openrouter_core._models._tools import ChatFunctionTool, ChatFunctionToolFunction, ChatTool
from openrouter_core._numbers import check_number
from openrouter_core._prepare import to_struct
from openrouter_core._raw import RawResponse
from openrouter_core._safe_text import safe_str, type_name
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_parse import SchemaPlan, decode_as, schema_name, strict_schema
from openrouter_funcs._chat_send import ChatOptions, SendOptions

if TYPE_CHECKING:
    from openrouter_core._models._request_input import ChatRequestInput

__all__ = [
    "DEFAULT_MAX_TURNS",
    "Tool",
    "ToolRun",
    "Tools",
    "assistant_turn",
    "budget_error",
    "build_tools",
    "ToolLoop",
    "chat_run_tools",
    "chat_run_tools_async",
    "failure_text",
    "function_tool",
    "next_request",
    "no_choice_error",
    "prepare_tools",
    "render",
    "sticky",
    "turn_limit_error",
    "unknown_tool_text",
    "usage_cost",
]

DEFAULT_MAX_TURNS = 8
"""Model calls `chat_run_tools` makes at most before giving up."""

Tools = Mapping[str, Callable[..., Any]] | Sequence[Callable[..., Any]]
"""Tools by name, or a list of functions named by their `__name__`."""


class ToolRun(msgspec.Struct, frozen=True):
    """What `chat_run_tools` returns in `Ok`: the whole transcript and the model's final response.

    `messages` starts with the request's messages, then alternates the assistant's turns and the tool
    replies, and ends with the assistant's final answer. `turns` counts the model calls made.
    """

    messages: list[ChatMessage]
    response: ChatResponse
    turns: int

    @property
    def content(self) -> str | None:
        """The final answer's text (None when the model sent none)."""
        content = self.response.choices[0].message.content if self.response.choices else None
        if isinstance(content, list):
            return "".join(part.text for part in content if isinstance(part.text, str))
        return content if isinstance(content, str) else None


def _is_record(annotation: Any) -> bool:
    """A type decoded as one JSON object: a Struct, a dataclass or a TypedDict."""
    return isinstance(annotation, type) and (
        issubclass(annotation, msgspec.Struct)
        or dataclasses.is_dataclass(annotation)
        or is_typeddict(annotation)
    )


def _inline_root(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its root `$ref` replaced by the definition (tool parameters must be an object)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    defs = dict(schema.get("$defs", {}))
    root = dict(defs.pop(ref.removeprefix("#/$defs/")))
    if ref.encode() in msgspec.json.encode([root, defs]):
        defs[ref.removeprefix("#/$defs/")] = dict(root)
    root.pop("title", None)
    if defs:
        root["$defs"] = defs
    return root


class Tool:
    """One callable tool: its definition for the request, and how to decode its arguments and call it."""

    __slots__ = ("definition", "fn", "is_async", "name", "one_record", "plan", "record")

    def __init__(self, name: str, fn: Callable[..., Any], *, strict: bool) -> None:
        self.name = name
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        where = f"tool {name!r}"
        try:
            signature = inspect.signature(fn)
            hints = get_type_hints(fn, include_extras=True)
        except (TypeError, ValueError, NameError) as exc:
            raise SDKValidationError(f"{where}: cannot read its signature: {exc}", path=name) from exc
        params = list(signature.parameters.values())
        first: Any = hints.get(params[0].name) if len(params) == 1 else None
        self.one_record = first is not None and _is_record(first)
        self.record: type[Any]
        if self.one_record:
            self.record = first
        else:
            fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
            for param in params:
                if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
                    raise SDKValidationError(
                        f"{where}: parameter {param.name!r} must be passable by keyword", path=name
                    )
                if param.name not in hints:
                    raise SDKValidationError(
                        f"{where}: parameter {param.name!r} needs a type annotation", path=name
                    )
                if param.default is param.empty:
                    fields.append((param.name, hints[param.name]))
                else:
                    fields.append((param.name, hints[param.name], param.default))
            self.record = msgspec.defstruct(
                schema_name(fn, f"{name}_arguments"), fields, kw_only=True, forbid_unknown_fields=True
            )
        try:
            original = msgspec.json.schema(self.record)
        except Exception as exc:  # msgspec raises TypeError, or NameError for an unresolvable annotation
            raise SDKValidationError(f"{where}: no JSON Schema for its parameters: {exc}", path=name) from exc
        sent = strict_schema(original) if strict else _inline_root(original)
        sent.pop("description", None)  # the function's docstring describes the tool
        self.plan = SchemaPlan(name=name, sent=sent, original=original, strict=strict)
        description = inspect.getdoc(fn)
        function = ChatFunctionToolFunction(name=name, parameters=sent)
        if description:
            function = msgspec.structs.replace(function, description=description)
        if strict:
            function = msgspec.structs.replace(function, strict=True)
        self.definition = ChatFunctionTool(function=function)

    def arguments(self, call: ChatToolCall) -> tuple[Any, str | None]:
        """The decoded arguments of `call`, or an error text for the model."""
        try:
            return decode_as(call.function.arguments or "{}", self.record, self.plan), None
        except msgspec.ValidationError as exc:
            return None, f"error: invalid arguments for {self.name}: {exc}"
        except (msgspec.DecodeError, RecursionError) as exc:
            return None, f"error: the arguments for {self.name} are not valid JSON: {exc}"

    def invoke(self, arguments: Any) -> Any:
        """Call the function with decoded arguments (an awaitable for an async tool)."""
        if self.one_record:
            return self.fn(arguments)
        return self.fn(**{name: getattr(arguments, name) for name in arguments.__struct_fields__})


def render(value: Any) -> str:
    """A tool's return value as the text of its tool message (JSON unless it is already a str)."""
    if isinstance(value, str):
        return value
    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, ValueError):
        return safe_str(value)


def failure_text(name: str, exc: Exception) -> str:
    """What the model reads when a tool raised."""
    return f"error: {name} raised {type_name(exc)}: {safe_str(exc)}"


def unknown_tool_text(name: str, tools: Mapping[str, Tool]) -> str:
    """What the model reads when it calls a tool that does not exist."""
    return f"error: there is no tool named {name!r}; the tools are: {', '.join(sorted(tools))}"


def build_tools(tools: Tools, *, strict: bool) -> dict[str, Tool]:
    """Every tool by name; raises `SDKValidationError` for one whose schema cannot be built."""
    if isinstance(tools, Mapping):
        named = list(tools.items())
    else:
        named = [(getattr(fn, "__name__", ""), fn) for fn in tools]
    built: dict[str, Tool] = {}
    for name, fn in named:
        if not name or name in built:
            raise SDKValidationError(f"tool names must be unique and non-empty: {name!r}", path="tools")
        built[name] = Tool(name, fn, strict=strict)
    return built


def function_tool(
    fn: Callable[..., Any], *, name: str | None = None, strict: bool = False
) -> ChatFunctionTool:
    """The `tools` entry `chat_run_tools` sends for `fn` (raises `SDKValidationError` if it has none)."""
    return Tool(name or fn.__name__, fn, strict=strict).definition


def prepare_tools(
    request: ChatRequestInput, tools: Tools, strict: bool, max_turns: int
) -> Result[tuple[ChatGenerationParams, dict[str, Tool]], OpenRouterError]:
    """Validate the request and the tools; the request gains the tools' definitions."""
    try:
        check_number("max_turns", max_turns, low=1, high=sys.maxsize, integer=True)
    except (TypeError, ValueError) as exc:
        return Err(SDKValidationError(str(exc), path="max_turns"))
    params = to_struct(request, ChatGenerationParams)
    if not params.ok:
        return params
    try:
        built = build_tools(tools, strict=strict)
    except SDKValidationError as error:
        return Err(error)
    existing: list[ChatTool] = params.value.tools if isinstance(params.value.tools, list) else []
    definitions: list[ChatTool] = [*existing, *(tool.definition for tool in built.values())]
    return Ok((msgspec.structs.replace(params.value, tools=definitions), built))


def next_request(params: ChatGenerationParams, messages: list[ChatMessage]) -> ChatGenerationParams:
    """The request of the next turn: the same settings with the transcript so far."""
    return msgspec.structs.replace(params, messages=list(messages))


def assistant_turn(response: ChatResponse) -> tuple[ChatAssistantMessage, list[ChatToolCall]] | None:
    """The assistant's message and its tool calls, or None when the response has no choice."""
    if not response.choices:
        return None
    message = response.choices[0].message
    calls = message.tool_calls if isinstance(message.tool_calls, list) else []
    return message, calls


def no_choice_error(raw: RawResponse | None) -> Err[OpenRouterError]:
    """The error for a response without choices."""
    status = raw.status_code if raw is not None else None
    return Err(ResponseValidationError("the response has no choices", status_code=status), raw)


def turn_limit_error(max_turns: int, messages: list[ChatMessage]) -> OpenRouterError:
    """The error when the model still calls tools after `max_turns` model calls."""
    return ToolLoopLimitError(
        f"the model was still calling tools after max_turns={max_turns} model calls "
        f"({len(messages)} messages in the transcript)",
        max_turns=max_turns,
        messages=list(messages),
    )


def usage_cost(response: ChatResponse) -> float:
    """What a response cost in USD, from its `usage.cost` (0 when the server sent none)."""
    usage = response.usage
    return usage.cost if usage is not None and usage.cost is not None else 0.0


def budget_error(max_cost_usd: float, spent_usd: float, messages: list[ChatMessage]) -> OpenRouterError:
    """The error when the tool loop has spent `max_cost_usd` and the model still wants tools."""
    return BudgetExceededError(
        f"the tool loop spent ${spent_usd:.6f}, reaching max_cost_usd={max_cost_usd:g}, "
        f"while the model still called tools ({len(messages)} messages in the transcript)",
        budget_usd=max_cost_usd,
        spent_usd=spent_usd,
        messages=list(messages),
    )


def start_agent(core: OpenRouterCore, params: ChatGenerationParams) -> CallObserver | None:
    """The observers of one tool loop, or None when no `on_call` hook watches."""
    if not core.hooks.on_call:
        return None
    return start_call(core.hooks, CallStart("invoke_agent", core.server_url, params=params))


def start_tool(core: OpenRouterCore, built: Mapping[str, Tool], call: ChatToolCall) -> CallObserver | None:
    """The observers of one tool call, or None when no `on_call` hook watches."""
    if not core.hooks.on_call:
        return None
    tool = built.get(call.function.name)
    start = CallStart(
        "execute_tool",
        core.server_url,
        tool_name=call.function.name,
        tool_call_id=call.id,
        tool_arguments=call.function.arguments or "",
        tool_description=(inspect.getdoc(tool.fn) or "") if tool is not None else "",
    )
    return start_call(core.hooks, start)


def tool_input(
    built: Mapping[str, Tool], call: ChatToolCall
) -> tuple[Tool, Any, None] | tuple[None, str, OpenRouterError]:
    """The tool and its decoded arguments, or the error text for the model and the failure behind it."""
    tool = built.get(call.function.name)
    if tool is None:
        text = unknown_tool_text(call.function.name, built)
        return None, text, SDKValidationError(text, path="tool")
    arguments, problem = tool.arguments(call)
    if problem is not None:
        return None, problem, SDKValidationError(problem, path=tool.name)
    return tool, arguments, None


def told(observer: CallObserver | None, text: str, problem: OpenRouterError | None) -> str:
    """`text`, the tool call's reply, once its observers heard it (or the failure behind it)."""
    if observer is not None:
        observer.finished(Err(problem) if problem is not None else Ok(text))
    return text


def tool_raised(name: str, exc: Exception) -> OpenRouterError:
    """The failure of a tool that raised, carrying the exception as its cause."""
    error = UnexpectedClientError(failure_text(name, exc))
    error.__cause__ = exc
    return error


def _chat_run_tools(
    core: OpenRouterCore,
    request: ChatRequestInput,
    tools: Tools,
    *,
    max_turns: int = DEFAULT_MAX_TURNS,
    max_cost_usd: float | None = None,
    strict: bool = False,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Planned[ToolRun]:
    """Run the model -> tools -> model loop: `Ok(ToolRun(messages, response, turns))` or `Err(error)`.

    `tools` maps names to functions (or lists functions, named by `__name__`). Each function is annotated
    (`def f(city: str, days: int = 1)`) or takes one msgspec Struct, dataclass or TypedDict; its docstring
    is the tool's description. The model is called at most `max_turns` times; if it still asks for tools
    after that, the result is an `Err`. A tool that raises, or arguments that do not decode, become an
    `error: ...` tool message the model can react to. `strict=True` sends OpenAI-strict schemas.
    With `max_cost_usd`, once the replies so far cost that much (their `usage.cost`) the loop sends no
    further request and returns `Err(BudgetExceededError)`.
    Async tools need `chat_run_tools_async`, which awaits them and runs the calls of one turn together.
    Every turn sends the same settings (`models`, `provider`, ...) and the same `session_id` (a fresh one
    unless the request, `extra_body` or an `x-session-id` header gives it), and each assistant turn goes
    back as received, its `reasoning` and `reasoning_details` included, as reasoning models require.
    """
    setup = prepare_tools(request, tools, strict, max_turns)
    if not setup.ok:
        return setup
    params, built = setup.value
    params = sticky(params, headers, extra_body)
    options = ChatOptions(
        SendOptions(retries=retries, timeout_ms=timeout_ms, headers=headers, extra_body=extra_body)
    )
    return ToolLoop(params, built, max_turns, options, max_cost_usd)


def sticky(
    params: ChatGenerationParams, headers: Mapping[str, str] | None, extra_body: Mapping[str, Any] | None
) -> ChatGenerationParams:
    """`params` with a fresh `session_id`, unless the caller gave one (field, `extra_body` or header).

    One session keeps every turn of the loop on one provider, whose reasoning signatures the next turn
    must send back (another provider would reject or ignore them).
    """
    if params.session_id is not msgspec.UNSET:
        return params
    if isinstance(extra_body, Mapping) and "session_id" in extra_body:
        return params
    if headers and any(name.lower() == "x-session-id" for name in headers):
        return params
    return msgspec.structs.replace(params, session_id=f"tools-{os.urandom(16).hex()}")


class ToolLoop:
    """The loop's state and turns, without I/O; `run` and `run_async` only send and call the tools."""

    __slots__ = ("built", "max_cost_usd", "max_turns", "messages", "options", "params", "spent", "turn")

    def __init__(
        self,
        params: ChatGenerationParams,
        built: dict[str, Tool],
        max_turns: int,
        options: ChatOptions,
        max_cost_usd: float | None = None,
    ) -> None:
        self.params = params
        self.max_cost_usd = max_cost_usd
        self.spent = 0.0
        self.built = built
        self.max_turns = max_turns
        self.options = options
        self.messages: list[ChatMessage] = list(params.messages)
        self.turn = 0

    def request(self) -> ChatGenerationParams:
        """The next model call's request: the settings with the transcript so far."""
        self.turn += 1
        return next_request(self.params, self.messages)

    def answer(
        self, res: Result[ChatResponse, OpenRouterError]
    ) -> Result[ToolRun, OpenRouterError] | list[ChatToolCall]:
        """The loop's result once the model's reply ends it, else the tool calls to run now."""
        if not res.ok:
            return res
        found = assistant_turn(res.value)
        if found is None:
            return no_choice_error(res.raw)
        message, calls = found
        self.messages.append(message)
        if not calls:
            return Ok(ToolRun(messages=self.messages, response=res.value, turns=self.turn), res.raw)
        if self.turn == self.max_turns:
            return Err(turn_limit_error(self.max_turns, self.messages), res.raw)
        self.spent += usage_cost(res.value)
        if self.max_cost_usd is not None and self.spent >= self.max_cost_usd:
            return Err(budget_error(self.max_cost_usd, self.spent, self.messages), res.raw)
        return calls

    def replied(self, calls: list[ChatToolCall], texts: list[str]) -> None:
        """Add the tools' replies to the transcript."""
        for call, text in zip(calls, texts, strict=True):
            self.messages.append(ChatToolMessage(content=text, tool_call_id=call.id))

    def run(self, core: OpenRouterCore) -> Result[ToolRun, OpenRouterError]:
        """The loop with the sync client; the tools are called one after the other."""
        with Observed[ToolRun](start_agent(core, self.params)) as loop:
            loop.result = self._run(core)
        return loop.result

    async def run_async(self, core: OpenRouterCore) -> Result[ToolRun, OpenRouterError]:
        """The loop with the async client; async tools are awaited, the calls of one turn run together."""
        with Observed[ToolRun](start_agent(core, self.params)) as loop:
            loop.result = await self._run_async(core)
        return loop.result

    def _run(self, core: OpenRouterCore) -> Result[ToolRun, OpenRouterError]:
        for tool in self.built.values():
            if tool.is_async:
                return Err(
                    SDKValidationError(
                        f"tool {tool.name!r} is async: use chat_run_tools_async", path=tool.name
                    )
                )
        step = self.answer(self.options.reply(core, self.request()))
        while isinstance(step, list):
            self.replied(step, [_run_one(core, self.built, call) for call in step])
            step = self.answer(self.options.reply(core, self.request()))
        return step

    async def _run_async(self, core: OpenRouterCore) -> Result[ToolRun, OpenRouterError]:
        step = self.answer(await self.options.reply_async(core, self.request()))
        while isinstance(step, list):
            self.replied(step, await _run_all(core, self.built, step))
            step = self.answer(await self.options.reply_async(core, self.request()))
        return step


chat_run_tools = run(_chat_run_tools)
chat_run_tools_async = run_async(_chat_run_tools)


def _run_one(core: OpenRouterCore, built: Mapping[str, Tool], call: ChatToolCall) -> str:
    observer = start_tool(core, built, call)
    tool, value, problem = tool_input(built, call)
    if tool is not None:
        try:
            value = render(tool.invoke(value))
        except Exception as exc:
            value, problem = failure_text(tool.name, exc), tool_raised(tool.name, exc)
    return told(observer, str(value), problem)


async def _run_all(core: OpenRouterCore, built: Mapping[str, Tool], calls: list[ChatToolCall]) -> list[str]:
    """Every call's reply, in order; the calls run together (on asyncio or trio)."""
    import anyio  # with the first async tool call, not at import

    replies = [""] * len(calls)

    async def one(index: int) -> None:
        replies[index] = await _run_one_async(core, built, calls[index])

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(one, index)
    return replies


async def _run_one_async(core: OpenRouterCore, built: Mapping[str, Tool], call: ChatToolCall) -> str:
    observer = start_tool(core, built, call)
    tool, value, problem = tool_input(built, call)
    if tool is not None:
        try:
            value = tool.invoke(value)
            value = render(await value if inspect.isawaitable(value) else value)
        except Exception as exc:
            value, problem = failure_text(tool.name, exc), tool_raised(tool.name, exc)
    return told(observer, str(value), problem)
