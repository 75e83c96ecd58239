"""`scenariosim run`: run a scenario file, or resume a killed run."""

from pathlib import Path

import typer
from rich.console import Console

from scenariosim.errors import ConfigError
from scenariosim.graph.run import RunResult, resume_run, run_scenario
from scenariosim.scenario import Scenario, load_scenario
from scenariosim.settings import load_settings


def _with_overrides(scenario: Scenario, seed: int | None, concurrency: int | None) -> Scenario:
    data = scenario.model_dump()
    if seed is not None:
        data["seed"] = seed
    if concurrency is not None:
        data["concurrency"] = concurrency
    return Scenario.model_validate(data)


def run(
    scenario_file: Path | None = typer.Argument(
        None, help="Scenario YAML (see scenarios/); omit with --resume."
    ),
    seed: int | None = typer.Option(None, help="Override the scenario's seed."),
    out: Path | None = typer.Option(None, help="Folder for run folders (default: outputs/)."),
    concurrency: int | None = typer.Option(None, help="Override agent tasks in flight."),
    resume: str | None = typer.Option(None, help="Resume this run id from its checkpoint."),
    cache: bool = typer.Option(True, help="Reuse cached model answers (--no-cache to recompute)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run a scenario end to end and print where its dataset is."""
    settings = load_settings()
    if resume:
        if scenario_file is not None:
            raise ConfigError("give either a scenario file or --resume RUN_ID, not both")
        result = resume_run(resume, settings, out, use_cache=cache, quiet=quiet)
    elif scenario_file is None:
        raise ConfigError("missing scenario file: e.g. `scenariosim run scenarios/demo.yaml`")
    else:
        scenario = _with_overrides(load_scenario(scenario_file), seed, concurrency)
        result = run_scenario(scenario, settings, out, use_cache=cache, quiet=quiet)
    _report(result)


def _report(result: RunResult) -> None:
    console = Console()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())) or "nothing"
    console.print(f"run {result.run_id}: {counts}")
    console.print(f"dataset: {result.dataset_dir}")
    console.print(f"report: {result.report_path}")
    for note in result.missing:
        console.print(f"note: {note}", markup=False)
    console.print(f"run folder: {result.run_dir}", soft_wrap=True)
