"""The deadline of the attempt in progress, which the core's own sync transport honours on every socket wait.

Kept apart from `_deadline_backend` so that importing a function does not import httpcore (and anyio).
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["attempt_deadline"]

attempt_deadline: ContextVar[float | None] = ContextVar("openrouter_attempt_deadline", default=None)
"""The `time.monotonic()` by which the current attempt must end, or None outside one."""
