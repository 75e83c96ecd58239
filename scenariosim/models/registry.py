"""Spec parsing and the backend registries.

A spec is `backend` or `backend:model-name` (`local`, `gemini:gemini-2.5-flash`,
`ollama:llama3.2`). Each backend module registers a factory for its prefix; the default
backend registers exactly like the others.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel

from scenariosim.errors import ConfigError
from scenariosim.settings import Settings, load_settings

if TYPE_CHECKING:
    from scenariosim.models.image_backend import ImageBackend


@dataclass(frozen=True)
class ModelSpec:
    backend: str
    name: str

    def __str__(self) -> str:
        return f"{self.backend}:{self.name}" if self.name else self.backend


@dataclass(frozen=True)
class ChatOptions:
    """Sampling options every chat backend honours."""

    seed: int = 0
    temperature: float = 0.7
    max_tokens: int = 512


# A call's output budget when the scenario sets none. Gemini 2.5 and later think before
# answering and the thinking counts against the budget, so they need room beyond the answer.
DEFAULT_MAX_TOKENS = 320
BACKEND_MAX_TOKENS = {"gemini": 2048}


def default_max_tokens(spec: "str | ModelSpec") -> int:
    return BACKEND_MAX_TOKENS.get(_parsed(spec).backend, DEFAULT_MAX_TOKENS)


ChatFactory = Callable[[ModelSpec, Settings, ChatOptions], BaseChatModel]
EmbeddingsFactory = Callable[[ModelSpec, Settings], Embeddings]
ImageFactory = Callable[[ModelSpec, Settings], "ImageBackend"]

CHAT_BACKENDS: dict[str, ChatFactory] = {}
EMBEDDING_BACKENDS: dict[str, EmbeddingsFactory] = {}
IMAGE_BACKENDS: dict[str, ImageFactory] = {}

# Modules whose import registers backends; imported on first use so that `scenariosim --help`
# does not pay for llama.cpp, torch or the Google client.
_BACKEND_MODULES = (
    "scenariosim.models.chat_local",
    "scenariosim.models.gemini",
    "scenariosim.models.chat_openai",
    "scenariosim.models.embeddings_local",
    "scenariosim.models.image_local",
    "scenariosim.models.image_gemini",
)


def register_chat_backend(prefix: str) -> Callable[[ChatFactory], ChatFactory]:
    def register(factory: ChatFactory) -> ChatFactory:
        CHAT_BACKENDS[prefix] = factory
        return factory

    return register


def register_embedding_backend(
    prefix: str,
) -> Callable[[EmbeddingsFactory], EmbeddingsFactory]:
    def register(factory: EmbeddingsFactory) -> EmbeddingsFactory:
        EMBEDDING_BACKENDS[prefix] = factory
        return factory

    return register


def register_image_backend(prefix: str) -> Callable[[ImageFactory], ImageFactory]:
    def register(factory: ImageFactory) -> ImageFactory:
        IMAGE_BACKENDS[prefix] = factory
        return factory

    return register


def _load_backends() -> None:
    for module in _BACKEND_MODULES:
        import_module(module)


def parse_spec(spec: str) -> ModelSpec:
    """Split `backend:name`; the backend must be registered."""
    backend, _, name = spec.strip().partition(":")
    if not backend:
        raise ConfigError(
            f"empty model spec {spec!r}: use 'local' or e.g. 'gemini:gemini-2.5-flash'"
        )
    return ModelSpec(backend=backend.lower(), name=name.strip())


def _parsed(spec: "str | ModelSpec") -> ModelSpec:
    """A spec parsed once: a `ModelSpec` (a resolved run's) is used as it is."""
    return spec if isinstance(spec, ModelSpec) else parse_spec(spec)


def _unknown(kind: str, spec: ModelSpec, known: dict[str, object]) -> ConfigError:
    choices = ", ".join(sorted(known))
    return ConfigError(
        f"unknown {kind} model spec '{spec}': the backend must be one of {choices} "
        "(for example 'local' or 'gemini:gemini-2.5-flash')"
    )


def check_spec(kind: Literal["chat", "embedding", "image"], spec: str, key: str) -> ModelSpec:
    """`spec` parsed; raise now, naming the setting `key`, if its backend is unknown: before
    a run writes anything or loads a model."""
    _load_backends()
    known = {"chat": CHAT_BACKENDS, "embedding": EMBEDDING_BACKENDS, "image": IMAGE_BACKENDS}[kind]
    parsed = parse_spec(spec)
    if parsed.backend not in known:
        raise ConfigError(f"{key}: {_unknown(kind, parsed, known)}")
    return parsed


def make_chat_model(
    spec: str | ModelSpec, settings: Settings | None = None, options: ChatOptions | None = None
) -> BaseChatModel:
    """A LangChain chat model for `spec`; `with_structured_output` works on every backend."""
    _load_backends()
    parsed = _parsed(spec)
    factory = CHAT_BACKENDS.get(parsed.backend)
    if factory is None:
        raise _unknown("chat", parsed, CHAT_BACKENDS)
    return factory(parsed, settings or load_settings(), options or ChatOptions())


def make_embeddings(
    spec: str | ModelSpec = "local", settings: Settings | None = None
) -> Embeddings:
    """A LangChain `Embeddings` for `spec`; the local one is loaded once per process."""
    _load_backends()
    parsed = _parsed(spec)
    factory = EMBEDDING_BACKENDS.get(parsed.backend)
    if factory is None:
        raise _unknown("embedding", parsed, EMBEDDING_BACKENDS)
    return factory(parsed, settings or load_settings())


def make_image_backend(
    spec: str | ModelSpec = "local", settings: Settings | None = None
) -> "ImageBackend":
    """An image backend for `spec`: `local` (offline renderer) or e.g. `gemini:<image model>`."""
    _load_backends()
    parsed = _parsed(spec)
    factory = IMAGE_BACKENDS.get(parsed.backend)
    if factory is None:
        raise _unknown("image", parsed, IMAGE_BACKENDS)
    return factory(parsed, settings or load_settings())
