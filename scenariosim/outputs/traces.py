"""`traces.jsonl`: one line per node step, retrieval and model call, flushed as it happens.

Traces explain every record: the rendered prompt, the chunks retrieved, the raw and parsed
output, latency, tokens, retries and errors. Keys never reach them: model calls are
recorded from their messages and outputs only.
"""

import time
from pathlib import Path
from typing import Any

from scenariosim.jsonl import JsonlWriter, read_jsonl


class TraceWriter:
    def __init__(self, path: Path, run_id: str) -> None:
        self.run_id = run_id
        self._writer = JsonlWriter(path, unique_key=None)

    def write(self, event: str, **fields: Any) -> None:
        self._writer.write({"event": event, "run_id": self.run_id, "ts": time.time(), **fields})


def read_traces(path: Path) -> tuple[list[dict[str, Any]], int]:
    return read_jsonl(path)
