# pyright: strict
"""A batch: many questions, one result each, in order."""

from __future__ import annotations

from openrouter_core import OpenRouterCore
from openrouter_funcs import chat_send_many

core = OpenRouterCore()
questions = ["What is 2+2?", "Name a colour.", "Spell cat."]
results = chat_send_many(
    core,
    [{"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": q}]} for q in questions],
    concurrency=2,
)
for question, res in zip(questions, results, strict=True):
    if res.ok:
        print(question, "->", res.value.choices[0].message.content)
    else:
        print(question, "failed:", res.error)
