"""The dataset folder written at the end of a run: one Parquet and one JSONL file per table.

Tables are rebuilt from the run's streamed `records.jsonl`, de-duplicated by id and sorted,
so a resumed run gives the same files as an uninterrupted one. Final files are written to a
temporary name and renamed, so a crash never leaves a half-written table.
"""

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from scenariosim.outputs.jsonl import read_jsonl

TABLES = {"post": "posts", "comment": "comments", "image_prompt": "image_prompts"}


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Provenance fields become top-level columns, so the tables load flat."""
    flat = {k: v for k, v in record.items() if k != "provenance"}
    flat.update(record.get("provenance", {}))
    return flat


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def load_records(run_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Accepted records by table name, unique by id, sorted by id."""
    rows, _ = read_jsonl(run_dir / "records.jsonl")
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES.values()}
    for row in rows:
        table = TABLES.get(row.get("kind", ""))
        if table:
            tables[table].setdefault(row["id"], row)
    return {name: [by_id[k] for k in sorted(by_id)] for name, by_id in tables.items()}


def write_dataset(run_dir: Path, personas: list[dict[str, Any]]) -> Path:
    """Write `dataset/` with posts, comments, image_prompts and personas tables."""
    out = run_dir / "dataset"
    out.mkdir(exist_ok=True)
    tables = {name: [_flatten(r) for r in rows] for name, rows in load_records(run_dir).items()}
    tables["personas"] = sorted(personas, key=lambda p: p["id"])
    for name, rows in tables.items():
        lines = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
        atomic_write_text(out / f"{name}.jsonl", lines)
        frame = pd.DataFrame(rows)
        tmp = out / f".{name}.parquet.tmp"
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, out / f"{name}.parquet")
    return out
