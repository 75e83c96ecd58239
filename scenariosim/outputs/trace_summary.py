"""Reading a run's traces into the figures people ask about first.

Phases, node steps and their outcomes, calls, backend requests and tokens per node, latency percentiles,
retries, failures, cache hits, and the sum of model-call time (which the benchmarks
compare with wall time). `node=` narrows every figure to one graph node.
"""

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

from scenariosim.outputs.traces import read_traces


class NodeFigures(BaseModel):
    """Model calls of one (node, step) pair, e.g. ("write_post", "draft"). `requests`:
    requests sent to the backend (a chat backend gets one per candidate, the local model
    one per call)."""

    node: str
    step: str
    calls: int
    requests: int = 0
    cached: int
    input_tokens: int
    output_tokens: int
    retries: int
    failures: int
    latency_p50_s: float
    latency_p95_s: float


class NodeSteps(BaseModel):
    """Executions of one graph node and how its agent tasks ended."""

    node: str
    steps: int
    statuses: dict[str, int]
    latency_p50_s: float
    latency_p95_s: float


class TraceSummary(BaseModel):
    run_id: str
    phases: list[str]
    node_steps: int
    model_calls: int
    requests: int = 0
    model_time_s: float
    wall_time_s: float
    outcomes: dict[str, int]
    input_tokens: int = 0
    output_tokens: int = 0
    retries: int = 0
    failures: int = 0
    cached_calls: int = 0
    cache_hits: int | None = None  # from the call cache's own counters; None without a cache
    cache_misses: int | None = None
    latency_p50_s: float = 0.0
    latency_p95_s: float = 0.0
    backoff_s: float = 0.0
    steps: list[NodeSteps] = []
    nodes: list[NodeFigures]
    torn_lines: int


def _percentiles(values: list[float]) -> tuple[float, float]:
    a = np.array(values or [0.0])
    return round(float(np.percentile(a, 50)), 3), round(float(np.percentile(a, 95)), 3)


def _node_steps(rows: list[dict[str, Any]]) -> list[NodeSteps]:
    by_node: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_node[row["node"]].append(row)
    out = []
    for node, group in by_node.items():
        p50, p95 = _percentiles([r["latency_s"] for r in group if "latency_s" in r])
        out.append(
            NodeSteps(
                node=node,
                steps=len(group),
                statuses=dict(Counter(r["status"] for r in group if "status" in r)),
                latency_p50_s=p50,
                latency_p95_s=p95,
            )
        )
    return out


def summarise(run_dir: Path, node: str | None = None) -> TraceSummary:
    """The summary of `run_dir/traces.jsonl`, over every node or only `node`."""
    rows, torn = read_traces(run_dir / "traces.jsonl")
    calls: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    phases: list[str] = []
    outcomes: dict[str, int] = defaultdict(int)
    node_rows: list[dict[str, Any]] = []
    cache_hits = cache_misses = None
    for row in rows:
        if row.get("phase_id") and row["phase_id"] not in phases:
            phases.append(row["phase_id"])
        if row["event"] == "cache":
            cache_hits = (cache_hits or 0) + row.get("hits", 0)
            cache_misses = (cache_misses or 0) + row.get("misses", 0)
        if node is not None and row.get("node") != node:
            continue
        if row["event"] == "model_call":
            calls[(row["node"], row["step"])].append(row)
        elif row["event"] == "node":
            node_rows.append(row)
            if "status" in row:
                outcomes[row["status"]] += 1
    nodes = []
    for (name, step), group in sorted(calls.items()):
        p50, p95 = _percentiles([c["latency_s"] for c in group if not c["cached"]])
        nodes.append(
            NodeFigures(
                node=name,
                step=step,
                calls=len(group),
                requests=sum(int(c.get("requests") or 0) for c in group),
                cached=sum(c["cached"] for c in group),
                input_tokens=sum(c["input_tokens"] for c in group),
                output_tokens=sum(c["output_tokens"] for c in group),
                retries=sum(max(0, c["attempts"] - 1) for c in group),
                failures=sum(c["error"] is not None for c in group),
                latency_p50_s=p50,
                latency_p95_s=p95,
            )
        )
    starts = [
        r["ts"] for r in rows if r["event"] == "run" and r.get("status") in ("started", "resumed")
    ]
    ends = [r["ts"] for r in rows if r["event"] == "run" and r.get("status") == "finished"]
    wall = (max(ends) - min(starts)) if starts and ends else 0.0
    all_calls = [c for group in calls.values() for c in group]
    p50, p95 = _percentiles([c["latency_s"] for c in all_calls if not c["cached"]])
    return TraceSummary(
        run_id=rows[0]["run_id"] if rows else run_dir.name,
        phases=phases,
        node_steps=len(node_rows),
        model_calls=len(all_calls),
        requests=sum(n.requests for n in nodes),
        model_time_s=round(sum(c["latency_s"] for c in all_calls), 3),
        wall_time_s=round(wall, 3),
        outcomes=dict(outcomes),
        input_tokens=sum(n.input_tokens for n in nodes),
        output_tokens=sum(n.output_tokens for n in nodes),
        retries=sum(n.retries for n in nodes),
        failures=sum(n.failures for n in nodes),
        cached_calls=sum(n.cached for n in nodes),
        cache_hits=cache_hits,
        cache_misses=cache_misses,
        latency_p50_s=p50,
        latency_p95_s=p95,
        backoff_s=round(sum(sum(c.get("waits_s") or []) for c in all_calls), 3),
        steps=_node_steps(node_rows),
        nodes=nodes,
        torn_lines=torn,
    )
