"""The contenders: this SDK, the httpx floors (json.loads, msgspec), openai and the official openrouter SDK.

Each exposes the same small surface, so every measure runs the same code path for all of them.
`root` is the loopback server's URL; the first path segment picks the reply (see server.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import msgspec

MODEL = "openai/gpt-4o-mini"
MESSAGES = [{"role": "user", "content": "Why is the sky blue?"}]
BODY = {"model": MODEL, "messages": MESSAGES}
HEADERS = {"Authorization": "Bearer sk-bench", "Content-Type": "application/json"}
KEY = "sk-bench"


# The bare floor: msgspec Structs covering exactly the fields the canned replies carry.
class Fn(msgspec.Struct):
    name: str
    arguments: str


class ToolCall(msgspec.Struct):
    id: str
    type: str
    function: Fn


class Message(msgspec.Struct):
    role: str
    content: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    tool_calls: list[ToolCall] | None = None


class Choice(msgspec.Struct):
    index: int
    message: Message
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    logprobs: Any = None


class PromptDetails(msgspec.Struct):
    cached_tokens: int = 0
    audio_tokens: int = 0


class CompletionDetails(msgspec.Struct):
    reasoning_tokens: int = 0
    image_tokens: int = 0


class CostDetails(msgspec.Struct):
    upstream_inference_cost: float | None = None
    upstream_inference_prompt_cost: float | None = None
    upstream_inference_completions_cost: float | None = None


class Usage(msgspec.Struct):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float | None = None
    is_byok: bool = False
    prompt_tokens_details: PromptDetails | None = None
    cost_details: CostDetails | None = None
    completion_tokens_details: CompletionDetails | None = None


class Response(msgspec.Struct):
    id: str
    model: str
    object: str
    created: int
    choices: list[Choice]
    provider: str | None = None
    system_fingerprint: str | None = None
    usage: Usage | None = None


class Delta(msgspec.Struct):
    role: str | None = None
    content: str | None = None


class StreamChoice(msgspec.Struct):
    index: int
    delta: Delta
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    logprobs: Any = None


class Chunk(msgspec.Struct):
    id: str
    model: str
    object: str
    created: int
    choices: list[StreamChoice]
    provider: str | None = None
    system_fingerprint: str | None = None
    usage: Usage | None = None


RESPONSE_DECODER = msgspec.json.Decoder(Response)
CHUNK_DECODER = msgspec.json.Decoder(Chunk)


def _text(reply: Any) -> int:
    """A number read from a decoded reply (content length or tool-call count), so decoding isn't skipped."""
    message = reply.choices[0].message
    return len(message.content or "") + len(message.tool_calls or ())


class HttpxJson:
    """The floor: raw httpx, json.dumps for the body, json.loads for the reply, iter_lines for SSE."""

    name = "httpx+json"

    def __init__(self, root: str, limits: httpx.Limits | None = None) -> None:
        self.root = root
        self.limits = limits
        self._client: httpx.Client | None = None
        self._aclient: httpx.AsyncClient | None = None

    def url(self, kind: str) -> str:
        return f"{self.root}/{kind}/v1/chat/completions"

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client()
        return self._client

    @property
    def aclient(self) -> httpx.AsyncClient:
        if self._aclient is None:
            kwargs = {} if self.limits is None else {"limits": self.limits}
            self._aclient = httpx.AsyncClient(**kwargs)
        return self._aclient

    def encode(self, body: dict[str, Any]) -> bytes:
        return json.dumps(body).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)

    def decode_chunk(self, data: bytes | str) -> Any:
        return json.loads(data)

    def count(self, reply: Any) -> int:
        message = reply["choices"][0]["message"]
        return len(message.get("content") or "") + len(message.get("tool_calls") or ())

    def request(self, kind: str = "small") -> int:
        response = self.client.post(self.url(kind), content=self.encode(BODY), headers=HEADERS)
        return self.count(self.decode(response.content))

    def stream(self) -> int:
        chunks = 0
        body = self.encode({**BODY, "stream": True})
        with self.client.stream("POST", self.url("stream"), content=body, headers=HEADERS) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    self.decode_chunk(line[6:])
                    chunks += 1
        return chunks

    def collect(self) -> int:
        parts = []
        body = self.encode({**BODY, "stream": True})
        with self.client.stream("POST", self.url("stream"), content=body, headers=HEADERS) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    parts.append(self._content(self.decode_chunk(line[6:])))
        return len("".join(parts))

    def _content(self, chunk: Any) -> str:
        return chunk["choices"][0]["delta"].get("content") or ""

    async def arequest(self, kind: str = "small") -> int:
        response = await self.aclient.post(self.url(kind), content=self.encode(BODY), headers=HEADERS)
        return self.count(self.decode(response.content))

    async def astream(self) -> int:
        chunks = 0
        body = self.encode({**BODY, "stream": True})
        async with self.aclient.stream("POST", self.url("stream"), content=body, headers=HEADERS) as response:
            async for line in response.aiter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    self.decode_chunk(line[6:])
                    chunks += 1
        return chunks

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        if self._aclient is not None:
            await self._aclient.aclose()


