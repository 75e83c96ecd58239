"""trace.html: self-contained, escapes prompts, chunks and model output, renders in Chromium."""

import re
from pathlib import Path

from runfolder import HOSTILE
from test_reports_report import ESCAPED_SCRIPT, content_security_policy, run_chromium
from trace_fixtures import traced_run
from typer.testing import CliRunner

from scenariosim.cli import app

runner = CliRunner()


def _page(tmp_path: Path, *args: str) -> Path:
    run_dir = traced_run(tmp_path / "run", hostile=True)
    result = runner.invoke(app, ["trace", str(run_dir), "--html", *args])
    assert result.exit_code == 0, result.output
    return run_dir / "trace.html"


def test_markup_in_chunks_and_model_output_is_escaped(tmp_path: Path) -> None:
    page = _page(tmp_path).read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img src=x" not in page
    assert HOSTILE not in page
    # 10 retrievals (posts and comments; an image prompt is about its post), 12 drafts
    assert page.count(ESCAPED_SCRIPT) >= 22


def test_page_loads_nothing_from_outside(tmp_path: Path) -> None:
    page = _page(tmp_path).read_text(encoding="utf-8")
    assert "default-src 'none'" in content_security_policy(page)
    assert re.findall(r'(?:src|href)="([^"]*)"', page) == []


def test_each_task_is_a_collapsible_step_with_prompt_beside_output(tmp_path: Path) -> None:
    page = _page(tmp_path).read_text(encoding="utf-8")
    assert page.count("<details class='task'>") == 12
    assert page.count("<div class='side'><div><b>prompt</b>") == 12
    assert page.count("<th>candidate</th>") == 12  # each round's candidates and verdicts
    assert page.count("<h4>facts</h4>") == 10  # posts and comments; image prompts use the post


def test_a_record_page_holds_that_task_only_and_opens_it(tmp_path: Path) -> None:
    page = _page(tmp_path, "--record", "phase-0-post-000").read_text(encoding="utf-8")
    assert "phase-0-post-000: write_post" in page and "phase-0-post-001" not in page
    assert "<details class='task' open>" in page


def test_trace_page_renders_in_headless_chromium_with_escaped_text(tmp_path: Path) -> None:
    page = _page(tmp_path)
    done = run_chromium(tmp_path, page, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if "CONSOLE" in line] == []
    dom = done.stdout
    assert "Traces of run run-1" in dom and "Model calls" in dom
    assert "<script" not in dom.lower()
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in dom  # shown as text, never run
