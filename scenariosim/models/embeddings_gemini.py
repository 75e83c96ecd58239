"""`gemini:<model>` embeddings through langchain-google-genai, paced and retried.

`GoogleGenerativeAIEmbeddings` has neither a client-side rate limiter nor retries that honour
a 429's delay; `PacedEmbeddings` adds both (`gemini_embedding_requests_per_second`, the
shared limiter and `retryable` of `gemini_shared.py`).
"""

from collections.abc import Callable
from typing import TypeVar

from langchain_core.embeddings import Embeddings
from langchain_core.rate_limiters import InMemoryRateLimiter

from scenariosim.errors import ModelError
from scenariosim.models.backoff import RetryPolicy
from scenariosim.models.gemini_shared import require_key, retryable, shared_rate_limiter
from scenariosim.models.registry import ModelSpec, register_embedding_backend
from scenariosim.settings import Settings

DEFAULT_EMBEDDING_MODEL = "gemini-embedding-001"
T = TypeVar("T")


class PacedEmbeddings(Embeddings):
    """Gemini embeddings behind a client-side rate limiter, retried like the agents' calls.

    `GoogleGenerativeAIEmbeddings` has no option for either, and a run embeds a query per
    task; without them one 429 stopped the run."""

    def __init__(
        self,
        inner: Embeddings,
        model: str,
        limiter: InMemoryRateLimiter,
        policy: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.inner = inner
        self.model = model
        self.limiter = limiter
        self.policy = policy

    def _call(self, embed: Callable[[], T]) -> T:
        def paced() -> T:
            self.limiter.acquire()
            return embed()

        try:
            return self.policy.run(paced, retryable)
        except Exception as e:
            if retryable(e):
                raise ModelError(
                    f"Gemini embeddings {self.model} failed {self.policy.max_attempts} times: {e}"
                ) from None
            raise ModelError(f"Gemini embeddings {self.model}: {e}") from None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._call(lambda: self.inner.embed_documents(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._call(lambda: self.inner.embed_query(text))


@register_embedding_backend("gemini")
def make_gemini_embeddings(spec: ModelSpec, settings: Settings) -> Embeddings:
    model = spec.name or DEFAULT_EMBEDDING_MODEL
    require_key(settings, ModelSpec(spec.backend, model))
    from langchain_google_genai import GoogleGenerativeAIEmbeddings

    inner = GoogleGenerativeAIEmbeddings(
        model=model,
        google_api_key=settings.google_api_key,
        base_url=settings.gemini_base_url,
    )
    limiter = shared_rate_limiter(model, settings, settings.gemini_embedding_requests_per_second)
    return PacedEmbeddings(inner, model, limiter)
