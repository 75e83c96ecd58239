"""Property tests of file names made from ids and titles: always one plain file name, never a
path or a hidden file, and two different ids never share one."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenariosim.errors import ConfigError
from scenariosim.outputs.naming import MAX_STEM, inside, safe_name

FAST = settings(max_examples=300, deadline=None)
ids = st.text(max_size=120) | st.sampled_from(
    ["..", ".", "../../etc/passwd", "a/b", "C:\\x", ".hidden", ""]
)


@FAST
@given(ids)
def test_a_safe_name_is_one_plain_visible_file_name(identifier: str) -> None:
    name = safe_name(identifier, ".png")
    stem = name.removesuffix(".png")
    assert stem and all(c.isascii() and (c.isalnum() or c in "._-") for c in stem)
    assert not name.startswith(".")
    assert len(stem) <= MAX_STEM + 9


@FAST
@given(ids, ids)
def test_two_different_ids_never_share_a_file_name(a: str, b: str) -> None:
    if a != b:
        assert safe_name(a) != safe_name(b)


@FAST
@given(st.lists(st.sampled_from(["..", "a", "b", "/", "\\", "."]), max_size=6).map("".join))
def test_inside_never_leaves_its_root(relative: str) -> None:
    root = Path("/tmp/root")
    try:
        path = inside(root, relative)
    except ConfigError:
        return
    assert path.resolve().is_relative_to(root.resolve())


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../x", "..\\x", "\\etc\\passwd"])
def test_inside_refuses_paths_that_escape(relative: str) -> None:
    with pytest.raises(ConfigError):
        inside(Path("/tmp/root"), relative)
