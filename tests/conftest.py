"""Shared fixtures: every test writes only under its own tmp_path and sees no real keys."""

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run, so `make test` (and CI) cannot pass
# once and fail the next time on an example it happened to draw. To search for new
# failures, draw fresh examples: SCENARIOSIM_HYPOTHESIS=explore pytest tests/test_properties_*
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("SCENARIOSIM_HYPOTHESIS", "repeatable"))

REPO = Path(__file__).resolve().parents[1]

_KEY_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "SCENARIOSIM_GOOGLE_API_KEY")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIOSIM_OUTPUT_DIR", str(tmp_path / "outputs"))
    monkeypatch.setenv("SCENARIOSIM_CACHE_DIR", str(tmp_path / "cache"))
    for var in _KEY_VARS:
        monkeypatch.delenv(var, raising=False)
