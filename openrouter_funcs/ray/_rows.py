"""The columns `chat_map_batches` adds to each row, from the row's `Ok`/`Err`."""

from __future__ import annotations

from typing import Any

import msgspec
import pyarrow as pa

from openrouter_core._errors import OpenRouterError
from openrouter_core._models._response import ChatResponse
from openrouter_core.result import Result

__all__ = ["OUTPUT_SCHEMA", "PARSED_FIELD", "RowOutcome", "outcome_of", "outcome_table"]

OUTPUT_SCHEMA = pa.schema(
    [
        ("ok", pa.bool_()),
        ("content", pa.string()),
        ("response", pa.string()),
        ("error_type", pa.string()),
        ("error", pa.string()),
        ("status_code", pa.int64()),
        ("cost", pa.float64()),
        ("prompt_tokens", pa.int64()),
        ("completion_tokens", pa.int64()),
        ("generation_id", pa.string()),
        ("attempts", pa.int64()),
    ]
)
"""The added columns and their Arrow types (all nullable but `ok` and `attempts`)."""

PARSED_FIELD = pa.field("parsed", pa.string())
"""The extra column with `parse=`: the parsed value as JSON."""

_encode = msgspec.json.encode


class RowOutcome(msgspec.Struct, frozen=True):
    """One row's added columns."""

    ok: bool
    attempts: int
    content: str | None = None
    response: str | None = None
    error_type: str | None = None
    error: str | None = None
    status_code: int | None = None
    cost: float | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    generation_id: str | None = None
    parsed: str | None = None


def _content(response: ChatResponse) -> str | None:
    if not response.choices:
        return None
    content = response.choices[0].message.content
    if isinstance(content, list):
        return "".join(part.text for part in content if isinstance(part.text, str))
    return content if isinstance(content, str) else None


def outcome_of(
    result: Result[ChatResponse, OpenRouterError], attempts: int, parsed: Any = None, has_parsed: bool = False
) -> RowOutcome:
    """The added columns of a row whose call ended with `result` (`parsed` is `parse=`'s value)."""
    raw = result.raw
    status = raw.status_code if raw is not None else None
    if not result.ok:
        error = result.error
        code = getattr(error, "status_code", None)
        return RowOutcome(
            ok=False,
            attempts=attempts,
            error_type=type(error).__name__,
            error=str(error),
            status_code=code if isinstance(code, int) else status,
        )
    response = result.value
    usage = response.usage
    return RowOutcome(
        ok=True,
        attempts=attempts,
        content=_content(response),
        response=_encode(response).decode(),
        status_code=status,
        cost=usage.cost if usage is not None else None,
        prompt_tokens=usage.prompt_tokens if usage is not None else None,
        completion_tokens=usage.completion_tokens if usage is not None else None,
        generation_id=response.id or None,
        parsed=_encode(parsed).decode() if has_parsed else None,
    )


def outcome_table(rows: pa.Table, outcomes: list[RowOutcome], with_parsed: bool) -> pa.Table:
    """`rows` with the added columns appended (an input column of the same name is replaced)."""
    fields = [*OUTPUT_SCHEMA, PARSED_FIELD] if with_parsed else list(OUTPUT_SCHEMA)
    names = [field.name for field in fields]
    kept = rows.drop_columns([name for name in names if name in rows.column_names])
    for field in fields:
        values = [getattr(outcome, field.name) for outcome in outcomes]
        kept = kept.append_column(field, pa.array(values, type=field.type))
    return kept
