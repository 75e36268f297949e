# pyright: strict
"""Structured output: the reply decoded into a Struct, with the standalone function and the client."""

from __future__ import annotations

import msgspec

from openrouter_core import OpenRouterCore
from openrouter_funcs import OpenRouter, chat_parse


class City(msgspec.Struct):
    name: str
    country: str
    population: int


core = OpenRouterCore()
res = chat_parse(
    core,
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "The largest city in Japan?"}]},
    City,
)
if res.ok:
    city = res.value.value
    print(city.name, city.country, city.population)
else:
    print("failed:", res.error)

with OpenRouter() as client:
    parsed = client.chat.parse(
        {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "And in France?"}]}, City
    )
    print(parsed.value.name, parsed.response.usage)
