"""Assembling a whole `ChatResponse` from the chunks of a stream. No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from openrouter_core._errors import OpenRouterError
from openrouter_core._models._message import (
    Annotation,
    ChatAssistantImage,
    ChatAssistantMessage,
    ChatAudioOutput,
    ChatToolCall,
    ChatToolCallFunction,
    ReasoningDetail,
)
from openrouter_core._models._response import ChatChoice, ChatResponse, ChatTokenLogprob, ChatTokenLogprobs
from openrouter_core._models._stream import ChatStreamingChoice, ChatStreamingResponseChunk
from openrouter_core.result import Err, Ok, Result

__all__ = ["assemble"]

_JOINED_DETAIL_FIELDS = ("text", "summary", "data", "arguments", "result")


def _set(value: Any) -> bool:
    return value is not None and value is not msgspec.UNSET


def _merge_detail(old: ReasoningDetail, new: ReasoningDetail) -> ReasoningDetail:
    changes: dict[str, Any] = {}
    for name in _JOINED_DETAIL_FIELDS:
        piece = getattr(new, name)
        if _set(piece):
            before = getattr(old, name)
            changes[name] = (before if _set(before) else "") + piece
    for name in ("id", "format", "signature", "tool_call_id", "tool_name"):
        value = getattr(new, name)
        if _set(value):
            changes[name] = value
    return msgspec.structs.replace(old, **changes)


class _ToolCall:
    __slots__ = ("arguments", "id", "name", "type")

    def __init__(self) -> None:
        self.id = ""
        self.type = "function"
        self.name = ""
        self.arguments: list[str] = []


class _Choice:
    """One choice's deltas, accumulated."""

    __slots__ = (
        "annotations",
        "audio",
        "content",
        "details",
        "finish_reason",
        "images",
        "logprobs",
        "native_finish_reason",
        "reasoning",
        "refusal",
        "tool_calls",
    )

    def __init__(self) -> None:
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.details: list[ReasoningDetail] = []
        self.tool_calls: dict[int, _ToolCall] = {}
        self.annotations: list[Annotation] = []
        self.images: list[ChatAssistantImage] = []
        self.logprobs: list[ChatTokenLogprob] = []
        self.audio: ChatAudioOutput | None = None
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None

    def add(self, choice: ChatStreamingChoice) -> None:
        delta = choice.delta
        if delta.content:
            self.content.append(delta.content)
        if delta.reasoning:
            self.reasoning.append(delta.reasoning)
        if delta.refusal:
            self.refusal.append(delta.refusal)
        if delta.reasoning_details:
            for detail in delta.reasoning_details:
                self._add_detail(detail)
        if delta.tool_calls:
            for call in delta.tool_calls:
                self._add_tool_call(call.index, call.id, call.type, call.function)
        if delta.annotations:
            self.annotations.extend(delta.annotations)
        if delta.images:
            self.images.extend(delta.images)
        if _set(delta.audio):
            self.audio = delta.audio
        if choice.logprobs is not None and choice.logprobs.content:
            self.logprobs.extend(choice.logprobs.content)
        if choice.finish_reason is not None:
            self.finish_reason = choice.finish_reason
        if choice.native_finish_reason is not None:
            self.native_finish_reason = choice.native_finish_reason

    def _add_detail(self, detail: ReasoningDetail) -> None:
        # Providers stream one reasoning block as many fragments sharing a type and an index.
        details = self.details
        if (
            details
            and _set(detail.index)
            and details[-1].index == detail.index
            and details[-1].type == detail.type
        ):
            details[-1] = _merge_detail(details[-1], detail)
        else:
            details.append(detail)

    def _add_tool_call(self, index: int, call_id: Any, kind: Any, function: Any) -> None:
        call = self.tool_calls.get(index)
        if call is None:
            call = self.tool_calls[index] = _ToolCall()
        if call_id:
            call.id = call_id
        if kind:
            call.type = kind
        if _set(function):
            if function.name:
                call.name = function.name
            if function.arguments:
                call.arguments.append(function.arguments)

    def message(self) -> ChatAssistantMessage:
        tool_calls = [
            ChatToolCall(
                id=call.id,
                type=call.type,
                function=ChatToolCallFunction(name=call.name, arguments="".join(call.arguments)),
            )
            for _, call in sorted(self.tool_calls.items())
        ]
        return ChatAssistantMessage(
            content="".join(self.content) if self.content or not tool_calls else None,
            reasoning="".join(self.reasoning) if self.reasoning else msgspec.UNSET,
            refusal="".join(self.refusal) if self.refusal else msgspec.UNSET,
            reasoning_details=self.details or msgspec.UNSET,
            tool_calls=tool_calls or msgspec.UNSET,
            annotations=self.annotations or msgspec.UNSET,
            images=self.images or msgspec.UNSET,
            audio=self.audio if self.audio is not None else msgspec.UNSET,
        )


def assemble(
    chunks: Sequence[ChatStreamingResponseChunk], error: OpenRouterError | None
) -> Result[ChatResponse, OpenRouterError]:
    """The response the chunks add up to, or `Err(error)` when the stream failed."""
    if error is not None:
        return Err(error)
    choices: dict[int, _Choice] = {}
    first = chunks[0] if chunks else ChatStreamingResponseChunk()
    usage = provider = fingerprint = tier = metadata = None
    for chunk in chunks:
        for choice in chunk.choices:
            state = choices.get(choice.index)
            if state is None:
                state = choices[choice.index] = _Choice()
            state.add(choice)
        usage = chunk.usage or usage
        provider = chunk.provider or provider
        fingerprint = chunk.system_fingerprint or fingerprint
        tier = chunk.service_tier or tier
        metadata = chunk.openrouter_metadata or metadata
    return Ok(
        ChatResponse(
            id=first.id,
            object="chat.completion",
            created=first.created,
            model=first.model,
            provider=provider,
            system_fingerprint=fingerprint,
            service_tier=tier,
            usage=usage,
            openrouter_metadata=metadata,
            choices=[
                ChatChoice(
                    index=index,
                    message=state.message(),
                    finish_reason=state.finish_reason,
                    native_finish_reason=state.native_finish_reason,
                    logprobs=ChatTokenLogprobs(content=state.logprobs) if state.logprobs else None,
                )
                for index, state in sorted(choices.items())
            ],
        )
    )
