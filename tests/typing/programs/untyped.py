# pyright: strict
"""Requests whose streaming is not known statically: a dict[str, Any], a Struct, a `ChatRequest`.

They type-check, and the result is the union of a response and a stream, handled with `match`.
"""

from __future__ import annotations

import json
from typing import Any

from openrouter_core import ChatStream, OpenRouterCore, Result, models
from openrouter_core.errors import OpenRouterError
from openrouter_funcs import chat_parse, chat_send, chat_send_many

core = OpenRouterCore()


def show(res: Result[models.ChatResponse | ChatStream, OpenRouterError]) -> None:
    if not res.ok:
        print("failed:", res.error)
        return
    match res.value:
        case models.ChatResponse() as response:
            print(response.choices[0].message.content)
        case ChatStream() as stream:
            print(stream.collect())


loaded: dict[str, Any] = json.loads('{"model": "openai/gpt-4o-mini", "messages": []}')
show(chat_send(core, loaded))

struct = models.ChatGenerationParams(
    model="openai/gpt-4o-mini",
    messages=[models.ChatSystemMessage(content="Be brief."), models.ChatUserMessage(content="Hi")],
    provider=models.ProviderPreferences(sort="price"),
)
show(chat_send(core, struct))


def ask(stream: bool) -> None:
    request: models.ChatRequest = {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hi"}],
        "stream": stream,
    }
    show(chat_send(core, request))
    print(chat_parse(core, request, dict[str, int]))


ask(False)
print(chat_send_many(core, [loaded, struct]))
