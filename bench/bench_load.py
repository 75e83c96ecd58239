"""Load: a long run at high concurrency keeps memory flat and its checkpoint database bounded.

Runs the real graph (SQLite checkpoints, JSONL records and traces) with a fake chat model
that sleeps a fixed 50 ms per call, at concurrency 64, for 100 and for 1,000 artifacts
(phases of 10 posts, 8 comments and 2 image prompts). Each size runs in its own process so
its peak RSS is its own. Figures: peak RSS per size and their ratio, checkpoint database
size per artifact, artifacts per second.
"""

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LATENCY_S = 0.05
CONCURRENCY = 64
PER_PHASE = {"posts": 10, "comments": 8, "images": 2}


def _child(artifacts: int, folder: Path) -> dict:
    """One run of `artifacts` artifacts in this process; returns its figures."""
    import sqlite3

    from fake_chat import SchemaAnsweringChatModel
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from langgraph.checkpoint.sqlite import SqliteSaver

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

    chunk = ContextChunk(
        chunk_id="c#0",
        doc_id="c",
        title="Diesel",
        outlet="Ses Online",
        date="2026-08-04",
        text="Diesel will rise from 0.90 to 1.30 ADH per litre in Karavan Province.",
    )
    phases = artifacts // sum(PER_PHASE.values())
    scenario = Scenario(
        name="load",
        concurrency=CONCURRENCY,
        phases=[
            Phase(
                id=f"p{n:03d}",
                date=dt.date(2026, 8, 1) + dt.timedelta(days=n),
                title="Prices rise",
                event="Diesel rose from 0.90 to 1.30 ADH per litre.",
                **PER_PHASE,
            )
            for n in range(phases)
        ],
    )
    actors = {}
    for i in range(200):
        card = PersonaCard(
            id=f"p{i:03d}",
            name=f"Person {i}",
            age=30 + i % 40,
            sex="female" if i % 2 else "male",
            province="Karavan Province",
            occupation="driver",
            description="A driver in Karavan Province.",
        )
        actors[card.id] = Actor(card, f"h{i}", 1, "geo_04", "geo_04_01", 1.0, 0.0)
    model = AgentModel("fake", SchemaAnsweringChatModel(latency_s=LATENCY_S))
    context = RunContext(
        resolved=resolve_scenario(scenario, load_settings()),
        run_id="load",
        actors=actors,
        retrieve=lambda query, phase, actor: [chunk],
        known_names=frozenset({"Karavan Province", "Ses Online"}),
        embeddings=DeterministicFakeEmbedding(size=16),
        agent_model=model,
        critic_model=model,
        records=JsonlWriter(folder / "records.jsonl"),
        failures=JsonlWriter(folder / "rejected.jsonl"),
        traces=TraceWriter(folder / "traces.jsonl", "load"),
        on_artifact=lambda kind, status: None,
    )
    connection = sqlite3.connect(folder / "checkpoints.sqlite", check_same_thread=False)
    started = time.perf_counter()
    build_graph(SqliteSaver(connection)).invoke(
        initial_state(),
        {
            "configurable": {"thread_id": "load"},
            "recursion_limit": recursion_limit(phases),
            "max_concurrency": CONCURRENCY,
        },
        context=context,
    )
    seconds = time.perf_counter() - started
    connection.close()
    records, _ = read_jsonl(folder / "records.jsonl")
    rejected, _ = read_jsonl(folder / "rejected.jsonl")
    return {
        "artifacts": len(records) + len(rejected),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "checkpoint_mb": (folder / "checkpoints.sqlite").stat().st_size / 2**20,
        "traces_mb": (folder / "traces.jsonl").stat().st_size / 2**20,
        "seconds": seconds,
    }


def _measure(artifacts: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_load", str(artifacts), tmp],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool = False) -> dict:
    small, large = (100, 300) if quick else (100, 1000)
    a, b = _measure(small), _measure(large)
    figures = {
        f"peak_rss_mb_{small}": round(a["peak_rss_mb"], 1),
        f"peak_rss_mb_{large}": round(b["peak_rss_mb"], 1),
        "peak_rss_ratio": round(b["peak_rss_mb"] / a["peak_rss_mb"], 3),
        f"checkpoint_mb_{small}": round(a["checkpoint_mb"], 2),
        f"checkpoint_mb_{large}": round(b["checkpoint_mb"], 2),
        f"checkpoint_kb_per_artifact_{small}": round(a["checkpoint_mb"] * 1024 / a["artifacts"], 1),
        f"checkpoint_kb_per_artifact_{large}": round(b["checkpoint_mb"] * 1024 / b["artifacts"], 1),
        f"traces_mb_{large}": round(b["traces_mb"], 2),
        f"artifacts_per_s_{small}": round(a["artifacts"] / a["seconds"], 1),
        f"artifacts_per_s_{large}": round(b["artifacts"] / b["seconds"], 1),
    }
    return {
        "name": "load",
        "figures": figures,
        "notes": f"fake model {LATENCY_S * 1000:.0f} ms per call, concurrency {CONCURRENCY}, "
        "SQLite checkpoints, one process per size",
    }


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]), Path(sys.argv[2]))))
