"""JSON Lines: one JSON value per line, read and written one way everywhere.

Lines end at "\\n" only: JSON strings may hold U+2028 and friends unescaped, which
`str.splitlines()` would cut a record at. Rows are written with sorted keys and non-ASCII
text kept readable.

The run's own files (records, rejections, traces) are appended while a run goes on and
survive a SIGKILL: one flushed line per record. A killed writer leaves at most one
incomplete last line; `read_jsonl` skips it and says so, and `JsonlWriter` skips ids
already in the file, so a task re-run after a resume adds no duplicate.
"""

import json
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel


def jsonl_line(row: BaseModel | dict[str, Any]) -> str:
    """One row as a JSON line, newline included."""
    data = row.model_dump(mode="json") if isinstance(row, BaseModel) else row
    return json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def jsonl_text(rows: Iterable[BaseModel | dict[str, Any]]) -> str:
    """Rows as the text of a JSONL file."""
    return "".join(jsonl_line(row) for row in rows)


def numbered_lines(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of JSONL text with their 1-based line numbers."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, line


def read_jsonl(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Rows of a JSONL file and the number of unreadable lines skipped (none if it is absent).

    Read line by line (traces grow large); `newline="\n"` splits at "\n" only.
    """
    if not path.exists():
        return [], 0
    rows, skipped = [], 0
    with path.open(encoding="utf-8", newline="\n") as f:
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
        line = jsonl_line(data)
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
