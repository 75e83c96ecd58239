"""`trace.html`: a self-contained page to read a run's traces in a browser.

The summary tables, then one collapsible `<details>` per phase and per task: the chunks
retrieved (with scores), the facts chosen from them, and each round with the few-shot prompt
on the left and the candidates drawn, the critic's verdict and each candidate's reasons on the
right. Rendered from `templates/trace_view.html`
(see `pages.py`: Jinja2 with autoescape on, no script, a Content-Security-Policy that loads
nothing), so every text from the traces (prompts, model output, corpus chunks, census
values) shows as text.
"""

from collections.abc import Iterable
from typing import Any

from scenariosim.outputs.trace_story import TaskStory
from scenariosim.outputs.trace_summary import TraceSummary
from scenariosim.reports.pages import render

OPEN_UP_TO = 3  # a page of this few tasks (one record, a quiet persona) opens them all


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def _summary_rows(summary: TraceSummary) -> dict[str, list[list[Any]]]:
    cache = (
        f"{summary.cache_hits} hits, {summary.cache_misses} misses"
        if summary.cache_hits is not None
        else "no call cache"
    )
    overview = [
        ["phases", ", ".join(summary.phases) or "-"],
        ["node steps", summary.node_steps],
        ["model calls (cached)", f"{summary.model_calls} ({summary.cached_calls})"],
        ["backend requests", summary.requests],
        ["tokens in / out", f"{summary.input_tokens} / {summary.output_tokens}"],
        ["latency p50 / p95 s", f"{summary.latency_p50_s:.3f} / {summary.latency_p95_s:.3f}"],
        ["retries / failed calls", f"{summary.retries} / {summary.failures}"],
        ["call cache", cache],
        ["task outcomes", _counts(summary.outcomes)],
        ["model time / wall s", f"{summary.model_time_s:.1f} / {summary.wall_time_s:.1f}"],
    ]
    steps = [
        [s.node, s.steps, _counts(s.statuses), f"{s.latency_p50_s:.3f}", f"{s.latency_p95_s:.3f}"]
        for s in summary.steps
    ]
    calls = [
        [
            n.node,
            n.step,
            n.calls,
            n.requests,
            n.cached,
            n.input_tokens,
            n.output_tokens,
            n.retries,
            n.failures,
            f"{n.latency_p50_s:.3f}",
            f"{n.latency_p95_s:.3f}",
        ]
        for n in summary.nodes
    ]
    return {"overview": overview, "steps": steps, "calls": calls}


def chunk_rows(story: TaskStory) -> list[list[Any]]:
    """The chunks a task retrieved, best first: rank, score, id, source, title, text."""
    return [
        [
            rank,
            "n/a" if c.get("score") is None else f"{c['score']:.3f}",
            c.get("chunk_id"),
            f"{c.get('outlet', '')}, {c.get('date', '')}",
            c.get("title"),
            c.get("text"),
        ]
        for rank, c in enumerate(story.chunks, start=1)
    ]


def candidate_rows(critique: dict[str, Any]) -> list[list[Any]]:
    """A round's candidates: index (starred when chosen), score, text, the checks' reasons."""
    chosen = critique.get("chosen")
    return [
        [
            f"{c.get('index')}{' *' if c.get('index') == chosen else ''}",
            c.get("score"),
            c.get("text"),
            "; ".join(c.get("reasons", [])) or "passed",
        ]
        for c in critique.get("candidates", [])
    ]


def _by_phase(stories: Iterable[TaskStory]) -> list[tuple[str, list[TaskStory]]]:
    phases: dict[str, list[TaskStory]] = {}
    for story in stories:
        phases.setdefault(story.phase_id, []).append(story)
    return list(phases.items())


def render_trace_page(summary: TraceSummary, stories: list[TaskStory], selection: str = "") -> str:
    """The whole page; `selection` says which filters chose the stories shown."""
    return render(
        "trace_view.html",
        summary=summary,
        **_summary_rows(summary),
        selection=selection,
        stories=stories,
        phases=_by_phase(stories),
        expanded=len(stories) <= OPEN_UP_TO,
        chunk_rows=chunk_rows,
        candidate_rows=candidate_rows,
    )
