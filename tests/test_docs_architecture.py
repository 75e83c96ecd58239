"""docs/architecture.md stays true to the code: the graph drawing, the packages, the layering."""

import ast
import re
from pathlib import Path

from scenariosim.graph.build import build_graph

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scenariosim"
ARCHITECTURE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_graph_drawing_is_langgraphs_drawing_of_the_compiled_graph() -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", ARCHITECTURE, flags=re.S)
    assert blocks, "docs/architecture.md has no mermaid block"
    drawn = build_graph().get_graph().draw_mermaid()
    assert blocks[0].strip() == drawn.strip(), (
        "the graph changed: paste build_graph().get_graph().draw_mermaid() into "
        "docs/architecture.md"
    )


def test_the_readme_shows_the_same_drawing() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", readme, flags=re.S)
    assert blocks and blocks[0].strip() == build_graph().get_graph().draw_mermaid().strip()


def test_every_subpackage_is_described() -> None:
    subpackages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    missing = [name for name in subpackages if f"`scenariosim/{name}/`" not in ARCHITECTURE]
    assert missing == []


def test_nothing_below_imports_the_graph_or_the_cli() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        part = path.relative_to(PACKAGE).parts[0]
        if part in ("graph", "cli", "__main__.py"):
            continue
        for module in _imported_modules(path):
            if module.startswith(("scenariosim.graph", "scenariosim.cli")):
                offenders.append(f"{path.relative_to(REPO)} imports {module}")
    assert offenders == []


def test_personas_knowledge_and_agents_do_not_import_each_other() -> None:
    leaves = ("personas", "knowledge", "agents")
    offenders = []
    for leaf in leaves:
        for path in (PACKAGE / leaf).rglob("*.py"):
            for module in _imported_modules(path):
                other = module.split(".")[1] if module.startswith("scenariosim.") else None
                if other in leaves and other != leaf:
                    offenders.append(f"{path.relative_to(REPO)} imports {module}")
    assert offenders == []
