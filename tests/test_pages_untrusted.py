"""No text in a run folder can become markup on its pages: markup is put into every text field
of the records, rejections, traces, personas, corpus and scenario, and headless Chromium's
DOM of report.html and trace.html holds none of the injected elements, only their text."""

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from runfolder import BagOfWordsEmbeddings, make_run_folder
from test_reports_report import run_chromium
from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.graph.finalize import finalize_run
from scenariosim.settings import load_settings

MARK = "injected"
PAYLOAD = (
    f'<script id="{MARK}-script">alert(1)</script>'
    f'"><img id="{MARK}-img" src=x onerror=alert(2)>'
    f"'><b id='{MARK}-b'>bold</b>"
)
# Values the pipeline parses or matches on (vocabularies, dates, numbers as text, join keys);
# every other string gets the payload.
KEEP = {
    "kind",
    "stance",
    "emotion",
    "relation",
    "verdict",
    "event",
    "status",
    "step",
    "role",
    "sex",
    "date",
    "phase_date",
    "created",
    "ts",
    "chunk_ids",
    "chunk_id",
    "doc_id",
    "thread_root",
    "reply_to",
    "post_id",
    "schema",
    "spec",
    "run_id",
    "task_id",
}


def _poison(value: Any, key: str = "") -> Any:
    if key in KEEP:
        return value
    if isinstance(value, str):
        return value + PAYLOAD
    if isinstance(value, list):
        return [_poison(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    return value


def _poison_jsonl(path: Path) -> int:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(_poison(r)) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


def _reject_one_comment(run_dir: Path) -> None:
    """Move a comment nobody answers from the records to the rejections, as a critic would."""
    records = [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]
    answered = {r.get("reply_to") for r in records}
    comment = next(
        r for r in reversed(records) if r["kind"] == "comment" and r["id"] not in answered
    )
    rejected = {
        "id": comment["id"],
        "kind": "comment",
        "phase_id": comment["provenance"]["phase_id"],
        "persona_id": comment["provenance"]["persona_id"],
        "status": "rejected",
        "reasons": ["it says nothing the news said"],
        "drafts": [{"text": "a draft"}],
        "critiques": [{"score": 2.0, "verdict": "reject", "reasons": ["unsupported"]}],
    }
    kept = [r for r in records if r is not comment]
    (run_dir / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))
    (run_dir / "rejected.jsonl").write_text(json.dumps(rejected) + "\n")


def _poisoned_run(tmp_path: Path) -> Path:
    run_dir = make_run_folder(tmp_path / "run", hostile=True)
    _reject_one_comment(run_dir)
    for name in ("records.jsonl", "rejected.jsonl", "traces.jsonl", "personas.jsonl"):
        assert _poison_jsonl(run_dir / name) > 0, f"{name} has no rows to poison"
    resolved_path = run_dir / "scenario.resolved.yaml"
    resolved = yaml.safe_load(resolved_path.read_text(encoding="utf-8"))
    scenario = resolved["scenario"]
    scenario["name"] += PAYLOAD
    scenario["description"] = "A description" + PAYLOAD
    for phase in scenario["phases"]:
        phase["title"] += PAYLOAD
    resolved_path.write_text(yaml.safe_dump(resolved), encoding="utf-8")
    return run_dir


class _Elements(HTMLParser):
    """Every element of a document with its attributes, and the document's text."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _dom(tmp_path: Path, page: Path) -> _Elements:
    done = run_chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    parsed = _Elements()
    parsed.feed(done.stdout)
    assert parsed.elements, "Chromium returned no DOM"
    return parsed


def _injected(dom: _Elements) -> list[str]:
    return [
        f"<{tag} {attrs}>"
        for tag, attrs in dom.elements
        if tag == "script"
        or any(name.startswith("on") for name in attrs)
        or MARK in str(attrs.get("id", ""))
    ]


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("poisoned")
    with pytest.MonkeyPatch.context() as env:  # built once for the module, still in tmp_path
        env.setenv("SCENARIOSIM_OUTPUT_DIR", str(tmp_path / "outputs"))
        env.setenv("SCENARIOSIM_CACHE_DIR", str(tmp_path / "cache"))
        run_dir = _poisoned_run(tmp_path)
        finalize_run(run_dir, load_settings(), embeddings=BagOfWordsEmbeddings())
        result = CliRunner().invoke(app, ["trace", str(run_dir), "--html"])
    assert result.exit_code == 0, result.output
    return run_dir


@pytest.mark.parametrize("page", ["report.html", "trace.html"])
def test_markup_in_every_text_field_never_becomes_an_element(
    poisoned: Path, tmp_path: Path, page: str
) -> None:
    dom = _dom(tmp_path, poisoned / page)
    assert _injected(dom) == []


@pytest.mark.parametrize(
    ("page", "at_least"),
    [("report.html", 40), ("trace.html", 100)],
)
def test_the_injected_markup_is_on_the_page_as_text(
    poisoned: Path, tmp_path: Path, page: str, at_least: int
) -> None:
    text = "".join(_dom(tmp_path, poisoned / page).text)
    assert text.count(PAYLOAD) >= at_least


def test_the_scenario_name_and_persona_cards_show_their_markup_as_text(
    poisoned: Path, tmp_path: Path
) -> None:
    text = "".join(_dom(tmp_path, poisoned / "report.html").text)
    assert f"Run report: wiring{PAYLOAD}" in text
    assert f"Person 1{PAYLOAD}" in text
