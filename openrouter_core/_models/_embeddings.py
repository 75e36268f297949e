"""Models of `POST /embeddings`: the strict request and the lenient response."""

from typing import Annotated, Literal, TypeAlias

from msgspec import UNSET, Meta, UnsetType

from ._base import RequestStruct, ResponseStruct
from ._request import ProviderPreferences
from ._response import CostDetails

__all__ = [
    "Embedding",
    "EmbeddingsContentAudio",
    "EmbeddingsContentFile",
    "EmbeddingsContentImage",
    "EmbeddingsContentImageURL",
    "EmbeddingsContentItem",
    "EmbeddingsContentText",
    "EmbeddingsContentVideo",
    "EmbeddingsEncodingFormat",
    "EmbeddingsInput",
    "EmbeddingsInputItem",
    "EmbeddingsMultimodalInput",
    "EmbeddingsPromptTokensDetails",
    "EmbeddingsRequest",
    "EmbeddingsResponse",
    "EmbeddingsUsage",
    "MultimodalMedia",
]

EmbeddingsEncodingFormat: TypeAlias = Literal["float", "base64"]

_Text = Annotated[str, Meta(min_length=1)]


class MultimodalMedia(RequestStruct, kw_only=True):
    """Inline media for an embeddings input: base64 `data` and its `format`."""

    data: str
    format: str | UnsetType | None = UNSET


class EmbeddingsContentText(RequestStruct, tag_field="type", tag="text", kw_only=True):
    """A text part of a multimodal embeddings input."""

    text: _Text


class EmbeddingsContentImageURL(RequestStruct, kw_only=True):
    """The image of an `EmbeddingsContentImage`: a URL or a `data:` URL."""

    url: str


class EmbeddingsContentImage(RequestStruct, tag_field="type", tag="image_url", kw_only=True):
    """An image part of a multimodal embeddings input."""

    image_url: EmbeddingsContentImageURL


class EmbeddingsContentAudio(RequestStruct, tag_field="type", tag="input_audio", kw_only=True):
    """An audio part of a multimodal embeddings input."""

    input_audio: MultimodalMedia


class EmbeddingsContentVideo(RequestStruct, tag_field="type", tag="input_video", kw_only=True):
    """A video part of a multimodal embeddings input."""

    input_video: MultimodalMedia


class EmbeddingsContentFile(RequestStruct, tag_field="type", tag="input_file", kw_only=True):
    """A file part of a multimodal embeddings input."""

    input_file: MultimodalMedia


EmbeddingsContentItem: TypeAlias = (
    EmbeddingsContentText
    | EmbeddingsContentImage
    | EmbeddingsContentAudio
    | EmbeddingsContentVideo
    | EmbeddingsContentFile
)


class EmbeddingsMultimodalInput(RequestStruct, kw_only=True):
    """One multimodal input: its parts are embedded together into one vector."""

    content: Annotated[list[EmbeddingsContentItem], Meta(min_length=1)]


EmbeddingsInputItem: TypeAlias = _Text | int | float | list[int | float] | EmbeddingsMultimodalInput
"""One item of a list `input`. The API takes lists of one kind only (texts, tokens, token lists or
multimodal inputs); `embeddings_create` checks that before sending."""

EmbeddingsInput: TypeAlias = _Text | Annotated[list[EmbeddingsInputItem], Meta(min_length=1)]
"""A text, or a non-empty list of texts, tokens, token lists or multimodal inputs."""


class EmbeddingsRequest(RequestStruct, kw_only=True):
    """`POST /embeddings`: embed `input` with `model`."""

    model: str
    input: EmbeddingsInput
    dimensions: Annotated[int, Meta(ge=1)] | UnsetType | None = UNSET
    encoding_format: EmbeddingsEncodingFormat | UnsetType | None = UNSET
    input_type: str | UnsetType | None = UNSET
    provider: ProviderPreferences | UnsetType | None = UNSET
    user: str | UnsetType | None = UNSET


class Embedding(ResponseStruct, kw_only=True):
    """One vector: a list of floats, or a base64 string of little-endian float32 with `"base64"`."""

    embedding: list[float] | str = []
    index: int = 0
    object: str = "embedding"


class EmbeddingsPromptTokensDetails(ResponseStruct, kw_only=True):
    """Input tokens per modality (only for inputs that mix modalities)."""

    text_tokens: int | None = None
    image_tokens: int | None = None
    audio_tokens: int | None = None
    video_tokens: int | None = None
    file_tokens: int | None = None


class EmbeddingsUsage(ResponseStruct, kw_only=True):
    """Tokens and cost of an embeddings request."""

    prompt_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: CostDetails | None = None
    prompt_tokens_details: EmbeddingsPromptTokensDetails | None = None


class EmbeddingsResponse(ResponseStruct, kw_only=True):
    """The body of `POST /embeddings`: one `Embedding` per input, in `data[i].index` order."""

    data: list[Embedding]
    model: str = ""
    object: str = "list"
    id: str | None = None
    usage: EmbeddingsUsage | None = None
