from pathlib import Path

from scenariosim.jsonl import JsonlWriter, jsonl_text, numbered_lines, read_jsonl


def test_rows_already_written_are_not_written_twice(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    JsonlWriter(path).write({"id": "a", "v": 1})
    writer = JsonlWriter(path)
    assert writer.write({"id": "a", "v": 2}) is False
    assert writer.write({"id": "b", "v": 3}) is True
    assert [r["id"] for r in read_jsonl(path)[0]] == ["a", "b"]


def test_a_torn_last_line_is_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "te')
    rows, skipped = read_jsonl(path)
    assert [r["id"] for r in rows] == ["a"]
    assert skipped == 1


def test_writing_after_a_torn_line_keeps_the_new_row_readable(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "te')
    JsonlWriter(path).write({"id": "c"})
    rows, skipped = read_jsonl(path)
    assert [r["id"] for r in rows] == ["a", "c"]
    assert skipped == 1


def test_a_line_separator_inside_a_string_does_not_split_the_row(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(jsonl_text([{"id": "a", "text": "one\u2028two\u0085three\rfour"}]))
    rows, skipped = read_jsonl(path)
    assert rows == [{"id": "a", "text": "one\u2028two\u0085three\rfour"}]
    assert skipped == 0


def test_numbered_lines_count_blank_lines_but_do_not_yield_them() -> None:
    assert list(numbered_lines('{"a": 1}\n\n{"b": 2}\n')) == [(1, '{"a": 1}'), (3, '{"b": 2}')]
