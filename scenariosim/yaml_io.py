"""Every YAML the project reads or writes goes through here: one loader, one writer.

The loader resolves plain scalars by the YAML 1.2 core schema, not PyYAML's YAML 1.1:
`no`, `yes`, `on` and `off` stay text, `0123` is not octal, `12:30` is not base 60, and
dates stay text (the schema that wants a date parses it). It refuses a key written twice
in one mapping at any depth, naming both lines, since the second would silently replace
the first. It keeps the text the author wrote for every plain scalar it turned into a
number or a boolean, so a field that wants a string gets that text (`id: 0123` is "0123",
not 123): `validate_authored` puts it back where a pydantic model wants a string.

Errors are one `YamlError` naming the file, the line and the key, and how to fix it.
This module imports nothing from scenariosim's subpackages.
"""

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scenariosim.errors import InputFileError

Path_ = tuple[Any, ...]  # a key path: mapping keys (str) and list indices (int)
M = TypeVar("M", bound=BaseModel)

_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema), plus `<<` merges.
_CORE_RESOLVERS: list[tuple[str, re.Pattern[str], str]] = [
    (_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), "~nN"),
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), "-+0123456789"),
    (
        _FLOAT,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        "-+.0123456789",
    ),
    (_MERGE, re.compile(r"^<<$"), "<"),
]
# Strings the writer quotes: YAML 1.1 readers (PyYAML, many tools) and 1.2 readers must both
# read them back as strings.
_COERCED_TAGS = (_BOOL, _INT, _FLOAT)


