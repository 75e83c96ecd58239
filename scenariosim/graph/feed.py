"""The feed: every published post and comment, which later phases read and answer, and the
scenes of the run's photos, which later scenes must not repeat.

It is rebuilt from `records.jsonl` when a run starts or resumes and grows as tasks publish,
so it always matches the records on disk (the first record of an id wins, as in the file).
Kept out of the graph state so checkpoints stay small; see `graph/state.py`.
"""

import threading
from collections.abc import Iterable
from typing import Any, TypedDict


class FeedItem(TypedDict):
    id: str
    kind: str  # "post" or "comment"
    phase_index: int
    persona_id: str
    author: str
    text: str
    stance: str
    thread_root: str


class Feed:
    """Thread-safe: concurrent tasks of one superstep publish into it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, FeedItem] = {}
        self._scenes: dict[str, tuple[int, str]] = {}  # image prompt id -> (phase index, scene)

    def add(self, item: FeedItem) -> None:
        with self._lock:
            self._items.setdefault(item["id"], item)

    def items(self) -> list[FeedItem]:
        """Every item, sorted by id so planners see the same order in every run."""
        with self._lock:
            return sorted(self._items.values(), key=lambda item: item["id"])

    def settled_texts(self, phase_index: int, kind: str) -> list[str]:
        """The texts published before a `kind` task of phase `phase_index` could start, so
        the same in every run whatever order concurrent tasks finish in: everything of
        earlier phases, and for a reply also the posts of its own phase (posts are written
        before replies). The critic refuses a text that shares six words with one of them."""
        return [
            item["text"]
            for item in self.items()
            if item["phase_index"] < phase_index
            or (kind == "comment" and item["kind"] == "post" and item["phase_index"] == phase_index)
        ]

    def add_scene(self, record_id: str, phase_index: int, scene: str) -> None:
        """Publish a photo's scene (an image prompt record's `scene`)."""
        with self._lock:
            self._scenes.setdefault(record_id, (phase_index, scene))

    def settled_scenes(self, phase_index: int) -> list[str]:
        """The scenes of earlier phases, sorted by record id: all of them are written before
        phase `phase_index` plans its photos, whatever order concurrent tasks finish in."""
        with self._lock:
            return [
                scene for _, (index, scene) in sorted(self._scenes.items()) if index < phase_index
            ]

    def add_record(self, row: dict[str, Any], phase_index: int) -> None:
        """Publish a post or comment record (as written to `records.jsonl`)."""
        provenance = row["provenance"]
        self.add(
            FeedItem(
                id=row["id"],
                kind=row["kind"],
                phase_index=phase_index,
                persona_id=provenance["persona_id"],
                author=row["author_name"],
                text=row["text"],
                stance=row["stance"],
                thread_root=row.get("thread_root") or row["id"],
            )
        )

    @classmethod
    def from_records(cls, rows: Iterable[dict[str, Any]], phase_ids: list[str]) -> "Feed":
        """The feed a run's records describe (posts, comments and image prompts' scenes)."""
        index = {phase_id: i for i, phase_id in enumerate(phase_ids)}
        feed = cls()
        for row in rows:
            if row.get("kind") in ("post", "comment"):
                feed.add_record(row, index[row["provenance"]["phase_id"]])
            elif row.get("kind") == "image_prompt":
                feed.add_scene(row["id"], index[row["provenance"]["phase_id"]], row["scene"])
        return feed
