"""`scenariosim personas ...`: sample, show and check personas from a census."""

import json
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from scenariosim.errors import ConfigError
from scenariosim.personas import (
    Census,
    Persona,
    PersonaFilter,
    compare_selections,
    enrich,
    load_census,
    parse_persona_id,
    representativeness,
    sample_people,
    tvd_by_variable,
)
from scenariosim.personas.filters import describe_selection, parse_filter
from scenariosim.personas.sample import plain_rows
from scenariosim.personas.standin import reference_figures
from scenariosim.scenario import check_seed

app = typer.Typer(no_args_is_help=True, help="Sample and inspect census personas.")

CENSUS = typer.Option(
    None,
    "--census",
    "-c",
    help="Census folder or file (Stata, CSV, Parquet); default: shipped sample.",
)
SEED = typer.Option(
    0, "--seed", "-s", help="Same seed, same personas.", callback=lambda v: check_seed(v)
)
WHERE = typer.Option(
    None, "--where", "-w", help='pandas-query filter, e.g. "age >= 18 and cell == 1".'
)
MIN_AGE = typer.Option(0, "--min-age", help="Youngest person to draw.")
REGION = typer.Option(None, "--region", help="Region code or province name (repeatable).")
URBAN = typer.Option(None, "--urban/--rural", help="Only towns, or only villages.")
AGE = typer.Option(None, "--age", help="Age range, e.g. 18-35, 65- or -17.")
SEX = typer.Option(None, "--sex", help="male or female.")
EDUCATION = typer.Option(
    None, "--education", help="no schooling, less than primary, primary, secondary, university."
)
ACTIVITY = typer.Option(None, "--activity", help="employed, unemployed or inactive (repeatable).")
CELL = typer.Option(None, "--cell/--no-cell", help="Household owns a cell phone, or not.")
QUINTILE = typer.Option(None, "--quintile", help="poorest, poor, average, rich, richest.")


def _filters(
    region: list[str] | None,
    urban: bool | None,
    age: str | None,
    sex: str | None,
    education: list[str] | None,
    activity: list[str] | None,
    cell: bool | None,
    quintile: list[str] | None,
) -> PersonaFilter:
    fields: dict[str, object] = {
        "regions": region or [],
        "urban": urban,
        "sex": sex,
        "education": education or [],
        "activity": activity or [],
        "cell": cell,
        "quintiles": quintile or [],
    }
    if age:
        low, dash, high = (part.strip() for part in age.partition("-"))
        if not (low or high) or not all(p.isdigit() for p in (low, high) if p):
            raise ConfigError(f"--age {age!r}: write an age or a range such as 18-35, 65- or -17")
        fields["age_min"] = int(low) if low else None
        fields["age_max"] = int(high) if high else (None if dash else int(low))
    return parse_filter(fields)


def _load(census: Path | None) -> Census:
    console = Console(stderr=True)
    with console.status("loading the census"):
        return load_census(census)


@app.command("sample")
def sample(
    n: int = typer.Option(20, "--n", "-n", help="How many personas."),
    where: str | None = WHERE,
    seed: int = SEED,
    census: Path | None = CENSUS,
    min_age: int = MIN_AGE,
    households: bool = typer.Option(False, "--households", help="Draw whole households."),
    region: list[str] = REGION,
    urban: bool | None = URBAN,
    age: str | None = AGE,
    sex: str | None = SEX,
    education: list[str] = EDUCATION,
    activity: list[str] = ACTIVITY,
    cell: bool | None = CELL,
    quintile: list[str] = QUINTILE,
    output_format: str = typer.Option(
        "table", "--format", "-f", help="table, describe (one paragraph each), jsonl or csv."
    ),
) -> None:
    """Draw personas from the census (weighted by hhweight) and print them."""
    if output_format not in ("table", "describe", "jsonl", "csv"):
        raise ConfigError(f"--format {output_format!r}: use table, describe, jsonl or csv")
    filters = _filters(region, urban, age, sex, education, activity, cell, quintile)
    loaded = _load(census)
    rows = sample_people(
        loaded, n, where=where, filters=filters, seed=seed, min_age=min_age, households=households
    )
    personas = enrich(rows, seed=seed)
    console = Console(width=200) if output_format == "table" else Console(soft_wrap=True)
    if output_format == "jsonl":
        for persona in personas:
            typer.echo(persona.model_dump_json())
    elif output_format == "csv":
        typer.echo(_flat(personas).to_csv(index=False), nl=False)
    elif output_format == "describe":
        for persona in personas:
            typer.echo(f"{persona.id}  {persona.describe()}\n")
    else:
        console.print(_table(personas, f"{len(personas)} personas, seed {seed}"))
        console.print(
            f"[dim]selection: {escape(describe_selection(where, filters, min_age))}; "
            f"census: {escape(loaded.source)}[/]"
        )


