"""Spec parsing and the backend registry.

A spec is `backend` or `backend:model-name` (`local`, `gemini:gemini-2.5-flash`,
`ollama:llama3.2`). Each backend module marks a factory for its prefix
(`@register_chat_backend("local")`); the default backend is marked exactly like the others.
A `Backends` value holds the factories found in a tuple of modules: the built-in ones, the
modules of installed plugins (entry point group `scenariosim.backends`) and the modules the
`backend_modules` setting names. It is immutable and passed to whatever makes a model; there
is no process-wide table to register into or patch.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Literal

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
Kind = Literal["chat", "embedding", "image"]

# The built-in backends: the module whose marked factory each (kind, prefix) is. The table
# names modules without importing them, so knowing which specs exist costs nothing; a
# module is imported when a model of its kind and prefix is made (llama.cpp, torch and the
# Google client load only then). tests/test_models_registry.py keeps it equal to the marks.
BUILTIN_BACKENDS: dict[str, dict[str, str]] = {
    "chat": {
        "local": "scenariosim.models.chat_local",
        "gemini": "scenariosim.models.chat_gemini",
        "ollama": "scenariosim.models.chat_openai",
        "openai": "scenariosim.models.chat_openai",
    },
    "embedding": {
        "local": "scenariosim.models.embeddings_local",
        "gemini": "scenariosim.models.embeddings_gemini",
    },
    "image": {
        "local": "scenariosim.models.image_local",
        "gemini": "scenariosim.models.image_gemini",
    },
}
# Installed packages can add backends: an entry point in this group names a module.
ENTRY_POINT_GROUP = "scenariosim.backends"
_MARK = "__scenariosim_backend__"


@dataclass(frozen=True)
class Backends:
    """Backend factories by kind and spec prefix: an immutable value, built from modules
    (`backends_for`) and passed to whatever makes models; nothing registers into it."""

    chat: Mapping[str, ChatFactory] = field(default_factory=dict)
    embedding: Mapping[str, EmbeddingsFactory] = field(default_factory=dict)
    image: Mapping[str, ImageFactory] = field(default_factory=dict)

    def of(self, kind: Kind) -> Mapping[str, Any]:
        return {"chat": self.chat, "embedding": self.embedding, "image": self.image}[kind]

    def with_backend(self, kind: Kind, prefix: str, factory: Any) -> "Backends":
        """A copy with `factory` under `prefix` (this one is left as it is)."""
        return replace(self, **{kind: {**self.of(kind), prefix: factory}})


def _marker(kind: Kind, prefix: str) -> Callable[[Any], Any]:
    def mark(factory: Any) -> Any:
        setattr(factory, _MARK, (kind, prefix))
        return factory

    return mark


def register_chat_backend(prefix: str) -> Callable[[ChatFactory], ChatFactory]:
    """Mark a module's function as the chat factory of `prefix`; `backends_from` finds it."""
    return _marker("chat", prefix)


def register_embedding_backend(prefix: str) -> Callable[[EmbeddingsFactory], EmbeddingsFactory]:
    return _marker("embedding", prefix)


def register_image_backend(prefix: str) -> Callable[[ImageFactory], ImageFactory]:
    return _marker("image", prefix)


def _import(name: str) -> Any:
    try:
        return import_module(name)
    except ImportError as e:
        raise ConfigError(
            f"backend module '{name}' cannot be imported ({e}); check the backend_modules "
            "setting (SCENARIOSIM_BACKEND_MODULES) or the installed plugins"
        ) from e


def marked(module: Any) -> list[tuple[Kind, str, Any]]:
    """(kind, prefix, factory) of every factory `module` marks."""
    found = []
    for value in vars(module).values():
        mark = getattr(value, _MARK, None)
        if mark is not None:
            found.append((mark[0], mark[1], value))
    return found


