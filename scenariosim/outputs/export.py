"""Export bundles: one zip (or one folder) with everything a researcher downloads.

Contents, under `<run_id>/`: the dataset folder (card, tables, splits, images), the report,
`eval.json`, the resolved scenario, records, rejected drafts, traces and the review sheet
if there is one; a `MISSING.txt` when the run is incomplete. Checkpoints and temporary
files stay behind; symlinks are not followed. Zip entries have fixed timestamps, so the
same run folder gives the same archive. Nothing is overwritten without `force`.
"""

import shutil
import zipfile
from pathlib import Path

from scenariosim.errors import ConfigError
from scenariosim.files import atomic_write_text, replacing
from scenariosim.outputs.naming import inside, safe_name
from scenariosim.outputs.run_folder import RunFolder

INCLUDED = (
    "dataset",
    "report.html",
    "eval.json",
    "scenario.resolved.yaml",
    "records.jsonl",
    "rejected.jsonl",
    "traces.jsonl",
    "personas.jsonl",
    "review.csv",
)
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def bundle_files(run: RunFolder) -> list[tuple[Path, str]]:
    """(file, path inside the bundle) for everything exported, sorted."""
    root = safe_name(run.run_id)
    files: list[tuple[Path, str]] = []
    for name in INCLUDED:
        path = run.path / name
        if path.is_symlink() or not path.exists():
            continue
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in candidates:
            if file.is_symlink() or not file.is_file() or file.name.startswith("."):
                continue
            relative = file.relative_to(run.path).as_posix()
            inside(run.path, relative)  # refuses anything that would leave the run folder
            files.append((file, f"{root}/{relative}"))
    return files


def _missing_text(run: RunFolder) -> str | None:
    if not run.missing:
        return None
    return "This export comes from an incomplete run folder:\n" + "".join(
        f"- {m}\n" for m in run.missing
    )


def _refuse_existing(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise ConfigError(f"{target} already exists: pass --force to replace it, or --to elsewhere")


def export_zip(run: RunFolder, target: Path, force: bool = False) -> Path:
    _refuse_existing(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        replacing(target) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for file, name in bundle_files(run):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = (
                zipfile.ZIP_STORED if file.suffix == ".png" else zipfile.ZIP_DEFLATED
            )
            info.external_attr = 0o644 << 16
            archive.writestr(info, file.read_bytes())
        note = _missing_text(run)
        if note:
            info = zipfile.ZipInfo(f"{safe_name(run.run_id)}/MISSING.txt", FIXED_TIME)
            archive.writestr(info, note)
    return target


def export_folder(run: RunFolder, target_parent: Path, force: bool = False) -> Path:
    target = target_parent / safe_name(run.run_id)
    if target.resolve() == run.path.resolve():
        raise ConfigError("the export folder is the run folder itself; pass --to elsewhere")
    _refuse_existing(target, force)
    if target.exists():
        shutil.rmtree(target)
    for file, name in bundle_files(run):
        destination = inside(target_parent, name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)
    note = _missing_text(run)
    if note:
        atomic_write_text(target / "MISSING.txt", note)
    return target
