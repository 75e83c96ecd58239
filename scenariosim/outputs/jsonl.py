"""Append-only JSONL files that survive a SIGKILL: one flushed line per record.

A killed writer leaves at most one incomplete last line; readers skip it and say so.
Writers skip ids already in the file, so a task re-run after a resume adds no duplicate.
"""

import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def read_jsonl(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Rows of a JSONL file and the number of unreadable lines skipped."""
    if not path.exists():
        return [], 0
    rows, skipped = [], 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                skipped += 1
    return rows, skipped


class JsonlWriter:
    """Thread-safe appender; `unique_key` rows already present are not written again."""

    def __init__(self, path: Path, unique_key: str | None = "id", fsync: bool = False) -> None:
        self.path = path
        self.unique_key = unique_key
        self.fsync = fsync
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        rows, _ = read_jsonl(path)
        self._seen = {row.get(unique_key) for row in rows} if unique_key else set()

    def _repair_tail(self) -> None:
        """End the file with a newline so a torn last line cannot swallow the next record."""
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open("rb+") as f:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    f.write(b"\n")

    def write(self, row: BaseModel | dict[str, Any]) -> bool:
        """Append one row; False if its key was already written."""
        data = row.model_dump(mode="json") if isinstance(row, BaseModel) else row
        line = json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            if self.unique_key:
                key = data.get(self.unique_key)
                if key in self._seen:
                    return False
                self._seen.add(key)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
                f.flush()
                if self.fsync:
                    os.fsync(f.fileno())
        return True
