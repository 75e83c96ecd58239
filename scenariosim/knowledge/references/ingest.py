"""Adding a folder of references to the library: match files to sidecar rows, read, dedupe.

Every file in the folder (subfolders included, hidden files and the sidecar excepted) is
tried as a picture. What cannot be used is reported by name and the rest is added:
unreadable or non-image files, sidecar rows with unknown labels, rows naming files that are
not there. A picture with no sidecar row is added with no labels (`labelled: false`) and a
warning. A picture whose bytes are already in the library, or earlier in the same folder,
is reported as a duplicate and stored once. Sidecar rows without a file are text-only
references.
"""

import hashlib
from pathlib import Path

from pydantic import BaseModel, Field

from scenariosim.errors import InputFileError
from scenariosim.knowledge.references.catalogue import (
    Problem,
    Reference,
    SidecarRow,
    Swatch,
    reference_id,
    text_hash,
)
from scenariosim.knowledge.references.imaging import MAX_FILE_BYTES, ImageProblem, read_image
from scenariosim.knowledge.references.sidecar import find_sidecar, read_sidecar
from scenariosim.knowledge.references.store import ReferenceLibrary


class Duplicate(BaseModel):
    name: str
    of: str = Field(description="Id of the reference already holding the same content.")


class AddReport(BaseModel):
    """What one `references add` did."""

    folder: str
    sidecar: str | None
    added: list[str] = Field(default_factory=list, description="Ids of new references.")
    duplicates: list[Duplicate] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    total: int = Field(0, description="References in the library afterwards.")


def _files(folder: Path, skip: Path | None) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if skip is not None and path.resolve() == skip.resolve():
            continue
        found.append(path)
    return found


def _quick_hash(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _caption_from_name(path: Path) -> str:
    """`crowd_at_night-02.jpg` -> `crowd at night 02`: something to search when nothing else is."""
    return " ".join(path.stem.replace("_", " ").replace("-", " ").split())


def _image_reference(path: Path, row: SidecarRow | None) -> tuple[Reference, bytes]:
    """An image reference; with no sidecar row it is unlabelled (unknown, not all false)."""
    facts = read_image(path)
    ref_id = reference_id(facts.sha256)
    described = row if row is not None else SidecarRow()
    ref = Reference(
        id=ref_id,
        kind="image",
        sha256=facts.sha256,
        caption=described.caption or _caption_from_name(path),
        labels=described.labels,
        labelled=row is not None,
        violence=described.violence,
        post_kind=described.post_kind,
        sign_text=described.sign_text,
        palette=facts.palette,
        width=facts.width,
        height=facts.height,
        thumbnail=f"{ref_id}.jpg",
        source=described.source,
        license=described.license,
        allowed_as_input=described.allowed_as_input,
        synthetic=described.synthetic,
        origin=str(path.resolve()),
    )
    return ref, facts.thumbnail


def _text_reference(row: SidecarRow, sidecar: Path) -> Reference:
    digest = text_hash(row.caption, row.labels, row.post_kind)
    share = round(1 / len(row.palette), 3) if row.palette else 0.0
    return Reference(
        id=reference_id(digest),
        kind="text",
        sha256=digest,
        caption=row.caption,
        labels=row.labels,
        violence=row.violence,
        post_kind=row.post_kind,
        sign_text=row.sign_text,
        palette=[Swatch(colour=c, share=share) for c in row.palette],
        source=row.source,
        license=row.license,
        allowed_as_input=False,
        synthetic=row.synthetic,
        origin=str(sidecar.resolve()),
    )


def add_folder(library: ReferenceLibrary, folder: Path, sidecar: Path | None = None) -> AddReport:
    """Add a folder's pictures and its sidecar's rows to `library`; report what happened."""
    if not folder.is_dir():
        raise InputFileError(f"reference folder not found: {folder}; pass a folder of images")
    sidecar = sidecar or find_sidecar(folder)
    rows, problems = read_sidecar(sidecar) if sidecar else ([], [])
    report = AddReport(folder=str(folder), sidecar=str(sidecar) if sidecar else None)
    report.problems.extend(problems)
    by_file: dict[str, SidecarRow] = {}
    root = folder.resolve()
    for row in rows:
        if not row.file:
            continue
        target = (folder / row.file).resolve()
        if not target.is_relative_to(root):
            report.problems.append(Problem(name=row.file, reason="points outside the folder"))
        elif not target.is_file():
            report.problems.append(
                Problem(name=row.file, reason="listed in the sidecar but not in the folder")
            )
        else:
            by_file[target.relative_to(root).as_posix()] = row

    known = library.by_hash()
    batch: dict[str, Reference] = {}
    new: list[tuple[Reference, bytes | None]] = []
    unlabelled: list[str] = []
    for path in _files(folder, sidecar):
        name = path.relative_to(folder).as_posix()
        row = by_file.get(path.resolve().relative_to(root).as_posix())
        digest = _quick_hash(path)
        holder = known.get(digest or "") or batch.get(digest or "")
        if holder is not None:
            report.duplicates.append(Duplicate(name=name, of=holder.id))
            continue
        try:
            ref, thumbnail = _image_reference(path, row)
        except ImageProblem as e:
            report.problems.append(Problem(name=name, reason=str(e)))
            continue
        if row is None:
            unlabelled.append(name)
        batch[ref.sha256] = ref
        new.append((ref, thumbnail))
    for row in rows:
        if row.file:
            continue
        ref = _text_reference(row, sidecar or folder)
        holder = known.get(ref.sha256) or batch.get(ref.sha256)
        if holder is not None:
            report.duplicates.append(Duplicate(name=f"text: {row.caption[:60]}", of=holder.id))
            continue
        batch[ref.sha256] = ref
        new.append((ref, None))
    if unlabelled:
        where = "no sidecar" if sidecar is None else f"no row in {sidecar.name}"
        report.warnings.append(
            f"{len(unlabelled)} image(s) with {where}, added without labels: "
            + ", ".join(unlabelled[:10])
            + (" ..." if len(unlabelled) > 10 else "")
            + "; describe them in references.csv (file,caption,source,license,labels,"
            "allowed_as_input) and add them again after `references remove`"
        )
    report.added = [r.id for r in library.add(new)]
    report.total = len(library)
    return report
