"""Markdown tables: cells that stay in their column whatever text they hold."""

import re
from collections.abc import Iterable, Sequence
from typing import Any

_CODE = re.compile(r"(`[^`]*`)")


def table_cell(value: Any) -> str:
    """`value` as one table cell: one line, pipes escaped, `<...>` shown rather than read as
    HTML (outside code spans, which show `<` as it is and would show `&lt;` literally)."""
    text = " ".join(("" if value is None else str(value)).split()).replace("|", "\\|")
    parts = _CODE.split(text)
    return "".join(
        part if index % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
        for index, part in enumerate(parts)
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """The lines of a Markdown table; every cell goes through `table_cell`."""
    lines = [
        "| " + " | ".join(table_cell(h) for h in headers) + " |",
        "|" + " --- |" * len(headers),
    ]
    lines += ["| " + " | ".join(table_cell(v) for v in row) + " |" for row in rows]
    return lines