@dataclass(frozen=True)
class _Deferred:
    """A built-in factory named by its module, imported on the first call."""

    kind: Kind
    prefix: str
    module: str

    def __call__(self, *args: Any) -> Any:
        for kind, prefix, factory in marked(_import(self.module)):
            if (kind, prefix) == (self.kind, self.prefix):
                return factory(*args)
        raise ConfigError(f"{self.module} marks no {self.kind} backend '{self.prefix}'")


def builtin_backends() -> Backends:
    return Backends(
        **{
            kind: {prefix: _Deferred(kind, prefix, module) for prefix, module in table.items()}
            for kind, table in BUILTIN_BACKENDS.items()
        }
    )


def backends_from(modules: tuple[str, ...], base: Backends | None = None) -> Backends:
    """`base` (default: the built-in backends) with the factories marked in `modules`, later
    modules overriding earlier ones."""
    backends = base if base is not None else builtin_backends()
    for name in modules:
        for kind, prefix, factory in marked(_import(name)):
            backends = backends.with_backend(kind, prefix, factory)
    return backends


def _plugin_modules() -> tuple[str, ...]:
    return tuple(ep.value for ep in entry_points(group=ENTRY_POINT_GROUP))


@cache
def _backends(modules: tuple[str, ...]) -> Backends:
    return backends_from(modules)


def backends_for(settings: Settings | None = None) -> Backends:
    """The built-in backends, those of installed plugins (entry points) and those of the
    modules the `backend_modules` setting names; built once per set of modules."""
    extra = tuple(settings.backend_modules) if settings is not None else ()
    return _backends((*_plugin_modules(), *extra))


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


def _unknown(kind: str, spec: ModelSpec, known: Mapping[str, object]) -> ConfigError:
    choices = ", ".join(sorted(known))
    return ConfigError(
        f"unknown {kind} model spec '{spec}': the backend must be one of {choices} "
        "(for example 'local' or 'gemini:gemini-2.5-flash')"
    )


def check_spec(kind: Kind, spec: str, key: str, backends: Backends | None = None) -> ModelSpec:
    """`spec` parsed; raise now, naming the setting `key`, if its backend is unknown: before
    a run writes anything or loads a model."""
    known = (backends or backends_for()).of(kind)
    parsed = parse_spec(spec)
    if parsed.backend not in known:
        raise ConfigError(f"{key}: {_unknown(kind, parsed, known)}")
    return parsed


def _factory(kind: Kind, spec: "str | ModelSpec", backends: Backends) -> tuple[ModelSpec, Any]:
    parsed = _parsed(spec)
    known = backends.of(kind)
    factory = known.get(parsed.backend)
    if factory is None:
        raise _unknown(kind, parsed, known)
    return parsed, factory


def make_chat_model(
    spec: str | ModelSpec,
    settings: Settings | None = None,
    options: ChatOptions | None = None,
    backends: Backends | None = None,
) -> BaseChatModel:
    """A LangChain chat model for `spec`; `with_structured_output` works on every backend.
    `backends`: default, those `settings` name (`backends_for`)."""
    settings = settings or load_settings()
    parsed, factory = _factory("chat", spec, backends or backends_for(settings))
    return factory(parsed, settings, options or ChatOptions())


def make_embeddings(
    spec: str | ModelSpec = "local",
    settings: Settings | None = None,
    backends: Backends | None = None,
) -> Embeddings:
    """A LangChain `Embeddings` for `spec`; the local one is loaded once per process."""
    settings = settings or load_settings()
    parsed, factory = _factory("embedding", spec, backends or backends_for(settings))
    return factory(parsed, settings)


def make_image_backend(
    spec: str | ModelSpec = "local",
    settings: Settings | None = None,
    backends: Backends | None = None,
) -> "ImageBackend":
    """An image backend for `spec`: `local` (offline renderer) or e.g. `gemini:<image model>`."""
    settings = settings or load_settings()
    parsed, factory = _factory("image", spec, backends or backends_for(settings))
    return factory(parsed, settings)
