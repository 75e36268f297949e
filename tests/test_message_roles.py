"""Every message model exposes its role, read-only, on decoded responses and on Structs a user builds."""

from __future__ import annotations

import msgspec
import pytest
from conftest import chat_body

from openrouter_core import models


def test_decoded_response_message_has_assistant_role() -> None:
    response = msgspec.json.decode(msgspec.json.encode(chat_body()), type=models.ChatResponse)
    assert response.choices[0].message.role == "assistant"


@pytest.mark.parametrize(
    ("message", "role"),
    [
        (models.ChatSystemMessage(content="x"), "system"),
        (models.ChatDeveloperMessage(content="x"), "developer"),
        (models.ChatUserMessage(content="x"), "user"),
        (models.ChatAssistantMessage(content="x"), "assistant"),
        (models.ChatToolMessage(content="x", tool_call_id="c1"), "tool"),
    ],
)
def test_built_message_has_role_and_encodes_unchanged(message: models.ChatMessage, role: str) -> None:
    assert message.role == role
    encoded = msgspec.json.decode(msgspec.json.encode(message))
    assert encoded["role"] == role
    assert list(encoded) == ["role", *[key for key in encoded if key != "role"]]
    assert msgspec.json.decode(msgspec.json.encode(message), type=models.ChatMessage) == message


def test_role_is_read_only() -> None:
    message = models.ChatUserMessage(content="x")
    with pytest.raises(AttributeError):
        message.role = "system"  # type: ignore[misc]


def test_role_is_not_a_struct_field() -> None:
    assert "role" not in models.ChatUserMessage.__struct_fields__
    assert msgspec.structs.asdict(models.ChatUserMessage(content="x")) == {
        "content": "x",
        "name": msgspec.UNSET,
    }
