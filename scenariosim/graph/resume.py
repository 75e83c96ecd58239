"""What `run --resume` checks before it touches a run folder.

`check_run_folder` reads, never writes: the resolved scenario must be whole, the checkpoint
database readable and holding this run's thread, and the records' phases in the scenario.
`changed_inputs` then compares what the run recorded (persona ids, corpus and references
fingerprints, embedding model, output budgets) with what the inputs give now, before any
chat model call. What they give now is measured through `scratch_inputs`: copies of the
caches the inputs are opened through (census cache, Chroma, the reference library), so a
changed census or corpus is found without writing to the user's caches. Anything wrong is
one `ConfigError` naming the file or input; the run folder and the caches are left byte for
byte as they were.
"""

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenariosim.errors import ConfigError, ScenarioSimError
from scenariosim.jsonl import read_jsonl
from scenariosim.scenario import Scenario, scenario_from_yaml
from scenariosim.settings import Settings
from scenariosim.yaml_io import read_yaml

RESOLVED_FILE = "scenario.resolved.yaml"
CHECKPOINTS_FILE = "checkpoints.sqlite"
STREAMS = ("records.jsonl", "rejected.jsonl")
# What `_write_resolved` records under `resolved:`; a file without one of them was cut.
RESOLVED_KEYS = (
    "corpus_fingerprint",
    "references_fingerprint",
    "embedding_model",
    "agent_model",
    "critic_model",
    "max_tokens",
    "persona_ids",
)
# Inputs a resume may continue with when asked (--allow-changed-inputs); persona ids may not
# change, since the checkpoint's planned tasks name them.
MAY_CHANGE = (
    "corpus_fingerprint",
    "references_fingerprint",
    "embedding_model",
    "agent_model",  # a replay fork may change the models (`--set models.agent=...`)
    "critic_model",
    "max_tokens",
)
RESTART = "start a new run from the scenario file instead"
# The folders under the cache dir that opening a run's inputs writes to (`graph/world.py`):
# the census's Parquet cache, the corpus's Chroma store, the default reference library.
INPUT_CACHES = ("census", "chroma", "references")


@dataclass(frozen=True)
class ResumableRun:
    """A run folder that passed the checks: its scenario and what it recorded."""

    run_dir: Path
    run_id: str
    scenario: Scenario
    recorded: dict[str, Any]  # the `resolved:` section of scenario.resolved.yaml


def read_resolved(run_dir: Path) -> tuple[Scenario, dict[str, Any]]:
    """The scenario and the `resolved:` section of a run's resolved file, checked whole."""
    path = run_dir / RESOLVED_FILE
    if not path.is_file():
        raise ConfigError(f"{run_dir} is not a run folder (no {RESOLVED_FILE}); check the run id.")
    try:
        loaded = read_yaml(path)
    except ScenarioSimError as e:
        raise ConfigError(f"{e} The run folder is damaged; {RESTART}.") from None
    data = loaded.data
    if not isinstance(data, dict) or "scenario" not in data:
        raise ConfigError(
            f"{path}: not a resolved scenario (no 'scenario:' section); the file is damaged or "
            f"not from a run; {RESTART}."
        )
    recorded = data.get("resolved")
    missing = (
        [k for k in RESOLVED_KEYS if k not in recorded]
        if isinstance(recorded, dict)
        else ["resolved"]
    )
    if missing:
        raise ConfigError(
            f"{path}: incomplete, {', '.join(missing)} missing (the file was cut short or "
            f"edited); resume needs the whole file as the run wrote it; restore it or {RESTART}."
        )
    try:
        scenario = scenario_from_yaml(loaded, ("scenario",))
    except ConfigError as e:
        raise ConfigError(f"{e} The run folder is damaged; {RESTART}.") from None
    return scenario, recorded


def _checkpoint_threads(path: Path) -> set[str]:
    """Thread ids in a checkpoint database, read from a copy (reading may write -shm files)."""
    with tempfile.TemporaryDirectory(prefix="scenariosim-resume-") as tmp:
        copy = Path(tmp) / path.name
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        connection = sqlite3.connect(copy)
        try:
            rows = connection.execute("SELECT DISTINCT thread_id FROM checkpoints").fetchall()
        finally:
            connection.close()
    return {str(r[0]) for r in rows}


