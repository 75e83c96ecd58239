"""Graph state: ids and small dicts only. Models, stores and writers live in the context."""

import operator
from typing import Annotated, Any, TypedDict


class FeedItem(TypedDict):
    id: str
    kind: str  # "post" or "comment"
    phase_index: int
    persona_id: str
    author: str
    text: str
    stance: str
    thread_root: str


class RunState(TypedDict, total=False):
    phase_index: int
    feed: Annotated[list[FeedItem], operator.add]
    outcomes: Annotated[list[dict[str, Any]], operator.add]


class TaskInput(TypedDict):
    """What a `Send` hands one agent task."""

    task: dict[str, Any]
