"""`chat_parse`: a chat completion whose reply is decoded into your msgspec Struct, dataclass or TypedDict.

The request's `response_format` is the JSON Schema that `msgspec.json.schema` generates for the type,
made OpenAI-strict-compatible (`additionalProperties: false`, every property required, optional ones
nullable). The reply is decoded with msgspec, so a mismatch comes back as `Err(ResponseValidationError)`
naming the path (`$.address.city`) where the model's JSON broke the schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from openrouter_core._call import Planned, run, run_async
from openrouter_core._config import RetryConfig
from openrouter_core._core import OpenRouterCore
from openrouter_core._errors import OpenRouterError, ResponseValidationError, SDKValidationError
from openrouter_core._exchange import map_exception
from openrouter_core._models._request import ChatGenerationParams, JSONSchemaConfig, ResponseFormatJSONSchema
from openrouter_core._models._response import ChatResponse
from openrouter_core._prepare import to_struct
from openrouter_core.result import Err, Ok, Result
from openrouter_funcs._chat_send import ChatOptions, SendOptions

if TYPE_CHECKING:
    from openrouter_core._models._request_input import ChatRequestInput

__all__ = [
    "Parsed",
    "SchemaPlan",
    "chat_parse",
    "chat_parse_async",
    "chat_parse_response",
    "plan_schema",
    "prepare_parse",
    "response_format_for",
    "strict_schema",
]

T = TypeVar("T")

# Keywords that OpenAI's strict mode rejects. They are removed from what is sent; msgspec still checks
# the constraints they express (a `Meta(max_length=...)`, say) when the reply is decoded.
_NOT_STRICT = frozenset(
    {
        "default",
        "title",
        "discriminator",
        "minLength",
        "maxLength",
        "minProperties",
        "maxProperties",
        "uniqueItems",
        "examples",
    }
)
_NAME_CHARS = re.compile(r"[^a-zA-Z0-9_-]")


class Parsed(msgspec.Struct, Generic[T], frozen=True):
    """What `chat_parse` returns in `Ok`: the decoded `value` and the whole `response` it came from."""

    value: T
    response: ChatResponse


def _nullable(node: Any) -> bool:
    """Whether a schema node accepts JSON `null`."""
    if not isinstance(node, Mapping):
        return node is True
    if not node:
        return True
    kind = node.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if "enum" in node and None in node["enum"]:
        return True
    return any(_nullable(branch) for branch in node.get("anyOf", ()) or node.get("oneOf", ()))


def _make_nullable(node: dict[str, Any]) -> dict[str, Any]:
    if _nullable(node):
        return node
    if "anyOf" in node and len(node) == 1:
        return {"anyOf": [*node["anyOf"], {"type": "null"}]}
    return {"anyOf": [node, {"type": "null"}]}


def _strict_node(node: Any, path: str) -> Any:
    """One schema node, made OpenAI-strict (recursively); raises SDKValidationError where it cannot be."""
    if not isinstance(node, Mapping):
        return node
    if not node:
        raise SDKValidationError(
            f"strict mode cannot express a value of any type (`Any`) at {path}; pass strict=False", path=path
        )
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _NOT_STRICT:
            continue
        if key == "properties":
            out[key] = {name: _strict_node(sub, f"{path}.{name}") for name, sub in value.items()}
        elif key == "$defs":
            out[key] = {name: _strict_node(sub, f"$defs.{name}") for name, sub in value.items()}
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            out[key] = [_strict_node(sub, path) for sub in value]
        elif key == "items":
            out[key] = _strict_node(value, f"{path}[]")
        elif key == "additionalProperties" and value is not False:
            raise SDKValidationError(
                f"strict mode cannot express an object with arbitrary keys (a dict) at {path}; "
                "use a Struct, or pass strict=False",
                path=path,
            )
        else:
            out[key] = value
    if node.get("type") == "object" or "properties" in node:
        properties: dict[str, Any] = out.get("properties", {})
        required = set(node.get("required", ()))
        out["properties"] = {
            name: sub if name in required else _make_nullable(sub) for name, sub in properties.items()
        }
        out["required"] = list(properties)
        out["additionalProperties"] = False
    return out


def strict_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """`schema` (as `msgspec.json.schema` writes it) rewritten for OpenAI's strict mode.

    The root `$ref` is inlined (strict mode wants an object at the root), every object gets
    `additionalProperties: false`, every property is required and an optional one becomes nullable
    (a `null` is dropped again before decoding, so the field's default applies). Keywords strict mode
    rejects (`default`, `title`, `minLength`, ...) are removed. Raises `SDKValidationError` for what
    strict mode cannot express: a dict with arbitrary keys, `Any`, or a root that is not an object.
    """
    root: Mapping[str, Any] = schema
    defs: dict[str, Any] = dict(schema.get("$defs", {}))
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        root = defs.pop(ref.removeprefix("#/$defs/"))
        if ref.encode() in msgspec.json.encode([root, defs]):  # recursive: the root refers to itself
            defs[ref.removeprefix("#/$defs/")] = root
    if root.get("type") != "object":
        raise SDKValidationError(
            "strict mode needs an object at the root (a Struct, dataclass or TypedDict); pass strict=False",
            path="$",
        )
    result: dict[str, Any] = _strict_node(root, "$")
    if defs:
        result["$defs"] = _strict_node({"$defs": defs}, "$")["$defs"]
    return result


class SchemaPlan(msgspec.Struct, frozen=True):
    """A type's schema: `sent` goes in the request, `original` guides the decoding of the reply."""

    name: str
    sent: dict[str, Any]
    original: dict[str, Any]
    strict: bool
    description: str | None = None


def schema_name(schema: object, name: str | None) -> str:
    """The `json_schema.name` (letters, digits, `_` and `-`, at most 64)."""
    raw = name if name is not None else getattr(schema, "__name__", "response")
    return _NAME_CHARS.sub("_", raw)[:64] or "response"


def plan_schema(schema: type[Any], *, name: str | None = None, strict: bool = True) -> SchemaPlan:
    """The JSON Schema of `schema`, strict or not; raises `SDKValidationError` if it cannot be built."""
    try:
        original = msgspec.json.schema(schema)
    except Exception as exc:  # msgspec raises TypeError, or NameError for an unresolvable annotation
        raise SDKValidationError(f"no JSON Schema for {schema!r}: {exc}", path="$") from exc
    sent = strict_schema(original) if strict else original
    description = _resolve(original, original.get("$defs", {})).get("description")
    return SchemaPlan(
        name=schema_name(schema, name),
        sent=sent,
        original=original,
        strict=strict,
        description=description if isinstance(description, str) else None,
    )


def response_format_for(
    schema: type[Any], *, name: str | None = None, strict: bool = True
) -> ResponseFormatJSONSchema:
    """The `response_format` that asks for `schema`'s JSON: `{"type": "json_schema", "json_schema": ...}`.

    Raises `SDKValidationError` when the type has no JSON Schema, or when `strict=True` and strict mode
    cannot express it (a dict with arbitrary keys, `Any`, a root that is not an object).
    """
    return _response_format(plan_schema(schema, name=name, strict=strict))


def _response_format(plan: SchemaPlan) -> ResponseFormatJSONSchema:
    config = JSONSchemaConfig(name=plan.name, schema=plan.sent, strict=plan.strict)
    if plan.description is not None:
        config = msgspec.structs.replace(config, description=plan.description)
    return ResponseFormatJSONSchema(json_schema=config)


def _resolve(node: Any, defs: Mapping[str, Any]) -> Any:
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 64:
        node = defs.get(node["$ref"].removeprefix("#/$defs/"), {})
        seen += 1
    return node


def drop_added_nulls(value: Any, node: Any, defs: Mapping[str, Any]) -> Any:
    """Remove the `null`s that strict mode forced on optional fields, so their defaults apply."""
    node = _resolve(node, defs)
    if not isinstance(node, Mapping):
        return value
    if isinstance(value, dict):
        properties = node.get("properties")
        if isinstance(properties, Mapping):
            required = set(node.get("required", ()))
            out: dict[str, Any] = {}
            for key, item in value.items():
                sub = properties.get(key)
                if (
                    item is None
                    and key not in required
                    and sub is not None
                    and not _nullable(_resolve(sub, defs))
                ):
                    continue
                out[key] = drop_added_nulls(item, sub, defs) if sub is not None else item
            return out
        extra = node.get("additionalProperties")
        if isinstance(extra, Mapping):
            return {key: drop_added_nulls(item, extra, defs) for key, item in value.items()}
    elif isinstance(value, list) and "items" in node:
        return [drop_added_nulls(item, node["items"], defs) for item in value]
    branches = node.get("anyOf") or node.get("oneOf")
    if isinstance(branches, list) and isinstance(value, dict):
        candidates = [b for b in (_resolve(b, defs) for b in branches) if isinstance(b, Mapping)]
        discriminator = node.get("discriminator")
        if isinstance(discriminator, Mapping):
            tag = value.get(discriminator.get("propertyName", ""))
            target = discriminator.get("mapping", {}).get(tag) if isinstance(tag, str) else None
            if isinstance(target, str):
                return drop_added_nulls(value, {"$ref": target}, defs)
        objects = [b for b in candidates if b.get("type") == "object"]
        if len(objects) == 1:
            return drop_added_nulls(value, objects[0], defs)
    return value


def _content_text(response: ChatResponse) -> str | None:
    if not response.choices:
        return None
    content = response.choices[0].message.content
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.text for part in content if part.type == "text" and isinstance(part.text, str))
    return None


