"""`chat_parse`: structured outputs decoded into Structs, dataclasses and TypedDicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Annotated, Any, Literal, TypedDict

import msgspec
import pytest

from openrouter_core import OpenRouterCore, errors
from openrouter_core.testing import MockServer, error_reply, stream_reply, text_reply
from openrouter_funcs import (
    Parsed,
    chat_parse,
    chat_parse_async,
    chat_parse_response,
    chat_send,
    response_format_for,
)
from openrouter_funcs._chat_parse import strict_schema

REQUEST: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "extract"}]}


class Address(msgspec.Struct):
    city: str
    zip: str | None = None


class Person(msgspec.Struct):
    """A person mentioned in the text."""

    name: str
    age: int
    tags: list[str] = []
    address: Address | None = None
    role: Literal["author", "reader"] = "reader"


@dataclasses.dataclass
class Point:
    x: float
    y: float = 0.0


class Movie(TypedDict, total=False):
    title: str
    year: int


class Node(msgspec.Struct):
    value: int
    children: list[Node] = []


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer() as running:
        yield running


@pytest.fixture
def core(server: MockServer) -> Iterator[OpenRouterCore]:
    server.reset()
    with OpenRouterCore(api_key="sk-test", server_url=server.base_url) as made:
        yield made


def test_sends_a_strict_json_schema_and_decodes_the_reply(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"name": "Ada", "age": 36, "tags": ["math"], "address": null, "role": null}'))
    res = chat_parse(core, REQUEST, Person)
    assert res.ok, res
    assert isinstance(res.value, Parsed)
    assert res.value.value == Person(name="Ada", age=36, tags=["math"])  # null -> default
    assert res.value.response.choices[0].finish_reason == "stop"
    assert res.raw is not None and res.raw.status_code == 200
    sent = server.last_request.json()["response_format"]
    assert sent["type"] == "json_schema"
    config = sent["json_schema"]
    assert config["name"] == "Person"
    assert config["strict"] is True
    assert config["description"] == "A person mentioned in the text."
    schema = config["schema"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["name", "age", "tags", "address", "role"]
    assert schema["properties"]["tags"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    }
    assert schema["$defs"]["Address"]["additionalProperties"] is False
    assert schema["$defs"]["Address"]["required"] == ["city", "zip"]
    assert "Person" not in schema["$defs"]  # the root is inlined
    assert "default" not in msgspec.json.encode(schema).decode()


def test_a_mismatch_names_the_path(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"name": "Ada", "age": 36, "address": {"city": 7, "zip": null}}'))
    res = chat_parse(core, REQUEST, Person)
    assert not res.ok
    assert isinstance(res.error, errors.ResponseValidationError)
    assert "$.address.city" in str(res.error)
    assert "Expected `str`, got `int`" in str(res.error)
    assert res.error.body.startswith('{"name": "Ada"')
    assert res.raw is not None


def test_invalid_json_and_empty_content_and_refusal(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply("Sure! Here is the person: Ada"), text_reply(None))
    broken = chat_parse(core, REQUEST, Person)
    assert isinstance(broken.error, errors.ResponseValidationError)
    assert "not valid JSON" in str(broken.error)
    empty = chat_parse(core, REQUEST, Person)
    assert isinstance(empty.error, errors.ResponseValidationError)
    assert "no content" in str(empty.error)
    refused = chat_parse_response(
        msgspec.convert(
            {"choices": [{"message": {"role": "assistant", "content": None, "refusal": "I can't."}}]},
            type=__import__("openrouter_core").models.ChatResponse,
        ),
        Person,
    )
    assert isinstance(refused.error, errors.ResponseValidationError)
    assert "refused: I can't." in str(refused.error)


def test_a_fenced_reply_is_accepted(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('```json\n{"name": "Ada", "age": 36}\n```'))
    assert chat_parse(core, REQUEST, Person).unwrap().value == Person(name="Ada", age=36)


def test_dataclass_and_typeddict(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"x": 1.5, "y": null}'), text_reply('{"title": "Alien", "year": null}'))
    assert chat_parse(core, REQUEST, Point).unwrap().value == Point(x=1.5)
    assert chat_parse(core, REQUEST, Movie).unwrap().value == {"title": "Alien"}
    schema = server.last_request.json()["response_format"]["json_schema"]["schema"]
    assert schema["required"] == ["title", "year"]


def test_recursive_struct_keeps_its_definition(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"value": 1, "children": [{"value": 2, "children": null}]}'))
    assert chat_parse(core, REQUEST, Node).unwrap().value == Node(1, [Node(2)])
    schema = server.last_request.json()["response_format"]["json_schema"]["schema"]
    assert schema["$defs"]["Node"]["additionalProperties"] is False


def test_constraints_strict_mode_drops_are_still_checked(server: MockServer, core: OpenRouterCore) -> None:
    class Short(msgspec.Struct):
        word: Annotated[str, msgspec.Meta(max_length=3)]

    server.enqueue(text_reply('{"word": "toolong"}'))
    res = chat_parse(core, REQUEST, Short)
    assert isinstance(res.error, errors.ResponseValidationError)
    assert "$.word" in str(res.error)
    assert "maxLength" not in server.last_request.body.decode()


def test_what_strict_mode_cannot_express_is_an_sdk_validation_error(
    server: MockServer, core: OpenRouterCore
) -> None:
    class Loose(msgspec.Struct):
        scores: dict[str, int]

    res = chat_parse(core, REQUEST, Loose)
    assert isinstance(res.error, errors.SDKValidationError)
    assert res.error.path == "$.scores"
    assert "strict=False" in str(res.error)
    assert isinstance(chat_parse(core, REQUEST, list[int]).error, errors.SDKValidationError)
    assert server.requests == []  # nothing was sent
    server.enqueue(text_reply('{"scores": {"a": 1}}'))
    assert chat_parse(core, REQUEST, Loose, strict=False).unwrap().value == Loose({"a": 1})
    config = server.last_request.json()["response_format"]["json_schema"]
    assert config["strict"] is False


def test_a_type_without_schema_and_a_bad_request_are_errors(core: OpenRouterCore) -> None:
    assert isinstance(chat_parse(core, REQUEST, object).error, errors.SDKValidationError)
    bad = chat_parse(core, {"messages": [{"role": "user", "content": 1}]}, Person)
    assert isinstance(bad.error, errors.SDKValidationError)


def test_http_errors_pass_through(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(error_reply(402, "Insufficient credits"))
    res = chat_parse(core, REQUEST, Person)
    assert isinstance(res.error, errors.PaymentRequiredResponseError)


def test_streaming_is_collected_then_parsed(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(stream_reply('{"name": "Ada", "age": 36}', chunk_size=4))
    res = chat_parse(core, {**REQUEST, "stream": True}, Person, name="person record")
    assert res.unwrap().value == Person(name="Ada", age=36)
    assert server.last_request.json()["response_format"]["json_schema"]["name"] == "person_record"
    server.enqueue(stream_reply('{"name": "Ada"', error={"code": 502, "message": "upstream died"}))
    failed = chat_parse(core, {**REQUEST, "stream": True}, Person)
    assert isinstance(failed.error, errors.BadGatewayResponseError)


def test_a_response_you_already_have(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"name": "Ada", "age": 36, "tags": null}'))
    request = {**REQUEST, "response_format": response_format_for(Person)}
    response = chat_send(core, request).unwrap()
    assert not isinstance(response, __import__("openrouter_core").ChatStream)
    assert chat_parse_response(response, Person).unwrap().value == Person(name="Ada", age=36)


class Cat(msgspec.Struct, tag=True):
    lives: int = 9


class Dog(msgspec.Struct, tag=True):
    good: bool = True


class Pet(msgspec.Struct):
    pet: Cat | Dog


def test_strict_schema_of_a_tagged_union() -> None:
    schema = strict_schema(msgspec.json.schema(Pet))
    assert "discriminator" not in msgspec.json.encode(schema).decode()
    assert schema["$defs"]["Cat"]["required"] == ["type", "lives"]


def test_tagged_union_nulls_are_dropped_per_branch(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"pet": {"type": "Dog", "good": null}}'))
    assert chat_parse(core, REQUEST, Pet).unwrap().value == Pet(Dog())


async def test_async_twin(server: MockServer, core: OpenRouterCore) -> None:
    server.enqueue(text_reply('{"name": "Ada", "age": 36}'), stream_reply('{"name": "Bo", "age": 1}'))
    res = await chat_parse_async(core, REQUEST, Person)
    assert res.unwrap().value == Person(name="Ada", age=36)
    streamed = await chat_parse_async(core, {**REQUEST, "stream": True}, Person)
    assert streamed.unwrap().value == Person(name="Bo", age=1)
    server.enqueue(text_reply('{"name": 1}'))
    bad = await chat_parse_async(core, REQUEST, Person)
    assert isinstance(bad.error, errors.ResponseValidationError)
    await core.aclose()
