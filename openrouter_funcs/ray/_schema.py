"""`ShippedSchema`: a `parse=` schema that reaches the workers intact, even when defined in `__main__`.

Ray ships a class that workers cannot import (a script's or a notebook's) by value, and a msgspec Struct
class does not survive that: it arrives without its fields. A Struct is therefore sent as its recipe
(name, fields, defaults, options, docstring) and rebuilt with `msgspec.defstruct` on the worker; any other
schema goes as it is. Structs nested inside it must be importable by the workers.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["ShippedSchema"]

_NODEFAULT = msgspec.NODEFAULT


def _rebuilt(
    name: str, fields: list[tuple[Any, ...]], options: dict[str, Any], doc: str | None
) -> ShippedSchema:
    specs: list[Any] = []
    for field_name, annotation, kind, value in fields:
        if kind == "factory":
            specs.append((field_name, annotation, msgspec.field(default_factory=value)))
        elif kind == "default":
            specs.append((field_name, annotation, value))
        else:
            specs.append((field_name, annotation))
    return ShippedSchema(msgspec.defstruct(name, specs, namespace={"__doc__": doc}, **options))


def _recipe(cls: type[msgspec.Struct]) -> tuple[Any, ...]:
    fields: list[tuple[Any, ...]] = []
    rename: dict[str, str] = {}
    for info in msgspec.structs.fields(cls):
        if info.encode_name != info.name:
            rename[info.name] = info.encode_name
        if info.default is not _NODEFAULT:
            fields.append((info.name, info.type, "default", info.default))
        elif info.default_factory is not _NODEFAULT:
            fields.append((info.name, info.type, "factory", info.default_factory))
        else:
            fields.append((info.name, info.type, "required", None))
    config = cls.__struct_config__
    options: dict[str, Any] = {
        "omit_defaults": config.omit_defaults,
        "forbid_unknown_fields": config.forbid_unknown_fields,
        "frozen": config.frozen,
        "kw_only": True,  # decoding never calls it positionally, and any field order is then valid
        "array_like": config.array_like,
        "tag": config.tag,
        "tag_field": config.tag_field,
        "rename": rename or None,
    }
    return (cls.__name__, fields, options, cls.__doc__)


class ShippedSchema:
    """Holds a `parse=` schema; pickling sends a Struct class as a recipe rebuilt on the other side."""

    __slots__ = ("type",)

    def __init__(self, schema: Any) -> None:
        self.type = schema

    def __reduce__(self) -> tuple[Any, ...]:
        schema = self.type
        if isinstance(schema, type) and issubclass(schema, msgspec.Struct):
            return (_rebuilt, _recipe(schema))
        return (ShippedSchema, (schema,))
