"""The Ray adapter's parts that need no Ray: import isolation, shipping a schema, the outcome columns."""

from __future__ import annotations

import pickle
import subprocess
import sys

import msgspec
import pytest

from openrouter_core.errors import BadRequestResponseError
from openrouter_core.models import ChatResponse
from openrouter_core.result import Err, Ok
from openrouter_funcs.ray._schema import ShippedSchema


def test_importing_the_package_and_every_function_never_imports_ray() -> None:
    code = (
        "import sys\nimport openrouter_funcs\nfrom openrouter_funcs import chat_send\n"
        "for name in openrouter_funcs.__all__:\n    getattr(openrouter_funcs, name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ray', 'pyarrow', 'pandas')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


class Answer(msgspec.Struct, kw_only=True, rename="camel"):
    """A number and its tags."""

    the_number: int
    tags: list[str] = msgspec.field(default_factory=list)
    note: str | None = None


def test_a_struct_schema_is_rebuilt_from_its_recipe_with_the_same_wire_shape() -> None:
    shipped = pickle.loads(pickle.dumps(ShippedSchema(Answer)))
    rebuilt = shipped.type
    assert rebuilt is not Answer  # rebuilt, not looked up: a worker may not be able to import it
    assert rebuilt.__doc__ == Answer.__doc__
    assert msgspec.json.schema(rebuilt) == msgspec.json.schema(Answer)
    value = msgspec.json.decode(b'{"theNumber": 7, "tags": ["a"]}', type=rebuilt)
    assert msgspec.json.encode(value) == b'{"theNumber":7,"tags":["a"],"note":null}'


def test_other_schemas_travel_as_they_are() -> None:
    assert pickle.loads(pickle.dumps(ShippedSchema(dict[str, int]))).type == dict[str, int]


def test_outcome_columns_of_a_reply_and_of_an_error() -> None:
    pytest.importorskip("pyarrow", reason="pyarrow (the [ray] extra) is not installed")
    from openrouter_funcs.ray._rows import outcome_of

    response = msgspec.json.decode(
        b'{"id": "gen-1", "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"},'
        b' "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 1, "cost": 0.25}}',
        type=ChatResponse,
    )
    ok = outcome_of(Ok(response), attempts=1)
    assert (ok.ok, ok.content, ok.cost, ok.prompt_tokens, ok.completion_tokens) == (True, "hi", 0.25, 3, 1)
    assert ok.generation_id == "gen-1"
    assert msgspec.json.decode(ok.response or "")["id"] == "gen-1"
    failed = outcome_of(Err(BadRequestResponseError("nope", status_code=400)), attempts=2)
    assert (failed.ok, failed.error_type, failed.status_code, failed.attempts) == (
        False,
        "BadRequestResponseError",
        400,
        2,
    )
    assert failed.error == "400: nope"
    assert failed.content is None and failed.response is None
