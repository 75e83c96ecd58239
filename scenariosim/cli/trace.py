"""`scenariosim trace RUN`: what happened in a run, from its traces.

Without filters: the summary. `--persona ID` / `--record ID`: the full story of those
tasks (prompts, chunks with scores, drafts, critiques, what was published). `--node NAME`
narrows the summary and the stories to one graph node. `--html` writes the trace viewer,
`--otel FILE` the spans as OpenTelemetry JSON (a local file; nothing is sent).
Trace text is printed with markup off: it is data, never formatting.
"""

import json
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from scenariosim.errors import ConfigError
from scenariosim.files import atomic_write_text
from scenariosim.outputs.trace_story import TaskStory, read_stories, select_stories
from scenariosim.outputs.trace_summary import TraceSummary, summarise
from scenariosim.reports.trace_view import render_trace_page
from scenariosim.settings import load_settings

TRACE_PAGE = "trace.html"


def find_run_dir(run: str, out: Path | None) -> Path:
    """A run folder from a run id (under `out` or the output dir) or a folder path."""
    run_dir = Path(run)
    if not (run_dir / "traces.jsonl").exists():
        run_dir = (out or load_settings().output_dir) / run
    if not (run_dir / "traces.jsonl").exists():
        raise ConfigError(
            f"no traces.jsonl for run '{run}' in {run_dir}: check the run id or --out"
        )
    return run_dir


def _print_summary(console: Console, summary: TraceSummary) -> None:
    console.print(f"run {summary.run_id}: phases {', '.join(summary.phases) or '-'}")
    console.print(
        f"{summary.node_steps} node steps, {summary.model_calls} model calls "
        f"({summary.requests} requests), "
        f"{summary.model_time_s:.1f} s in model calls, wall {summary.wall_time_s:.1f} s; "
        f"outcomes {dict(sorted(summary.outcomes.items()))}"
    )
    cache = (
        f"cache {summary.cache_hits} hits / {summary.cache_misses} misses"
        if summary.cache_hits is not None
        else "no call cache"
    )
    console.print(
        f"tokens {summary.input_tokens} in / {summary.output_tokens} out; latency p50 "
        f"{summary.latency_p50_s:.2f} s, p95 {summary.latency_p95_s:.2f} s; retries "
        f"{summary.retries} ({summary.backoff_s:.1f} s backoff), failed calls "
        f"{summary.failures}, cached calls {summary.cached_calls}, {cache}"
    )
    steps = Table(
        Column("node", no_wrap=True), "steps", "outcomes", "p50 s", "p95 s", box=box.SIMPLE
    )
    for s in summary.steps:
        steps.add_row(
            s.node,
            str(s.steps),
            ", ".join(f"{k} {v}" for k, v in sorted(s.statuses.items())) or "-",
            f"{s.latency_p50_s:.2f}",
            f"{s.latency_p95_s:.2f}",
        )
    console.print(steps)
    table = Table(
        Column("node", no_wrap=True),
        "step",
        "calls",
        "requests",
        "cached",
        "tok in",
        "tok out",
        "retries",
        "fails",
        "p50 s",
        "p95 s",
        box=box.SIMPLE,
        title="model calls",
    )
    for n in summary.nodes:
        table.add_row(
            n.node,
            n.step,
            str(n.calls),
            str(n.requests),
            str(n.cached),
            str(n.input_tokens),
            str(n.output_tokens),
            str(n.retries),
            str(n.failures),
            f"{n.latency_p50_s:.2f}",
            f"{n.latency_p95_s:.2f}",
        )
    console.print(table)
    if summary.torn_lines:
        console.print(f"{summary.torn_lines} incomplete trace line(s) skipped (a killed run)")


def _data(console: Console, text: Any) -> None:
    console.print(str(text), markup=False, highlight=False)


def _print_call(console: Console, label: str, call: dict[str, Any] | None) -> None:
    if call is None:
        return
    console.print(
        f"[bold]{label}[/] {escape(str(call.get('spec')))} {call.get('schema')}, "
        f"{call.get('input_tokens')} tok in / {call.get('output_tokens')} out, "
        f"{float(call.get('latency_s') or 0):.2f} s, attempts {call.get('attempts')}"
        + (", cached" if call.get("cached") else "")
    )
    for message in call.get("messages", []):
        console.print(f"[dim]--- prompt ({escape(str(message.get('role')))}) ---[/]")
        _data(console, message.get("content", ""))
    console.print("[dim]--- output ---[/]")
    _data(console, call.get("raw", ""))
    for retry in call.get("retries") or []:
        console.print("[yellow]retry:[/] " + escape(str(retry)))
    if call.get("error"):
        console.print("[red]error:[/] " + escape(str(call["error"])))