class YamlError(InputFileError):
    """A YAML file that cannot be read as written; the message names file, line and fix."""

    def __init__(self, message: str, line: int | None = None, problem: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.problem = problem or message


class _CoreLoader(yaml.SafeLoader):
    """SafeLoader with the YAML 1.2 core schema's implicit types instead of YAML 1.1's."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


for _tag, _pattern, _first in _CORE_RESOLVERS:
    # A plain empty scalar (`key:`) is looked up under "": it is null.
    _CoreLoader.add_implicit_resolver(_tag, _pattern, [*_first, *([""] if _tag == _NULL else [])])


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise yaml.constructor.ConstructorError(
        None, None, f"'{value}' is not a YAML boolean (true or false)", node.start_mark
    )


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    value = str(loader.construct_scalar(node)).replace("_", "")
    try:
        if value.lower().lstrip("+-").startswith("0x"):
            return int(value, 16)
        if value.lower().lstrip("+-").startswith("0o"):
            return int(value.replace("0o", "").replace("0O", ""), 8)
        return int(value, 10)  # YAML 1.2: a leading 0 is not octal
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{value}' is not a YAML integer", node.start_mark
        ) from None


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> float:
    value = str(loader.construct_scalar(node)).replace("_", "").lower()
    sign = -1.0 if value.startswith("-") else 1.0
    if value.lstrip("+-") == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    try:
        return float(value)
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None, None, f"'{value}' is not a YAML number", node.start_mark
        ) from None


_CoreLoader.add_constructor(_BOOL, _construct_bool)
_CoreLoader.add_constructor(_INT, _construct_int)
_CoreLoader.add_constructor(_FLOAT, _construct_float)


@dataclass
class Loaded:
    """A YAML document: its data, each key's line, and the text of coerced plain scalars."""

    data: Any
    source: str
    lines: dict[Path_, int] = field(default_factory=dict)  # key path -> 1-based line
    authored: dict[Path_, str] = field(default_factory=dict)  # path -> text as written

    def line_of(self, path: Path_) -> int | None:
        """The line of `path`, or of its nearest ancestor the file has."""
        for end in range(len(path), -1, -1):
            if tuple(path[:end]) in self.lines:
                return self.lines[tuple(path[:end])]
        return None


def key_name(path: Path_) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _walk(node: yaml.Node, path: Path_, offset: int) -> Iterator[tuple[Path_, yaml.Node, int]]:
    """Every node with its key path and 1-based line (keys: the key's line)."""
    yield path, node, node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue
            child = (*path, key.value)
            line = key.start_mark.line + 1 + offset
            for sub_path, sub, sub_line in _walk(value, child, offset):
                yield sub_path, sub, (line if sub_path == child else sub_line)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            yield from _walk(item, (*path, i), offset)


def _check_duplicates(node: yaml.Node, source: str, offset: int) -> None:
    for path, sub, _ in _walk(node, (), offset):
        if not isinstance(sub, yaml.MappingNode):
            continue
        seen: dict[tuple[str, str], int] = {}
        for key, _value in sub.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
                continue
            line = key.start_mark.line + 1 + offset
            ident = (key.tag, key.value)
            if ident in seen:
                name = key_name((*path, key.value))
                raise YamlError(
                    f"{source}, lines {seen[ident]} and {line}: key '{name}' is written twice "
                    "in one mapping, and the second would silently replace the first. Keep "
                    "one of them (delete or rename the other).",
                    line=line,
                    problem=f"key '{name}' is written twice (lines {seen[ident]} and {line})",
                )
            seen[ident] = line


def _syntax_error(e: yaml.YAMLError, source: str, offset: int) -> YamlError:
    mark = getattr(e, "problem_mark", None)
    line = mark.line + 1 + offset if mark is not None else None
    where = f"{source}, line {line}" if line else source
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return YamlError(f"{where}: not valid YAML ({problem}). Fix the syntax.", line, problem)


def load_yaml(text: str, source: str = "<yaml>", line_offset: int = 0) -> Loaded:
    """Parse one YAML document (YAML 1.2 core types, no duplicate keys).

    `line_offset` is added to every line, for YAML cut from a bigger file (front matter).
    """
    try:
        loader = _CoreLoader(text)
    except yaml.YAMLError as e:  # a character YAML does not allow (a control character)
        raise _syntax_error(e, source, line_offset) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Loaded(None, source)
        _check_duplicates(node, source, line_offset)
        lines: dict[Path_, int] = {}
        authored: dict[Path_, str] = {}
        for path, sub, line in _walk(node, (), line_offset):
            lines.setdefault(path, line)
            if isinstance(sub, yaml.ScalarNode) and sub.style is None and sub.tag in _COERCED_TAGS:
                authored[path] = sub.value
        data = loader.construct_document(node)
    except YamlError:
        raise
    except yaml.YAMLError as e:
        raise _syntax_error(e, source, line_offset) from None
    except (ValueError, TypeError, RecursionError) as e:
        raise YamlError(f"{source}: cannot read the YAML ({e}). Fix the file.") from None
    finally:
        loader.dispose()
    return Loaded(data, source, lines, authored)


def read_yaml(path: Path) -> Loaded:
    """`load_yaml` of a UTF-8 file; a missing or unreadable file is a `YamlError` too."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(f"{path}: file not found. Check the path.") from None
    except UnicodeDecodeError as e:
        raise YamlError(
            f"{path}: cannot be read as UTF-8 text ({e}). Re-save it as UTF-8."
        ) from None
    except OSError as e:
        raise YamlError(f"{path}: cannot be read ({e.strerror}).") from None
    return load_yaml(text, str(path))


class AuthoredInt(int):
    """An int read from text, keeping the text (`0123`) for a field that wants a string."""

    text: str

    def __new__(cls, value: int, text: str) -> "AuthoredInt":
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __getnewargs__(self) -> tuple[int, str]:  # type: ignore[override]  # copy.copy rebuilds from these
        return int(self), self.text


class AuthoredFloat(float):
    """A float read from text, keeping the text (`1.10`) for a field that wants a string."""

    text: str

    def __new__(cls, value: float, text: str) -> "AuthoredFloat":
        made = super().__new__(cls, value)
        made.text = text
        return made

    def __getnewargs__(self) -> tuple[float, str]:  # type: ignore[override]  # copy.copy rebuilds from these
        return float(self), self.text


def parse_scalar(text: str) -> Any:
    """One value as YAML reads it (`4`, `true`, `[a, b]`); text that is not YAML stays text.

    A number keeps the text it was read from (`.text`), for `as_written`."""
    try:
        value = load_yaml(text).data
    except YamlError:
        return text
    if isinstance(value, int) and not isinstance(value, bool):
        return AuthoredInt(value, text.strip())
    if isinstance(value, float):
        return AuthoredFloat(value, text.strip())
    return value


def as_written(value: Any) -> Any:
    """The text a number was read from (see `parse_scalar`), else the value itself."""
    return getattr(value, "text", value)


# Pydantic error types of a value that is not a string where the model wants one.
_WANTS_TEXT = ("string_type", "path_type")


def _set(data: Any, path: Path_, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def validate_authored(model: type[M], loaded: Loaded, at: Path_ = ()) -> M:
    """`model` validated from `loaded.data` (or its part at `at`), giving each field that
    wants a string the text the author wrote where YAML read a number or a boolean."""
    data = loaded.data
    for part in at:
        data = data[part]
    for _ in range(1000):  # each pass fixes at least one value, and there are few
        try:
            return model.model_validate(data)
        except ValidationError as e:
            fixes = {
                tuple(err["loc"]): loaded.authored[(*at, *err["loc"])]
                for err in e.errors()
                if err["type"] in _WANTS_TEXT and (*at, *err["loc"]) in loaded.authored
            }
            if not fixes:
                raise
            for loc, text in fixes.items():
                _set(data, loc, text)
    return model.model_validate(data)


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also quotes strings a YAML 1.2 reader would take for a number."""

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {
        k: list(v) for k, v in yaml.SafeDumper.yaml_implicit_resolvers.items()
    }


for _tag, _pattern, _first in _CORE_RESOLVERS[1:4]:
    _Dumper.add_implicit_resolver(_tag, _pattern, list(_first))


# Numbers read from `--set` text (`parse_scalar`) are written as the numbers they are.
_Dumper.add_representer(AuthoredInt, yaml.representer.SafeRepresenter.represent_int)
_Dumper.add_representer(AuthoredFloat, yaml.representer.SafeRepresenter.represent_float)


def dump_yaml(data: Any) -> str:
    """YAML that this module's loader (and PyYAML's) reads back as `data`; non-ASCII text
    stays readable unless that would change it (PyYAML writes U+0085 raw inside quotes,
    where readers turn it into a space), in which case it is escaped."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
    if load_yaml(text).data == data:
        return text
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False)
