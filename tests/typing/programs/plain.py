# pyright: strict
"""A first program: one question, the answer or the failure printed."""

from __future__ import annotations

from openrouter_core import OpenRouterCore, models
from openrouter_funcs import chat_send

core = OpenRouterCore()
res = chat_send(
    core,
    {
        "model": "openai/gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Why is the sky blue?"},
        ],
        "temperature": 0.2,
        "max_tokens": 200,
        "provider": {"sort": "price", "allow_fallbacks": True},
    },
)
if res.ok:
    print(res.value.choices[0].message.content)
    print(res.value.usage)
else:
    print("failed:", res.error)

if not res:
    print("an Err is falsy, so `if not res:` catches every failure:", res.error)

# A request kept in a variable: annotated, it is checked here and the result stays precise.
question: models.ChatRequestNonStreaming = {
    "model": "openai/gpt-4o-mini",
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}},
            ],
        }
    ],
    "seed": 7,
}
answer = chat_send(core, question, timeout_ms=30_000)
print(answer.value.id if answer.ok else answer.error)

# A conversation carried on: the assistant's message from a response goes back into the next request.
if answer.ok:
    follow_up = chat_send(
        core,
        {
            "model": "openai/gpt-4o-mini",
            "messages": [
                *question["messages"],
                answer.value.choices[0].message,
                {"role": "user", "content": "Why?"},
            ],
        },
    )
    print(follow_up.unwrap().choices[0].message.content)
