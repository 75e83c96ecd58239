"""Reading a run's traces into the figures people ask about first.

Calls and tokens per node, latency percentiles, retries, failures, cache hits, and the
sum of model-call time (which the benchmarks compare with wall time).
"""

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from scenariosim.outputs.traces import read_traces


class NodeFigures(BaseModel):
    node: str
    step: str
    calls: int
    cached: int
    input_tokens: int
    output_tokens: int
    retries: int
    failures: int
    latency_p50_s: float
    latency_p95_s: float


class TraceSummary(BaseModel):
    run_id: str
    phases: list[str]
    node_steps: int
    model_calls: int
    model_time_s: float
    wall_time_s: float
    outcomes: dict[str, int]
    nodes: list[NodeFigures]
    torn_lines: int


def summarise(run_dir: Path) -> TraceSummary:
    rows, torn = read_traces(run_dir / "traces.jsonl")
    calls: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    phases: list[str] = []
    outcomes: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["event"] == "model_call":
            calls[(row["node"], row["step"])].append(row)
        elif row["event"] == "node" and "status" in row:
            outcomes[row["status"]] += 1
        if row.get("phase_id") and row["phase_id"] not in phases:
            phases.append(row["phase_id"])
    nodes = []
    for (node, step), group in sorted(calls.items()):
        latencies = np.array([c["latency_s"] for c in group if not c["cached"]] or [0.0])
        nodes.append(
            NodeFigures(
                node=node,
                step=step,
                calls=len(group),
                cached=sum(c["cached"] for c in group),
                input_tokens=sum(c["input_tokens"] for c in group),
                output_tokens=sum(c["output_tokens"] for c in group),
                retries=sum(max(0, c["attempts"] - 1) for c in group),
                failures=sum(c["error"] is not None for c in group),
                latency_p50_s=round(float(np.percentile(latencies, 50)), 3),
                latency_p95_s=round(float(np.percentile(latencies, 95)), 3),
            )
        )
    starts = [
        r["ts"] for r in rows if r["event"] == "run" and r.get("status") in ("started", "resumed")
    ]
    ends = [r["ts"] for r in rows if r["event"] == "run" and r.get("status") == "finished"]
    wall = (max(ends) - min(starts)) if starts and ends else 0.0
    all_calls = [c for group in calls.values() for c in group]
    return TraceSummary(
        run_id=rows[0]["run_id"] if rows else run_dir.name,
        phases=phases,
        node_steps=sum(r["event"] == "node" for r in rows),
        model_calls=len(all_calls),
        model_time_s=round(sum(c["latency_s"] for c in all_calls), 3),
        wall_time_s=round(wall, 3),
        outcomes=dict(outcomes),
        nodes=nodes,
        torn_lines=torn,
    )
