"""Scenario graph: fan-out scaling with a fixed-latency model, in one run.

A fake chat model sleeps 200 ms per call (each artifact makes two calls: draft and critique),
so the ideal rate at concurrency c is c / 0.4 artifacts/s while there are at least c tasks.
The figure is measured/ideal at concurrency 1, 4, 16 and 64 (goal: >= 0.8 at 16).
"""

import datetime as dt
import tempfile
import time
from pathlib import Path

from fake_chat import SchemaAnsweringChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph.checkpoint.memory import InMemorySaver

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.schemas import ContextChunk, PersonaCard
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import Actor, RunContext
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.jsonl import JsonlWriter
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase, Scenario
from scenariosim.settings import load_settings

LATENCY_S = 0.2
CALLS_PER_ARTIFACT = 2
CHUNK = ContextChunk(
    chunk_id="c#0",
    doc_id="c",
    title="Diesel",
    outlet="Ses Online",
    date="2026-08-04",
    text="Diesel will rise from 0.90 to 1.30 ADH per litre.",
)


def _actors(n: int) -> dict[str, Actor]:
    actors = {}
    for i in range(n):
        card = PersonaCard(
            id=f"p{i:03d}",
            name=f"Person {i}",
            age=30,
            sex="female",
            province="Karavan Province",
            occupation="driver",
            description="A driver.",
        )
        actors[card.id] = Actor(card, f"h{i}", 1, "geo_04", "geo_04_01", 1.0, 0.0)
    return actors


def _rate(concurrency: int, artifacts: int, folder: Path) -> float:
    scenario = Scenario(
        name="fan-out",
        concurrency=concurrency,
        phases=[
            Phase(
                id="p",
                date=dt.date(2026, 8, 15),
                title="t",
                event="Diesel rose from 0.90 to 1.30 ADH per litre.",
                posts=artifacts,
                comments=0,
                images=0,
            )
        ],
    )
    model = AgentModel("fake", SchemaAnsweringChatModel(latency_s=LATENCY_S))
    run_dir = folder / f"c{concurrency}"
    context = RunContext(
        resolved=resolve_scenario(scenario, load_settings()),
        run_id=run_dir.name,
        actors=_actors(artifacts),
        retrieve=lambda query, phase, actor: [CHUNK],
        known_names=frozenset(),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=model,
        critic_model=model,
        records=JsonlWriter(run_dir / "records.jsonl"),
        failures=JsonlWriter(run_dir / "rejected.jsonl"),
        traces=TraceWriter(run_dir / "traces.jsonl", run_dir.name),
        on_artifact=lambda kind, status: None,
    )
    config = {
        "configurable": {"thread_id": run_dir.name},
        "recursion_limit": recursion_limit(1),
        "max_concurrency": concurrency,
    }
    started = time.perf_counter()
    build_graph(InMemorySaver()).invoke({"phase_index": 0}, config, context=context)
    return artifacts / (time.perf_counter() - started)


def run(quick: bool = False) -> dict:
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for concurrency in (1, 4, 16, 64):
            artifacts = max(8, 2 * concurrency) if quick else max(16, 4 * concurrency)
            measured = _rate(concurrency, artifacts, Path(tmp))
            ideal = concurrency / (LATENCY_S * CALLS_PER_ARTIFACT)
            figures[f"artifacts_per_s_c{concurrency}"] = round(measured, 2)
            figures[f"of_ideal_c{concurrency}"] = round(measured / ideal, 3)
    return {
        "name": "graph_fanout",
        "figures": figures,
        "notes": f"fake model sleeping {LATENCY_S * 1000:.0f} ms per call, 2 calls per artifact",
    }
