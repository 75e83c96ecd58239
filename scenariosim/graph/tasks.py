"""The agent tasks a planner hands to a writer node through `Send`: typed, built here only.

A task is a plain dict in LangGraph's pending writes (checkpointed), so each kind is a
TypedDict; `post_task`, `comment_task` and `image_task` are the one place each is made.
Every task carries the labels the planner assigned (`labels`, a `DraftLabels` dump) and a
`rotation`, the task's position in its phase, which spreads fact choice across tasks.
"""

from typing import Any, TypedDict

from scenariosim.agents.schemas import DraftLabels
from scenariosim.graph.plan import Kind, kind_seed, task_id


class Task(TypedDict):
    id: str
    kind: Kind
    phase_index: int
    persona_id: str
    seed: int
    rotation: int
    labels: dict[str, Any]


class ThreadLine(TypedDict):
    author: str
    text: str


class CommentTask(Task):
    reply_to: str
    thread_root: str
    thread: list[ThreadLine]


class ImageTask(Task):
    post_id: str
    post_text: str
    attributes: dict[str, bool]
    opening: str  # the words the scene starts with (`persona_agent.pick_scene_opening`)
    sign_number: int  # how many of the phase's pictures before this one have a sign
    violence: float
    references: list[dict[str, Any]]  # ReferenceUse dumps the planner retrieved


class TaskInput(TypedDict):
    """What a `Send` hands one writer node."""

    task: Any


def _base(
    scenario_seed: int, phase_id: str, index: int, kind: Kind, i: int, persona: str
) -> dict[str, Any]:
    return {
        "id": task_id(phase_id, kind, i),
        "kind": kind,
        "phase_index": index,
        "persona_id": persona,
        "seed": kind_seed(scenario_seed, phase_id, kind, i),
        "rotation": i,
    }


def post_task(
    scenario_seed: int, phase_id: str, index: int, i: int, persona: str, labels: DraftLabels
) -> Task:
    base = _base(scenario_seed, phase_id, index, "post", i, persona)
    return Task(**base, labels=labels.model_dump())


def comment_task(
    scenario_seed: int,
    phase_id: str,
    index: int,
    i: int,
    persona: str,
    labels: DraftLabels,
    thread: list[ThreadLine],
    reply_to: str,
    thread_root: str,
) -> CommentTask:
    base = _base(scenario_seed, phase_id, index, "comment", i, persona)
    return CommentTask(
        **base,
        labels=labels.model_dump(),
        thread=thread,
        reply_to=reply_to,
        thread_root=thread_root,
    )


def image_task(
    scenario_seed: int,
    phase_id: str,
    index: int,
    i: int,
    persona: str,
    post: dict[str, Any],
    attributes: dict[str, bool],
    opening: str,
    violence: float,
    references: list[dict[str, Any]],
    sign_number: int = 0,
) -> ImageTask:
    base = _base(scenario_seed, phase_id, index, "image_prompt", i, persona)
    return ImageTask(
        **base,
        labels={},
        post_id=post["id"],
        post_text=post["text"],
        attributes=attributes,
        opening=opening,
        sign_number=sign_number,
        violence=violence,
        references=references,
    )
