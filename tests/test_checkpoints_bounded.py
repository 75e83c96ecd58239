"""A long run's checkpoints stay the same size: state holds no list that grows with it."""

import sqlite3
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver

from tests.fake_run import fake_run, fake_scenario


def _checkpoint_sizes(folder: Path, phases: int) -> list[int]:
    folder.mkdir()
    path = folder / "checkpoints.sqlite"
    connection = sqlite3.connect(path, check_same_thread=False)
    try:
        fake_run(folder, fake_scenario(phases), SqliteSaver(connection))
    finally:
        connection.close()
    with sqlite3.connect(path) as db:
        return [size for (size,) in db.execute("SELECT length(checkpoint) FROM checkpoints")]


def test_the_largest_checkpoint_does_not_grow_with_the_number_of_phases(tmp_path: Path) -> None:
    # A reply's task carries at most THREAD_ITEMS of its thread (plan_comments.py), so the
    # largest checkpoint grows only until threads can be that long, by the fourth phase.
    short = _checkpoint_sizes(tmp_path / "short", phases=4)
    long = _checkpoint_sizes(tmp_path / "long", phases=16)
    assert len(long) > 3 * len(short)
    assert max(long) <= max(short) * 1.1, (max(short), max(long))


def test_the_final_tally_counts_every_task_once(tmp_path: Path) -> None:
    records, _, final = fake_run(tmp_path, fake_scenario(3))
    assert final["tally"] == {"post:accepted": 6, "comment:accepted": 9, "image_prompt:accepted": 3}
    assert len(records) == 18
