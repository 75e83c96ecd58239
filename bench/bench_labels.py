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

import sys
import time
from pathlib import Path

from bench.existing_run import main, measure_run
from scenariosim.evaluation.label_baselines import label_baselines
from scenariosim.outputs.run_folder import open_run


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
    return measure_run("labels", measure, run_dir)


if __name__ == "__main__":
    main("labels", measure, sys.argv[1:])
