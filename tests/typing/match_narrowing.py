# pyright: strict
"""Checked by mypy --strict and pyright (strict) in test_typing.py: `match` and `.ok` narrow the Result."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from openrouter_core import ChatStream, Err, Ok, OpenRouterCore, errors, models
from openrouter_funcs import chat_send

core = OpenRouterCore()
request: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
res = chat_send(core, request)

match res:
    case Ok(value):
        assert_type(value, models.ChatResponse | ChatStream)
    case Err(errors.TooManyRequestsResponseError() as limited):
        assert_type(limited, errors.TooManyRequestsResponseError)
    case Err(error):
        assert_type(error, errors.OpenRouterError)

if res.ok is True:
    assert_type(res, Ok[models.ChatResponse | ChatStream])
else:
    assert_type(res, Err[errors.OpenRouterError])

if isinstance(res, Ok):
    assert_type(res.value, models.ChatResponse | ChatStream)
