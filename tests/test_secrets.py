"""API keys never reach a run's files, the cache, the console, the logs or an error message."""

import json
import logging
import socket
from pathlib import Path

import pytest
from fake_backends import FAKE_MODULES
from pydantic import BaseModel
from typer.testing import CliRunner

from scenariosim.agents.calls import AgentModel, call_structured
from scenariosim.cli import app
from scenariosim.models import make_chat_model
from scenariosim.settings import load_settings

pytestmark = pytest.mark.faults

SECRET = "AIzaSyFAKE-do-not-leak-7f3a9c2e41b8d605"
KEY_VARS = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "SCENARIOSIM_GOOGLE_API_KEY")
SCENARIO = """\
name: secrets
seed: 4
world: {corpus: corpus}
personas: {n: 3}
models: {agent: fake, critic: fake}
phases:
  - {id: hike, date: 2026-08-15, title: Prices rise, event: Diesel rose from 0.90 to 1.30 ADH per litre., posts: 2, comments: 2, images: 1}
"""


@pytest.fixture
def keys_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in KEY_VARS:
        monkeypatch.setenv(var, SECRET)


def _leaks(folder: Path) -> list[str]:
    return [
        str(p.relative_to(folder))
        for p in sorted(folder.rglob("*"))
        if p.is_file() and SECRET.encode() in p.read_bytes()
    ]


def test_the_key_is_loaded_but_never_shown_by_settings(keys_set) -> None:
    settings = load_settings()
    assert settings.google_api_key is not None
    assert settings.google_api_key.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
    assert SECRET not in settings.model_dump_json()


def test_no_file_of_a_run_nor_its_output_or_logs_holds_the_key(
    keys_set, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SCENARIOSIM_EMBEDDING_MODEL", "fake")
    monkeypatch.setenv("SCENARIOSIM_BACKEND_MODULES", json.dumps(FAKE_MODULES))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fuel.md").write_text(
        "---\nid: fuel\ntitle: Diesel\noutlet: Ses Online\ndate: 2026-08-01\n---\n"
        "Diesel will rise from 0.90 to 1.30 ADH per litre. Drivers cannot pay.\n",
        encoding="utf-8",
    )
    (tmp_path / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(
        app, ["-v", "run", str(tmp_path / "scenario.yaml"), "--out", str(tmp_path / "runs")]
    )
    assert result.exit_code == 0, result.output
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "report.html").exists()
    assert _leaks(tmp_path) == []  # run folder, checkpoints, dataset, report, cache
    assert SECRET not in result.output
    assert SECRET not in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Reply(BaseModel):
    text: str


def test_a_failing_gemini_call_records_its_error_without_the_key(
    keys_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCENARIOSIM_GEMINI_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("SCENARIOSIM_GEMINI_REQUESTS_PER_SECOND", "1000")
    monkeypatch.setenv("SCENARIOSIM_REQUEST_TIMEOUT_S", "5")
    chat = make_chat_model("gemini:gemini-2.5-flash", load_settings())
    assert SECRET not in repr(chat)
    model = AgentModel("gemini:gemini-2.5-flash", chat, max_attempts=2, backoff_s=0.0)
    parsed, record = call_structured(model, [("human", "hello")], Reply, 1, sleep=lambda s: None)
    assert parsed is None
    assert record.error, "the call cannot succeed against a closed port"
    assert SECRET not in str(record.as_trace())
