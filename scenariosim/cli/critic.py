"""`scenariosim critic ...`: measure the critic against the blind-labelled calibration set."""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from scenariosim.agents.calls import AgentModel
from scenariosim.errors import ConfigError
from scenariosim.evaluation.calibration import DEFAULT_SET, load_set, set_version
from scenariosim.evaluation.critic_eval import (
    SOURCES,
    EvalReport,
    Interval,
    SourceFigures,
    evaluate_rows,
    report_json,
)
from scenariosim.models import make_embeddings
from scenariosim.models.cache import SqliteCallCache
from scenariosim.models.registry import ChatOptions, default_max_tokens, make_chat_model
from scenariosim.scenario import CriticConfig, ModelsConfig
from scenariosim.settings import load_settings

app = typer.Typer(no_args_is_help=True, help="Measure the critic on the calibration set.")
SPLITS = ("heldout", "tune", "all")
WIDE = 120  # the figures table's width when the terminal is narrower (or a pipe)


@app.command("eval")
def evaluate(
    model: str = typer.Option(
        "local", "--model", "-m", help="Critic model spec whose LLM rubric is measured."
    ),
    set_file: Path | None = typer.Option(
        None,
        "--set",
        help="Calibration set (JSONL, docs/critic.md); default: the shipped "
        f"scenariosim/data/calibration/{DEFAULT_SET.name}.",
    ),
    split: str = typer.Option("heldout", "--split", help="heldout, tune or all."),
    no_rubric: bool = typer.Option(
        False, "--no-rubric", help="Only the deterministic checks (no model calls)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as one JSON object."),
) -> None:
    """Agreement, Cohen's kappa, precision and bad caught of the checks, the rubric and the
    combined verdict against the set's labels, per kind, with 95% bootstrap intervals.

    The rubric is asked once per row of the chosen split (the local model takes ~3-10 s a
    row; answers are cached). Record a measured model in rubric_trust.json (docs/critic.md)."""
    if split not in SPLITS:
        raise ConfigError(f"--split {split!r}: use one of {', '.join(SPLITS)}")
    set_file = set_file or DEFAULT_SET
    rows = [r for r in load_set(set_file) if split == "all" or r.split == split]
    if not rows:
        raise ConfigError(f"{set_file} has no rows in the {split} split; try --split all")
    settings = load_settings()
    embeddings = make_embeddings(settings.embedding_model, settings)
    threshold = CriticConfig().threshold
    cache = None if no_rubric else SqliteCallCache(settings.cache_dir / "llm-calls.sqlite")
    critic = None
    if cache is not None:
        options = ChatOptions(
            seed=0, temperature=ModelsConfig().temperature, max_tokens=default_max_tokens(model)
        )
        chat = make_chat_model(model, settings, options)
        critic = AgentModel(model, chat, cache=cache, max_tokens=options.max_tokens)
    console = Console(stderr=True)
    try:
        with Progress(console=console, transient=True, disable=as_json) as progress:
            task = progress.add_task("judging", total=len(rows))
            report = evaluate_rows(
                rows,
                embeddings,
                critic,
                threshold,
                set_path=str(set_file),
                set_version=set_version(set_file),
                split=split,
                on_row=lambda done: progress.update(task, completed=done),
            )
    finally:
        if cache is not None:
            cache.close()
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
        return
    _print_report(Console(width=max(Console().width, WIDE)), report)


def _cell(figure: Interval) -> str:
    if figure.value is None:
        return "-"
    if figure.low is None or figure.high is None:
        return f"{figure.value:.2f}"
    return f"{figure.value:.2f} [{figure.low:.2f}, {figure.high:.2f}]"


def _print_report(console: Console, report: EvalReport) -> None:
    model = report.model or "none (--no-rubric)"
    console.print(
        f"{escape(report.set_version)} ({escape(report.set)}), split {report.split}, "
        f"{report.n} rows; rubric model {escape(model)}, threshold {report.threshold}; "
        f"{report.date}"
    )
    table = Table(title="95% bootstrap intervals in brackets")
    for header in ("source", "kind", "n", "agreement", "kappa", "precision", "bad caught"):
        table.add_column(header, no_wrap=True)
    for name in SOURCES:
        source = getattr(report, name)
        if source is None:
            continue
        parts: list[tuple[str, SourceFigures]] = [("all", source), *source.by_kind.items()]
        for kind, figures in parts:
            table.add_row(
                name if kind == "all" else "",
                kind,
                str(figures.n),
                _cell(figures.agreement),
                _cell(figures.cohen_kappa),
                _cell(figures.precision),
                _cell(figures.bad_caught),
            )
        if source.unanswered:
            table.add_row("", f"no answer: {source.unanswered}", "", "", "", "", "")
    console.print(table)
