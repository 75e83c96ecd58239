"""Reading a run folder as it is, finished or not, and saying what is missing.

Everything after a run (images, dataset, evaluation, report, export, review) starts from
`open_run(path)`. A killed run still opens: torn last lines are skipped, absent files are
listed in `missing` with what to do about them, and the figures cover what was written.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariosim.errors import ConfigError, InputFileError
from scenariosim.jsonl import read_jsonl
from scenariosim.yaml_io import YamlError, read_yaml

RESOLVED_FILE = "scenario.resolved.yaml"
RECORDS_FILE = "records.jsonl"
REJECTED_FILE = "rejected.jsonl"
TRACES_FILE = "traces.jsonl"
DATASET_DIR = "dataset"
RUN_PERSONAS_FILE = "personas.jsonl"
TABLES = {"post": "posts", "comment": "comments", "image_prompt": "image_prompts"}


@dataclass
class RunFolder:
    path: Path
    run_id: str
    resolved: dict[str, Any]
    records: dict[str, list[dict[str, Any]]]
    rejected: list[dict[str, Any]]
    traces: list[dict[str, Any]]
    personas: list[dict[str, Any]]
    finished: bool
    missing: list[str] = field(default_factory=list)

    @property
    def scenario(self) -> dict[str, Any]:
        return self.resolved.get("scenario", {})

    @property
    def seed(self) -> int:
        return int(self.scenario.get("seed", 0))

    @property
    def phase_ids(self) -> list[str]:
        """Phases in scenario order (or in order of appearance without a scenario)."""
        ordered = [p["id"] for p in self.scenario.get("phases", [])]
        for rows in self.records.values():
            for row in rows:
                phase = row.get("provenance", {}).get("phase_id")
                if phase and phase not in ordered:
                    ordered.append(phase)
        return ordered

    def all_records(self) -> list[dict[str, Any]]:
        return [r for rows in self.records.values() for r in rows]


def resolve_run_dir(run: str, output_dir: Path) -> Path:
    """A run id under `output_dir`, or a path to a run folder."""
    direct = Path(run)
    for candidate in (direct, output_dir / run):
        if (candidate / RESOLVED_FILE).exists() or (candidate / RECORDS_FILE).exists():
            return candidate
    raise ConfigError(
        f"no run '{run}': neither {direct} nor {output_dir / run} holds {RESOLVED_FILE} or "
        f"{RECORDS_FILE}; check the id (ls {output_dir}) or pass the run folder's path"
    )


def _read_resolved(path: Path, missing: list[str]) -> dict[str, Any]:
    file = path / RESOLVED_FILE
    if not file.exists():
        missing.append(
            f"no {RESOLVED_FILE}: the scenario, seeds and model specs are unknown; the card "
            "and report leave them blank"
        )
        return {}
    try:
        data = read_yaml(file).data
    except YamlError as e:
        raise InputFileError(f"{e} Or restore it from a backup.") from None
    if not isinstance(data, dict):
        raise InputFileError(f"{file} should be a mapping; restore it from a backup")
    return data


def read_personas(path: Path) -> list[dict[str, Any]]:
    """Persona rows the run left: its own personas.jsonl, else the dataset's table."""
    for file in (path / RUN_PERSONAS_FILE, path / DATASET_DIR / "personas.jsonl"):
        if file.exists():
            rows, _ = read_jsonl(file)
            return rows
    return []


def open_run(path: Path) -> RunFolder:
    if not path.is_dir():
        raise ConfigError(f"{path} is not a folder; pass a run id or a run folder")
    missing: list[str] = []
    resolved = _read_resolved(path, missing)
    if not resolved and not (path / RECORDS_FILE).exists():
        raise ConfigError(
            f"{path} is not a run folder (no {RESOLVED_FILE}, no {RECORDS_FILE}); check the id"
        )
    rows, torn = read_jsonl(path / RECORDS_FILE)
    if not (path / RECORDS_FILE).exists():
        missing.append(f"no {RECORDS_FILE}: the run accepted nothing before it stopped")
    tables: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLES.values()}
    for row in rows:
        table = TABLES.get(row.get("kind", ""))
        if table and "id" in row:
            tables[table].setdefault(row["id"], row)
    records = {name: [by_id[k] for k in sorted(by_id)] for name, by_id in tables.items()}
    rejected, torn_rejected = read_jsonl(path / REJECTED_FILE)
    traces, torn_traces = read_jsonl(path / TRACES_FILE)
    if not (path / TRACES_FILE).exists():
        missing.append(
            f"no {TRACES_FILE}: critic figures before revision, retrieval outlets and "
            "critic reasons are unavailable"
        )
    for name, count in ((RECORDS_FILE, torn), (REJECTED_FILE, torn_rejected)):
        if count:
            missing.append(f"{name}: {count} incomplete line(s) skipped (a killed run)")
    if torn_traces:
        missing.append(f"{TRACES_FILE}: {torn_traces} incomplete line(s) skipped (a killed run)")
    finished = any(t.get("event") == "run" and t.get("status") == "finished" for t in traces)
    run_id = str(resolved.get("run_id") or (traces[0].get("run_id") if traces else path.name))
    if not finished:
        missing.append(
            "the run did not finish (no 'finished' event in traces.jsonl): figures cover what "
            f"it wrote before it stopped; `scenariosim run --resume {run_id}` continues it"
        )
    personas = read_personas(path)
    if not personas:
        missing.append(
            "no persona table (personas.jsonl in the run or dataset folder): persona cards "
            "and persona figures are missing"
        )
    return RunFolder(
        path=path,
        run_id=run_id,
        resolved=resolved,
        records=records,
        rejected=rejected,
        traces=traces,
        personas=personas,
        finished=finished,
        missing=missing,
    )
