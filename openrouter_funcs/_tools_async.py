"""`chat_run_tools_async`: the model -> tool -> model loop on httpx's async client; tools may be async."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError
from openrouter_core._exchange import map_exception
from openrouter_core._models._message import ChatToolCall
from openrouter_core._models._request import ChatGenerationParams, ChatMessage, ChatToolMessage
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_send import chat_send_async, whole_reply_async
from openrouter_funcs._tools import (
    DEFAULT_MAX_TURNS,
    Tool,
    ToolRun,
    Tools,
    assistant_turn,
    failure_text,
    next_request,
    no_choice_error,
    prepare_tools,
    render,
    turn_limit_error,
    unknown_tool_text,
)

__all__ = ["chat_run_tools_async"]


async def chat_run_tools_async(
    core: OpenRouterCore,
    request: ChatGenerationParams | Mapping[str, Any],
    tools: Tools,
    *,
    max_turns: int = DEFAULT_MAX_TURNS,
    strict: bool = False,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Result[ToolRun, OpenRouterError]:
    """`chat_run_tools` on the async client. Async tools are awaited; the calls of one turn run together."""
    try:
        setup = prepare_tools(request, tools, strict, max_turns)
        if not setup.ok:
            return setup
        params, built = setup.value
        messages: list[ChatMessage] = list(params.messages)
        for turn in range(1, max_turns + 1):
            res = await whole_reply_async(
                await chat_send_async(
                    core,
                    next_request(params, messages),
                    retries=retries,
                    timeout_ms=timeout_ms,
                    headers=headers,
                    extra_body=extra_body,
                )
            )
            if not res.ok:
                return res
            reply = res.value
            found = assistant_turn(reply)
            if found is None:
                return no_choice_error(res.raw)
            message, calls = found
            messages.append(message)
            if not calls:
                return Ok(ToolRun(messages=messages, response=reply, turns=turn), res.raw)
            if turn == max_turns:
                return Err(turn_limit_error(max_turns, messages), res.raw)
            for call, text in zip(calls, await _run_all(built, calls), strict=True):
                messages.append(ChatToolMessage(content=text, tool_call_id=call.id))
        raise AssertionError("unreachable")  # pragma: no cover
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))


async def _run_all(built: Mapping[str, Tool], calls: list[ChatToolCall]) -> list[str]:
    """Every call's reply, in order; the calls run together (on asyncio or trio)."""
    import anyio  # with the first tool call, not with the client

    replies = [""] * len(calls)

    async def run(index: int) -> None:
        replies[index] = await _run_one(built, calls[index])

    async with anyio.create_task_group() as group:
        for index in range(len(calls)):
            group.start_soon(run, index)
    return replies


async def _run_one(built: Mapping[str, Tool], call: ChatToolCall) -> str:
    tool = built.get(call.function.name)
    if tool is None:
        return unknown_tool_text(call.function.name, built)
    arguments, problem = tool.arguments(call)
    if problem is not None:
        return problem
    try:
        result = tool.invoke(arguments)
        if inspect.isawaitable(result):
            result = await result
        return render(result)
    except Exception as exc:
        return failure_text(tool.name, exc)
