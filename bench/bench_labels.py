"""Labels a model can learn, on an existing run: per label (stance, emotion, relation), the
macro-F1 of a TF-IDF + logistic-regression model trained on the household split's train
records and scored on its test records, beside the majority-class and chance baselines, with
the numbers of records (definitions: docs/outputs.md, "Labels a model can learn").

    .venv/bin/python -m bench.bench_labels outputs/<run_id>   # or a run id under outputs/
    .venv/bin/python -m bench.bench_labels                    # the newest run under outputs/
    .venv/bin/python -m bench.bench_labels RUN --json         # the result as JSON

Nothing is generated: it reads the run folder's records. Under `make bench` (no argument) it
uses `SCENARIOSIM_BENCH_RUN` if set, else the newest run folder under the output directory,
and reports nothing when there is none. Run it on a larger shipped scenario's run for a
figure worth recording.
"""

import json
import os
import sys
import time
from pathlib import Path

from scenariosim.evaluation.label_baselines import label_baselines
from scenariosim.outputs.run_folder import RECORDS_FILE, RESOLVED_FILE, open_run, resolve_run_dir
from scenariosim.settings import load_settings


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


def measure(run_dir: Path) -> dict:
    run = open_run(run_dir)
    started = time.perf_counter()
    baselines = label_baselines(run)
    seconds = time.perf_counter() - started
    figures: dict[str, float | int] = {
        "posts": len(run.records["posts"]),
        "comments": len(run.records["comments"]),
        "authors_in_train_and_test": baselines.authors_in_train_and_test,
    }
    reasons = []
    for name, b in baselines.labels.items():
        figures |= {
            f"{name}_n_train": b.n_train,
            f"{name}_n_test": b.n_test,
            f"{name}_classes_train": b.classes_train,
        }
        if b.macro_f1 is None:
            reasons.append(f"{name}: no figure ({b.reason})")
            continue
        figures |= {
            f"{name}_macro_f1": b.macro_f1,
            f"{name}_majority_macro_f1": b.majority_macro_f1 or 0.0,
            f"{name}_chance_macro_f1": b.chance_macro_f1 or 0.0,
        }
    figures["fit_seconds"] = round(seconds, 2)
    notes = f"run {run.run_id} ({run_dir}); {baselines.model}, {baselines.split_by} split"
    return {"name": "labels", "figures": figures, "notes": "; ".join([notes, *reasons])}


def run(quick: bool = False, run_dir: Path | None = None) -> dict:
    """`make bench` entry: the given run, `SCENARIOSIM_BENCH_RUN`, or the newest run."""
    output_dir = load_settings().output_dir
    chosen = os.environ.get("SCENARIOSIM_BENCH_RUN")
    if run_dir is None and chosen:
        run_dir = resolve_run_dir(chosen, output_dir)
    run_dir = run_dir or newest_run(output_dir)
    if run_dir is None:
        return {
            "name": "labels",
            "figures": {},
            "notes": f"no run folder under {output_dir}: run a scenario first, or pass one",
        }
    return measure(run_dir)


def main(argv: list[str]) -> None:
    """Print the figures of the run named in `argv` (a folder or a run id), else the newest."""
    args = [a for a in argv if not a.startswith("--")]
    run_dir = resolve_run_dir(args[0], load_settings().output_dir) if args else None
    result = run(run_dir=run_dir)
    if "--json" in argv:
        print(json.dumps(result, indent=1))
        return
    print(result["notes"])
    for key, value in result["figures"].items():
        print(f"{key:<32} {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
