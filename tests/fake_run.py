"""A complete small run folder made with the schema-answering fake model (no real model)."""

import datetime as dt
from pathlib import Path

from fake_chat import SchemaAnsweringChatModel
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.schemas import ContextChunk, PersonaCard
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import Actor, RunContext
from scenariosim.graph.resolve import resolve_scenario
from scenariosim.graph.state import initial_state
from scenariosim.jsonl import JsonlWriter, read_jsonl
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase, Scenario
from scenariosim.settings import load_settings

CHUNK = ContextChunk(
    chunk_id="fuel-001#0",
    doc_id="fuel-001",
    title="Diesel to rise",
    outlet="Ses Online",
    date="2026-08-04",
    text="Diesel will rise from 0.90 to 1.30 ADH per litre. Drivers at the Karavan junction "
    "say they cannot pay.",
)


def fake_actor(i: int, hid: str) -> Actor:
    card = PersonaCard(
        id=f"p{i}",
        name=f"Person {i}",
        age=30 + i,
        sex="male" if i % 2 else "female",
        province="Karavan Province",
        occupation="driver",
        description=f"Person {i}, a driver in Karavan Province.",
    )
    return Actor(card, hid, i, "geo_04", "geo_04_01", 0.5 + i / 10, 0.5)


def fake_scenario(phases: int = 2) -> Scenario:
    return Scenario(
        name="wiring",
        seed=3,
        phases=[
            Phase(
                id=f"phase-{n}",
                date=dt.date(2026, 8, 15 + n),
                title="Prices rise",
                event="Diesel rose from 0.90 to 1.30 ADH per litre.",
                posts=2,
                comments=3,
                images=1,
            )
            for n in range(phases)
        ],
    )


def fake_run(
    tmp_path: Path, scenario: Scenario, checkpointer: BaseCheckpointSaver | None = None
) -> tuple[list[dict], list[dict], dict]:
    model = AgentModel("fake", SchemaAnsweringChatModel())
    traces = TraceWriter(tmp_path / "traces.jsonl", "run-1")
    traces.write("run", status="started", phases=len(scenario.phases))
    context = RunContext(
        resolved=resolve_scenario(scenario, load_settings()),
        run_id="run-1",
        actors={
            a.card.id: a for a in (fake_actor(1, "h1"), fake_actor(2, "h1"), fake_actor(3, "h2"))
        },
        retrieve=lambda query, phase, actor: [CHUNK],
        known_names=frozenset({"Karavan Province", "Ses Online"}),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=model,
        critic_model=model,
        records=JsonlWriter(tmp_path / "records.jsonl"),
        failures=JsonlWriter(tmp_path / "rejected.jsonl"),
        traces=traces,
        on_artifact=lambda kind, status: None,
    )
    graph = build_graph(checkpointer or InMemorySaver())
    final = graph.invoke(
        initial_state(),
        {
            "configurable": {"thread_id": "run-1"},
            "recursion_limit": recursion_limit(len(scenario.phases)),
        },
        context=context,
    )
    traces.write("run", status="finished")
    records, _ = read_jsonl(tmp_path / "records.jsonl")
    trace_rows, _ = read_jsonl(tmp_path / "traces.jsonl")
    return records, trace_rows, final
