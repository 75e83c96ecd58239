"""`scenariosim run`: run a scenario file, or resume a killed run."""

from pathlib import Path

import typer
from rich.console import Console

from scenariosim.errors import ConfigError
from scenariosim.graph.run import RunResult, resume_run, run_scenario
from scenariosim.overrides import apply_overrides
from scenariosim.scenario import Scenario, load_scenario
from scenariosim.settings import load_settings


def _with_overrides(scenario: Scenario, seed: int | None, concurrency: int | None) -> Scenario:
    """The scenario with the command line's values, judged by the scenario's own rules."""
    changes = {
        key: value
        for key, value in (("seed", seed), ("concurrency", concurrency))
        if value is not None
    }
    return apply_overrides(
        scenario, changes, options={"seed": "--seed", "concurrency": "--concurrency"}
    )


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
    allow_changed_inputs: bool = typer.Option(
        False,
        help="With --resume: continue although the corpus, references or embedding model "
        "differ from the run's (both fingerprints are recorded). Changed personas never resume.",
    ),
) -> None:
    """Run a scenario end to end and print where its dataset is."""
    settings = load_settings()
    if resume:
        if scenario_file is not None:
            raise ConfigError("give either a scenario file or --resume RUN_ID, not both")
        if seed is not None or concurrency is not None:
            raise ConfigError(
                "--seed and --concurrency cannot change a resumed run (it keeps its scenario); "
                "drop them, or start a new run"
            )
        result = resume_run(
            resume,
            settings,
            out,
            use_cache=cache,
            quiet=quiet,
            allow_changed_inputs=allow_changed_inputs,
        )
    elif allow_changed_inputs:
        raise ConfigError("--allow-changed-inputs goes with --resume RUN_ID only")
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
