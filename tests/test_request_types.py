"""The `ChatRequest` typed dicts are generated from the request Structs and cannot drift from them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import msgspec

from openrouter_core import models
from openrouter_core._models import _request_types

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_request_types", ROOT / "scripts" / "gen_request_types.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_committed_module_is_what_the_generator_writes_today() -> None:
    generator = _generator()
    assert Path(_request_types.__file__).read_text() == generator.generate(), (
        "the request Structs changed: run `python scripts/gen_request_types.py`"
    )


def test_chat_request_has_every_field_of_the_struct_and_only_messages_is_required() -> None:
    fields = {field.encode_name for field in msgspec.structs.fields(models.ChatGenerationParams)}
    for typed in (models.ChatRequest, models.ChatRequestStreaming, models.ChatRequestNonStreaming):
        assert (
            set(typed.__annotations__) | set(typed.__required_keys__) | set(typed.__optional_keys__) == fields
        )
    assert models.ChatRequest.__required_keys__ == {"messages"}
    assert models.ChatRequestStreaming.__required_keys__ == {"messages", "stream"}


def test_every_request_struct_has_a_param_twin_with_the_same_keys() -> None:
    twins = 0
    for name in models.__all__:
        struct = getattr(models, name)
        param = getattr(models, f"{name}Param", None)
        if not (isinstance(struct, type) and issubclass(struct, msgspec.Struct) and param is not None):
            continue
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        keys = {field.encode_name for field in info.fields}
        if info.tag_field is not None:
            keys.add(info.tag_field)
        assert set(param.__required_keys__) | set(param.__optional_keys__) == keys, name
        required = {field.encode_name for field in info.fields if field.required}
        assert required <= param.__required_keys__, name
        twins += 1
    assert twins >= 80
