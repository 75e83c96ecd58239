"""The one call at the end of every run: images, dataset and card, evaluation, report.

    finalize_run(run_dir, settings) -> FinalizeResult

Works on a finished run and on a killed one alike (it reports what is missing). Safe to
call again: images already rendered for the same request are kept, tables are rebuilt.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from scenariosim.evaluation.evaluate import Evaluation, evaluate_run, write_evaluation
from scenariosim.graph.resolve import recorded_image_spec
from scenariosim.jsonl import JsonlWriter
from scenariosim.models import make_image_backend
from scenariosim.models.image_backend import ImageBackend
from scenariosim.outputs.dataset import DATASET_DIR, build_dataset
from scenariosim.outputs.images import render_images
from scenariosim.outputs.run_folder import open_run
from scenariosim.outputs.splits import SplitBy
from scenariosim.reports.card import write_card
from scenariosim.reports.report import SPOTCHECK_THREADS, write_report
from scenariosim.settings import Settings, load_settings


@dataclass
class FinalizeResult:
    run_dir: Path
    dataset_dir: Path
    report_path: Path
    eval_path: Path
    images: int
    counts: dict[str, dict[str, int]]  # table -> split -> rows
    evaluation: Evaluation
    missing: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def finalize_run(
    run_dir: Path,
    settings: Settings | None = None,
    *,
    persona_rows: list[dict[str, Any]] | None = None,
    image_backend: ImageBackend | None = None,
    embeddings: Embeddings | None = None,
    split_by: SplitBy = "household",
    spotcheck_n: int = SPOTCHECK_THREADS,
) -> FinalizeResult:
    """Render images, write the dataset with card and splits, evaluate, write report.html.

    `persona_rows` (the run's personas) are saved to `<run>/personas.jsonl` so later calls
    (and `scenariosim eval`) find them; without them the saved ones are used. Without an
    `image_backend`, the one the run resolved and recorded is made (`recorded_image_spec`).
    """
    settings = settings or load_settings()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    if persona_rows is not None:
        writer = JsonlWriter(run_dir / "personas.jsonl")
        for row in sorted(persona_rows, key=lambda p: str(p["id"])):
            writer.write(row)
    run = open_run(run_dir)
    backend = image_backend or make_image_backend(
        recorded_image_spec(run.resolved, settings), settings
    )
    images, problems = render_images(run, backend, run_dir / DATASET_DIR / "images")
    seconds["images"] = time.perf_counter() - started
    mark = time.perf_counter()
    summary = build_dataset(run, images, split_by)
    summary.notes += problems
    seconds["dataset"] = time.perf_counter() - mark
    mark = time.perf_counter()
    evaluation = evaluate_run(run, images, embeddings)
    evaluation.missing = [*evaluation.missing, *summary.notes]
    eval_path = write_evaluation(run_dir, evaluation)
    write_card(run, summary, evaluation)
    seconds["evaluate"] = time.perf_counter() - mark
    mark = time.perf_counter()
    report = write_report(run, evaluation, images, spotcheck_n)
    seconds["report"] = time.perf_counter() - mark
    return FinalizeResult(
        run_dir=run_dir,
        dataset_dir=summary.path,
        report_path=report,
        eval_path=eval_path,
        images=len(images),
        counts=summary.counts,
        evaluation=evaluation,
        missing=[*run.missing, *summary.notes],
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )
