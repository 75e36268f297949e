"""Proof that every property of the chat schemas in the OpenAPI spec is a field of our structs.

`MAPPED` names the struct for every object schema reachable from `ChatRequest`, `ChatResult`,
`ChatStreamChunk`, `ChatStreamingResponse` and the error bodies. Inline objects (a property whose
schema is an object literal, or an array of them) are checked through the type of our field.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import msgspec
import pytest
import yaml

from openrouter_core import models as m

# The official spec, vendored unchanged (source and checksum in tests/data/spec/SOURCE.md).
SPEC_PATH = Path(__file__).resolve().parent / "data/spec/out.openapi.yaml"

ROOTS = ["ChatRequest", "ChatResult", "ChatStreamChunk", "ChatStreamingResponse"]

_ERROR_BODIES = [
    "BadGateway",
    "BadRequest",
    "Conflict",
    "EdgeNetworkTimeout",
    "Forbidden",
    "Gone",
    "InternalServer",
    "NotFound",
    "PayloadTooLarge",
    "PaymentRequired",
    "ProviderOverloaded",
    "RequestTimeout",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "UnprocessableEntity",
]

_SERVER_TOOL_CHOICES: tuple[type, ...] = (
    m.WebSearchServerToolChoice,
    m.WebFetchServerToolChoice,
    m.DatetimeServerToolChoice,
    m.BashServerToolChoice,
    m.FilesServerToolChoice,
    m.ImageGenerationServerToolChoice,
    m.SearchModelsServerToolChoice,
    m.SubagentServerToolChoice,
    m.AdvisorServerToolChoice,
    m.FusionServerToolChoice,
    m.WebSearchShorthandToolChoice,
    m.WebSearchPreviewToolChoice,
    m.WebSearchPreview20250311ToolChoice,
    m.WebSearch20250826ToolChoice,
)

_WEB_SEARCH_SHORTHANDS: tuple[type, ...] = (
    m.ChatWebSearchShorthand,
    m.ChatWebSearchPreviewShorthand,
    m.ChatWebSearchPreview20250311Shorthand,
    m.ChatWebSearch20250826Shorthand,
)

# Spec schema name (or `Name#i` for the i-th inline object variant of a union) -> our struct(s).
MAPPED: dict[str, type | tuple[type, ...]] = {
    # request
    "ChatRequest": m.ChatGenerationParams,
    "AnthropicCacheControlDirective": m.AnthropicCacheControlDirective,
    "ChatContentCacheControl": m.ChatContentCacheControl,
    "PromptCacheBreakpoint": m.PromptCacheBreakpoint,
    "ChatDebugOptions": m.ChatDebugOptions,
    "ChatStreamOptions": m.ChatStreamOptions,
    "TraceConfig": m.TraceConfig,
    "Prediction": m.Prediction,
    "PredictionContentText": m.PredictionContentText,
    "PromptCacheOptions": m.PromptCacheOptions,
    "ChatSystemMessage": m.ChatSystemMessage,
    "ChatUserMessage": m.ChatUserMessage,
    "ChatDeveloperMessage": m.ChatDeveloperMessage,
    "ChatAssistantMessage": m.ChatAssistantMessage,
    "ChatToolMessage": m.ChatToolMessage,
    "ChatContentText": (m.ChatContentText, m.ChatContentPart),
    "ChatContentImage": (m.ChatContentImage, m.ChatContentPart),
    "ChatContentAudio": (m.ChatContentAudio, m.ChatContentPart),
    "ChatContentFile": (m.ChatContentFile, m.ChatContentPart),
    "ChatContentVideo": (m.ChatContentVideo, m.ChatContentPart),
    "Legacy_ChatContentVideo": (m.LegacyChatContentVideo, m.ChatContentPart),
    "ChatContentVideoInput": m.ChatContentVideoInput,
    "Legacy_ChatContentVideoInput": m.LegacyChatContentVideoInput,
    "ChatAudioOutput": m.ChatAudioOutput,
    "ChatToolCall": m.ChatToolCall,
    "ReasoningDetailSummary": m.ReasoningDetail,
    "ReasoningDetailEncrypted": m.ReasoningDetail,
    "ReasoningDetailText": m.ReasoningDetail,
    "ReasoningDetailServerToolCall": m.ReasoningDetail,
    "ChatFormatTextConfig": m.ResponseFormatText,
    "ChatFormatJsonObjectConfig": m.ResponseFormatJSONObject,
    "ChatFormatJsonSchemaConfig": m.ResponseFormatJSONSchema,
    "ChatJsonSchemaConfig": m.JSONSchemaConfig,
    "ChatFormatGrammarConfig": m.ResponseFormatGrammar,
    "ChatFormatPythonConfig": m.ResponseFormatPython,
    "ProviderPreferences": m.ProviderPreferences,
    "ProviderSortConfig": m.ProviderSortConfig,
    "PercentileLatencyCutoffs": m.PercentileLatencyCutoffs,
    "PercentileThroughputCutoffs": m.PercentileThroughputCutoffs,
    "AutoRouterPlugin": m.AutoRouterPlugin,
    "AutoBetaRouterPlugin": m.AutoBetaRouterPlugin,
    "ModerationPlugin": m.ModerationPlugin,
    "WebSearchPlugin": m.WebSearchPlugin,
    "WebSearchUserLocation": m.WebSearchUserLocation,
    "WebFetchPlugin": m.WebFetchPlugin,
    "FileParserPlugin": m.FileParserPlugin,
    "PDFParserOptions": m.PDFParserOptions,
    "ResponseHealingPlugin": m.ResponseHealingPlugin,
    "ContextCompressionPlugin": m.ContextCompressionPlugin,
    "ParetoRouterPlugin": m.ParetoRouterPlugin,
    "FusionPlugin": m.FusionPlugin,
    "StopServerToolsWhenStepCountIs": m.StopServerToolsWhenStepCountIs,
    "StopServerToolsWhenHasToolCall": m.StopServerToolsWhenHasToolCall,
    "StopServerToolsWhenMaxTokensUsed": m.StopServerToolsWhenMaxTokensUsed,
    "StopServerToolsWhenMaxCost": m.StopServerToolsWhenMaxCost,
    "StopServerToolsWhenFinishReasonIs": m.StopServerToolsWhenFinishReasonIs,
    "ChatNamedToolChoice": m.ChatNamedToolChoice,
    "ChatServerToolChoice": _SERVER_TOOL_CHOICES,
    "ChatFunctionTool#0": m.ChatFunctionTool,
    "AdvisorServerTool_OpenRouter": m.AdvisorServerTool,
    "AdvisorServerToolConfig": m.AdvisorServerToolConfig,
    "AdvisorReasoning": m.ServerToolReasoning,
    "BashServerTool": m.BashServerTool,
    "BashServerToolConfig": m.BashServerToolConfig,
    "ContainerAutoEnvironment": m.ContainerAutoEnvironment,
    "ContainerReferenceEnvironment": m.ContainerReferenceEnvironment,
    "DatetimeServerTool": m.DatetimeServerTool,
    "DatetimeServerToolConfig": m.DatetimeServerToolConfig,
    "FilesServerTool": m.FilesServerTool,
    "FilesServerToolConfig": m.FilesServerToolConfig,
    "FusionServerTool_OpenRouter": m.FusionServerTool,
    "FusionServerToolConfig": m.FusionServerToolConfig,
    "ImageGenerationServerTool_OpenRouter": m.ImageGenerationServerTool,
    "ImageGenerationServerToolConfig": m.ImageGenerationServerToolConfig,
    "ChatSearchModelsServerTool": m.SearchModelsServerTool,
    "SearchModelsServerToolConfig": m.SearchModelsServerToolConfig,
    "SubagentServerTool_OpenRouter": m.SubagentServerTool,
    "SubagentServerToolConfig": m.SubagentServerToolConfig,
    "SubagentReasoning": m.ServerToolReasoning,
    "SubagentNestedTool": m.NestedServerTool,
    "WebFetchServerTool": m.WebFetchServerTool,
    "WebFetchServerToolConfig": m.WebFetchServerToolConfig,
    "OpenRouterWebSearchServerTool": m.WebSearchServerTool,
    "WebSearchConfig": m.WebSearchConfig,
    "WebSearchUserLocationServerTool": m.WebSearchUserLocation,
    "ChatWebSearchShorthand": _WEB_SEARCH_SHORTHANDS,
    # response
    "ChatResult": m.ChatResponse,
    "ChatChoice": m.ChatChoice,
    "ChatTokenLogprobs": m.ChatTokenLogprobs,
    "ChatTokenLogprob": m.ChatTokenLogprob,
    "ChatUsage": m.ChatUsage,
    "CostDetails": m.CostDetails,
    "ServerToolUseDetails": m.ServerToolUseDetails,
    "OpenRouterMetadata": m.OpenRouterMetadata,
    "RouterAttempt": m.RouterAttempt,
    "EndpointsMetadata": m.EndpointsMetadata,
    "EndpointInfo": m.EndpointInfo,
    "RouterParams": m.RouterParams,
    "PipelineStage": m.PipelineStage,
    # stream
    "ChatStreamingResponse": m.ChatStreamingResponse,
    "ChatStreamChunk": m.ChatStreamingResponseChunk,
    "ChatStreamChoice": m.ChatStreamingChoice,
    "ChatStreamDelta": m.ChatStreamingDelta,
    "ChatStreamToolCall": m.ChatStreamToolCall,
    # error bodies
    **{f"{name}Response": m.ErrorBody for name in _ERROR_BODIES},
    **{f"{name}ResponseErrorData": m.ErrorDetail for name in _ERROR_BODIES},
}

# Inline objects we keep as a plain dict on purpose (the struct would drop keys real traffic sends).
KEPT_AS_DICT = {"ChatStreamChunk.error.metadata"}


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    path = Path(os.environ.get("OPENROUTER_SPEC", SPEC_PATH))
    if not path.exists():
        pytest.fail(f"OpenAPI spec not found at {path}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as f:
        spec = yaml.load(f, Loader=loader)
    result: dict[str, Any] = spec["components"]["schemas"]
    return result


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _properties(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The properties of an object schema, merged over `allOf` parts and `$ref`s."""
    name = _ref_name(schema)
    if name is not None:
        return _properties(schemas, schemas[name])
    props = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(_properties(schemas, part))
    return props


