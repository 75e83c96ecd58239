"""`gemini:<model>` chat and embeddings through langchain-google-genai.

Built only when a key is set (GOOGLE_API_KEY or GEMINI_API_KEY). `settings.gemini_base_url`
points the clients at a proxy or a local stand-in through the library's documented
`base_url` option (the google-genai SDK's `HttpOptions.base_url`).

Chat models get one client-side rate limiter per Gemini model and rate, shared by every
client of that model in the process: Gemini's quotas are per model and key, so an agent and
a critic on the same model must share one budget. The SDK's own retries are off
(`max_retries=1`, the library's documented way) because they ignore the retry delay a 429
carries and bypass the rate limiter; the agents' call loop retries instead, honouring it.
"""

import threading

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.rate_limiters import InMemoryRateLimiter

from scenariosim.errors import ConfigError, NeedsKeyError
from scenariosim.models.registry import (
    ChatOptions,
    ModelSpec,
    register_chat_backend,
    register_embedding_backend,
)
from scenariosim.settings import Settings

DEFAULT_EMBEDDING_MODEL = "gemini-embedding-001"

_LIMITERS: dict[tuple[str, str | None, float], InMemoryRateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_rate_limiter(model: str, settings: Settings) -> InMemoryRateLimiter:
    """The process's one limiter for `model` at this endpoint and rate."""
    key = (model, settings.gemini_base_url, settings.gemini_requests_per_second)
    with _LIMITERS_LOCK:
        if key not in _LIMITERS:
            _LIMITERS[key] = InMemoryRateLimiter(
                requests_per_second=settings.gemini_requests_per_second,
                check_every_n_seconds=0.05,
                max_bucket_size=1,
            )
        return _LIMITERS[key]


def _require_key(settings: Settings, spec: ModelSpec) -> None:
    if settings.google_api_key is None:
        raise NeedsKeyError(
            f"'{spec}' needs a Gemini API key: set GOOGLE_API_KEY (or GEMINI_API_KEY), "
            "or name the model `local` instead (scenario `models:` or SCENARIOSIM_*_MODEL)"
        )
    if not spec.name:
        raise ConfigError("a Gemini spec names its model, e.g. 'gemini:gemini-2.5-flash'")


@register_chat_backend("gemini")
def make_gemini_chat(spec: ModelSpec, settings: Settings, options: ChatOptions) -> BaseChatModel:
    _require_key(settings, spec)
    from scenariosim.models.gemini_chat import GeminiChat

    return GeminiChat(
        model=spec.name,
        google_api_key=settings.google_api_key,
        base_url=settings.gemini_base_url,
        temperature=options.temperature,
        max_output_tokens=options.max_tokens,
        seed=options.seed,
        max_retries=1,
        timeout=settings.request_timeout_s,
        rate_limiter=shared_rate_limiter(spec.name, settings),
    )


@register_embedding_backend("gemini")
def make_gemini_embeddings(spec: ModelSpec, settings: Settings) -> Embeddings:
    _require_key(settings, ModelSpec(spec.backend, spec.name or DEFAULT_EMBEDDING_MODEL))
    from langchain_google_genai import GoogleGenerativeAIEmbeddings

    return GoogleGenerativeAIEmbeddings(
        model=spec.name or DEFAULT_EMBEDDING_MODEL,
        google_api_key=settings.google_api_key,
        base_url=settings.gemini_base_url,
    )