def _flat(personas: list[Persona]) -> pd.DataFrame:
    rows = []
    for persona in personas:
        row = persona.model_dump(exclude={"traits"})
        row.update(persona.traits.model_dump())
        row["assets"] = "; ".join(persona.assets)
        rows.append(row)
    return pd.DataFrame(rows)


def _table(personas: list[Persona], title: str) -> Table:
    table = Table(title=title)
    for column in ("id", "name", "age", "sex", "province", "setting", "education", "occupation"):
        table.add_column(column, no_wrap=column in ("id", "name"))
    for column in ("quintile", "online", "gov", "protest", "posts"):
        table.add_column(
            column, justify="right" if column in ("gov", "protest", "posts") else "left"
        )
    for p in personas:
        table.add_row(
            p.id,
            escape(p.name),
            str(p.age),
            p.sex.lower(),
            escape(p.province),
            "urban" if p.urban else "rural",
            p.education,
            p.occupation,
            p.spending_quintile,
            p.digital_access,
            f"{p.traits.government_stance:+.2f}",
            f"{p.traits.protest_stance:+.2f}",
            f"{p.traits.posting_propensity:.2f}",
        )
    return table


@app.command("show")
def show(
    persona_id: str = typer.Argument(..., help="Persona id: hid-idno, e.g. 0a1b2c3d4e5-02."),
    seed: int = SEED,
    census: Path | None = CENSUS,
    as_json: bool = typer.Option(False, "--json", help="Print the persona as JSON."),
) -> None:
    """Show one persona: every field and its description."""
    hid, idno = parse_persona_id(persona_id)
    loaded = _load(census)
    row = loaded.find(hid, idno)
    if row.empty:
        raise ConfigError(
            f"no person {persona_id} in {loaded.source}; ids are hid-idno from the census "
            "(list some with `scenariosim personas sample`)"
        )
    persona = enrich(plain_rows(row), seed=seed)[0]
    if as_json:
        typer.echo(persona.model_dump_json(indent=2))
        return
    console = Console(soft_wrap=True)
    table = Table(title=f"{escape(persona.name)} ({persona.id}, seed {seed})", show_header=False)
    table.add_column("field")
    table.add_column("value")
    for field, value in persona.model_dump(exclude={"traits"}).items():
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        table.add_row(field, escape(shown))
    for field, value in persona.traits.model_dump().items():
        table.add_row(f"traits.{field}", str(value))
    console.print(table)
    console.print(escape(persona.describe()))


