"""`scenariosim sweep SCENARIO --set KEY=V1,V2 ...`: run variants, compare their figures."""

from pathlib import Path

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.graph.sweep import (
    comparison_rows,
    parse_grid,
    plan_variants,
    prepare_stores,
    run_local,
    run_ray,
    sweep_id_for,
    write_comparison,
)
from scenariosim.scenario import load_scenario
from scenariosim.settings import load_settings


def sweep(
    scenario_file: Path = typer.Argument(help="Scenario YAML the variants start from."),
    set_: list[str] = typer.Option(
        None, "--set", help="KEY=V1,V2,... (repeatable): every combination is one run."
    ),
    jobs: int = typer.Option(
        2, "--jobs", "-j", help="Variants run at once (processes; 1 runs them here, one by one)."
    ),
    ray_address: str | None = typer.Option(
        None, "--ray", help="Run variants as Ray tasks at this address ('local' starts one)."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Sweep id (default: from the scenario and the grid); reuse to resume."
    ),
    out: Path | None = typer.Option(None, help="Folder for run folders (default: outputs/)."),
    cache: bool = typer.Option(True, help="Reuse cached model answers (--no-cache to recompute)."),
) -> None:
    """Run a scenario once per combination of settings and write one comparison table."""
    settings = load_settings()
    out_dir = out or settings.output_dir
    scenario = load_scenario(scenario_file)
    grid = parse_grid(set_ or [])
    sweep_id = name or sweep_id_for(scenario, grid)
    variants = plan_variants(scenario, grid, sweep_id, out_dir.resolve(), settings, cache)
    console = Console(width=160)
    console.print(f"sweep {sweep_id}: {len(variants)} variants")
    with console.status("checking inputs and ingesting the corpus"):
        prepare_stores(variants, settings)
    results = run_ray(variants, ray_address) if ray_address else run_local(variants, jobs)
    rows = comparison_rows(variants, results)
    folder = out_dir / sweep_id
    write_comparison(folder, rows, grid)
    # One column per variant, one row per setting and figure: fits a terminal.
    table = Table("", *(f"v{v.index}" for v in variants), box=box.SIMPLE)
    for key in rows[0] if rows else []:
        if key == "run_id":
            continue
        table.add_row(
            key,
            *(
                "n/a"
                if r[key] is None
                else f"{r[key]:.3f}"
                if isinstance(r[key], float)
                else escape(str(r[key]))
                for r in rows
            ),
        )
    console.print(table)
    for result in results:
        if result.error:
            console.print(f"[red]{result.run_id} failed:[/] {escape(result.error)}")
    console.print(f"comparison: {folder / 'comparison.csv'} and comparison.md")
