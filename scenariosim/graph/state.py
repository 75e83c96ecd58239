"""Graph state: a phase index and a tally, so every checkpoint is the same small size.

What grows with a run (the feed of published posts and comments) lives in the run's
`records.jsonl` and the `Feed` built from it (`graph/feed.py`), not in state: a checkpoint
that held it would store the whole run again at every step.
"""

from typing import Annotated, TypedDict


def add_tally(left: dict[str, int], right: dict[str, int]) -> dict[str, int]:
    """Merge `{"post:accepted": 1}`-style counts."""
    merged = dict(left)
    for key, count in right.items():
        merged[key] = merged.get(key, 0) + count
    return merged


class RunState(TypedDict, total=False):
    phase_index: int
    tally: Annotated[dict[str, int], add_tally]  # "<kind>:<status>" -> tasks ended that way


def initial_state() -> RunState:
    return {"phase_index": 0, "tally": {}}
