"""A run's traces as OpenTelemetry spans, written to a local JSON file.

One root span for the run, one span per agent task (node step) and one child span per
model call: each round's draft call (all its candidates) and, when the rubric is used, the
critic's rubric call, with the figures as attributes (tokens, requests, latency, attempts,
cache, and the round's verdict, score, chosen candidate and candidate count). Start times are the trace timestamps minus the recorded latency. The
file can be loaded into any OpenTelemetry tool; nothing is sent anywhere: there is no
network exporter here, and prompts and outputs stay out of the spans unless asked for.
"""

import json
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from scenariosim.files import atomic_write_text
from scenariosim.outputs.trace_story import TaskStory, read_stories
from scenariosim.outputs.traces import read_traces

NS = 1_000_000_000


def _ns(seconds: float) -> int:
    return int(seconds * NS)


def _call_attributes(call: dict[str, Any], with_text: bool) -> dict[str, Any]:
    attributes = {
        "gen_ai.request.model": str(call.get("spec")),
        "gen_ai.usage.input_tokens": int(call.get("input_tokens") or 0),
        "gen_ai.usage.output_tokens": int(call.get("output_tokens") or 0),
        "scenariosim.schema": str(call.get("schema")),
        "scenariosim.attempts": int(call.get("attempts") or 0),
        "scenariosim.cached": bool(call.get("cached")),
        "scenariosim.seed": int(call.get("seed") or 0),
        "scenariosim.requests": int(call.get("requests") or 0),
    }
    if call.get("error"):
        attributes["error.type"] = str(call["error"])[:200]
    if with_text:
        attributes["scenariosim.prompt"] = json.dumps(call.get("messages", []), ensure_ascii=False)
        attributes["scenariosim.output"] = str(call.get("raw", ""))
    return attributes


def _task_spans(
    tracer: trace.Tracer, parent: trace.Span, story: TaskStory, end_ts: float, with_text: bool
) -> None:
    start = end_ts - (story.latency_s or 0.0)
    context = trace.set_span_in_context(parent)
    task = tracer.start_span(
        f"{story.node} {story.task_id}",
        context=context,
        start_time=_ns(start),
        attributes={
            "scenariosim.task_id": story.task_id,
            "scenariosim.persona_id": story.persona_id,
            "scenariosim.phase_id": story.phase_id,
            "scenariosim.status": story.status or "unfinished",
            "scenariosim.attempts": len(story.attempts),
            "scenariosim.chunks": [str(c.get("chunk_id")) for c in story.chunks],
        },
    )
    inner = trace.set_span_in_context(task)
    for attempt in story.attempts:
        for step, call in (("draft", attempt.draft_call), ("critique", attempt.critique_call)):
            if not call:
                continue
            end = float(call.get("ts", end_ts))
            span = tracer.start_span(
                f"{step} attempt {attempt.attempt}",
                context=inner,
                start_time=_ns(end - float(call.get("latency_s") or 0.0)),
                attributes=_call_attributes(call, with_text),
            )
            # The round's verdict goes on the draft call's span (the critic judges its
            # candidates, with a rubric call of its own only when the rubric is used) and
            # on the rubric call's span when there is one.
            if attempt.critique:
                critique = attempt.critique
                chosen = critique.get("chosen")
                span.set_attribute("scenariosim.verdict", str(critique.get("verdict")))
                span.set_attribute("scenariosim.score", float(critique.get("score") or 0))
                span.set_attribute("scenariosim.chosen", -1 if chosen is None else int(chosen))
                span.set_attribute("scenariosim.candidates", len(critique.get("candidates", [])))
            span.end(end_time=_ns(end))
    task.end(end_time=_ns(end_ts))


def export_spans(run_dir: Path, target: Path, with_text: bool = False) -> int:
    """Write the run's spans to `target` (a JSON list, OpenTelemetry's span JSON); count."""
    rows, _ = read_traces(run_dir / "traces.jsonl")
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "scenariosim"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("scenariosim.traces")
    stamps = [r["ts"] for r in rows] or [0.0]
    run_id = rows[0]["run_id"] if rows else run_dir.name
    root = tracer.start_span(
        f"run {run_id}", start_time=_ns(min(stamps)), attributes={"scenariosim.run_id": run_id}
    )
    ends = {r["task_id"]: r["ts"] for r in rows if r["event"] == "node" and "task_id" in r}
    for story in read_stories(run_dir):
        _task_spans(tracer, root, story, ends.get(story.task_id, max(stamps)), with_text)
    root.end(end_time=_ns(max(stamps)))
    provider.shutdown()
    spans = [json.loads(s.to_json()) for s in exporter.get_finished_spans()]
    atomic_write_text(target, json.dumps(spans, indent=1, ensure_ascii=False))
    return len(spans)
