"""docs/architecture.md stays true to the code: the graph drawing, the packages, the layering."""

import re

from package_imports import PACKAGE, REPO, imports_in, package_imports

from scenariosim.graph.build import build_graph

ARCHITECTURE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_the_graph_drawing_is_langgraphs_drawing_of_the_compiled_graph() -> None:
    blocks = [
        b for b in re.findall(r"```mermaid\n(.*?)```", ARCHITECTURE, flags=re.S) if "__start__" in b
    ]
    assert blocks, "docs/architecture.md has no drawing of the graph"
    drawn = build_graph().get_graph().draw_mermaid()
    assert blocks[0].strip() == drawn.strip(), (
        "the graph changed: paste build_graph().get_graph().draw_mermaid() into "
        "docs/architecture.md"
    )


def test_the_task_drawing_is_langgraphs_drawing_of_a_writers_task_graph() -> None:
    from scenariosim.graph.nodes.write_comment import write_comment
    from scenariosim.graph.nodes.write_image_prompt import write_image_prompt
    from scenariosim.graph.nodes.write_post import write_post

    blocks = [
        b
        for b in re.findall(r"```mermaid\n(.*?)```", ARCHITECTURE, flags=re.S)
        if "critique_candidates" in b
    ]
    assert blocks, "docs/architecture.md has no drawing of the task graph"
    for writer in (write_post, write_comment, write_image_prompt):
        assert blocks[0].strip() == writer.get_graph().draw_mermaid().strip(), (
            "the task graph changed: paste write_post.get_graph().draw_mermaid() into "
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


def _table_rows() -> dict[str, str]:
    """Each row of the package table by the paths in its first cell (`personas/`, `slugs.py`)."""
    rows = {}
    for line in ARCHITECTURE.splitlines():
        if line.startswith("| `scenariosim/"):
            first, rest = line[2:].split(" | ", 1)
            for path in re.findall(r"`(?:scenariosim/)?([\w/.]+)`", first):
                rows[path] = rest
    return rows


def test_every_module_of_the_package_is_named_in_its_row_of_the_table() -> None:
    rows = _table_rows()
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if path.name in ("__init__.py", "__main__.py"):
            continue
        if len(relative.parts) == 1:
            found = path.name in rows
        else:
            found = f"`{path.name}`" in rows.get(f"{relative.parts[0]}/", "")
        if not found:
            missing.append(str(relative))
    assert missing == []


def _layers() -> list[list[str]]:
    """The layer drawing in docs/architecture.md, top first: each layer's units."""
    drawing = next(
        (b for b in re.findall(r"```mermaid\n(.*?)```", ARCHITECTURE, flags=re.S) if "L1[" in b),
        None,
    )
    assert drawing, "docs/architecture.md has no layer drawing"
    boxes = {int(n): label for n, label in re.findall(r'L(\d+)\["([^"]+)"\]', drawing)}
    assert sorted(boxes) == list(range(1, len(boxes) + 1)), "layers are numbered L1, L2, ..."
    for n in range(1, len(boxes)):
        assert re.search(rf"L{n}(\[[^\]]*\])? --> L{n + 1}\b", drawing), f"L{n} --> L{n + 1}"
    return [[unit.strip() for unit in boxes[n].split("·")] for n in sorted(boxes)]


def _unit(module: str) -> str:
    """`scenariosim.outputs.records` -> `outputs`; `scenariosim.slugs` -> `slugs`."""
    return module.split(".")[1] if "." in module else ""


def _package_units() -> set[str]:
    return {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }


def test_every_subpackage_and_top_level_module_is_in_exactly_one_layer() -> None:
    drawn = [unit for layer in _layers() for unit in layer]
    assert sorted(drawn) == sorted(set(drawn)), "a unit is drawn twice"
    assert sorted(set(drawn)) == sorted(_package_units())


def test_the_package_root_imports_nothing() -> None:
    assert list(imports_in(PACKAGE / "__init__.py")) == []


def test_every_import_goes_down_the_layers() -> None:
    """Within a unit anything goes; across units, only to a lower layer. No exemptions."""
    level = {unit: n for n, layer in enumerate(_layers()) for unit in layer}
    offenders = []
    for found in package_imports():
        if not found.target.startswith("scenariosim."):
            continue
        source, target = _unit(found.module), _unit(found.target)
        if not source or not target or source == target:
            continue
        if target not in level:
            offenders.append(f"{found} (not in the drawing)")
        elif level[target] <= level[source]:
            offenders.append(str(found))
    assert offenders == []
