"""Reading a folder's sidecar: the captions, sources, licenses and labels of its images.

A sidecar is `references.csv`, `references.jsonl` or `references.json` in the folder (or
any file passed explicitly). CSV cells holding lists (`labels`, `palette`) separate items
with `;`, `,`, `|` or spaces; empty cells mean "not given". A row that does not validate
(an unknown label, a bad colour) is reported by its line and left out; the other rows are
read. A sidecar that cannot be parsed at all is one error naming the file.
"""

import csv
import io
import json
import logging
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scenariosim.clean_text import clean_text
from scenariosim.errors import InputFileError
from scenariosim.jsonl import numbered_lines
from scenariosim.knowledge.references.catalogue import Problem, SidecarRow

log = logging.getLogger(__name__)
SIDECAR_NAMES = ("references.csv", "references.jsonl", "references.json")
LIST_FIELDS = ("labels", "palette")
_SPLIT = re.compile(r"[;,|\s]+")


def find_sidecar(folder: Path) -> Path | None:
    """The folder's sidecar, if any; two of them is an error (which one would win?)."""
    found = [folder / name for name in SIDECAR_NAMES if (folder / name).is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise InputFileError(
            f"{folder} has several sidecars ({names}); keep one, or pass --sidecar"
        )
    return found[0] if found else None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))  # quoted newlines stay in a field
    if not reader.fieldnames:
        raise InputFileError(
            f"{path}: the CSV sidecar has no header row; start with file,caption,..."
        )
    rows = []
    for row in reader:
        cleaned: dict[str, Any] = {}
        for key, value in row.items():
            if key is None:
                raise InputFileError(
                    f"{path} line {reader.line_num}: more cells than header columns; quote "
                    "captions that contain commas"
                )
            value = (value or "").strip()
            if not value:
                continue
            cleaned[key.strip()] = (
                [v for v in _SPLIT.split(value) if v] if key in LIST_FIELDS else value
            )
        rows.append((reader.line_num, cleaned))
    return rows


def _json_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputFileError(
            f"{path}: not valid JSON ({e.msg} at line {e.lineno}); fix the file"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("references"), list):
        data = data["references"]
    if not isinstance(data, list):
        raise InputFileError(
            f'{path}: a JSON sidecar is a list of objects (or {{"references": [...]}})'
        )
    return [(i, item) for i, item in enumerate(data, start=1)]


def _jsonl_rows(path: Path, text: str) -> list[tuple[int, Any]]:
    rows = []
    for number, line in numbered_lines(text):
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as e:
            raise InputFileError(f"{path} line {number}: not valid JSON ({e.msg})") from None
    return rows


def _clean_item(item: dict[str, Any], name: str) -> dict[str, Any]:
    """The row with its text repaired to clean Unicode (a cut emoji escape in JSON, control
    characters); each repair is a warning naming the row and key."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        values = value if isinstance(value, list) else [value]
        fixed = []
        for one in values:
            if isinstance(one, str):
                one, notes = clean_text(one)
                for note in notes:
                    log.warning("%s: key '%s': %s", name, clean_text(str(key))[0], note)
            fixed.append(one)
        out[clean_text(str(key))[0]] = fixed if isinstance(value, list) else fixed[0]
    return out


def read_sidecar(path: Path) -> tuple[list[SidecarRow], list[Problem]]:
    """The sidecar's valid rows, and a problem for each row that is not."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"sidecar not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise InputFileError(f"{path}: cannot be read as UTF-8 text ({e})") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw: list[tuple[int, Any]] = list(_csv_rows(path, text))
        unit = "line"
    elif suffix == ".jsonl":
        raw, unit = _jsonl_rows(path, text), "line"
    elif suffix == ".json":
        raw, unit = _json_rows(path, text), "item"
    else:
        raise InputFileError(f"{path}: a sidecar is .csv, .jsonl or .json")
    rows: list[SidecarRow] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, item in raw:
        name = f"{path.name} {unit} {number}"
        if not isinstance(item, dict):
            problems.append(Problem(name=name, reason="not an object with file, caption, labels"))
            continue
        item = _clean_item(item, name)
        try:
            row = SidecarRow.model_validate(item)
        except ValidationError as e:
            label = f" ({item.get('file')})" if item.get("file") else ""
            problems.append(Problem(name=name + label, reason=_describe(e)))
            continue
        if not row.file and not row.caption:
            problems.append(Problem(name=name, reason="a text-only reference needs a caption"))
            continue
        if row.file:
            if row.file in seen:
                problems.append(
                    Problem(
                        name=f"{name} ({row.file})",
                        reason=f"{row.file} is already described at {unit} {seen[row.file]}",
                    )
                )
                continue
            seen[row.file] = number
        rows.append(row)
    return rows, problems