def _check_checkpoints(run_dir: Path, run_id: str) -> None:
    path = run_dir / CHECKPOINTS_FILE
    if not path.is_file():
        raise ConfigError(
            f"{path}: missing, so there is no state to resume from (the run stopped before its "
            f"first step, or the file was removed); {RESTART}."
        )
    try:
        threads = _checkpoint_threads(path)
    except (sqlite3.Error, OSError) as e:
        raise ConfigError(
            f"{path}: not a readable checkpoint database ({type(e).__name__}: {e}); the file "
            f"is damaged; restore it or {RESTART}."
        ) from None
    if run_id not in threads:
        held = ", ".join(sorted(threads)[:3]) or "none"
        raise ConfigError(
            f"{path}: holds no checkpoint of run '{run_id}' (threads: {held}); the file is "
            f"from another run or was emptied; restore it or {RESTART}."
        )


def _check_streams(run_dir: Path, scenario: Scenario) -> None:
    phases = {p.id for p in scenario.phases}
    for name in STREAMS:
        path = run_dir / name
        if not path.is_file():
            continue
        rows, _ = read_jsonl(path)
        for number, row in enumerate(rows, start=1):
            phase = row.get("phase_id") if isinstance(row, dict) else None
            if phase is not None and phase not in phases:
                raise ConfigError(
                    f"{path}: record {number} is of phase '{phase}', which {RESOLVED_FILE} does "
                    f"not have (phases: {', '.join(sorted(phases))}); the folder mixes runs or "
                    f"the resolved file was edited; {RESTART}."
                )


def check_run_folder(run_dir: Path, run_id: str) -> ResumableRun:
    """A run folder that can be resumed, checked without writing anything; else ConfigError."""
    if not run_dir.is_dir():
        raise ConfigError(
            f"no run '{run_id}' in {run_dir.parent}: check the id (ls {run_dir.parent})."
        )
    scenario, recorded = read_resolved(run_dir)
    _check_checkpoints(run_dir, run_id)
    _check_streams(run_dir, scenario)
    return ResumableRun(run_dir, run_id, scenario, recorded)


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value)} ids" if len(value) > 3 else ", ".join(map(str, value)) or "none"
    return str(value)


def changed_inputs(
    run: ResumableRun, found: dict[str, Any], allow_changed: bool
) -> dict[str, dict[str, Any]]:
    """Inputs that differ from what the run recorded, as {key: {recorded, found}}.

    A difference is a ConfigError naming it, unless `allow_changed` and the key may change.
    """
    changes = {
        key: {"recorded": run.recorded.get(key), "found": value}
        for key, value in found.items()
        if run.recorded.get(key) != value
    }
    if not changes:
        return {}
    described = "; ".join(
        f"{key} was {_shown(c['recorded'])}, now {_shown(c['found'])}" for key, c in changes.items()
    )
    fixed = [k for k in changes if k not in MAY_CHANGE]
    where = run.run_dir / RESOLVED_FILE
    if fixed:
        raise ConfigError(
            f"inputs differ from the run's ({where}): {described}. The census or the persona "
            f"selection changed since the run started; restore them, or {RESTART}."
        )
    if not allow_changed:
        raise ConfigError(
            f"inputs differ from the run's ({where}): {described}. Restore the corpus and "
            "settings the run used, or resume with --allow-changed-inputs to continue with "
            "these (both fingerprints are recorded)."
        )
    return changes


@contextmanager
def scratch_inputs(scenario: Scenario, settings: Settings) -> Iterator[tuple[Scenario, Settings]]:
    """`scenario` and `settings` pointing at copies of the caches their inputs are opened
    through, in a temporary folder removed afterwards.

    Opening a run's world writes: a census read from CSV or Stata is cached as Parquet, the
    corpus is ingested into Chroma (a changed document is embedded), the shipped references
    are added to the library. A resume measures what its inputs give now on these copies,
    so a resume that is then refused has changed nothing under the cache dir or in a
    reference library named by the scenario.
    """
    with tempfile.TemporaryDirectory(prefix="scenariosim-resume-") as tmp:
        root = Path(tmp)
        cache = root / "cache"
        cache.mkdir()
        for name in INPUT_CACHES:
            if (settings.cache_dir / name).is_dir():
                shutil.copytree(settings.cache_dir / name, cache / name)
        world = scenario.world
        if world.references is not None and world.references.is_dir():
            copy = shutil.copytree(world.references, root / "references-library")
            world = world.model_copy(update={"references": copy})
        try:
            yield (
                scenario.model_copy(update={"world": world}),
                settings.model_copy(update={"cache_dir": cache}),
            )
        finally:
            _release_chroma_clients(root)


def _release_chroma_clients(root: Path) -> None:
    """Stop the Chroma systems opened on folders under `root` (Chroma keeps one per path for
    the life of the process; these folders are about to be removed)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = SharedSystemClient._identifier_to_system
    for identifier in [i for i in systems if i.startswith(str(root))]:
        systems.pop(identifier).stop()
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
