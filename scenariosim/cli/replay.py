"""`scenariosim replay RUN --from STEP --set KEY=VALUE`: fork a run at a checkpoint.

`--retry-failed` picks the checkpoint itself: before the earliest failed artifact.
"""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from scenariosim.cli.run import _report
from scenariosim.errors import ConfigError
from scenariosim.graph.replay import checkpoint_history, replay_run, retry_point
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
    retry_failed: bool = typer.Option(
        False,
        "--retry-failed",
        help="Fork where the earliest failed artifact was planned, so every failed one runs "
        "again (after an outage or a spent quota); cached answers repeat the rest.",
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
    if retry_failed:
        if from_point is not None:
            raise ConfigError("give --from or --retry-failed, not both")
        if not (out_dir / run).is_dir():
            raise ConfigError(f"no run '{run}' in {out_dir}: check the id (ls {out_dir}).")
        fork, failed = retry_point(out_dir / run, checkpoint_history(out_dir / run))
        from_point = str(fork.step)
        Console().print(
            f"{failed} failed artifact(s); forking {run} at step {fork.step} "
            f"(phase {fork.phase_id}, before {', '.join(fork.next)})"
        )
    if from_point is None:
        raise ConfigError(
            "give --from STEP (a checkpoint step or a phase id; --list shows them) "
            "or --retry-failed"
        )
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