def _is_object(schemas: dict[str, Any], schema: dict[str, Any]) -> bool:
    name = _ref_name(schema)
    if name is not None:
        return _is_object(schemas, schemas[name])
    if "properties" in schema:
        return True
    return any(_is_object(schemas, part) for part in schema.get("allOf", []))


def _inline_object(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any] | None:
    """The inline object schema a property holds (directly or as array items), if any.

    A `$ref` to a named object schema is not inline: `MAPPED` covers it by name.
    """
    name = _ref_name(schema)
    if name is not None:
        target = schemas[name]
        return None if _is_object(schemas, target) else _inline_object(schemas, target)
    if "properties" in schema:
        return schema
    if "items" in schema:
        return _inline_object(schemas, schema["items"])
    return None


def _wire_names(cls: type) -> set[str]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType), cls
    names = {f.encode_name for f in info.fields}
    if info.tag_field is not None:
        names.add(info.tag_field)
    return names


def _field_types(cls: type, wire_name: str) -> list[msgspec.inspect.Type]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    for f in info.fields:
        if f.encode_name == wire_name:
            return [f.type]
    return []


def _flatten(t: msgspec.inspect.Type) -> Iterator[msgspec.inspect.Type]:
    if isinstance(t, msgspec.inspect.UnionType):
        for sub in t.types:
            yield from _flatten(sub)
    elif isinstance(t, msgspec.inspect.ListType):
        yield from _flatten(t.item_type)
    else:
        yield t


