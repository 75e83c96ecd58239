"""The LLM-call cache: SQLite, keyed by model spec, messages, schema and seed.

A re-run of the same scenario and seed replays answers instead of recomputing them. Values
are JSON text (never pickled), so a cache file from elsewhere cannot run code.
"""

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any


class SqliteCallCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS calls (key TEXT PRIMARY KEY, value TEXT)")
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _digest(key: dict[str, Any]) -> str:
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    def get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM calls WHERE key = ?", (self._digest(key),)
            ).fetchone()
            if row is None:
                self.misses += 1
                return None
            self.hits += 1
        return json.loads(row[0])

    def put(self, key: dict[str, Any], value: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO calls (key, value) VALUES (?, ?)",
                (self._digest(key), json.dumps(value)),
            )

    def close(self) -> None:
        self._db.close()