class HttpxMsgspec(HttpxJson):
    """The second floor: raw httpx with msgspec for both the body and bare Structs for the reply."""

    name = "httpx+msgspec"

    def encode(self, body: dict[str, Any]) -> bytes:
        return msgspec.json.encode(body)

    def decode(self, data: bytes) -> Any:
        return RESPONSE_DECODER.decode(data)

    def decode_chunk(self, data: bytes | str) -> Any:
        return CHUNK_DECODER.decode(data)

    def count(self, reply: Any) -> int:
        return _text(reply)

    def _content(self, chunk: Any) -> str:
        return chunk.choices[0].delta.content or ""


class HttpxAiohttp(HttpxJson):
    """Raw httpx on httpx-aiohttp's `AiohttpTransport` (aiohttp's connection pool), with json.loads."""

    name = "httpx-aiohttp"

    @property
    def aclient(self) -> httpx.AsyncClient:
        if self._aclient is None:
            from httpx_aiohttp import AiohttpTransport

            self._aclient = httpx.AsyncClient(transport=AiohttpTransport())
        return self._aclient


class Httpx2(HttpxJson):
    """Raw httpx2 (the httpx fork openai ships) with its default pool, and json.loads."""

    name = "httpx2"

    @property
    def aclient(self) -> Any:
        if self._aclient is None:
            import httpx2

            self._aclient = httpx2.AsyncClient()
        return self._aclient


class Sdk:
    """This SDK: `chat_send`, `ChatStream`, `collect()` and `chat_send_async`."""

    name = "this SDK"

    def __init__(self, root: str) -> None:
        from openrouter_core import OpenRouterCore

        self.root = root
        self.cores = {kind: OpenRouterCore(api_key=KEY, server_url=f"{root}/{kind}/v1") for kind in _KINDS}

    def request(self, kind: str = "small") -> int:
        from openrouter_funcs import chat_send

        return _text(chat_send(self.cores[kind], BODY).unwrap())

    def stream(self) -> int:
        from openrouter_funcs import chat_send

        chunks = 0
        with chat_send(self.cores["stream"], {**BODY, "stream": True}).unwrap() as stream:
            for _ in stream:
                chunks += 1
        if stream.error is not None:
            raise stream.error
        return chunks

    def collect(self) -> int:
        from openrouter_funcs import chat_send

        reply = chat_send(self.cores["stream"], {**BODY, "stream": True}).unwrap().collect().unwrap()
        return len(reply.choices[0].message.content or "")

    async def arequest(self, kind: str = "small") -> int:
        from openrouter_funcs import chat_send_async

        return _text((await chat_send_async(self.cores[kind], BODY)).unwrap())

    async def astream(self) -> int:
        from openrouter_funcs import chat_send_async

        chunks = 0
        async with (await chat_send_async(self.cores["stream"], {**BODY, "stream": True})).unwrap() as stream:
            async for _ in stream:
                chunks += 1
        if stream.error is not None:
            raise stream.error
        return chunks

    def close(self) -> None:
        for core in self.cores.values():
            core.close()

    async def aclose(self) -> None:
        for core in self.cores.values():
            await core.aclose()


class OpenAI:
    """openai-python, pointed at the loopback server."""

    name = "openai"

    def __init__(self, root: str) -> None:
        import openai

        self.clients = {
            k: openai.OpenAI(base_url=f"{root}/{k}/v1", api_key=KEY, max_retries=0) for k in _KINDS
        }
        self.aclients = {
            k: openai.AsyncOpenAI(base_url=f"{root}/{k}/v1", api_key=KEY, max_retries=0, **self._http())
            for k in _KINDS
        }

    def _http(self) -> dict[str, Any]:
        return {}

    def request(self, kind: str = "small") -> int:
        return _text(self.clients[kind].chat.completions.create(model=MODEL, messages=MESSAGES))  # type: ignore[arg-type]

    def stream(self) -> int:
        chunks = 0
        create = self.clients["stream"].chat.completions.create
        with create(model=MODEL, messages=MESSAGES, stream=True) as stream:  # type: ignore[arg-type]
            for _ in stream:
                chunks += 1
        return chunks

    def collect(self) -> int:
        stream = self.clients["stream"].chat.completions.stream
        with stream(model=MODEL, messages=MESSAGES) as events:  # type: ignore[arg-type]
            reply = events.get_final_completion()
        return len(reply.choices[0].message.content or "")

    async def arequest(self, kind: str = "small") -> int:
        create = self.aclients[kind].chat.completions.create
        return _text(await create(model=MODEL, messages=MESSAGES))  # type: ignore[arg-type]

    async def astream(self) -> int:
        chunks = 0
        create = self.aclients["stream"].chat.completions.create
        async with await create(model=MODEL, messages=MESSAGES, stream=True) as stream:  # type: ignore[arg-type]
            async for _ in stream:
                chunks += 1
        return chunks

    def close(self) -> None:
        for client in self.clients.values():
            client.close()

    async def aclose(self) -> None:
        for client in self.aclients.values():
            await client.close()


