"""Markdown table cells hold any text without breaking the table or turning into HTML."""

from scenariosim.markdown import table, table_cell


def test_a_cell_is_one_line_with_pipes_escaped() -> None:
    assert table_cell("a | b\nc") == "a \\| b c"


def test_angle_brackets_show_as_text_outside_code_and_as_written_inside() -> None:
    assert table_cell("<run> and `age >= 18`") == "&lt;run&gt; and `age >= 18`"


def test_a_missing_value_is_an_empty_cell() -> None:
    assert table_cell(None) == ""


def test_a_table_has_a_header_a_rule_and_one_line_per_row() -> None:
    assert table(["a", "b"], [[1, "x|y"]]) == ["| a | b |", "| --- | --- |", "| 1 | x\\|y |"]
