"""`trace.html`: a self-contained page to read a run's traces in a browser.

The summary tables, then one collapsible `<details>` per phase and per task: the chunks
retrieved (with scores), and each attempt with the prompt on the left and the model's raw
output and the critic's verdict on the right. Like the report it has no script and a
Content-Security-Policy that loads nothing; every text from the traces (prompts, model
output, corpus chunks, census values) goes through `html.escape`.
"""

import json
from collections.abc import Iterable
from typing import Any

from scenariosim.outputs.report import CSP, STYLE, e, table
from scenariosim.outputs.trace_story import Attempt, TaskStory
from scenariosim.outputs.trace_summary import TraceSummary

OPEN_UP_TO = 3  # a page of this few tasks (one record, a quiet persona) opens them all
VIEW_STYLE = """
details{border:1px solid #ccc;border-radius:5px;margin:.4em 0;padding:.2em .6em}
details>summary{cursor:pointer;font-weight:600}
.side{display:grid;grid-template-columns:1fr 1fr;gap:.8em;margin:.5em 0}
.side>div{min-width:0}
pre{white-space:pre-wrap;word-break:break-word;background:#f7f7f7;border:1px solid #ddd;padding:.4em .6em;margin:.2em 0;font-size:.85em}
.role{font-size:.8em;color:#666;text-transform:uppercase}
.accepted{color:#1a7f37}.rejected{color:#b35900}.failed{color:#c00}
"""


def _summary_html(summary: TraceSummary) -> str:
    cache = (
        f"{summary.cache_hits} hits, {summary.cache_misses} misses"
        if summary.cache_hits is not None
        else "no call cache"
    )
    overview = table(
        ["figure", "value"],
        [
            ["phases", ", ".join(summary.phases) or "-"],
            ["node steps", summary.node_steps],
            ["model calls (cached)", f"{summary.model_calls} ({summary.cached_calls})"],
            ["tokens in / out", f"{summary.input_tokens} / {summary.output_tokens}"],
            ["latency p50 / p95 s", f"{summary.latency_p50_s:.3f} / {summary.latency_p95_s:.3f}"],
            ["retries / failed calls", f"{summary.retries} / {summary.failures}"],
            ["call cache", cache],
            ["task outcomes", ", ".join(f"{k} {v}" for k, v in sorted(summary.outcomes.items()))],
            ["model time / wall s", f"{summary.model_time_s:.1f} / {summary.wall_time_s:.1f}"],
        ],
    )
    steps = table(
        ["node", "steps", "outcomes", "p50 s", "p95 s"],
        [
            [
                s.node,
                s.steps,
                ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items())),
                f"{s.latency_p50_s:.3f}",
                f"{s.latency_p95_s:.3f}",
            ]
            for s in summary.steps
        ],
    )
    calls = table(
        [
            "node",
            "step",
            "calls",
            "cached",
            "tok in",
            "tok out",
            "retries",
            "fails",
            "p50 s",
            "p95 s",
        ],
        [
            [
                n.node,
                n.step,
                n.calls,
                n.cached,
                n.input_tokens,
                n.output_tokens,
                n.retries,
                n.failures,
                f"{n.latency_p50_s:.3f}",
                f"{n.latency_p95_s:.3f}",
            ]
            for n in summary.nodes
        ],
    )
    return f"<h2>Summary</h2>{overview}<h3>Node steps</h3>{steps}<h3>Model calls</h3>{calls}"


def _messages_html(call: dict[str, Any] | None) -> str:
    if not call:
        return "<p>(no call recorded)</p>"
    return "".join(
        f'<div class="role">{e(m.get("role"))}</div><pre>{e(m.get("content"))}</pre>'
        for m in call.get("messages", [])
    )


def _call_line(call: dict[str, Any]) -> str:
    retries = "; ".join(call.get("retries") or [])
    return (
        f"{e(call.get('spec'))}, {e(call.get('schema'))}, seed {e(call.get('seed'))}: "
        f"{e(call.get('input_tokens'))} tokens in, {e(call.get('output_tokens'))} out, "
        f"{float(call.get('latency_s') or 0):.3f} s, {e(call.get('attempts'))} attempt(s)"
        + (", cached" if call.get("cached") else "")
        + (f"; retries: {e(retries)}" if retries else "")
        + (f'; <b class="failed">error: {e(call["error"])}</b>' if call.get("error") else "")
    )


def _output_html(call: dict[str, Any] | None) -> str:
    if not call:
        return "<p>(no call recorded)</p>"
    return f"<p>{_call_line(call)}</p><pre>{e(call.get('raw'))}</pre>"


