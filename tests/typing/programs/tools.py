# pyright: strict
"""A tool loop: the model calls a Python function until it can answer."""

from __future__ import annotations

from openrouter_core import OpenRouterCore
from openrouter_funcs import chat_run_tools


def weather(city: str, unit: str = "C") -> str:
    """The current temperature in a city."""
    return f"21 {unit} in {city}"


core = OpenRouterCore()
res = chat_run_tools(
    core,
    {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Is it warm in Paris?"}],
        "tool_choice": "auto",
    },
    [weather],
)
if res.ok:
    print(res.value.content, "after", res.value.turns, "model calls")
else:
    print("failed:", res.error)
