"""docs/cli.md is generated from the Typer app; these keep it true to the commands."""

from pathlib import Path

from scenariosim.cli.cli_markdown import reference_markdown

REPO = Path(__file__).resolve().parents[1]


def test_docs_cli_md_is_the_generated_reference() -> None:
    on_disk = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert on_disk == reference_markdown(), (
        "docs/cli.md is out of date: run `make docs` (python -m scenariosim.cli.cli_markdown)"
    )


def test_reference_lists_every_command_and_subcommand() -> None:
    text = reference_markdown()
    for heading in (
        "`scenariosim run`",
        "`scenariosim corpus query`",
        "`scenariosim personas sample`",
    ):
        assert f"## {heading}" in text


def test_reference_shows_options_with_their_help() -> None:
    text = reference_markdown()
    assert "| `--resume <str>` | option | Resume this run id from its checkpoint. |" in text
