"""Files written whole or not at all: a crash never leaves half a file under the real name.

The new content goes to a hidden temporary file beside the target, which then replaces the
target in one rename (atomic on POSIX and Windows when both are on one file system). The
temporary name holds the process and thread, so two writers of one file never share it.
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path to write; it replaces `path` when the block ends without an error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` as UTF-8, atomically."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path`, atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
