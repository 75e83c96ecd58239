"""The CLI reference (docs/cli.md), generated from the Typer app so it cannot drift.

`python -m scenariosim.cli.cli_markdown > docs/cli.md` (or `make docs`) rewrites it;
tests/test_cli_markdown.py fails when the file and the app disagree.
"""

import typer

from scenariosim.cli import app
from scenariosim.markdown import table_cell

PROGRAM = "scenariosim"


def _params_table(command: typer.core.TyperCommand, ctx: typer.Context) -> list[str]:
    rows = []
    for param in command.params:
        record = param.get_help_record(ctx)
        if record is None or getattr(param, "hidden", False):
            continue
        names, meaning = record
        kind = "argument" if isinstance(param, typer.core.TyperArgument) else "option"
        rows.append(f"| {table_cell(f'`{names}`')} | {kind} | {table_cell(meaning)} |")
    if not rows:
        return []
    return ["| name | kind | meaning |", "| --- | --- | --- |", *rows, ""]


def _section(command: typer.core.TyperCommand, ctx: typer.Context, path: str) -> list[str]:
    usage = command.get_usage(ctx).removeprefix("Usage: ")
    out = [f"## `{path}`", "", (command.help or "").strip(), "", "```", usage, "```", ""]
    out += _params_table(command, ctx)
    if isinstance(command, typer.core.TyperGroup):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            out += _section(sub, typer.Context(sub, info_name=name, parent=ctx), f"{path} {name}")
    return out


def reference_markdown() -> str:
    """Every command and subcommand with its usage, help, arguments and options."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name=PROGRAM)
    head = [
        "# CLI reference",
        "",
        "Generated from the Typer app (`scenariosim/cli/`) by `make docs`",
        "(`python -m scenariosim.cli.cli_markdown`); a test keeps it in step. Every command takes",
        "`--help`. Errors you can fix print one line and exit with code 2; `-v` before the",
        "command adds the traceback.",
        "",
    ]
    return "\n".join(head + _section(root, ctx, PROGRAM)).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
