"""`ChatRequestInput`: what the chat functions take as a request (a typed dict, a Struct, a dict)."""

from collections.abc import Mapping
from typing import TypeAlias, final

from ._request import ChatGenerationParams
from ._request_types import ChatRequest

__all__ = ["ChatRequestInput"]


@final
class Unchecked:
    """The value type of a request mapping that is not a `ChatRequest`: only `Any` is assignable to it.

    So a `dict[str, Any]` (say, from `json.loads`) is accepted unchecked, while a dict literal must match
    `ChatRequest`: a misspelt or mistyped key in it is a type error instead of a silent fallback.
    """


ChatRequestInput: TypeAlias = ChatRequest | ChatGenerationParams | Mapping[str, Unchecked]
"""A request: a `ChatRequest` typed dict, a `ChatGenerationParams` Struct, or a `dict[str, Any]`."""