def _check(
    schemas: dict[str, Any], label: str, schema: dict[str, Any], classes: tuple[type, ...]
) -> list[str]:
    """Missing properties of `schema` (and of its inline objects) in each of `classes`."""
    problems: list[str] = []
    props = _properties(schemas, schema)
    for cls in classes:
        missing = sorted(set(props) - _wire_names(cls))
        problems += [f"{label}.{p} is not a field of {cls.__name__}" for p in missing]
        for prop, prop_schema in props.items():
            inline = _inline_object(schemas, prop_schema)
            if inline is None:
                continue
            path = f"{label}.{prop}"
            found = [t for ft in _field_types(cls, prop) for t in _flatten(ft)]
            structs = tuple(t.cls for t in found if isinstance(t, msgspec.inspect.StructType))
            if structs:
                problems += _check(schemas, path, inline, structs)
            elif path in KEPT_AS_DICT and any(isinstance(t, msgspec.inspect.DictType) for t in found):
                continue
            else:
                problems.append(f"{path} is an inline object but {cls.__name__}.{prop} has no struct type")
    return problems


def _classes(value: type | tuple[type, ...]) -> tuple[type, ...]:
    return value if isinstance(value, tuple) else (value,)


def _schema_for(schemas: dict[str, Any], key: str) -> dict[str, Any]:
    name, _, variant = key.partition("#")
    schema: dict[str, Any] = schemas[name]
    if variant:
        options = schema.get("anyOf") or schema.get("oneOf") or []
        schema = options[int(variant)]
    return schema