def _critique_html(critique: dict[str, Any] | None) -> str:
    if not critique:
        return ""
    rubric = critique.get("rubric") or {}
    scores = ", ".join(f"{k} {v}" for k, v in rubric.items() if k != "reasons")
    reasons = "".join(f"<li>{e(r)}</li>" for r in critique.get("reasons", []))
    checks = json.dumps(critique.get("checks", {}), ensure_ascii=False)
    return (
        f'<p><b class="{e(critique.get("verdict"))}">critic: {e(critique.get("verdict"))}</b>, '
        f"score {e(critique.get('score'))}" + (f"; rubric: {e(scores)}" if scores else "") + "</p>"
        f"<ul>{reasons}</ul><details><summary>deterministic checks</summary>"
        f"<pre>{e(checks)}</pre></details>"
    )


def _attempt_html(attempt: Attempt) -> str:
    label = "first draft" if attempt.attempt == 0 else f"revision {attempt.attempt}"
    critic_call = ""
    if attempt.critique_call:
        critic_call = (
            "<details><summary>critic prompt and output</summary><div class='side'>"
            f"<div>{_messages_html(attempt.critique_call)}</div>"
            f"<div>{_output_html(attempt.critique_call)}</div></div></details>"
        )
    return (
        f"<h4>{e(label)}</h4><div class='side'><div><b>prompt</b>"
        f"{_messages_html(attempt.draft_call)}</div><div><b>output</b>"
        f"{_output_html(attempt.draft_call)}{_critique_html(attempt.critique)}</div></div>"
        f"{critic_call}"
    )


def _chunks_html(story: TaskStory) -> str:
    rows = [
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
    return f"<p>query: <q>{e(story.query)}</q></p>" + table(
        ["#", "score", "chunk", "source", "title", "text"], rows
    )


def _ending_html(story: TaskStory) -> str:
    if story.published:
        shown = {k: v for k, v in story.published.items() if k != "provenance"}
        return (
            '<p><b class="accepted">published</b></p>'
            f"<pre>{e(json.dumps(shown, ensure_ascii=False, indent=1))}</pre>"
        )
    if story.rejection:
        reasons = "".join(f"<li>{e(r)}</li>" for r in story.rejection.get("reasons", []))
        return f'<p><b class="{e(story.status)}">{e(story.status)}</b></p><ul>{reasons}</ul>'
    return f"<p>ended: {e(story.status or 'not finished (the run was cut off)')}</p>"


def story_html(story: TaskStory, expanded: bool = False) -> str:
    revisions = max(0, len(story.attempts) - 1)
    head = (
        f"{e(story.task_id)}: {e(story.node)}, persona {e(story.persona_id)}, "
        f'<span class="{e(story.status)}">{e(story.status or "unfinished")}</span>'
        f"{f', {revisions} revision(s)' if revisions else ''}"
    )
    restarts = (
        f"<p>(started {story.earlier_starts} more time(s) before a resume)</p>"
        if story.earlier_starts
        else ""
    )
    return (
        f"<details class='task'{' open' if expanded else ''}><summary>{head}</summary>{restarts}"
        f"<h4>retrieved</h4>{_chunks_html(story)}"
        + "".join(_attempt_html(a) for a in story.attempts)
        + f"{_ending_html(story)}</details>"
    )


def _by_phase(stories: Iterable[TaskStory]) -> dict[str, list[TaskStory]]:
    phases: dict[str, list[TaskStory]] = {}
    for story in stories:
        phases.setdefault(story.phase_id, []).append(story)
    return phases


def render_trace_page(summary: TraceSummary, stories: list[TaskStory], selection: str = "") -> str:
    """The whole page; `selection` says which filters chose the stories shown."""
    phases = "".join(
        f"<details open><summary>phase {e(phase)} ({len(items)} tasks)</summary>"
        + "".join(story_html(s, expanded=len(stories) <= OPEN_UP_TO) for s in items)
        + "</details>"
        for phase, items in _by_phase(stories).items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>scenariosim traces: {e(summary.run_id)}</title>
<style>{STYLE}{VIEW_STYLE}</style></head>
<body>
<h1>Traces of run {e(summary.run_id)}</h1>
<p class="synthetic">All content below is synthetic and fictional, including the prompts,
the news chunks and every model output.</p>
{_summary_html(summary)}
<h2>Tasks{(": " + e(selection)) if selection else ""}</h2>
<p>{len(stories)} task(s). Open a task to see what it retrieved, each prompt beside its output,
the critic's verdicts and what was published.</p>
{phases}
</body></html>
"""
