"""`scenariosim eval`, `export` and `review`: what happens to a run folder after the run."""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.errors import ConfigError
from scenariosim.outputs.run_folder import DATASET_DIR, RunFolder, open_run, resolve_run_dir
from scenariosim.scenario import check_seed
from scenariosim.settings import load_settings

RUN_ARG = typer.Argument(help="Run id (a folder under the output dir) or a run folder path.")
OUT_OPT = typer.Option(None, "--out", help="Folder holding run folders (default: outputs/).")


def _open(run: str, out: Path | None) -> RunFolder:
    return open_run(resolve_run_dir(run, out or load_settings().output_dir))


def _print_missing(console: Console, missing: list[str]) -> None:
    for item in missing:
        console.print(f"[yellow]missing:[/] {escape(item)}")


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def evaluate(
    run: str = RUN_ARG,
    out: Path | None = OUT_OPT,
    report: bool = typer.Option(True, help="Also rewrite report.html (--no-report to skip)."),
    spotcheck: int = typer.Option(12, min=0, help="Threads in the report's spot-check sheet."),
) -> None:
    """Evaluate a run: text diversity, grounding, labels, personas, human review agreement."""
    from scenariosim.evaluation.evaluate import evaluate_run, write_evaluation
    from scenariosim.outputs.images import existing_images
    from scenariosim.reports.report import write_report

    folder = _open(run, out)
    images = existing_images(folder, folder.path / DATASET_DIR / "images")
    evaluation = evaluate_run(folder, images)
    path = write_evaluation(folder.path, evaluation)
    console = Console()
    _print_missing(console, evaluation.missing)
    g, t = evaluation.grounding, evaluation.text["all"]
    table = Table("figure", "value", box=box.SIMPLE, title=f"run {escape(folder.run_id)}")
    table.add_row("records", ", ".join(f"{k} {v}" for k, v in evaluation.counts.items()))
    table.add_row("acceptance rate", _f(g.acceptance_rate))
    table.add_row("revision rate", _f(g.revision_rate))
    table.add_row("mean critic score (accepted)", _f(g.mean_accepted_score))
    table.add_row(
        "unsupported names: first round / accepted",
        f"{_f(g.unsupported_entities_before)} / {_f(g.unsupported_entities_after)}",
    )
    table.add_row("distinct-1 / distinct-2", f"{_f(t.distinct_1)} / {_f(t.distinct_2)}")
    table.add_row("Self-BLEU", _f(t.self_bleu))
    table.add_row("Vendi score", _f(t.vendi_score, 2))
    table.add_row("near-duplicate rate", _f(t.near_duplicate_rate))
    if evaluation.review is not None:
        r = evaluation.review
        table.add_row(
            "human review: labelled, agreement, kappa",
            f"{r.labelled}, {_f(r.agreement)}, {_f(r.cohen_kappa)}",
        )
    console.print(table)
    console.print(f"figures: {path}", soft_wrap=True)
    if report:
        console.print(
            f"report: {write_report(folder, evaluation, images, spotcheck)}", soft_wrap=True
        )


def export(
    run: str = RUN_ARG,
    out: Path | None = OUT_OPT,
    as_zip: bool = typer.Option(False, "--zip", help="Write one .zip archive."),
    to: Path | None = typer.Option(
        None, "--to", help="Zip file or folder to write (default: <run>.zip beside the run)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing export."),
) -> None:
    """Export a run's dataset, report, figures and traces as a zip or a folder."""
    from scenariosim.graph.finalize import finalize_run
    from scenariosim.outputs.export import export_folder, export_zip
    from scenariosim.outputs.naming import safe_name

    console = Console()
    folder = _open(run, out)
    if not (folder.path / DATASET_DIR / "README.md").exists():
        console.print("no dataset card yet (the run did not finish?): building the dataset first")
        finalize_run(folder.path, load_settings())
        folder = open_run(folder.path)
    _print_missing(console, folder.missing)
    if as_zip:
        target = to or folder.path.parent / safe_name(folder.run_id, ".zip")
        if target.is_dir():
            target = target / safe_name(folder.run_id, ".zip")
        written = export_zip(folder, target, force)
    elif to is not None:
        written = export_folder(folder, to, force)
    else:
        raise ConfigError("say where: --zip (one archive) or --to FOLDER (a copy)")
    console.print(f"exported: {written}", soft_wrap=True)


def review(
    run: str = RUN_ARG,
    out: Path | None = OUT_OPT,
    n: int = typer.Option(30, "-n", min=1, help="Rows to sample (accepted and rejected)."),
    seed: int = typer.Option(0, help="Sampling seed.", callback=lambda v: check_seed(v)),
    force: bool = typer.Option(False, "--force", help="Replace an existing review.csv."),
) -> None:
    """Write review.csv: sampled records to mark good or bad; `eval` then scores the critic."""
    from scenariosim.outputs.review import write_review_sheet

    folder = _open(run, out)
    path = write_review_sheet(folder, n, seed, force)
    console = Console()
    console.print(f"review sheet: {path}", soft_wrap=True)
    console.print(
        "Fill the 'label' column with good or bad (and a note if you like), save as CSV, "
        f"then run: scenariosim eval {escape(folder.run_id)}"
    )
