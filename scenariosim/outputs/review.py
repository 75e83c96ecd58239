"""The human review loop: a CSV of sampled artifacts a person marks good or bad.

`write_review_sheet` samples (seeded) accepted records and rejected drafts, so the critic's
"accept" and "reject" can both be checked, and writes `<run>/review.csv`. The reviewer
fills the `label` column with `good` or `bad` (and an optional `note`) in any spreadsheet
or editor; `read_review` reads it back for `scenariosim eval`, which reports human-vs-critic
agreement. Cells that a spreadsheet would run as a formula are prefixed with `'`.
"""

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenariosim.errors import ConfigError, InputFileError
from scenariosim.files import atomic_write_text
from scenariosim.outputs.run_folder import RunFolder

REVIEW_FILE = "review.csv"
COLUMNS = (
    "record_id",
    "kind",
    "phase_id",
    "persona_id",
    "critic_verdict",
    "critic_score",
    "critic_reasons",
    "text",
    "label",
    "note",
)
LABELS = ("good", "bad")


@dataclass(frozen=True)
class ReviewRow:
    record_id: str
    critic_verdict: str
    critic_score: float | None
    label: str
    note: str


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _record_text(record: dict[str, Any]) -> str:
    if record["kind"] == "image_prompt":
        shown = ", ".join(k for k, v in record.get("labels", {}).items() if v) or "none"
        return f"{record['scene']} | sign: {record.get('sign_text', '')} | labels: {shown}"
    return record["text"]


def _draft_text(draft: dict[str, Any]) -> str:
    if "scene" in draft:
        return f"{draft['scene']} | sign: {draft.get('sign_text', '')}"
    return str(draft.get("text", ""))


def review_candidates(run: RunFolder, n: int, seed: int) -> list[dict[str, Any]]:
    """Up to `n` rows: half accepted records, half rejected drafts (whichever has more fills)."""
    accepted = [
        {
            "record_id": r["id"],
            "kind": r["kind"],
            "phase_id": r["provenance"]["phase_id"],
            "persona_id": r["provenance"]["persona_id"],
            "critic_verdict": "accepted",
            "critic_score": r["provenance"]["critic_score"],
            "critic_reasons": "",
            "text": _record_text(r),
        }
        for r in run.all_records()
    ]
    rejected = [
        {
            "record_id": f["id"],
            "kind": f["kind"],
            "phase_id": f["phase_id"],
            "persona_id": f["persona_id"],
            "critic_verdict": f["status"],
            "critic_score": f["critiques"][-1]["score"] if f.get("critiques") else "",
            "critic_reasons": "; ".join(f.get("reasons", [])),
            "text": _draft_text(f["drafts"][-1]),
        }
        for f in run.rejected
        if f.get("drafts")
    ]
    rng = random.Random(seed)
    take_rejected = min(len(rejected), max(n // 2, n - len(accepted)))
    take_accepted = min(len(accepted), n - take_rejected)
    chosen = rng.sample(accepted, take_accepted) + rng.sample(rejected, take_rejected)
    rng.shuffle(chosen)
    return chosen


def write_review_sheet(run: RunFolder, n: int = 30, seed: int = 0, force: bool = False) -> Path:
    path = run.path / REVIEW_FILE
    if path.exists() and not force:
        labelled = sum(1 for row in read_review(path) if row.label)
        raise ConfigError(
            f"{path} exists ({labelled} row(s) labelled): keep reviewing it, or pass --force "
            "to replace it with a new sample"
        )
    rows = review_candidates(run, n, seed)
    if not rows:
        raise ConfigError(f"{run.path} has no records or rejected drafts to review yet")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_cell(row.get(c, "")) for c in COLUMNS])
    atomic_write_text(path, buffer.getvalue())
    return path


def read_review(path: Path) -> list[ReviewRow]:
    """Rows of a review CSV; a label other than good/bad/empty is an error naming the row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"{path} could not be read ({e}); save it as UTF-8 CSV") from e
    reader = csv.DictReader(io.StringIO(text))
    missing = {"record_id", "critic_verdict", "label"} - set(reader.fieldnames or [])
    if missing:
        raise InputFileError(
            f"{path} lacks the column(s) {', '.join(sorted(missing))}; keep the header that "
            "`scenariosim review` wrote"
        )
    rows = []
    for line, raw in enumerate(reader, start=2):
        label = (raw.get("label") or "").strip().lower()
        if label not in ("", *LABELS):
            raise InputFileError(
                f"{path} line {line}: label {raw.get('label')!r} is not good or bad; "
                "write good, bad, or leave it empty"
            )
        score = (raw.get("critic_score") or "").strip()
        try:
            critic_score = float(score) if score else None
        except ValueError:
            critic_score = None
        rows.append(
            ReviewRow(
                record_id=(raw.get("record_id") or "").lstrip("'"),
                critic_verdict=(raw.get("critic_verdict") or "").strip(),
                critic_score=critic_score,
                label=label,
                note=(raw.get("note") or "").strip(),
            )
        )
    return rows