@app.command("stats")
def stats(
    n: int = typer.Option(1000, "--n", "-n", help="How many personas to draw and compare."),
    where: str | None = WHERE,
    seed: int = SEED,
    census: Path | None = CENSUS,
    min_age: int = MIN_AGE,
    households: bool = typer.Option(False, "--households", help="Draw whole households."),
    region: list[str] = REGION,
    urban: bool | None = URBAN,
    age: str | None = AGE,
    sex: str | None = SEX,
    education: list[str] = EDUCATION,
    activity: list[str] = ACTIVITY,
    cell: bool | None = CELL,
    quintile: list[str] = QUINTILE,
    output: Path | None = typer.Option(None, "--output", "-o", help="Also write the table as CSV."),
) -> None:
    """Compare sampled personas with the weighted census: shares and TVD per attribute."""
    filters = _filters(region, urban, age, sex, education, activity, cell, quintile)
    loaded = _load(census)
    rows = sample_people(
        loaded, n, where=where, filters=filters, seed=seed, min_age=min_age, households=households
    )
    personas = enrich(rows, seed=seed)
    table = representativeness(personas, loaded, where=where, filters=filters, min_age=min_age)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(output, index=False)
    console = Console(width=120)
    shown = Table(
        "attribute",
        "category",
        "census %",
        "personas %",
        "diff",
        "TVD",
        title=f"{len(personas)} personas (seed {seed}) vs the weighted census",
    )
    for variable, part in table.groupby("variable", sort=False):
        for i, r in enumerate(part.itertuples()):
            shown.add_row(
                variable if i == 0 else "",
                escape(r.category),
                f"{100 * r.census_share:.1f}",
                f"{100 * r.sample_share:.1f}",
                f"{100 * r.difference:+.1f}",
                f"{r.tvd:.3f}" if i == 0 else "",
                end_section=i == len(part) - 1,
            )
    console.print(shown)
    worst = tvd_by_variable(table)
    console.print(
        f"largest TVD: {worst.idxmax()} {worst.max():.3f}; mean TVD {worst.mean():.3f}; "
        f"selection: {escape(describe_selection(where, filters, min_age))}"
    )


@app.command("compare")
def compare(
    where: list[str] = typer.Option(
        ..., "--where", "-w", help="A census selection to compare (repeat: --where A --where B)."
    ),
    census: Path | None = CENSUS,
    min_age: int = typer.Option(16, "--min-age", help="Compare people of this age and older."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Also write the table as CSV."),
) -> None:
    """Show how selections differ from the census: weighted shares and TVD per attribute.

    Use it before oversampling a group with `personas.strata` in a scenario.
    """
    table = compare_selections(_load(census), where, min_age)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(output, index=False)
    labels = [chr(ord("A") + i) for i in range(len(where))]
    shown = Table(
        "attribute",
        "category",
        "census %",
        *[f"{label} %" for label in labels],
        title=f"weighted shares, people aged {min_age}+",
    )
    for variable, part in table.groupby("variable", sort=False):
        for i, r in enumerate(part.to_dict("records")):
            shown.add_row(
                variable if i == 0 else "",
                escape(str(r["category"])),
                f"{100 * r['census_share']:.1f}",
                *[f"{100 * r[f'share_{n}']:.1f}" for n in range(1, len(where) + 1)],
                end_section=i == len(part) - 1,
            )
    console = Console(width=120)
    console.print(shown)
    for n, (label, expression) in enumerate(zip(labels, where, strict=True), start=1):
        tvd = table.groupby("variable", sort=False)[f"tvd_{n}"].first()
        console.print(
            f"{label}: {escape(expression)}: mean TVD vs census {tvd.mean():.3f}, "
            f"largest {tvd.idxmax()} {tvd.max():.3f}"
        )


@app.command("census")
def census_info(census: Path | None = typer.Argument(None, help="Census folder or file.")) -> None:
    """Summarise a census: files, counts, weights and the reference figures."""
    loaded = _load(census)
    info = loaded.info()
    typer.echo(json.dumps(info.model_dump(), indent=1))
    households = loaded.households.assign(
        **{
            a: loaded.households[a].map({1: "Yes", 0: "No"})
            for a in ("electricity", "cell", "tv", "bank", "car")
        }
    )
    figures = reference_figures(households, loaded.people[["hid", "age", "sex", "hhweight"]])
    typer.echo("reference figures (weighted; compare docs/personas.md):")
    for name, value in figures.items():
        typer.echo(f"  {name:12s} {value:8.2f}")