def _print_story(console: Console, story: TaskStory) -> None:
    console.rule(
        f"{escape(story.task_id)}  {story.node}  persona {escape(story.persona_id)}  "
        f"-> {story.status or 'unfinished'}"
    )
    if story.earlier_starts:
        console.print(f"(started {story.earlier_starts} more time(s) before a resume)")
    console.print("[bold]retrieval[/] query:", end=" ")
    _data(console, story.query)
    for rank, chunk in enumerate(story.chunks, start=1):
        score = "n/a" if chunk.get("score") is None else f"{chunk['score']:.3f}"
        _data(
            console,
            f"  [{rank}] {score}  {chunk.get('chunk_id')}  {chunk.get('outlet')}, "
            f"{chunk.get('date')}: {chunk.get('title')}",
        )
        _data(console, f"      {chunk.get('text', '')}")
    if story.facts:
        console.print("[bold]facts[/]")
        for fact in story.facts:
            _data(console, f"  {fact.get('chunk_id')}: {fact.get('text', '')}")
    for attempt in story.attempts:
        label = "draft" if attempt.attempt == 0 else f"round {attempt.attempt}"
        _print_call(console, label, attempt.draft_call)
        _print_call(console, f"critic call ({label})", attempt.critique_call)
        if attempt.critique:
            c = attempt.critique
            chosen = c.get("chosen")
            console.print(
                f"[bold]critique ({label})[/]: {c.get('verdict')}, score {c.get('score')}"
                + ("" if chosen is None else f", chose candidate {chosen}")
            )
            for reason in c.get("reasons", []):
                _data(console, f"  - {reason}")
            for candidate in c.get("candidates", []):
                mark = "*" if candidate.get("index") == chosen else " "
                _data(
                    console,
                    f" {mark}[{candidate.get('index')}] {candidate.get('score')}  "
                    f"{candidate.get('text', '')}",
                )
                for reason in candidate.get("reasons", []):
                    _data(console, f"      - {reason}")
            if c.get("rubric_note"):
                _data(console, f"  rubric: {c['rubric_note']}")
    if story.published:
        console.print("[bold green]published[/]")
        shown = {k: v for k, v in story.published.items() if k != "provenance"}
        _data(console, json.dumps(shown, ensure_ascii=False))
    elif story.rejection:
        console.print(f"[bold yellow]{story.status}[/]")
        for reason in story.rejection.get("reasons", []):
            _data(console, f"  - {reason}")
    console.print()


def _print_task_list(console: Console, stories: list[TaskStory]) -> None:
    table = Table("task", "persona", "phase", "attempts", "score", "outcome", box=box.SIMPLE)
    for s in stories:
        last = s.attempts[-1].critique if s.attempts else None
        table.add_row(
            escape(s.task_id),
            escape(s.persona_id),
            escape(s.phase_id),
            str(len(s.attempts)),
            "-" if not last else f"{last.get('score')}",
            s.status or "unfinished",
        )
    console.print(table)


def trace(
    run: str = typer.Argument(help="Run id (a folder under the output dir) or a run folder path."),
    out: Path | None = typer.Option(None, help="Folder holding run folders (default: outputs/)."),
    persona: str | None = typer.Option(None, "--persona", help="Tell this persona's story."),
    record: str | None = typer.Option(None, "--record", help="Tell the story of one record id."),
    node: str | None = typer.Option(
        None, "--node", help="Only this graph node, e.g. write_post, write_comment."
    ),
    html: bool = typer.Option(False, "--html", help=f"Write the trace viewer ({TRACE_PAGE})."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help=f"Where --html writes (default: RUN/{TRACE_PAGE})."
    ),
    otel: Path | None = typer.Option(
        None, "--otel", help="Also write the traces as OpenTelemetry spans to this JSON file."
    ),
) -> None:
    """Summarise a run's traces, or tell the story of a persona, a record or a node."""
    run_dir = find_run_dir(run, out)
    console = Console(soft_wrap=True)
    summary = summarise(run_dir, node=node)
    if otel is not None:
        from scenariosim.outputs.trace_export import export_spans

        console.print(f"wrote {export_spans(run_dir, otel)} spans to {otel}")
    if node is not None and not summary.node_steps and not summary.model_calls:
        known = sorted({s.node for s in summarise(run_dir).steps})
        raise ConfigError(f"no node '{node}' in this run's traces; known: {', '.join(known)}")
    stories = None
    if persona or record or node or html:
        all_stories = read_stories(run_dir)
        stories = select_stories(all_stories, persona=persona, record=record, node=node)
    if html:
        selection = ", ".join(
            f"{k} {v}" for k, v in (("persona", persona), ("record", record), ("node", node)) if v
        )
        page = output or run_dir / TRACE_PAGE
        page.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(page, render_trace_page(summary, stories or [], selection))
        console.print(f"wrote {page} ({len(stories or [])} tasks)")
        return
    if persona or record:
        if not stories:
            console.print("no tasks match these filters")
        for story in stories or []:
            _print_story(console, story)
        return
    _print_summary(Console(width=max(console.width, 120)), summary)
    if node is not None:
        _print_task_list(Console(width=max(console.width, 120)), stories or [])
