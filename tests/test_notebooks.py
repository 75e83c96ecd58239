"""The workshop notebooks: committed without outputs, and each runs top to bottom offline.

Execution is slow (notebook 4 runs a small scenario on the local model); the notebooks share
one working copy, in order, so notebook 5 reuses notebook 4's run and the corpus store that
notebook 3 built. Each notebook also runs alone: 5 makes the run itself when it is missing.
"""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 3600  # a cap for a stuck kernel, not a performance check


def test_the_workshop_has_five_numbered_notebooks() -> None:
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs_or_execution_counts(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has outputs: clear them"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_valid(path: Path) -> None:
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.fixture(scope="module")
def working_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """notebooks/ and scenarios/ side by side, as in the repository."""
    root = tmp_path_factory.mktemp("workshop")
    shutil.copytree(
        REPO / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("workshop")
    )
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_without_errors(
    path: Path, working_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel inherits this environment: no keys (conftest), and a private HF cache.
    monkeypatch.setenv("HF_HOME", str(working_copy / "hf-home"))
    notebook = nbformat.read(working_copy / "notebooks" / path.name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(working_copy / "notebooks")}},
    )
    try:
        client.execute()  # fails with CellExecutionError: the cell, its source, the traceback
    finally:
        nbformat.write(notebook, working_copy / f"{path.stem}.executed.ipynb")
