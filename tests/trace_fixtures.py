"""Run folders for trace tests: the fake-model graph run, optionally with hostile text in
the retrieved chunks and the model output, and with retrieval scores filled in."""

import json
from pathlib import Path

from runfolder import HOSTILE, make_run_folder

SCORE = 0.8123


def traced_run(path: Path, hostile: bool = False) -> Path:
    """A finished small run whose traces carry chunk scores (and markup when `hostile`)."""
    run_dir = make_run_folder(path, hostile=hostile)
    traces = run_dir / "traces.jsonl"
    rows = [json.loads(line) for line in traces.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        if row["event"] == "retrieval":
            for chunk in row["chunks"]:
                chunk["score"] = SCORE
                if hostile:
                    chunk["text"] += f" {HOSTILE}"
        if hostile and row["event"] == "model_call" and row["step"] == "draft":
            row["raw"] = row["raw"] + HOSTILE
    traces.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return run_dir
