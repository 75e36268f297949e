"""`models_list` and `models_list_async`: `GET /models` with the API's filters, as a Result, never raised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TypeAlias, TypedDict

import httpx
import msgspec
from msgspec import UNSET, UnsetType

from openrouter_core._call import Planned, planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._decode import ResponseDecoder
from openrouter_core._models._base import RequestStruct
from openrouter_core._models._endpoints import ModelCategory, ModelsListResponse, ModelSort
from openrouter_core._prepare import prepare, validation_error
from openrouter_core.result import Err

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["ModelsListFilters", "QueryValue", "models_list", "models_list_async", "query_string_value"]

decode_models = ResponseDecoder(ModelsListResponse)

QueryValue: TypeAlias = str | int | float | bool
"""A query parameter value: booleans are sent as `true`/`false`, lists of names comma-separated."""

_Names: TypeAlias = str | list[str]


class _Filters(RequestStruct, kw_only=True):
    """The query parameters of `GET /models`, for type checks with the parameter's name as the path."""

    category: str | UnsetType = UNSET
    supported_parameters: _Names | UnsetType = UNSET
    input_modalities: _Names | UnsetType = UNSET
    output_modalities: _Names | UnsetType = UNSET
    sort: str | UnsetType = UNSET
    q: str | UnsetType = UNSET
    context: int | UnsetType = UNSET
    min_price: float | UnsetType = UNSET
    max_price: float | UnsetType = UNSET
    min_output_price: float | UnsetType = UNSET
    max_output_price: float | UnsetType = UNSET
    arch: str | UnsetType = UNSET
    model_authors: _Names | UnsetType = UNSET
    providers: _Names | UnsetType = UNSET
    distillable: bool | UnsetType = UNSET
    zdr: bool | UnsetType = UNSET
    region: str | UnsetType = UNSET
    min_age_days: int | UnsetType = UNSET
    max_age_days: int | UnsetType = UNSET
    min_intelligence_index: float | UnsetType = UNSET
    max_intelligence_index: float | UnsetType = UNSET
    min_coding_index: float | UnsetType = UNSET
    max_coding_index: float | UnsetType = UNSET
    min_agentic_index: float | UnsetType = UNSET
    max_agentic_index: float | UnsetType = UNSET
    min_tool_success_rate: float | UnsetType = UNSET
    max_tool_success_rate: float | UnsetType = UNSET
    offset: int | UnsetType = UNSET
    limit: int | UnsetType = UNSET


class ModelsListFilters(TypedDict, total=False):
    """The filters of `models_list` (its keyword arguments); one left out, or `None`, is not sent."""

    category: ModelCategory | str | None
    supported_parameters: str | Sequence[str] | None
    input_modalities: str | Sequence[str] | None
    output_modalities: str | Sequence[str] | None
    sort: ModelSort | str | None
    q: str | None
    context: int | None
    min_price: float | None
    max_price: float | None
    min_output_price: float | None
    max_output_price: float | None
    arch: str | None
    model_authors: str | Sequence[str] | None
    providers: str | Sequence[str] | None
    distillable: bool | None
    zdr: bool | None
    region: str | None
    min_age_days: int | None
    max_age_days: int | None
    min_intelligence_index: float | None
    max_intelligence_index: float | None
    min_coding_index: float | None
    max_coding_index: float | None
    min_agentic_index: float | None
    max_agentic_index: float | None
    min_tool_success_rate: float | None
    max_tool_success_rate: float | None
    offset: int | None
    limit: int | None


def query_string_value(value: QueryValue | Sequence[str]) -> str:
    """One query value as the API reads it: `true`/`false`, numbers as written, name lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return ",".join(value)


def _models_list(
    core: OpenRouterCore,
    *,
    extra_query: Mapping[str, QueryValue] | None = None,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    **filters: Unpack[ModelsListFilters],
) -> Planned[ModelsListResponse]:
    """List models (`GET /models`): `Ok(ModelsListResponse)` or `Err(error)`.

    Filters left as `None` are not sent. Lists of names (`supported_parameters`, `input_modalities`,
    `output_modalities`, `model_authors`, `providers`) take a comma-separated string or a sequence.
    The API lists only text-output models unless `output_modalities` says otherwise (`"all"`,
    `"embeddings"`, ...). Without `offset` and `limit` it returns the whole list; with them,
    `total_count` and `links.next` describe the pages. `extra_query` adds raw query parameters, for
    filters newer than this SDK. A wrongly typed filter gives `Err(SDKValidationError)` and sends nothing.
    """
    given = {name: value for name, value in filters.items() if value is not None}
    try:
        msgspec.convert(given, _Filters)
    except msgspec.ValidationError as exc:
        return Err(validation_error(exc, "filter"))
    params: list[tuple[str, str]] = []
    for name in _Filters.__struct_fields__:  # the values as given: `2` stays `2`, not `2.0`
        value = given.get(name)
        if value is None or (name == "zdr" and value is False):  # the API knows only `zdr=true`
            continue
        params.append((name, query_string_value(value)))  # type: ignore[arg-type]  # checked just above
    params.extend((name, query_string_value(value)) for name, value in (extra_query or {}).items())
    url = str(httpx.URL(core.server_url + "/models").copy_merge_params(tuple(params)))
    prepared = prepare(
        core,
        "GET",
        url,
        None,
        stream=False,
        retries=retries,
        timeout_ms=timeout_ms,
        headers=headers,
        extra_body=None,
    )
    return planned(prepared, decode_models)


models_list = run(_models_list)
models_list_async = run_async(_models_list)
