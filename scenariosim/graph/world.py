"""The run's world: personas from the census, a retriever over the corpus, the gazetteer.

This is the one place the graph meets the personas and knowledge packages; everything
downstream sees `Actor`s, a `retrieve` function and a set of known names.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scenariosim.agents.schemas import ContextChunk
from scenariosim.graph.context import Actor, Retrieve
from scenariosim.scenario import Scenario
from scenariosim.settings import Settings


@dataclass(frozen=True)
class World:
    actors: dict[str, Actor]
    persona_rows: list[dict[str, Any]]
    retrieve: Retrieve
    known_names: frozenset[str]
    corpus_fingerprint: str
    embedding_model: str


def open_world(scenario: Scenario, settings: Settings) -> World:
    raise NotImplementedError


__all__ = ["Callable", "ContextChunk", "World", "open_world"]
