"""Real runs (census, corpus, Chroma, graph, checkpoints, finalize) on fake chat and
embedding backends registered under the spec `fake`, for fast tests of run-level tools."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_chat import SchemaAnsweringChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from langchain_core.language_models import BaseChatModel

from scenariosim.models.registry import (
    Backends,
    backends_from,
    register_chat_backend,
    register_embedding_backend,
)
from scenariosim.overrides import apply_overrides
from scenariosim.scenario import Scenario, load_scenario
from scenariosim.settings import Settings, load_settings

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"


FAKE_MODULES = ["fake_backends"]  # this module: its marked factories are the `fake` specs


@register_chat_backend("fake")
def fake_chat(spec: object, settings: object, options: object) -> BaseChatModel:
    return SchemaAnsweringChatModel()


@register_embedding_backend("fake")
def fake_embeddings(spec: object, settings: object) -> Embeddings:
    return DeterministicFakeEmbedding(size=32)


def fake_backends() -> Backends:
    """The built-in backends and the `fake` ones, as a value to pass to a run."""
    return backends_from(tuple(FAKE_MODULES))


@contextmanager
def fake_models() -> Iterator[None]:
    """The `fake` chat and embedding specs for settings loaded while the block runs (the
    backend_modules setting names this module, as a plugin would be named)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCENARIOSIM_BACKEND_MODULES", json.dumps(FAKE_MODULES))
        yield


def demo_scenario() -> Scenario:
    """The shipped 3-persona demo scenario with the fake chat models."""
    return apply_overrides(load_scenario(DEMO), {"models.agent": "fake", "models.critic": "fake"})


def fake_settings(cache: Path) -> Settings:
    return load_settings(cache_dir=cache, embedding_model="fake", backend_modules=FAKE_MODULES)


@contextmanager
def fake_cli_env(root: Path) -> Iterator[Settings]:
    """Fakes plus the environment a CLI command reads its settings from, under `root`."""
    with fake_models(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "fake")
        patch.setenv("SCENARIOSIM_CACHE_DIR", str(root / "cache"))
        patch.setenv("SCENARIOSIM_OUTPUT_DIR", str(root / "outputs"))
        yield load_settings()


def fake_variant(variant: Any) -> Any:
    """Run one sweep variant in a spawned process (its settings name the fakes' module)."""
    from scenariosim.graph.sweep import run_variant

    return run_variant(variant)
