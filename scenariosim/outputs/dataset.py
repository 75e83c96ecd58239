"""The dataset folder of a run: flat tables, Hugging Face splits, images, the card.

Layout of `<run>/dataset/`:

    README.md                   dataset card (YAML header: configs, license, ...)
    <table>.parquet / .jsonl    every row of a table, with a `split` column (for pandas)
    data/<table>/<split>.parquet  the same rows by split (what `datasets` loads); the
                                images table embeds its PNGs as an `image` column
    images/<id>.png             the pictures, with their labels in PNG text chunks

Tables: posts, comments, image_prompts, images, critiques, chunks, personas. They are
rebuilt from the run's streamed files, de-duplicated by id and sorted, so a resumed run
gives the same files as an uninterrupted one. Files are written to a temporary name and
renamed, so a crash never leaves a half-written table.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scenariosim.files import atomic_write_text, replacing
from scenariosim.jsonl import jsonl_text
from scenariosim.outputs.context_chunks import context_chunks
from scenariosim.outputs.critiques import critique_records
from scenariosim.outputs.naming import safe_name
from scenariosim.outputs.records import ImageRecord, PersonaRecord
from scenariosim.outputs.run_folder import DATASET_DIR, TABLES, RunFolder
from scenariosim.outputs.splits import SPLITS, UNSPLIT, SplitBy, SplitPlan, group_key, plan_splits
from scenariosim.outputs.tables import arrow_table, flat_critique, flat_record

IMAGE_FEATURES = json.dumps({"info": {"features": {"image": {"_type": "Image"}}}})
TABLE_ORDER = ("posts", "comments", "image_prompts", "images", "critiques", "chunks", "personas")


@dataclass
class DatasetSummary:
    path: Path
    split_by: SplitBy
    counts: dict[str, dict[str, int]]  # table -> split -> rows
    leakage: dict[str, int]
    notes: list[str] = field(default_factory=list)

    def rows(self, table: str) -> int:
        return sum(self.counts.get(table, {}).values())


def _write_parquet(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        if table.num_rows:
            pq.write_table(table, tmp)
        else:
            # Only the schema, no row group: a 0-row row group makes `datasets` read with batch
            # size 0 ("BatchSize must be greater than 0"); pandas and pyarrow read either.
            pq.ParquetWriter(tmp, table.schema).close()


def _persona_rows(run: RunFolder, plan: SplitPlan) -> list[dict[str, Any]]:
    rows = []
    for persona in sorted(run.personas, key=lambda p: str(p.get("id", ""))):
        row = PersonaRecord.model_validate(persona).model_dump()
        row["split"] = plan.split_for_group(str(row["hid"])) if plan.by == "household" else UNSPLIT
        rows.append(row)
    return rows


def _table_rows(
    run: RunFolder, plan: SplitPlan, images: list[ImageRecord] | None
) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    notes: list[str] = []
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES.values():
        tables[name] = [
            flat_record(r) | {"split": plan.split_for_group(group_key(r, plan.by))}
            for r in run.records[name]
        ]
    if images is not None:
        tables["images"] = [
            flat_record(i.model_dump(mode="json"))
            | {"split": plan.split_for_group(group_key(i.model_dump(), plan.by))}
            for i in images
        ]
    hid_of = {str(p.get("id")): str(p.get("hid", "")) for p in run.personas}
    hid_of |= {r["provenance"]["persona_id"]: r["provenance"]["hid"] for r in run.all_records()}
    critiques = []
    for c in critique_records(run):
        key = hid_of.get(c.persona_id, "") if plan.by == "household" else c.phase_id
        critiques.append(flat_critique(c.model_dump()) | {"split": plan.split_for_group(key)})
    tables["critiques"] = critiques
    chunks, chunk_notes = context_chunks(run)
    notes += chunk_notes
    tables["chunks"] = [c.model_dump() | {"split": UNSPLIT} for c in chunks.values()]
    tables["personas"] = _persona_rows(run, plan)
    return tables, notes


def _image_column(dataset_dir: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    column = []
    for row in rows:
        path = dataset_dir / row["file_name"]
        data = path.read_bytes() if path.exists() else None
        column.append({"bytes": data, "path": Path(row["file_name"]).name})
    return column


def _write_table(out: Path, name: str, rows: list[dict[str, Any]]) -> dict[str, int]:
    atomic_write_text(out / f"{name}.jsonl", jsonl_text(rows))
    if name == "personas":
        full = pa.Table.from_pylist(rows) if rows else pa.table({"id": pa.array([], pa.string())})
    else:
        full = arrow_table(name, rows)
    _write_parquet(out / f"{name}.parquet", full)
    counts: dict[str, int] = {}
    split_dir = out / "data" / name
    for split in (*SPLITS, UNSPLIT):
        part = [r for r in rows if r.get("split") == split]
        target = split_dir / f"{safe_name(split)}.parquet"
        if not part:
            target.unlink(missing_ok=True)
            continue
        counts[split] = len(part)
        if name == "images":
            table = arrow_table(name, part, with_image=True)
            image = pa.array(_image_column(out, part), type=table.schema.field("image").type)
            table = table.set_column(table.schema.get_field_index("image"), "image", image)
            table = table.replace_schema_metadata({"huggingface": IMAGE_FEATURES})
        elif name == "personas":
            table = pa.Table.from_pylist(part, schema=full.schema)
        else:
            table = arrow_table(name, part)
        _write_parquet(target, table)
    return counts


def build_dataset(
    run: RunFolder,
    images: list[ImageRecord] | None = None,
    split_by: SplitBy = "household",
) -> DatasetSummary:
    """Write every table of `run` into `<run>/dataset/` (the card is written separately)."""
    out = run.path / DATASET_DIR
    out.mkdir(exist_ok=True)
    plan = plan_splits(run, split_by)
    tables, notes = _table_rows(run, plan, images)
    counts = {name: _write_table(out, name, tables[name]) for name in TABLE_ORDER if name in tables}
    return DatasetSummary(
        path=out, split_by=split_by, counts=counts, leakage=plan.leakage, notes=notes
    )