def _unfence(text: str) -> str:
    """The JSON inside a Markdown code fence, which some non-strict models wrap it in."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```") and len(stripped) >= 6:
        inner = stripped[3:-3]
        first_newline = inner.find("\n")
        if first_newline != -1 and inner[:first_newline].strip().isalnum():
            inner = inner[first_newline + 1 :]
        return inner.strip()
    return stripped


def decode_as(text: str, schema: type[T], plan: SchemaPlan) -> T:
    """Decode the model's JSON `text` into `schema`; raises `msgspec.DecodeError` (with its path)."""
    text = _unfence(text)
    if not plan.strict:
        return msgspec.json.decode(text, type=schema)
    loose = msgspec.json.decode(text)
    cleaned = drop_added_nulls(loose, plan.original, plan.original.get("$defs", {}))
    return msgspec.json.decode(msgspec.json.encode(cleaned), type=schema)


def parse_response(
    response: ChatResponse, schema: type[T], plan: SchemaPlan, status_code: int | None = None
) -> Result[Parsed[T], OpenRouterError]:
    """Decode the first choice's content of a finished `response` into `schema`."""
    text = _content_text(response)
    if not text:
        refusal = response.choices[0].message.refusal if response.choices else None
        if isinstance(refusal, str) and refusal:
            return Err(ResponseValidationError(f"the model refused: {refusal}", status_code=status_code))
        return Err(
            ResponseValidationError(
                f"the model's reply has no content to decode into {plan.name}", status_code=status_code
            )
        )
    try:
        value = decode_as(text, schema, plan)
    except msgspec.ValidationError as exc:
        message = f"the model's JSON does not match {plan.name}: {exc}"
        return Err(ResponseValidationError(message, body=text, status_code=status_code))
    except (msgspec.DecodeError, RecursionError) as exc:
        message = f"the model's reply is not valid JSON for {plan.name}: {exc}"
        return Err(ResponseValidationError(message, body=text, status_code=status_code))
    return Ok(Parsed(value=value, response=response))


