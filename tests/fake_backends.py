"""Real runs (census, corpus, Chroma, graph, checkpoints, finalize) on fake chat and
embedding backends registered under the spec `fake`, for fast tests of run-level tools."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fake_chat import SchemaAnsweringChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from langchain_core.language_models import BaseChatModel

from scenariosim.models.registry import CHAT_BACKENDS, EMBEDDING_BACKENDS
from scenariosim.overrides import apply_overrides
from scenariosim.scenario import Scenario, load_scenario
from scenariosim.settings import Settings, load_settings

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "demo.yaml"


def fake_chat(spec: object, settings: object, options: object) -> BaseChatModel:
    return SchemaAnsweringChatModel()


def fake_embeddings(spec: object, settings: object) -> Embeddings:
    return DeterministicFakeEmbedding(size=32)


def register_fakes() -> None:
    """For child processes: register the fakes for the life of the process."""
    CHAT_BACKENDS["fake"] = fake_chat
    EMBEDDING_BACKENDS["fake"] = fake_embeddings


@contextmanager
def fake_models() -> Iterator[None]:
    """The `fake` chat and embedding specs, for as long as the block runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(CHAT_BACKENDS, "fake", fake_chat)
        patch.setitem(EMBEDDING_BACKENDS, "fake", fake_embeddings)
        yield


def demo_scenario() -> Scenario:
    """The shipped 3-persona demo scenario with the fake chat models."""
    return apply_overrides(load_scenario(DEMO), {"models.agent": "fake", "models.critic": "fake"})


def fake_settings(cache: Path) -> Settings:
    return load_settings(cache_dir=cache, embedding_model="fake")


@contextmanager
def fake_cli_env(root: Path) -> Iterator[Settings]:
    """Fakes plus the environment a CLI command reads its settings from, under `root`."""
    with fake_models(), pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "fake")
        patch.setenv("SCENARIOSIM_CACHE_DIR", str(root / "cache"))
        patch.setenv("SCENARIOSIM_OUTPUT_DIR", str(root / "outputs"))
        yield load_settings()


def fake_variant(variant: Any) -> Any:
    """Run one sweep variant in a spawned process with the fakes registered there."""
    from scenariosim.graph.sweep import run_variant

    register_fakes()
    return run_variant(variant)
