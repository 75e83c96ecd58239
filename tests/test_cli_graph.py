"""`scenariosim graph`: the compiled graph's edges, and LangGraph's Mermaid drawing of it."""

from pathlib import Path

from typer.testing import CliRunner

from scenariosim.cli import app
from scenariosim.graph.build import build_graph

runner = CliRunner()


def test_draw_prints_langgraphs_mermaid_of_the_compiled_graph() -> None:
    result = runner.invoke(app, ["graph", "--draw"])
    assert result.exit_code == 0
    assert result.stdout == build_graph().get_graph().draw_mermaid()


def test_without_draw_it_lists_every_edge_with_conditional_ones_dotted() -> None:
    result = runner.invoke(app, ["graph"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "write_post --> plan_comments" in lines
    assert "plan_posts -.-> write_post" in lines
    assert len(lines) == len(build_graph().get_graph().edges)


def test_a_markdown_output_file_holds_a_mermaid_block(tmp_path: Path) -> None:
    target = tmp_path / "graph.md"
    result = runner.invoke(app, ["graph", "--draw", "-o", str(target)])
    assert result.exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("```mermaid\n") and text.rstrip().endswith("```")
    assert "plan_posts(plan_posts)" in text


def test_an_image_output_is_refused_with_exit_2_and_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", "-o", str(tmp_path / "graph.png")])
    assert result.exit_code == 2
    assert ".md or .mmd" in result.output
    assert not (tmp_path / "graph.png").exists()
