# pyright: strict
"""Async: a whole reply and a streamed one on one core."""

from __future__ import annotations

import asyncio

from openrouter_core import OpenRouterCore
from openrouter_funcs import chat_send_async


async def main() -> None:
    async with OpenRouterCore() as core:
        res = await chat_send_async(
            core, {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "async"}]}
        )
        print(res.value.choices[0].message.content if res.ok else res.error)

        streamed = await chat_send_async(
            core,
            {
                "model": "openai/gpt-4o-mini",
                "messages": [{"role": "user", "content": "async stream"}],
                "stream": True,
            },
        )
        if not streamed.ok:
            print("failed:", streamed.error)
            return
        async with streamed.value as stream:
            async for chunk in stream:
                print(chunk.choices[0].delta.content if chunk.choices else "", end="")
        print()
        if stream.error is not None:
            print("the stream failed:", stream.error)


asyncio.run(main())
