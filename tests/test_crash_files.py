"""What a crash can leave: a torn last line (skipped and reported) and never a half-written
final file (they are written to a temporary name and renamed)."""

from pathlib import Path

import pytest
from runfolder import make_run_folder

from scenariosim import files
from scenariosim.files import atomic_write_text
from scenariosim.outputs.run_folder import open_run

pytestmark = pytest.mark.faults


def _tear(path: Path) -> None:
    """Append half of a line, as a writer killed mid-write leaves it."""
    with path.open("a", encoding="utf-8") as f:
        f.write('{"id": "phase-9-post-000", "kind": "po')


def test_a_torn_last_record_is_skipped_and_reported(tmp_path: Path) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    whole = open_run(run_dir)
    _tear(run_dir / "records.jsonl")
    torn = open_run(run_dir)
    assert torn.records == whole.records
    assert "records.jsonl: 1 incomplete line(s) skipped (a killed run)" in torn.missing


def test_a_torn_last_trace_is_skipped_and_reported(tmp_path: Path) -> None:
    run_dir = make_run_folder(tmp_path / "run")
    _tear(run_dir / "traces.jsonl")
    assert "traces.jsonl: 1 incomplete line(s) skipped (a killed run)" in open_run(run_dir).missing


def test_a_failed_final_write_leaves_the_previous_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "README.md"
    atomic_write_text(target, "the card as it was\n")

    def killed(src: object, dst: object) -> None:
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(files.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "a new card that never lands\n")
    assert target.read_text() == "the card as it was\n"


@pytest.mark.parametrize(
    "module",
    [
        "scenariosim/outputs/dataset.py",
        "scenariosim/reports/card.py",
        "scenariosim/reports/report.py",
        "scenariosim/outputs/export.py",
        "scenariosim/outputs/images.py",
        "scenariosim/evaluation/evaluate.py",
    ],
)
def test_final_files_are_written_by_rename_only(module: str) -> None:
    """No final file is opened for writing in place: every write goes through a temp name."""
    source = (Path(__file__).parents[1] / module).read_text()
    in_place = [
        line.strip()
        for line in source.splitlines()
        if any(
            call in line
            for call in (".write_text(", ".write_bytes(", "pq.write_table(", ".savefig(")
        )
        and "tmp" not in line
        and "atomic_write_" not in line
        and "buffer" not in line
    ]
    assert in_place == [], f"{module} writes in place: {in_place}"


def test_only_the_files_module_renames_files_into_place() -> None:
    """Atomic writes have one home, scenariosim/files.py; no module renames a temp file itself."""
    package = Path(__file__).parents[1] / "scenariosim"
    renaming = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if "os.replace(" in path.read_text(encoding="utf-8") and path.name != "files.py"
    ]
    assert (package / "files.py").read_text(encoding="utf-8").count("os.replace(") == 1
    assert renaming == []
