"""`scenariosim replay RUN --from STEP --set KEY=VALUE`: fork a run at a checkpoint."""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from scenariosim.cli.run import _report
from scenariosim.errors import ConfigError
from scenariosim.graph.replay import checkpoint_history, replay_run
from scenariosim.overrides import parse_assignment, parse_value
from scenariosim.settings import load_settings


def replay(
    run: str = typer.Argument(help="Run id to fork (a folder under the output dir)."),
    from_point: str | None = typer.Option(
        None, "--from", help="Checkpoint step (see --list) or a phase id: where the fork starts."
    ),
    set_: list[str] = typer.Option(
        None, "--set", help="KEY=VALUE scenario change, repeatable, e.g. critic.threshold=4."
    ),
    list_: bool = typer.Option(False, "--list", help="List the run's checkpoints and stop."),
    run_id: str | None = typer.Option(None, "--run-id", help="Id of the fork (default: derived)."),
    out: Path | None = typer.Option(None, help="Folder for run folders (default: outputs/)."),
    cache: bool = typer.Option(True, help="Reuse cached model answers (--no-cache to recompute)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fork a run from one of its checkpoints with changed settings into a new run id."""
    settings = load_settings()
    out_dir = out or settings.output_dir
    if list_:
        table = Table("step", "phase", "next", "tasks finished", "created", box=box.SIMPLE)
        for c in checkpoint_history(out_dir / run):
            table.add_row(
                str(c.step),
                c.phase_id or "-",
                ", ".join(sorted(set(c.next))) or "(end)",
                str(c.finished),
                c.created_at[:19],
            )
        Console(width=120).print(table)
        return
    if from_point is None:
        raise ConfigError("give --from STEP (a checkpoint step or a phase id; --list shows them)")
    changes = dict(parse_assignment(s) for s in set_ or [])
    result = replay_run(
        run,
        from_point,
        {k: parse_value(v) for k, v in changes.items()},
        settings,
        out_dir,
        new_run_id=run_id,
        use_cache=cache,
        quiet=quiet,
    )
    Console().print(f"forked {run} at {from_point} with {changes or 'no changes'}")
    _report(result)
