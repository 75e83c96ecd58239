"""For benchmarks that measure a run folder instead of making one (`bench_labels`,
`bench_diversity`): which run to read, and the same command line for each.

The run is the one given (a folder or a run id under the output directory), else
`SCENARIOSIM_BENCH_RUN`, else the most recently changed run folder under the output directory.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

from scenariosim.outputs.run_folder import RECORDS_FILE, RESOLVED_FILE, resolve_run_dir
from scenariosim.settings import load_settings

Measure = Callable[[Path], dict]


def newest_run(output_dir: Path) -> Path | None:
    """The most recently changed run folder under `output_dir`, or None."""
    if not output_dir.is_dir():
        return None
    runs = [
        d
        for d in output_dir.iterdir()
        if d.is_dir() and ((d / RESOLVED_FILE).exists() or (d / RECORDS_FILE).exists())
    ]
    return max(runs, key=lambda d: d.stat().st_mtime_ns, default=None)


def measure_run(name: str, measure: Measure, run_dir: Path | None = None) -> dict:
    """`measure` of the given run, `SCENARIOSIM_BENCH_RUN`, or the newest run; a result with
    no figures and a note saying why when there is none."""
    output_dir = load_settings().output_dir
    chosen = os.environ.get("SCENARIOSIM_BENCH_RUN")
    if run_dir is None and chosen:
        run_dir = resolve_run_dir(chosen, output_dir)
    run_dir = run_dir or newest_run(output_dir)
    if run_dir is None:
        return {
            "name": name,
            "figures": {},
            "notes": f"no run folder under {output_dir}: run a scenario first, or pass one",
        }
    return measure(run_dir)


def main(name: str, measure: Measure, argv: list[str]) -> None:
    """Print the figures of the run named in `argv` (a folder or a run id), else the newest;
    with `--json`, the result as JSON."""
    args = [a for a in argv if not a.startswith("--")]
    run_dir = resolve_run_dir(args[0], load_settings().output_dir) if args else None
    result = measure_run(name, measure, run_dir)
    if "--json" in argv:
        print(json.dumps(result, indent=1))
        return
    print(result["notes"])
    for key, value in result["figures"].items():
        print(f"{key:<40} {value}")
