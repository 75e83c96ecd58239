"""`gemini:<image model>` images (e.g. `gemini:gemini-2.5-flash-image`) through
langchain-google-genai.

Built only when a key is set. The chat model is asked for an IMAGE response modality
(`response_modalities`, `image_config` are the library's documented options); the picture
comes back as an `image_url` content block holding a base64 data URL. A generative model is
asked for the attributes, not bound by them, so these labels are the requested ones.

The client is `GeminiChat`, so a blocked or failed request is a `ModelError` that the run
records as a missing image. The SDK's own retries are off (they ignore a 429's retry
delay); the backend retries like the agents' calls instead: at most 3 attempts, waiting the
delay Gemini asks for or backing off from 0.5 s, and only for failures worth another try
(`gemini_shared.retryable`), never for a safety block. Requests pass the image model's rate
limiter, retries included.

Reference pictures the user marked `allowed_as_input` go with the prompt as inline image
parts (base64 data URLs, at most `MAX_REFERENCE_IMAGES`), with a line asking the model to
take composition and colour from them and nothing else.
"""

import base64
import binascii
import io
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from PIL import Image, UnidentifiedImageError

from scenariosim.errors import ConfigError, ModelError, NeedsKeyError
from scenariosim.labels import IMAGE_ATTRIBUTES
from scenariosim.models.backoff import RetryPolicy
from scenariosim.models.image_backend import (
    GeneratedImage,
    ImageRequest,
    ReferenceHint,
    describe_request,
)
from scenariosim.models.registry import ModelSpec, register_image_backend
from scenariosim.settings import Settings

MAX_REFERENCE_IMAGES = 3
REFERENCE_NOTE = (
    "The attached photos are references: take the composition, framing and colours from "
    "them, never their people's faces, their text or their places."
)
_MIME = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def reference_parts(
    references: tuple[ReferenceHint, ...],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Inline image parts for the allowed references whose files exist, and their ids."""
    parts: list[dict[str, Any]] = []
    used: list[str] = []
    for ref in references:
        if not ref.image_path or len(parts) >= MAX_REFERENCE_IMAGES:
            continue
        path = Path(ref.image_path)
        mime = _MIME.get(path.suffix.lower())
        if mime is None or not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode()
        parts.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}})
        used.append(ref.id)
    return parts, used


def _aspect_ratio(width: int, height: int) -> str:
    ratios = {"1:1": 1.0, "4:3": 4 / 3, "3:4": 3 / 4, "16:9": 16 / 9, "9:16": 9 / 16}
    return min(ratios, key=lambda k: abs(ratios[k] - width / height))


def image_from_message(message: AIMessage) -> Image.Image:
    """The first picture in a chat answer (an `image_url` or `image` content block)."""
    blocks = message.content if isinstance(message.content, list) else []
    for block in blocks:
        if not isinstance(block, dict):
            continue
        data: str | None = None
        if block.get("type") == "image_url":
            url = block["image_url"]
            url = url.get("url") if isinstance(url, dict) else url
            if isinstance(url, str) and url.startswith("data:image/"):
                data = url.split(",", 1)[1]
        elif block.get("type") == "image" and block.get("base64"):
            data = block["base64"]
        if data is None:
            continue
        try:
            return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")
        except (binascii.Error, UnidentifiedImageError, OSError) as e:
            raise ModelError(f"the image model returned an unreadable picture: {e}") from e
    text = message.text if isinstance(message.text, str) else ""
    raise ModelError(
        "the image model answered without a picture"
        + (f" ({text[:200]!r})" if text else "")
        + "; check that the spec names an image model, e.g. gemini:gemini-2.5-flash-image"
    )


class GeminiImageBackend:
    def __init__(self, spec: str, chat: BaseChatModel, policy: RetryPolicy = RetryPolicy()) -> None:
        self.spec = spec
        self.chat = chat
        self.policy = policy

    def _invoke(self, content: str | list[Any], aspect_ratio: str) -> Any:
        from scenariosim.models.gemini_shared import retryable

        message = [HumanMessage(content=content)]
        return self.policy.run(
            lambda: self.chat.invoke(message, image_config={"aspect_ratio": aspect_ratio}),
            retryable,
        )

    def generate(self, request: ImageRequest) -> GeneratedImage:
        prompt = describe_request(request)
        images, used = reference_parts(request.references)
        content: str | list[Any] = prompt
        if images:
            content = [{"type": "text", "text": f"{prompt} {REFERENCE_NOTE}"}, *images]
        message = self._invoke(content, _aspect_ratio(request.width, request.height))
        if not isinstance(message, AIMessage):
            raise ModelError(f"{self.spec} answered with {type(message).__name__}, not a message")
        image = image_from_message(message)
        labels = {k: bool(request.labels.get(k, False)) for k in IMAGE_ATTRIBUTES}
        return GeneratedImage(
            image=image,
            labels=labels,
            labels_exact=False,
            backend=self.spec,
            layout=None,
            notes=[
                "labels are the requested attributes; a generative model may not show them",
                *([f"reference images passed as inputs: {', '.join(used)}"] if used else []),
            ],
        )


@register_image_backend("gemini")
def make_gemini_image_backend(spec: ModelSpec, settings: Settings) -> GeminiImageBackend:
    if settings.google_api_key is None:
        raise NeedsKeyError(
            f"image model '{spec}' needs a Gemini API key: set GOOGLE_API_KEY (or "
            "GEMINI_API_KEY), or use SCENARIOSIM_IMAGE_MODEL=local"
        )
    if not spec.name:
        raise ConfigError(
            "a Gemini image spec names its model, e.g. 'gemini:gemini-2.5-flash-image'"
        )
    from langchain_google_genai import Modality

    from scenariosim.models.chat_gemini import GeminiChat
    from scenariosim.models.gemini_shared import shared_rate_limiter

    options: dict[str, Any] = {
        "model": spec.name,
        "google_api_key": settings.google_api_key,
        "base_url": settings.gemini_base_url,
        "response_modalities": [Modality.TEXT, Modality.IMAGE],
        "max_retries": 1,
        "timeout": settings.request_timeout_s,
        "rate_limiter": shared_rate_limiter(spec.name, settings),
    }
    return GeminiImageBackend(str(spec), GeminiChat(**options))