def chat_parse_response(
    response: ChatResponse, schema: type[T], *, strict: bool = True
) -> Result[Parsed[T], OpenRouterError]:
    """Decode a response you already have (say, from `stream.collect()`) into `schema`.

    `strict` must match what the request was sent with, so `null`s on optional fields are handled alike.
    """
    try:
        plan = plan_schema(schema, strict=strict)
    except SDKValidationError as error:
        return Err(error)
    except Exception as exc:  # a bug of ours must still come back as a value
        return Err(map_exception(exc))
    return parse_response(response, schema, plan)


def prepare_parse(
    request: ChatRequestInput,
    schema: type[Any],
    name: str | None,
    strict: bool,
) -> Result[tuple[ChatGenerationParams, SchemaPlan], OpenRouterError]:
    """Validate the request and set its `response_format` (shared with `chat_parse_async`)."""
    params = to_struct(request, ChatGenerationParams)
    if not params.ok:
        return params
    try:
        plan = plan_schema(schema, name=name, strict=strict)
    except SDKValidationError as error:
        return Err(error)
    with_format = msgspec.structs.replace(params.value, response_format=_response_format(plan))
    return Ok((with_format, plan))


def _chat_parse(
    core: OpenRouterCore,
    request: ChatRequestInput,
    schema: type[T],
    *,
    name: str | None = None,
    strict: bool = True,
    retries: RetryConfig | None = None,
    timeout_ms: int | None = None,
    headers: Mapping[str, str] | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> Planned[Parsed[T]]:
    """Ask for a reply shaped like `schema` and decode it: `Ok(Parsed(value, response))` or `Err(error)`.

    `schema` is a msgspec Struct, a dataclass, a TypedDict or anything else `msgspec.json.schema`
    handles; it is sent as `response_format` `json_schema` (named `name`, default the type's name),
    replacing any `response_format` in `request`. A reply that is not valid JSON or does not match gives
    `Err(ResponseValidationError)` whose message names the path, with the model's text as `body`.
    With `"stream": True` the stream is collected first, then decoded.
    """
    prepared = prepare_parse(request, schema, name, strict)
    if not prepared.ok:
        return prepared
    params, plan = prepared.value
    return _ParseJob(
        params,
        schema,
        plan,
        ChatOptions(
            SendOptions(retries=retries, timeout_ms=timeout_ms, headers=headers, extra_body=extra_body)
        ),
    )


class _ParseJob(Generic[T]):
    """Send the request, then decode the whole reply into `schema`."""

    __slots__ = ("options", "params", "plan", "schema")

    def __init__(self, params: ChatGenerationParams, schema: type[T], plan: SchemaPlan, options: ChatOptions):
        self.params = params
        self.schema = schema
        self.plan = plan
        self.options = options

    def run(self, core: OpenRouterCore) -> Result[Parsed[T], OpenRouterError]:
        return _parsed(self.options.reply(core, self.params), self.schema, self.plan)

    async def run_async(self, core: OpenRouterCore) -> Result[Parsed[T], OpenRouterError]:
        return _parsed(await self.options.reply_async(core, self.params), self.schema, self.plan)


chat_parse = run(_chat_parse)
chat_parse_async = run_async(_chat_parse)


def _parsed(
    res: Result[ChatResponse, OpenRouterError], schema: type[T], plan: SchemaPlan
) -> Result[Parsed[T], OpenRouterError]:
    """The whole reply `res` decoded into `schema`, keeping `res.raw`."""
    if not res.ok:
        return res
    raw = res.raw
    parsed = parse_response(res.value, schema, plan, raw.status_code if raw is not None else None)
    return Ok(parsed.value, raw) if parsed.ok else Err(parsed.error, raw)
