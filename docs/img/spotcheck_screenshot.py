"""Render docs/img/spotcheck.png: the spot-check sheet of a run's report, in headless Chromium.

    python docs/img/spotcheck_screenshot.py outputs/<run_id> [docs/img/spotcheck.png]

The report is one self-contained page; this keeps its head (styles) and the spot-check
sheet, drops the figures above it, and screenshots the first screenful offline.
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MARK = "<h2>Spot-check sheet</h2>"
WIDTH, HEIGHT = 1100, 1300


def spotcheck_page(report: str) -> str:
    """The report's head and body tag, then everything from the spot-check heading on."""
    body = report.index("<body")
    body_end = report.index(">", body) + 1
    return report[:body_end] + report[report.index(MARK) :]


def main(run_dir: Path, target: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("needs chromium on the PATH (apt-get install -y chromium)")
    report = (run_dir / "report.html").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "spotcheck.html"
        page.write_text(spotcheck_page(report), encoding="utf-8")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--disable-background-networking",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--screenshot={target.resolve()}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2] if len(sys.argv) > 2 else "docs/img/spotcheck.png"))
