# pyright: strict
"""Streaming: print the tokens as they come, then say whether the stream ended well."""

from __future__ import annotations

from openrouter_core import OpenRouterCore
from openrouter_funcs import chat_send

core = OpenRouterCore()
res = chat_send(
    core,
    {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Count to ten"}],
        "stream": True,
    },
)
if res.ok:
    with res.value as stream:
        for chunk in stream:
            for choice in chunk.choices:
                print(choice.delta.content or "", end="", flush=True)
    print()
    if stream.error is not None:
        print("the stream failed:", stream.error)
else:
    print("failed:", res.error)

again = chat_send(
    core,
    {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "collect me"}], "stream": True},
)
if again.ok:
    whole = again.value.collect()
    if whole.ok:
        print(whole.value.choices[0].message.content, whole.value.usage)
    else:
        print("the stream failed:", whole.error)
else:
    print("failed:", again.error)
