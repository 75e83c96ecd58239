"""Which critic models' LLM rubrics may vote: measured figures, kept as data.

`data/calibration/rubric_trust.json` holds, per critic model spec, the rubric's Cohen's
kappa against blind human labels on the held-out third of the calibration set, with the
date and the set's version (`scenariosim critic eval --model SPEC --json` measures it). A
rubric votes only when its kappa reaches the file's `bar`; every other model's verdicts
come from the deterministic checks alone, and records say so (`rubric_note`).
`data/calibration/checks_measured.json` holds the checks' own held-out figures, which the
report quotes.
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

TRUST_FILE = Path(__file__).parents[1] / "data" / "calibration" / "rubric_trust.json"
# The deterministic checks' held-out figures on the default set, with the goals of issue #16.
CHECKS_FILE = TRUST_FILE.with_name("checks_measured.json")


@cache
def trust_table(path: Path = TRUST_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def checks_measured(path: Path = CHECKS_FILE) -> dict[str, Any]:
    """{set_version, split, n, date, precision, bad_caught, cohen_kappa, agreement (each
    {value, low, high}), goals {precision, bad_caught}}, as `critic eval --no-rubric --json`
    measured them."""
    return json.loads(path.read_text(encoding="utf-8"))


def rubric_trusted(spec: str, path: Path = TRUST_FILE) -> bool:
    """True when `spec`'s rubric was measured and its held-out kappa reaches the bar."""
    table = trust_table(path)
    measured = table["models"].get(spec)
    return measured is not None and float(measured["cohen_kappa"]) >= float(table["bar"])
