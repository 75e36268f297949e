# pyright: strict
"""The thin client: values back, errors raised."""

from __future__ import annotations

import asyncio

from openrouter_core import errors
from openrouter_funcs import OpenRouter

with OpenRouter() as client:
    try:
        response = client.chat.send(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi!"}]}
        )
        print(response.choices[0].message.content)
    except errors.OpenRouterError as error:
        print("failed:", error)

    stream = client.chat.send(
        {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Stream"}], "stream": True}
    )
    for chunk in stream:
        print(chunk.choices[0].delta.content if chunk.choices else "", end="")
    print()


async def main() -> None:
    async with OpenRouter() as client:
        reply = await client.chat.send_async(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "async"}]}
        )
        print(reply.choices[0].message.content)
        stream = await client.chat.send_async(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "go"}], "stream": True}
        )
        async for chunk in stream:
            print(chunk.choices[0].delta.content if chunk.choices else "", end="")


asyncio.run(main())
