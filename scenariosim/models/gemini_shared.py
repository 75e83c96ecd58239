"""What the Gemini backends share (`chat_gemini.py`, `embeddings_gemini.py`,
`image_gemini.py`): the key check, one rate limiter per model, which errors are worth
another try.

Gemini backends are built only when a key is set (GOOGLE_API_KEY or GEMINI_API_KEY). `settings.gemini_base_url`
points the clients at a proxy or a local stand-in through the library's documented
`base_url` option (the google-genai SDK's `HttpOptions.base_url`).

Chat models get one client-side rate limiter per Gemini model and rate, shared by every
client of that model in the process: Gemini's quotas are per model and key, so an agent and
a critic on the same model must share one budget. The SDK's own retries are off
(`max_retries=1`, the library's documented way) because they ignore the retry delay a 429
carries and bypass the rate limiter; the agents' call loop retries instead, honouring it.
Embeddings get the same treatment from `PacedEmbeddings`, with their own limiter
(`gemini_embedding_requests_per_second`): a run embeds a query per task.
"""

import threading

from langchain_core.rate_limiters import InMemoryRateLimiter

from scenariosim.errors import ConfigError, NeedsKeyError
from scenariosim.models.registry import (
    ModelSpec,
)
from scenariosim.settings import Settings

_LIMITERS: dict[tuple[str, str | None, float], InMemoryRateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_rate_limiter(
    model: str, settings: Settings, rate: float | None = None
) -> InMemoryRateLimiter:
    """The process's one limiter for `model` at this endpoint and rate (default: the chat
    rate, `gemini_requests_per_second`)."""
    rate = rate or settings.gemini_requests_per_second
    key = (model, settings.gemini_base_url, rate)
    with _LIMITERS_LOCK:
        if key not in _LIMITERS:
            _LIMITERS[key] = InMemoryRateLimiter(
                requests_per_second=rate,
                check_every_n_seconds=0.05,
                max_bucket_size=1,
            )
        return _LIMITERS[key]


def require_key(settings: Settings, spec: ModelSpec) -> None:
    if settings.google_api_key is None:
        raise NeedsKeyError(
            f"'{spec}' needs a Gemini API key: set GOOGLE_API_KEY (or GEMINI_API_KEY), "
            "or name the model `local` instead (scenario `models:` or SCENARIOSIM_*_MODEL)"
        )
    if not spec.name:
        raise ConfigError("a Gemini spec names its model, e.g. 'gemini:gemini-2.5-flash'")


RETRYABLE_CODES = frozenset({408, 429, 500, 502, 503, 504})


def retryable(error: BaseException) -> bool:
    """Rate limits, server errors, transport trouble and unreadable bodies are worth another
    try; a bad key, a bad request, a safety block or a spent token budget are not."""
    import json

    from google.genai.errors import APIError
    from langchain_google_genai.chat_models import GoogleGenerativeAIError

    from scenariosim.models.chat_gemini import TRANSPORT_ERRORS

    transient = (*TRANSPORT_ERRORS, TimeoutError, ConnectionError, json.JSONDecodeError)
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None:
        chain.append(cause)
        cause = cause.__cause__
    for link in chain:
        if isinstance(link, APIError):
            return link.code in RETRYABLE_CODES
    if any(isinstance(link, transient) for link in chain):
        return True
    return any(isinstance(link, GoogleGenerativeAIError) for link in chain)  # wrapped unknowns
