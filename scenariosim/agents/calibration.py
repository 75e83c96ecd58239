"""Which critic models' LLM rubrics may vote: measured figures, kept as data.

`data/calibration/rubric_trust.json` holds, per critic model spec, the rubric's Cohen's
kappa against blind human labels on the held-out third of the calibration set, with the
date and the set's version (`scenariosim critic eval --model SPEC --json` measures it). A
rubric votes only when its kappa reaches the file's `bar`; every other model's verdicts
come from the deterministic checks alone, and records say so (`rubric_note`).
"""

import json
from functools import cache
from pathlib import Path
from typing import Any

TRUST_FILE = Path(__file__).parents[1] / "data" / "calibration" / "rubric_trust.json"


@cache
def trust_table(path: Path = TRUST_FILE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def rubric_trusted(spec: str, path: Path = TRUST_FILE) -> bool:
    """True when `spec`'s rubric was measured and its held-out kappa reaches the bar."""
    table = trust_table(path)
    measured = table["models"].get(spec)
    return measured is not None and float(measured["cohen_kappa"]) >= float(table["bar"])
