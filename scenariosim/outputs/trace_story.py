"""The story of each agent task, told from a run's traces and its records.

One `TaskStory` per task (a post, comment or image prompt someone was asked to write):
the retrieval query and the chunks it returned with their scores, the sentences (facts)
chosen from them, every round (the draft call with its few-shot prompt and the candidates
it drew, the critic's rubric call when there was one, and its verdict), and how it
ended: the record that was published, or the rejection with its reasons. `trace RUN
--persona ID` and `--record ID` print these; the HTML viewer lays them out.

A resumed run may have started a task twice; the story keeps the last start (the one
whose outcome counts) and says how many earlier starts were cut off.
"""

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from scenariosim.errors import ConfigError
from scenariosim.jsonl import read_jsonl
from scenariosim.outputs.traces import read_traces


class Attempt(BaseModel):
    """One round: the draft call that drew its candidates, the critic's rubric call (only
    when the rubric is used) and the critique (verdict, chosen candidate, every candidate's
    checks and reasons). Round 0 is the first; later rounds are drawn with new seeds when
    no candidate passed."""

    attempt: int
    draft_call: dict[str, Any] | None = None
    critique_call: dict[str, Any] | None = None
    critique: dict[str, Any] | None = None


class TaskStory(BaseModel):
    task_id: str
    node: str
    persona_id: str
    phase_id: str
    query: str = ""
    chunks: list[dict[str, Any]] = Field(default_factory=list)
    facts: list[dict[str, Any]] = Field(default_factory=list)  # the sentences it was about
    retrieval_latency_s: float | None = None
    attempts: list[Attempt] = Field(default_factory=list)
    status: str | None = None  # accepted, rejected, failed; None when the run was cut off
    latency_s: float | None = None
    published: dict[str, Any] | None = None
    rejection: dict[str, Any] | None = None
    earlier_starts: int = 0

    def attempt(self, number: int) -> Attempt:
        for a in self.attempts:
            if a.attempt == number:
                return a
        self.attempts.append(Attempt(attempt=number))
        return self.attempts[-1]


TASK_EVENTS = ("retrieval", "facts", "model_call", "critique", "node")


def read_stories(run_dir: Path) -> list[TaskStory]:
    """Every task's story in the order tasks started."""
    rows, _ = read_traces(run_dir / "traces.jsonl")
    stories: dict[str, TaskStory] = {}
    for row in rows:
        task_id = row.get("task_id")
        if task_id is None or row["event"] not in TASK_EVENTS:
            continue
        story = stories.get(task_id)
        if row["event"] == "retrieval":
            restarted = story.earlier_starts + 1 if story else 0
            stories.pop(task_id, None)
            story = stories[task_id] = TaskStory(
                task_id=task_id,
                node=row["node"],
                persona_id=row["persona_id"],
                phase_id=row["phase_id"],
                query=row.get("query", ""),
                chunks=row.get("chunks", []),
                retrieval_latency_s=row.get("latency_s"),
                earlier_starts=restarted,
            )
            continue
        if story is None:  # a trace line whose retrieval line was lost
            story = stories[task_id] = TaskStory(
                task_id=task_id,
                node=row["node"],
                persona_id=row["persona_id"],
                phase_id=row["phase_id"],
            )
        if row["event"] == "facts":
            story.facts = row.get("facts", [])
        elif row["event"] == "model_call":
            call = {k: v for k, v in row.items() if k not in ("event", "run_id")}
            attempt = story.attempt(row.get("attempt", 0))
            if row.get("step") == "critique":
                attempt.critique_call = call
            else:
                attempt.draft_call = call
        elif row["event"] == "critique":
            story.attempt(row.get("attempt", 0)).critique = {
                k: v
                for k, v in row.items()
                if k not in ("event", "run_id", "node", "task_id", "persona_id", "phase_id")
            }
        elif row["event"] == "node":
            story.status = row.get("status")
            story.latency_s = row.get("latency_s")
    records = {r["id"]: r for r in read_jsonl(run_dir / "records.jsonl")[0]}
    rejected = {r["id"]: r for r in read_jsonl(run_dir / "rejected.jsonl")[0]}
    for story in stories.values():
        story.attempts.sort(key=lambda a: a.attempt)
        story.published = records.get(story.task_id)
        story.rejection = rejected.get(story.task_id)
    return list(stories.values())


def select_stories(
    stories: list[TaskStory],
    persona: str | None = None,
    record: str | None = None,
    node: str | None = None,
) -> list[TaskStory]:
    """The stories matching every filter given; an id that matches nothing is an error."""
    chosen = stories
    for label, value, key in (
        ("persona", persona, "persona_id"),
        ("record", record, "task_id"),
        ("node", node, "node"),
    ):
        if value is None:
            continue
        known = sorted({getattr(s, key) for s in stories})
        if value not in known:
            shown = ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
            raise ConfigError(
                f"no {label} '{value}' in this run's traces; known: {shown or 'none'}"
            )
        chosen = [s for s in chosen if getattr(s, key) == value]
    return chosen
