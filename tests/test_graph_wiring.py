"""The graph's wiring with a schema-answering fake model (no real model, no store)."""

import datetime as dt
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from langgraph.checkpoint.memory import InMemorySaver

from scenariosim.agents.calls import AgentModel
from scenariosim.agents.schemas import ContextChunk, PersonaCard
from scenariosim.graph.build import build_graph, recursion_limit
from scenariosim.graph.context import Actor, RunContext
from scenariosim.models.fake import SchemaAnsweringChatModel
from scenariosim.outputs.jsonl import JsonlWriter, read_jsonl
from scenariosim.outputs.traces import TraceWriter
from scenariosim.scenario import Phase, Scenario

CHUNK = ContextChunk(
    chunk_id="fuel-001#0",
    doc_id="fuel-001",
    title="Diesel to rise",
    outlet="Ses Online",
    date="2026-08-04",
    text="Diesel will rise from 0.90 to 1.30 ADH per litre. Drivers at the Karavan junction "
    "say they cannot pay.",
)


def _actor(i: int, hid: str) -> Actor:
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


def _scenario(phases: int = 2) -> Scenario:
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


def _run(tmp_path: Path, scenario: Scenario) -> tuple[list[dict], list[dict], dict]:
    model = AgentModel("fake", SchemaAnsweringChatModel())
    traces = TraceWriter(tmp_path / "traces.jsonl", "run-1")
    context = RunContext(
        scenario=scenario,
        run_id="run-1",
        actors={a.card.id: a for a in (_actor(1, "h1"), _actor(2, "h1"), _actor(3, "h2"))},
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
    graph = build_graph(InMemorySaver())
    final = graph.invoke(
        {"phase_index": 0, "feed": [], "outcomes": []},
        {"configurable": {"thread_id": "run-1"}, "recursion_limit": recursion_limit(2)},
        context=context,
    )
    records, _ = read_jsonl(tmp_path / "records.jsonl")
    trace_rows, _ = read_jsonl(tmp_path / "traces.jsonl")
    return records, trace_rows, final


@pytest.fixture
def run_output(tmp_path: Path) -> tuple[list[dict], list[dict], dict]:
    return _run(tmp_path, _scenario())


def test_each_phase_publishes_its_targets(run_output) -> None:
    records, _, _ = run_output
    kinds = [(r["provenance"]["phase_id"], r["kind"]) for r in records]
    for phase in ("phase-0", "phase-1"):
        assert kinds.count((phase, "post")) == 2
        assert kinds.count((phase, "comment")) == 3
        assert kinds.count((phase, "image_prompt")) == 1


def test_comments_reply_to_published_posts_by_someone_else(run_output) -> None:
    records, _, _ = run_output
    posts = {r["id"]: r for r in records if r["kind"] == "post"}
    for comment in (r for r in records if r["kind"] == "comment"):
        root = posts[comment["thread_root"]]
        assert root["provenance"]["persona_id"] != comment["provenance"]["persona_id"]


def test_image_prompts_belong_to_a_post_of_their_phase(run_output) -> None:
    records, _, _ = run_output
    posts = {r["id"]: r for r in records if r["kind"] == "post"}
    for image in (r for r in records if r["kind"] == "image_prompt"):
        post = posts[image["post_id"]]
        assert post["provenance"]["phase_id"] == image["provenance"]["phase_id"]
        assert post["provenance"]["persona_id"] == image["provenance"]["persona_id"]


def test_records_carry_provenance(run_output) -> None:
    records, _, _ = run_output
    for record in records:
        prov = record["provenance"]
        assert prov["synthetic"] is True
        assert prov["run_id"] == "run-1"
        assert prov["chunk_ids"] == ["fuel-001#0"]
        assert prov["hid"] in ("h1", "h2")
        assert len(prov["prompt_hash"]) == 12
        assert 1 <= prov["critic_score"] <= 5


def test_traces_hold_a_draft_and_a_critique_call_per_artifact(run_output) -> None:
    records, traces, _ = run_output
    calls = [t for t in traces if t["event"] == "model_call"]
    assert sum(t["step"] == "draft" for t in calls) == len(records)
    assert sum(t["step"] == "critique" for t in calls) == len(records)
    assert all(t["messages"] and t["input_tokens"] == 100 for t in calls)
    assert {t["event"] for t in traces} >= {"node", "retrieval", "critique", "model_call"}


def test_final_state_counts_every_outcome(run_output) -> None:
    records, _, final = run_output
    assert final["phase_index"] == 2
    assert len(final["outcomes"]) == len(records) == 12
