"""Every import in the scenariosim package, read from the source with `ast` (nothing is run).

Imports inside functions count the same as those at the top of a file: a lazy import is
still a dependency. Relative imports are resolved to absolute module names.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "scenariosim"


@dataclass(frozen=True)
class Import:
    path: Path  # the importing file
    module: str  # the importing module, e.g. scenariosim.reports.report
    target: str  # what it imports, e.g. scenariosim.outputs.records.PostRecord or yaml
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _base(path: Path, level: int) -> list[str]:
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    return package[: len(package) - (level - 1)]


def imports_in(path: Path) -> Iterator[Import]:
    """Each module a file imports. `from a import b` yields `a.b` (b may be a module)."""
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _base(path, node.level) if node.level else []
            source = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                yield Import(path, module, f"{source}.{alias.name}", node.lineno)


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def package_imports() -> list[Import]:
    return [found for path in package_files() for found in imports_in(path)]
