"""`scenariosim graph`: the scenario graph's nodes and edges, or LangGraph's Mermaid drawing.

The drawing comes from the compiled graph (`build_graph().get_graph().draw_mermaid()`), so
it is always the graph that runs. PNG output is not offered: LangGraph renders PNGs through
the mermaid.ink web service or Graphviz, and this tool stays offline; GitHub, GitLab and most
Markdown viewers draw a ```mermaid block themselves.
"""

from pathlib import Path

import typer
from rich.console import Console

from scenariosim.errors import ConfigError


def mermaid() -> str:
    """The compiled scenario graph as Mermaid text, as LangGraph draws it."""
    from scenariosim.graph.build import build_graph

    return build_graph().get_graph().draw_mermaid()


def graph(
    draw: bool = typer.Option(
        False, "--draw", help="Print the graph as Mermaid (LangGraph's drawing)."
    ),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="Write the drawing to this file: .md gets a ```mermaid block, other names the bare text.",
    ),
) -> None:
    """Show the scenario graph: its edges, or with --draw the Mermaid diagram of it."""
    from scenariosim.graph.build import build_graph

    console = Console()
    if output is not None:
        if output.suffix.lower() in (".png", ".svg", ".jpg", ".jpeg"):
            raise ConfigError(
                f"{output}: images need a web service or Graphviz; write .md or .mmd and let a "
                "Markdown viewer (GitHub, GitLab, VS Code) draw it"
            )
        text = mermaid()
        if output.suffix.lower() in (".md", ".markdown"):
            text = f"```mermaid\n{text.rstrip()}\n```\n"
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"cannot write {output}: {e.strerror}; check the folder") from e
        console.print(f"wrote {output}", soft_wrap=True)
    elif draw:
        print(mermaid(), end="")
    else:
        drawn = build_graph().get_graph()
        for edge in drawn.edges:
            arrow = "-.->" if edge.conditional else "-->"
            console.print(f"{edge.source} {arrow} {edge.target}", markup=False)
