"""File names made from ids: never a path, never hidden, never a collision.

Ids come from scenario files and model output, so they are untrusted: anything outside
`[A-Za-z0-9._-]` is replaced, leading dots are dropped, length is bounded, and a changed id
gets a short hash of the original so that two different ids never share a file.
"""

import hashlib
import re
from pathlib import Path, PurePosixPath

from scenariosim.errors import ConfigError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 80


def safe_name(identifier: str, suffix: str = "") -> str:
    """`identifier` as one file name (no separators, no `..`), plus `suffix`."""
    stem = _UNSAFE.sub("_", identifier).lstrip(".")[:MAX_STEM] or "_"
    if stem != identifier:
        stem = f"{stem}-{hashlib.sha256(identifier.encode()).hexdigest()[:8]}"
    return stem + suffix


def inside(root: Path, relative: str) -> Path:
    """`root / relative`, refusing anything that would land outside `root`."""
    path = PurePosixPath(relative.replace("\\", "/"))  # "\\x" is as absolute as "/x"
    parts = path.parts
    if not parts or path.is_absolute() or ".." in parts:
        raise ConfigError(f"refusing the path {relative!r}: it would leave {root}")
    return root.joinpath(*parts)
