"""Text of an exception (or any object) that never raises, even when its `__str__` or `__repr__` does."""

from __future__ import annotations

__all__ = ["safe_repr", "safe_str", "type_name"]


def type_name(value: object) -> str:
    """The name of `value`'s type, or "object" if even that cannot be read."""
    try:
        name = type(value).__name__
    except Exception:
        return "object"
    return name if isinstance(name, str) else "object"


def safe_str(value: object) -> str:
    """`str(value)`, or a stand-in naming its type when `__str__` raises."""
    try:
        return str(value)
    except Exception:
        return f"<{type_name(value)}: str() failed>"


def safe_repr(value: object) -> str:
    """`repr(value)`, or a stand-in naming its type when `__repr__` raises."""
    try:
        return repr(value)
    except Exception:
        return f"<{type_name(value)}: repr() failed>"
