# pyright: strict
"""Mistakes both checkers must report: every line marked `# expect-error` and no other."""

from __future__ import annotations

from openrouter_core import OpenRouterCore, models
from openrouter_funcs import (
    OpenRouter,
    chat_parse,
    chat_parse_async,
    chat_run_tools,
    chat_run_tools_async,
    chat_send,
    chat_send_async,
    chat_send_many,
    chat_send_many_async,
)

core = OpenRouterCore()
hi: list[models.ChatMessageParam] = [{"role": "user", "content": "hi"}]
chat_send(core, {"model": "m", "mesages": hi})  # expect-error
chat_send(core, {"model": "m", "messages": hi, "temperature": "hot"})  # expect-error
chat_send(core, {"model": "m", "messages": [{"role": "usr", "content": "hi"}]})  # expect-error
chat_send(core, {"model": "m", "messages": hi, "stream": "yes"})  # expect-error
chat_send(core, {"model": "m", "messages": hi, "provider": {"sort": "cheap"}})  # expect-error
chat_send(core, {"model": "m", "messages": hi, "models": "openai/gpt-4o"})  # expect-error
chat_parse(core, {"model": "m", "mesages": hi}, dict[str, int])  # expect-error
chat_run_tools(core, {"modle": "m", "messages": hi}, [])  # expect-error
chat_send_many(core, [{"model": "m", "messages": hi, "max_token": 5}])  # expect-error
OpenRouter().chat.send({"model": "m", "messages": hi, "temprature": 0.5})  # expect-error
request: models.ChatRequest = {"model": "m", "messages": hi, "top_pp": 0.5}  # expect-error
chat_send(core, {"model": "m", "messages": hi}, retrys=None)  # expect-error
chat_send(core, {"model": "m", "messages": hi}, timeout_ms="5s")  # expect-error
OpenRouter().chat.send({"model": "m", "messages": hi}, header={"X-Title": "t"})  # expect-error
client = OpenRouter()
client.chat.parse({"model": "m", "mesages": hi}, dict[str, int])  # expect-error
client.chat.run_tools({"model": "m", "messages": hi, "tool_choise": "auto"}, [])  # expect-error
client.chat.send_many([{"model": "m", "messages": hi, "seed": "7"}])  # expect-error


async def main() -> None:
    await chat_send_async(core, {"model": "m", "mesages": hi})  # expect-error
    await chat_send_async(core, {"model": "m", "messages": hi}, extra_body=[1])  # expect-error
    await chat_parse_async(core, {"model": "m", "messages": hi, "n": 2}, dict[str, int])  # expect-error
    await chat_run_tools_async(core, {"model": "m", "messages": hi, "max_tokens": "9"}, [])  # expect-error
    await chat_send_many_async(core, [{"model": "m", "messages": [{"role": "user"}]}])  # expect-error
    await client.chat.send_async({"model": "m", "messages": hi, "stream": 1})  # expect-error
