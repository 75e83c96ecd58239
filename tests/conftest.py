"""Shared fixtures: every test writes only under its own tmp_path and sees no real keys."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_KEY_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "SCENARIOSIM_GOOGLE_API_KEY")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIOSIM_OUTPUT_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("SCENARIOSIM_CACHE_DIR", str(tmp_path / "cache"))
    for var in _KEY_VARS:
        monkeypatch.delenv(var, raising=False)
