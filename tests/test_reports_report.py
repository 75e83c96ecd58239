"""report.html: self-contained, escapes every generated and corpus text, and renders in
headless Chromium with no console errors."""

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from runfolder import HOSTILE, finalize_small

from scenariosim.outputs.run_folder import open_run
from scenariosim.reports.report import spotcheck_html

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("headless Chromium is missing: apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return found


# The hostile script as autoescaped HTML text (Jinja2 writes a double quote as &#34;).
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


def content_security_policy(page: str) -> str:
    """The policy of the page's Content-Security-Policy meta tag, unescaped."""
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert found, "the page has no Content-Security-Policy"
    return html.unescape(found.group(1))


def run_chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_markup_in_records_and_corpus_is_shown_as_text(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run", hostile=True)
    page = result.report_path.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "<img src=x" not in page  # the attack only ever appears escaped, as text
    assert ESCAPED_SCRIPT in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 4  # post, comment, scene, chunk


def test_report_loads_no_remote_resources(tmp_path: Path) -> None:
    page = finalize_small(tmp_path / "run").report_path.read_text(encoding="utf-8")
    assert "default-src 'none'; img-src data:" in content_security_policy(page)
    sources = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)


def test_report_renders_in_headless_chromium_without_console_errors(tmp_path: Path) -> None:
    report = finalize_small(tmp_path / "run", hostile=True).report_path
    shot = tmp_path / "shot.png"
    done = run_chromium(tmp_path, report, f"--screenshot={shot}", "--window-size=1200,2000")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    a = np.asarray(Image.open(shot).convert("L")).astype(float)
    assert a.std() > 20 and len(np.unique(a)) > 50  # text, tables and plots, not a blank page
    dom = run_chromium(tmp_path, report, "--dump-dom").stdout
    assert "Spot-check sheet" in dom and "Grounding and the critic" in dom
    assert "<script" not in dom.lower()
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in dom  # the hostile text, as text


def test_spotcheck_sample_is_seeded(tmp_path: Path) -> None:
    result = finalize_small(tmp_path / "run")
    run = open_run(result.run_dir)
    first = spotcheck_html(run, [], {}, n=2, seed=5)
    assert first == spotcheck_html(run, [], {}, n=2, seed=5)
    ids = re.findall(r"Thread \d+: ([\w-]+)", first)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_spotcheck_threads_show_persona_context_image_and_critic(tmp_path: Path) -> None:
    page = finalize_small(tmp_path / "run", spotcheck_n=50).report_path.read_text(encoding="utf-8")
    sheet = page.split("Spot-check sheet", 1)[1]
    assert sheet.count('class="thread"') == 4
    assert "Person 1" in sheet and "a driver in Karavan Province" in sheet
    assert "[fuel-001#0] Diesel to rise" in sheet and "Ses Online" in sheet
    assert "critic score 4.500" in sheet and "verdict accept at attempt 0" in sheet
    assert sheet.count('<img alt="image') == 2
    assert HOSTILE not in sheet


def test_the_critic_section_gives_the_measured_figures_of_the_runs_critic_model() -> None:
    from scenariosim.agents.calibration import trust_table
    from scenariosim.reports.report import critic_measured

    measured = trust_table()["models"]["local"]  # recorded from `critic eval --model local`
    scenario = {"resolved": {"critic_model": "local", "critic": {"use_rubric": False}}}
    lines = critic_measured(scenario)
    assert lines[0] == (
        "The verdicts came from the deterministic checks alone; the rubric did not vote."
    )
    assert f"kappa {measured['cohen_kappa']:.2f}" in lines[2]
    assert measured["set_version"] in lines[2] and "below the bar of 0.4" in lines[2]


def test_the_critic_section_says_where_the_checks_fall_short_of_the_goals() -> None:
    from scenariosim.agents.calibration import checks_measured
    from scenariosim.reports.report import critic_measured

    checks = checks_measured()
    line = critic_measured({"resolved": {"critic_model": "local", "critic": {}}})[1]
    assert f"precision {checks['precision']['value']:.2f}" in line
    assert checks["precision"]["value"] < 0.9 and "short of the goals (0.9 and 0.85)" in line


def test_the_critic_section_says_when_a_critic_model_was_never_measured() -> None:
    from scenariosim.reports.report import critic_measured

    scenario = {"resolved": {"critic_model": "ollama:never-measured", "critic": {}}}
    (_, _, never) = critic_measured(scenario)
    assert "ollama:never-measured was never measured" in never
