"""`scenariosim references ...`: add folders of reference pictures, list, show, describe them.

The library lives in `<cache_dir>/references` unless `--library` says otherwise, and always
holds the shipped synthetic catalogue. Captions and sources are user text: printed with
rich markup escaped.
"""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.errors import InputFileError
from scenariosim.knowledge.references.ingest import AddReport, add_folder
from scenariosim.knowledge.references.shipped import add_shipped
from scenariosim.knowledge.references.stats import reference_stats
from scenariosim.knowledge.references.store import ReferenceLibrary, default_root, open_library
from scenariosim.settings import load_settings

app = typer.Typer(
    no_args_is_help=True,
    help="Add, list and describe the visual references image prompts are grounded in.",
)

_LIBRARY = typer.Option(None, "--library", help="Library folder (default: <cache_dir>/references).")
_JSON = typer.Option(False, "--json", help="Print JSON instead of tables.")


def _open(library: Path | None) -> ReferenceLibrary:
    settings = load_settings()
    with Console(stderr=True).status("loading the embedding model"):
        opened = open_library(settings, root=library or default_root(settings))
        add_shipped(opened)
    return opened


def _print_report(report: AddReport) -> None:
    err = Console(stderr=True)
    for duplicate in report.duplicates:
        err.print(f"[yellow]duplicate[/] {escape(duplicate.name)}: same content as {duplicate.of}")
    for problem in report.problems:
        err.print(f"[red]not added[/] {escape(problem.name)}: {escape(problem.reason)}")
    for warning in report.warnings:
        err.print(f"[yellow]warning[/] {escape(warning)}")
    Console().print(
        f"added {len(report.added)}, duplicates {len(report.duplicates)}, "
        f"problems {len(report.problems)}; the library holds {report.total} references"
    )


@app.command("add")
def add(
    folder: Path = typer.Argument(help="Folder of images (with references.csv/.jsonl/.json)."),
    sidecar: Path | None = typer.Option(
        None, "--sidecar", help="Sidecar file (default: references.csv/.jsonl/.json in FOLDER)."
    ),
    library: Path | None = _LIBRARY,
    strict: bool = typer.Option(False, help="Exit with an error if anything was not added."),
    as_json: bool = _JSON,
) -> None:
    """Add a folder's images (hash, thumbnail, palette, labels, caption) to the library."""
    opened = _open(library)
    report = add_folder(opened, folder, sidecar)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    if strict and report.problems:
        raise InputFileError(f"{len(report.problems)} file(s) of {folder} not added; see above")


@app.command("list")
def list_references(
    library: Path | None = _LIBRARY,
    user_only: bool = typer.Option(False, "--user", help="Leave out the shipped synthetic ones."),
    as_json: bool = _JSON,
) -> None:
    """One line per reference: id, kind, labels, license, caption."""
    refs = _open(library).references()
    if user_only:
        refs = [r for r in refs if not r.synthetic]
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in refs], indent=2))
        return
    table = Table("id", "kind", "labels", "license", "caption")
    for ref in refs:
        labels = ", ".join(ref.labels) if ref.labelled else "(unlabelled)"
        table.add_row(
            ref.id, ref.kind, escape(labels), escape(ref.license), escape(ref.caption[:70])
        )
    Console().print(table)


@app.command("show")
def show(
    ref_id: str = typer.Argument(help="Reference id (or a unique prefix)."),
    library: Path | None = _LIBRARY,
    as_json: bool = _JSON,
) -> None:
    """Everything stored about one reference."""
    opened = _open(library)
    ref = opened.get(ref_id)
    thumbnail = opened.thumbnail_path(ref)
    if as_json:
        data = ref.model_dump(mode="json") | {"thumbnail_path": str(thumbnail or "")}
        typer.echo(json.dumps(data, indent=2))
        return
    table = Table("field", "value", show_header=False)
    for key, value in ref.model_dump(exclude={"palette"}).items():
        table.add_row(key, escape(", ".join(value) if isinstance(value, list) else str(value)))
    palette = "  ".join(f"[on {s.colour}]    [/] {s.colour} {s.share:.0%}" for s in ref.palette)
    table.add_row("palette", palette or "(none)")
    table.add_row("thumbnail path", escape(str(thumbnail or "(none)")))
    Console().print(table)


@app.command("stats")
def stats(library: Path | None = _LIBRARY, as_json: bool = _JSON) -> None:
    """Label rates of the labelled references beside the UCLA protest-image rates; licenses."""
    figures = reference_stats(_open(library).references())
    if as_json:
        typer.echo(figures.model_dump_json(indent=2))
        return
    console = Console()
    console.print(
        f"{figures.references} references: {figures.images} images, {figures.text_only} "
        f"text-only; {figures.labelled} labelled, {figures.synthetic} synthetic, "
        f"{figures.allowed_as_input} allowed as image-model inputs"
    )
    rates = Table("attribute", "count", "rate", "UCLA rate", "difference")
    for row in figures.rates:
        rate = "n/a" if row.rate is None else f"{row.rate:.3f}"
        diff = "n/a" if row.difference is None else f"{row.difference:+.3f}"
        rates.add_row(row.attribute, str(row.count), rate, f"{row.ucla_rate:.3f}", diff)
    console.print(rates)
    licenses = Table("license", "references")
    for name, count in figures.licenses.items():
        licenses.add_row(escape(name), str(count))
    console.print(licenses)


@app.command("remove")
def remove(
    ref_ids: list[str] = typer.Argument(help="Reference ids to remove."),
    library: Path | None = _LIBRARY,
) -> None:
    """Remove references (to re-add a picture with a corrected sidecar row)."""
    gone = _open(library).remove(ref_ids)
    Console().print(f"removed {', '.join(r.id for r in gone)}")
