"""`scenariosim trace RUN`: what happened in a run, from its traces."""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.table import Column, Table

from scenariosim.errors import ConfigError
from scenariosim.outputs.trace_summary import summarise
from scenariosim.settings import load_settings


def trace(
    run: str = typer.Argument(help="Run id (a folder under the output dir) or a run folder path."),
    out: Path | None = typer.Option(None, help="Folder holding run folders (default: outputs/)."),
) -> None:
    """Summarise a run's traces: phases, steps, calls and tokens per node, latency, retries."""
    run_dir = Path(run)
    if not (run_dir / "traces.jsonl").exists():
        run_dir = (out or load_settings().output_dir) / run
    if not (run_dir / "traces.jsonl").exists():
        raise ConfigError(
            f"no traces.jsonl for run '{run}' in {run_dir}: check the run id or --out"
        )
    summary = summarise(run_dir)
    console = Console()
    console.print(f"run {summary.run_id}: phases {', '.join(summary.phases) or '-'}")
    console.print(
        f"{summary.node_steps} node steps, {summary.model_calls} model calls, "
        f"{summary.model_time_s:.1f} s in model calls, wall {summary.wall_time_s:.1f} s; "
        f"outcomes {dict(sorted(summary.outcomes.items()))}"
    )
    table = Table(
        Column("node", no_wrap=True),
        "step",
        "calls",
        "cached",
        "tok in",
        "tok out",
        "retries",
        "fails",
        "p50 s",
        "p95 s",
        box=box.SIMPLE,
        title="model calls",
    )
    for n in summary.nodes:
        table.add_row(
            n.node,
            n.step,
            str(n.calls),
            str(n.cached),
            str(n.input_tokens),
            str(n.output_tokens),
            str(n.retries),
            str(n.failures),
            f"{n.latency_p50_s:.2f}",
            f"{n.latency_p95_s:.2f}",
        )
    console.print(table)
    if summary.torn_lines:
        console.print(f"{summary.torn_lines} incomplete trace line(s) skipped (a killed run)")
