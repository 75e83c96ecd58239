"""A local run end to end: orchestration overhead, prompt size per post, acceptance.

Runs `scenarios/demo.yaml` on the offline models at concurrency 1 with no call cache, so
model calls do not overlap and none is answered from the cache. From the run's own traces:
the graph's wall time (trace `run` started -> finished) and the whole run's (finalize
included: images, dataset, evaluation, report), each divided by the sum of the model-call
times; prompt tokens per post draft attempt; prompt tokens spent per accepted post (every
draft and critique of every post task, accepted or not, over the accepted posts).
"""

import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(quick: bool = False) -> dict:
    from scenariosim.graph.run import run_scenario
    from scenariosim.jsonl import read_jsonl
    from scenariosim.overrides import apply_overrides
    from scenariosim.scenario import load_scenario
    from scenariosim.settings import load_settings

    scenario = apply_overrides(load_scenario(REPO / "scenarios" / "demo.yaml"), {"concurrency": 1})
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(output_dir=Path(tmp) / "outputs", cache_dir=Path(tmp) / "cache")
        started = time.perf_counter()
        result = run_scenario(scenario, settings, use_cache=False)
        whole_s = time.perf_counter() - started
        traces, _ = read_jsonl(result.run_dir / "traces.jsonl")
    runs = {t["status"]: t["ts"] for t in traces if t["event"] == "run"}
    graph_s = runs["finished"] - runs["started"]
    calls = [t for t in traces if t["event"] == "model_call"]
    assert not any(t["cached"] for t in calls), "the benchmark must not read the call cache"
    model_s = sum(t["latency_s"] for t in calls)
    post_calls = [t for t in calls if t["node"] == "write_post"]
    drafts = [t["input_tokens"] for t in post_calls if t["step"] == "draft"]
    accepted_posts = result.counts.get("post:accepted", 0)
    return {
        "name": "run",
        "figures": {
            "model_call_s": round(model_s, 1),
            "graph_wall_s": round(graph_s, 1),
            "run_wall_s": round(whole_s, 1),
            "graph_wall_over_model_calls": round(graph_s / model_s, 3),
            "run_wall_over_model_calls": round(whole_s / model_s, 3),
            "model_calls": len(calls),
            "prompt_tokens_per_post_draft_median": statistics.median(drafts),
            "prompt_tokens_per_post_draft_max": max(drafts),
            "prompt_tokens_per_accepted_post": (
                round(sum(t["input_tokens"] for t in post_calls) / accepted_posts)
                if accepted_posts
                else None
            ),
            "accepted_posts": accepted_posts,
            "post_tasks": sum(v for k, v in result.counts.items() if k.startswith("post:")),
        },
        "notes": "scenarios/demo.yaml, SmolLM2-135M and MiniLM on CPU, concurrency 1, no cache",
    }