def _reachable(schemas: dict[str, Any], roots: list[str]) -> list[str]:
    seen: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name = _ref_name(node)
            if name is not None and name not in seen:
                seen.append(name)
                walk(schemas[name])
            for key, value in node.items():
                if key not in ("example", "examples"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for root in roots:
        if root not in seen:
            seen.append(root)
            walk(schemas[root])
    return seen


@pytest.mark.parametrize("root", ROOTS)
def test_root_schemas_are_fully_covered(schemas: dict[str, Any], root: str) -> None:
    problems = _check(schemas, root, schemas[root], _classes(MAPPED[root]))
    assert problems == []


@pytest.mark.parametrize("key", sorted(MAPPED))
def test_every_spec_property_is_a_field(schemas: dict[str, Any], key: str) -> None:
    problems = _check(schemas, key, _schema_for(schemas, key), _classes(MAPPED[key]))
    assert problems == []


def test_every_reachable_object_schema_is_mapped(schemas: dict[str, Any]) -> None:
    roots = ROOTS + [f"{name}Response" for name in _ERROR_BODIES]
    unmapped = []
    for name in _reachable(schemas, roots):
        schema = schemas[name]
        if _is_object(schemas, schema) and name not in MAPPED:
            unmapped.append(name)
        for keyword in ("anyOf", "oneOf"):
            for i, option in enumerate(schema.get(keyword, [])):
                if "properties" in option and f"{name}#{i}" not in MAPPED:
                    unmapped.append(f"{name}#{i}")
    assert unmapped == []


def test_tagged_variants_use_the_spec_tag_values(schemas: dict[str, Any]) -> None:
    """Each struct whose spec schema pins its discriminator to enum values carries those values as tags."""
    for key, value in MAPPED.items():
        props = _properties(schemas, _schema_for(schemas, key))
        for cls in _classes(value):
            info = msgspec.inspect.type_info(cls)
            assert isinstance(info, msgspec.inspect.StructType)
            if info.tag_field is None:
                continue
            enum = props.get(info.tag_field, {}).get("enum")
            if enum is not None:
                assert info.tag in enum, (key, cls.__name__, info.tag, enum)


def test_required_request_fields_have_no_default(schemas: dict[str, Any]) -> None:
    """A field the spec requires is required in our request structs too (tags excepted)."""
    request_side = {k: v for k, v in MAPPED.items() if not isinstance(v, tuple)}
    for key, cls in request_side.items():
        if not (isinstance(cls, type) and issubclass(cls, m.RequestStruct)):
            continue
        required = set(_schema_for(schemas, key).get("required", []))
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for f in info.fields:
            if f.encode_name in required:
                assert f.required, (key, f.encode_name)


# --- types: every spec property's JSON type must be accepted by our field's type -----------------------

_KIND_OF: dict[type, tuple[str, ...]] = {
    msgspec.inspect.StrType: ("string",),
    msgspec.inspect.IntType: ("integer",),
    # msgspec's float accepts JSON integers too.
    msgspec.inspect.FloatType: ("number", "integer"),
    msgspec.inspect.BoolType: ("boolean",),
    msgspec.inspect.NoneType: ("null",),
    msgspec.inspect.ListType: ("array",),
    msgspec.inspect.DictType: ("object",),
    msgspec.inspect.StructType: ("object",),
    msgspec.inspect.LiteralType: ("string",),
}


def _spec_alternatives(schemas: dict[str, Any], schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The JSON kinds a schema allows, each with the (sub)schema that allows it; ("any", {}) for `{}`."""
    name = _ref_name(schema)
    if name is not None:
        return _spec_alternatives(schemas, schemas[name])
    alternatives: list[tuple[str, dict[str, Any]]] = []
    for keyword in ("anyOf", "oneOf"):
        for option in schema.get(keyword, []):
            alternatives += _spec_alternatives(schemas, option)
    for part in schema.get("allOf", []):
        # An allOf part that constrains nothing (`{}`) does not widen the type to "any".
        alternatives += [alt for alt in _spec_alternatives(schemas, part) if alt[0] != "any"]
    declared = schema.get("type")
    kinds = [declared] if isinstance(declared, str) else list(declared or [])
    if None in schema.get("enum", []) and "null" not in kinds:
        kinds.append("null")
    if not kinds and "properties" in schema:
        kinds = ["object"]
    alternatives += [(kind, schema) for kind in kinds]
    if not alternatives and "enum" not in schema:
        return [("any", schema)]
    return alternatives


def _describe(types: list[msgspec.inspect.Type]) -> str:
    return " | ".join(
        f"Literal{list(t.values)}"
        if isinstance(t, msgspec.inspect.LiteralType)
        else type(t).__name__[:-4].lower()
        for t in types
    )


def _type_problem(
    schemas: dict[str, Any], schema: dict[str, Any], ours: list[msgspec.inspect.Type], depth: int = 0
) -> str | None:
    """Why values valid against `schema` would not fit our types `ours` (a flattened union), or None."""
    flat = [t for o in ours for t in (o.types if isinstance(o, msgspec.inspect.UnionType) else (o,))]
    if any(isinstance(t, msgspec.inspect.AnyType) for t in flat) or depth > 8:
        return None
    for kind, sub in _spec_alternatives(schemas, schema):
        if kind == "any":
            return f"the spec allows any JSON value, ours is {_describe(flat)}"
        fits = [t for t in flat if kind in _KIND_OF.get(type(t), ())]
        if not fits:
            return f"the spec allows {kind}, ours is {_describe(flat)}"
        if kind == "string":
            if any(isinstance(t, msgspec.inspect.StrType) for t in fits):
                continue
            allowed = {v for t in fits if isinstance(t, msgspec.inspect.LiteralType) for v in t.values}
            enum = [v for v in sub.get("enum", []) if v is not None]
            if not enum:
                return f"the spec allows any string, ours is {_describe(fits)}"
            if missing := [v for v in enum if v not in allowed]:
                return f"the spec's enum values {missing} are not in ours, {_describe(fits)}"
        elif kind == "array":
            items = [t.item_type for t in fits if isinstance(t, msgspec.inspect.ListType)]
            problem = _type_problem(schemas, sub.get("items", {}), items, depth + 1)
            if problem is not None:
                return f"items: {problem}"
        elif kind == "object" and not any(isinstance(t, msgspec.inspect.StructType) for t in fits):
            values = sub.get("additionalProperties")
            if isinstance(values, dict):
                dicts = [t.value_type for t in fits if isinstance(t, msgspec.inspect.DictType)]
                problem = _type_problem(schemas, values, dicts, depth + 1)
                if problem is not None:
                    return f"values: {problem}"
    return None


def _field_reports(
    schemas: dict[str, Any], label: str, schema: dict[str, Any], classes: tuple[type, ...]
) -> list[tuple[str, str | None]]:
    """(field path, problem or None) for each spec property of `schema` and its inline objects, per class."""
    reports: list[tuple[str, str | None]] = []
    props = _properties(schemas, schema)
    for cls in classes:
        info = msgspec.inspect.type_info(cls)
        assert isinstance(info, msgspec.inspect.StructType)
        for prop, prop_schema in sorted(props.items()):
            path = f"{label}.{prop} ({cls.__name__})"
            if prop == info.tag_field:
                reports.append((path, None))  # tag values: test_tagged_variants_use_the_spec_tag_values
                continue
            types = _field_types(cls, prop)
            if not types:
                reports.append((path, "missing from our struct"))
                continue
            reports.append((path, _type_problem(schemas, prop_schema, types)))
            inline = _inline_object(schemas, prop_schema)
            structs = tuple(t.cls for t in _flatten(types[0]) if isinstance(t, msgspec.inspect.StructType))
            if inline is not None and structs:
                reports += _field_reports(schemas, f"{label}.{prop}", inline, structs)
    return reports


def _all_reports(schemas: dict[str, Any]) -> list[tuple[str, str | None]]:
    reports: list[tuple[str, str | None]] = []
    for key in sorted(MAPPED):
        reports += _field_reports(schemas, key, _schema_for(schemas, key), _classes(MAPPED[key]))
    return reports


@pytest.mark.parametrize("key", sorted(MAPPED))
def test_every_spec_property_has_a_compatible_type(schemas: dict[str, Any], key: str) -> None:
    reports = _field_reports(schemas, key, _schema_for(schemas, key), _classes(MAPPED[key]))
    problems = [f"{path}: {problem}" for path, problem in reports if problem is not None]
    assert not problems, "\n".join(problems)


def test_spec_field_coverage_is_complete(schemas: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """The headline figure: the share of the chat schemas' fields we have, with a compatible type."""
    reports = _all_reports(schemas)
    ok = sum(problem is None for _, problem in reports)
    with capsys.disabled():
        print(
            f"\nspec field coverage: {ok}/{len(reports)} = {100 * ok / len(reports):.1f}% of the chat schemas"
        )
    assert len(reports) > 300, "the walk found too few fields: is the spec the right one?"
    problems = [f"{path}: {problem}" for path, problem in reports if problem is not None]
    assert not problems, f"{len(problems)} spec fields missing or typed incompatibly:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("schema", "python_type", "expected"),
    [
        ({"type": "number"}, int, "the spec allows number, ours is int"),
        ({"type": "integer"}, float, None),
        ({"type": ["string", "null"]}, str, "the spec allows null, ours is str"),
        ({"type": ["string", "null"]}, str | None, None),
        (
            {"type": "array", "items": {"type": "integer"}},
            list[str],
            "items: the spec allows integer, ours is str",
        ),
        (
            {"type": "string", "enum": ["a", "b"]},
            Literal["a"],
            "the spec's enum values ['b'] are not in ours, Literal['a']",
        ),
        ({"type": "string", "enum": ["a", "b"]}, str, None),
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            dict[str, int],
            "values: the spec allows string, ours is int",
        ),
        ({}, dict[str, Any], "the spec allows any JSON value, ours is dict"),
    ],
)
def test_the_type_check_catches_drift(schema: dict[str, Any], python_type: Any, expected: str | None) -> None:
    assert _type_problem({}, schema, [msgspec.inspect.type_info(python_type)]) == expected