class OpenAIAiohttp(OpenAI):
    """openai-python's async client on `DefaultAioHttpClient` (`pip install openai[aiohttp]`)."""

    name = "openai+aiohttp"

    def _http(self) -> dict[str, Any]:
        import openai

        # Without the extra, constructing it raises, which the bench reports as n/a.
        return {"http_client": openai.DefaultAioHttpClient()}


class OfficialOpenRouter:
    """The official `openrouter` SDK (Speakeasy-generated), pointed at the loopback server."""

    name = "openrouter"

    def __init__(self, root: str) -> None:
        from openrouter import OpenRouter

        self.clients = {k: OpenRouter(api_key=KEY, server_url=f"{root}/{k}/v1") for k in _KINDS}

    def request(self, kind: str = "small") -> int:
        return _text(self.clients[kind].chat.send(model=MODEL, messages=MESSAGES))  # type: ignore[arg-type]

    def stream(self) -> int:
        chunks = 0
        with self.clients["stream"].chat.send(model=MODEL, messages=MESSAGES, stream=True) as stream:  # type: ignore[arg-type]
            for _ in stream:
                chunks += 1
        return chunks

    async def arequest(self, kind: str = "small") -> int:
        send = self.clients[kind].chat.send_async
        return _text(await send(model=MODEL, messages=MESSAGES))  # type: ignore[arg-type]

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)

    async def aclose(self) -> None:
        pass


_KINDS = ("small", "large", "stream")


class SdkOtel(Sdk):
    """This SDK with `instrument()` on, through the OpenTelemetry SDK: spans built, metrics aggregated.

    The tracer provider has no span processor, so the cost measured is the instrumentation's and the SDK's
    span and metric bookkeeping, not an exporter's.
    """

    name = "this SDK + otel"

    def __init__(self, root: str) -> None:
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider

        from openrouter_funcs import instrument

        super().__init__(root)
        self.tracer_provider = TracerProvider()
        self.meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
        for core in self.cores.values():
            instrument(core, tracer_provider=self.tracer_provider, meter_provider=self.meter_provider)


CONTENDERS: dict[str, Any] = {
    "httpx+json": HttpxJson,
    "httpx+msgspec": HttpxMsgspec,
    "this SDK": Sdk,
    "this SDK + otel": SdkOtel,
    "openai": OpenAI,
    "openrouter": OfficialOpenRouter,
    "httpx-aiohttp": HttpxAiohttp,
    "httpx2": Httpx2,
    "openai+aiohttp": OpenAIAiohttp,
}


def decoders(name: str) -> tuple[Any, Any]:
    """(decode a whole reply, decode one stream chunk's payload) as each contender does it."""
    if name == "httpx+json":
        return json.loads, json.loads
    if name == "httpx+msgspec":
        return RESPONSE_DECODER.decode, CHUNK_DECODER.decode
    if name == "this SDK":
        return _sdk_decoders()
    if name == "openai":
        return _openai_decoders()
    return _openrouter_decoders()


def _sdk_decoders() -> tuple[Any, Any]:
    from openrouter_core._stream_state import StreamState
    from openrouter_funcs._chat_send import decode_chat

    headers = {"content-type": "application/json"}
    state = StreamState({"content-type": "text/event-stream"})

    def chunk(data: bytes) -> Any:
        # The stream's own path: queue the payload, take the chunk (decode, error check, bookkeeping).
        if len(state.chunks) > 1000:
            state.chunks.clear()
        state.pending.append(data)
        return state.next_chunk()

    return (lambda body: decode_chat(200, headers, body)), chunk


def _openai_decoders() -> tuple[Any, Any]:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionChunk

    client = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key=KEY)
    process = client._process_response_data
    response = Any

    def reply(body: bytes) -> Any:
        return process(data=json.loads(body), cast_to=ChatCompletion, response=response)

    def chunk(data: bytes) -> Any:
        return process(data=json.loads(data), cast_to=ChatCompletionChunk, response=response)

    return reply, chunk


def _openrouter_decoders() -> tuple[Any, Any]:
    from openrouter.components import ChatResult, ChatStreamingResponse
    from openrouter.utils.unmarshal_json_response import unmarshal_json_response

    response = httpx.Response(200)

    def reply(body: bytes) -> Any:
        return unmarshal_json_response(ChatResult, response, body.decode())

    def chunk(data: bytes) -> Any:
        # As its EventStream does: json.loads the data, re-wrap it as {"data": ...}, then validate.
        return unmarshal_json_response(
            ChatStreamingResponse, response, json.dumps({"data": json.loads(data)})
        ).data

    return reply, chunk
